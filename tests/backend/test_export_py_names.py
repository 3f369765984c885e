"""Issue 24, item 19: the generated .py never names a variable after a Python builtin (``input``)."""

import ast
import builtins

from playground.backend import export
from playground.core import project
from playground.resources_path import preset_text


def test_generated_script_does_not_shadow_builtins():
    g = project.loads(preset_text("mnist-cnn")).graph
    assert "input" in {n.name for n in g.nodes.values()}
    tree = ast.parse(export.python_script(g, "mnist-cnn"))
    assigned = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert assigned and not {a for a in assigned if hasattr(builtins, a)}
    assert "l_input = keras.Input(" in export.python_script(g, "mnist-cnn")
