"""The generated .py: never a variable named after a Python builtin (``input``; issue 24, item 19), and no code
from the project file (a hostile-file review)."""

import ast
import os
import builtins

import pytest

from playground.backend import export
from playground.core import errors, project
from playground.resources_path import preset_text


def test_generated_script_does_not_shadow_builtins():
    g = project.loads(preset_text("mnist-cnn")).graph
    assert "input" in {n.name for n in g.nodes.values()}
    tree = ast.parse(export.python_script(g, "mnist-cnn"))
    assigned = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert assigned and not {a for a in assigned if hasattr(builtins, a)}
    assert "l_input = keras.Input(" in export.python_script(g, "mnist-cnn")


PAYLOAD = "__import__('os').system('echo ran > /tmp/pwned')"


def _project(name: str, nodes_between=()) -> str:
    import json
    nodes = [{"id": "n1", "type": "input", "name": "x", "params": {"shape": [2]}, "pos": [0, 0]},
             *nodes_between,
             {"id": "n2", "type": "dense", "name": "out", "params": {"units": 1, "activation": "sigmoid"},
              "pos": [300, 0]}]
    chain = [n["id"] for n in nodes]
    edges = [{"from": a, "to": b, "port": 0} for a, b in zip(chain, chain[1:])]
    return json.dumps({"schema_version": 2, "app": "playground", "name": name, "description": "", "nodes": nodes,
                       "edges": edges})


def test_a_project_name_cannot_write_code_into_the_exported_script():
    """A hostile-file review: the project's name went raw into the script's docstring, so a name holding three
    double quotes, a newline and a statement ended the docstring and the statement ran when the learner ran the
    script (as its docstring tells them to). The name is written printable, on one line, without quotes or
    backslashes; the script's top level is its docstring, imports, WEIGHTS, build_model and the main block."""
    for name in ('demo"""\n' + PAYLOAD + '\n"""', "demo'''\n" + PAYLOAD, 'demo\\"""' + PAYLOAD, "a\r\n\x00" + PAYLOAD):
        proj = project.loads(_project(name))
        text = export.python_script(proj.graph, proj.name, filename=f"{proj.name}.py")
        tree = ast.parse(text)
        kinds = [type(node).__name__ for node in tree.body]
        assert kinds == ["Expr", "Import", "Import", "ImportFrom", "FunctionDef", "If"], (name, kinds)
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "__import__"], name
        doc = ast.get_docstring(tree)
        assert "__import__('os')" in doc  # the name is shown, as text


def test_an_opaque_layer_class_must_be_a_class_name():
    """Its class name went unquoted into ``layers.<class_name>.from_config`` in the script; a project whose
    class name was an expression ran it. The loader now wants a Python identifier, and the script names the
    class as a string."""
    cls = "Identity if " + PAYLOAD + " else layers.Identity"
    opaque = {"id": "n3", "type": "opaque", "name": "ident", "pos": [150, 0],
              "params": {"class_name": cls, "config": {"class_name": "Identity", "config": {}},
                         "input_shapes": [[2]], "output_shape": [2], "param_count": [0, 0]}}
    with pytest.raises(errors.ProjectFormatError, match="class_name` must be a Keras layer class name"):
        project.loads(_project("demo", [opaque]))
    opaque["params"]["class_name"] = "Identity"
    proj = project.loads(_project("demo", [opaque]))
    assert "getattr(layers, 'Identity').from_config(" in export.python_script(proj.graph, "demo")


@pytest.mark.parametrize("filename", ["exp script.py", "my net (2).py", "plain.py", "cost$1.py", "-net.py"])
def test_the_command_the_docstring_gives_runs_the_file_it_names(filename):
    """A new-user drive: "python exp script.py", unquoted, runs a file named "exp" in a shell."""
    import shlex
    proj = project.loads(preset_text("and"))
    doc = ast.get_docstring(ast.parse(export.python_script(proj.graph, proj.name, filename=filename)))
    command = next(line.strip() for line in doc.splitlines() if line.strip().startswith("python "))
    words = shlex.split(command)
    assert words[0] == "python" and len(words) == 2 and os.path.normpath(words[1]) == filename, command
