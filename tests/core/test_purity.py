"""core stays pure: no Qt, no Keras, by import analysis and at run time."""

import ast
import pathlib
import subprocess
import sys

import playground.core as core_pkg

FORBIDDEN = ("PySide6", "pyqtgraph", "keras", "tensorflow", "playground.ui", "playground.backend")


def test_core_sources_import_nothing_forbidden():
    root = pathlib.Path(core_pkg.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_core_runs_without_qt_or_keras_loaded():
    code = ("import sys; import playground.core.shapes, playground.core.project, playground.core.logic, "
            "playground.core.conv, playground.core.layout; "
            "from playground.core import analysis, project, shapes; "
            "from playground.resources_path import preset_text; "
            "analysis.infer(project.loads(preset_text('mnist-cnn')).graph); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'keras', 'tensorflow')]; "
            "print(bad); assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
