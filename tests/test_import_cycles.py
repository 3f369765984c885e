"""No import cycles inside the package, function-local imports included.

A cycle hidden by an import inside a function still ties two modules together: neither can be read,
tested or moved without the other. grimp (import-linter's graph builder) sees every import statement.
"""

from __future__ import annotations

import grimp


def test_no_import_cycles_in_playground():
    g = grimp.build_graph("playground")
    cycles = sorted({tuple(sorted((m, n))) for m in g.modules
                     for n in g.find_modules_directly_imported_by(m)
                     if n.startswith("playground") and g.chain_exists(importer=n, imported=m)})
    assert cycles == [], "modules that import each other (directly or through others): " + ", ".join(
        " <-> ".join(c) for c in cycles)
