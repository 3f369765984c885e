"""Every README block marked ```sh runnable runs as written, inside the virtual environment (its bin folder
first on PATH, as `source .venv/bin/activate` leaves it), and prints the output shown under it (`# ` lines)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```sh runnable\n(.*?)^```", re.S | re.M)


def runnable_blocks() -> list[list[tuple[str, list[str]]]]:
    """Each block as [(command, expected output lines)]."""
    blocks = []
    for body in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        steps: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("# ") and steps:
                steps[-1][1].append(line[2:])
            elif line.strip():
                steps.append((line, []))
        blocks.append(steps)
    return blocks


def test_readme_has_runnable_blocks_including_the_tour():
    commands = [c for block in runnable_blocks() for c, _ in block]
    assert len(commands) >= 4
    assert any(c.startswith("playground export") for c in commands)
    assert any(c.startswith('python -c "import keras') for c in commands)


def test_runnable_readme_commands_work_as_written(tmp_path):
    (tmp_path / "resources").symlink_to(ROOT / "resources", target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    for block in runnable_blocks():
        for command, expected in block:
            out = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                                 timeout=300)
            assert out.returncode == 0, f"{command}\n{out.stderr[-2000:]}"
            if expected:
                assert out.stdout.strip().splitlines()[-len(expected):] == expected, command


def test_the_palette_count_the_readme_gives_is_the_palettes():
    """The README's "wire them: N kinds" said 40 while the palette had 48."""
    from playground.core.registry import by_category
    said = re.search(r"wire them: (\d+) kinds", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert said and int(said.group(1)) == sum(len(specs) for specs in by_category().values())


def test_the_python_the_readme_asks_for_is_the_one_the_package_requires():
    """The README said Python 3.10 or newer; on 3.10 pip finds a Keras whose shapes differ (8 tests failed)."""
    import sys
    said = re.search(r"\(Python (\d+)\.(\d+) or newer", (ROOT / "README.md").read_text(encoding="utf-8"))
    required = re.search(r'requires-python = ">=(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert said and required and said.groups() == required.groups()
    assert sys.version_info[:2] >= tuple(int(v) for v in said.groups())
