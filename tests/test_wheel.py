"""The built wheel carries resources/ and works from a fresh virtual environment."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installs_and_runs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT),
                    "-w", str(dist)], check=True, cwd=tmp_path)
    wheel = next(dist.glob("network_playground-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("playground/resources/presets/mnist-cnn.json", "playground/resources/datasets/mnist-sample.npz",
                   "playground/resources/icons/playground.svg", "playground/cli.py"):
        assert needed in names, needed
    # a fresh environment that sees this one's packages (numpy, Keras...) but not our source tree
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with zipfile.ZipFile(wheel) as z:  # install the wheel by unpacking it: what pip does for a pure wheel
        z.extractall(site)
    (Path(site) / "playground-parent.pth").write_text(_parent_site_packages())
    out_dir = tmp_path / "elsewhere"
    out_dir.mkdir()
    run = subprocess.run([str(py), "-c", "import playground, sys; print(playground.__file__)"], capture_output=True,
                         text=True, check=True, cwd=out_dir)
    assert str(ROOT) not in run.stdout and site in run.stdout
    preset = "import importlib.resources as r; print(r.files('playground.resources') / 'presets' / 'lenet5.json')"
    path = subprocess.run([str(py), "-c", preset], capture_output=True, text=True, check=True, cwd=out_dir).stdout.strip()
    summary = subprocess.run([str(py), "-m", "playground", "summary", path, "--json"], capture_output=True, text=True,
                             cwd=out_dir)
    assert summary.returncode == 0, summary.stderr
    assert '"total_params": 61706' in summary.stdout
    datasets = subprocess.run([str(py), "-m", "playground", "datasets"], capture_output=True, text=True, cwd=out_dir)
    assert datasets.returncode == 0 and "mnist-sample" in datasets.stdout and "built in" in datasets.stdout


def _parent_site_packages() -> str:
    import sysconfig
    return sysconfig.get_paths()["purelib"] + "\n"
