"""The README's test command against a fixed Keras workload on the same machine, alternated.

    python benchmarks/test_suite.py [ROUNDS]

This machine's speed drifts (the same suite took 2 min 36 s one night and 4 min 23 s the next morning, both with
the load average below 1 at the start), so a suite time alone says little. Each round runs, in fresh processes:
the baseline (two copies at once, one per core, of: import Keras, build DenseNet121 at 32x32 without weights,
save it as .keras, load it back: the kind of work most of the suite's CPU goes to), then the README's test command
(`python -m pytest -q`, without pytest's cache), then the baseline again. The round's baseline is the mean of its
two. ratio = suite seconds / baseline seconds, which follows the machine's speed less than either; cpu_ratio is the
same in CPU seconds (every worker and child process). About 5 minutes a round on 2 cores.

Last line: suite_s=<median> baseline_s=<median> ratio=<median> ratio_min, ratio_max, suite_cpu_s, baseline_cpu_s,
cpu_ratio (medians)

    python benchmarks/test_suite.py ROUNDS --against REV

The baseline is then the test command of commit REV (9e73c0b: the suite issue 26 timed at 5 min 5 s): this
suite, then per round REV's suite and this one again, each REV run against the mean of this suite's runs on either
side of it. So ``ratio`` reads as the issue's goal does: 2.5 min against 5 min 5 s is a
ratio of 0.49 whatever the machine's speed that day. REV is checked out in a temporary git worktree and run in a
temporary environment with this one's packages and REV's ``playground`` (``baseline_checkout``; links and
``bin/``, so POSIX only). Its tests must pass, as ours must: when a suite fails, the script says why, prints the
summary of the rounds that finished, and exits 1. On Windows (no ``resource``) the CPU figures read nan.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no getrusage, so the CPU figures read nan and only the wall-clock ones count
    resource = None

ROOT = Path(__file__).resolve().parents[1]

BASELINE = r"""
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
m = keras.applications.DenseNet121(weights=None, input_shape=(32, 32, 3), classes=10)
path = os.path.join(sys.argv[1], "densenet.keras")
m.save(path)
keras.models.load_model(path, compile=False)
"""


def cpu_of_children() -> float:
    if resource is None:
        return float("nan")
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def baseline() -> tuple[float, float]:
    """(wall seconds, CPU seconds) of two copies of the baseline at once."""
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        cpu0, t0 = cpu_of_children(), time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", BASELINE, d], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for d in (a, b)]
        for p in procs:
            _, err = p.communicate()
            if p.returncode:
                raise SystemExit(f"the baseline failed:\n{err[-2000:]}")
        return time.perf_counter() - t0, cpu_of_children() - cpu0


def suite(python: str = sys.executable, root: Path = ROOT, scratch: str | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of every process it started, pytest's closing line) of the test command run in
    ``root`` by ``python`` (this checkout, or another commit's worktree with its environment). With ``scratch``, the
    run's temp folder and home are new folders in it, so whatever it leaves there goes with it (an older commit's
    tests leave AutoGraph's files, and write to the home)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if scratch is not None:
        run = Path(tempfile.mkdtemp(dir=scratch))
        for sub in ("tmp", "home"):
            (run / sub).mkdir()
        env.update(TMPDIR=str(run / "tmp"), HOME=str(run / "home"))
    cpu0, t0 = cpu_of_children(), time.perf_counter()
    out = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root, env=env,
                         capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, cpu_of_children() - cpu0
    closing = (out.stdout.strip().splitlines() or [""])[-1]
    if out.returncode:
        raise SystemExit(f"the tests in {root} failed: {closing}\n{out.stdout[-3000:]}")
    return wall, cpu, closing


def baseline_checkout(rev: str, folder: str) -> tuple[str, Path]:
    """(python, root): commit ``rev`` checked out in ``folder``, and a virtual environment that holds this one's
    packages (each linked, not copied) with that commit's ``playground`` in place of this checkout's, laid out as
    an install of it would be (its resources/ as playground.resources). No PYTHONPATH: the baseline's tests that
    start a fresh environment of their own (test_wheel) must not see the source tree."""
    import sysconfig
    import venv
    root = Path(folder) / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", str(root), rev], cwd=ROOT, check=True, capture_output=True)
    env_dir = Path(folder) / "venv"
    venv.create(env_dir, with_pip=False)
    python = str(env_dir / "bin" / "python")
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if entry.name.startswith(("__editable__", "network_playground", "playground", "distutils-precedence")):
            continue  # this checkout's editable install
        if not (site / entry.name).exists():
            (site / entry.name).symlink_to(entry)
    package = site / "playground"
    package.symlink_to(root / "playground", target_is_directory=True)
    if not (root / "playground" / "resources").exists():  # (a commit whose package holds its resources itself)
        (root / "playground" / "resources").symlink_to(root / "resources", target_is_directory=True)
    for name, module, func in entry_points((root / "pyproject.toml").read_text()):
        # the console scripts pip would write (test_readme runs `playground`)
        script = env_dir / "bin" / name
        script.write_text(f"#!{python}\nimport sys\nfrom {module} import {func}\nsys.exit({func}())\n")
        script.chmod(0o755)
    return python, root


def entry_points(pyproject: str) -> list[tuple[str, str, str]]:
    """(name, module, function) of each ``[project.scripts]`` and ``[project.gui-scripts]`` line (no tomllib: it
    is Python 3.11's, and the app runs on 3.10)."""
    found, section = [], ""
    for line in pyproject.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section in ("[project.scripts]", "[project.gui-scripts]") and "=" in line:
            name, target = (part.strip().strip('"') for part in line.split("=", 1))
            module, func = target.split(":")
            found.append((name, module, func))
    return found


def against(rev: str, rounds: int, rows: list) -> None:
    """This suite, then per round: REV's suite, this suite. A round compares REV's run with the mean of this suite's
    runs before and after it (REV's suite is the long one, so it is the one bracketed). Each round's row goes into
    ``rows`` as it ends."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            python, base_root = baseline_checkout(rev, folder)
            load = load_average()
            last = suite(scratch=folder)
            print(f"load at start {load:.2f}; this suite {last[0]:.1f} s ({last[1]:.0f} CPU s; {last[2]})", flush=True)
            for i in range(rounds):
                base, base_cpu, base_closing = suite(python, base_root, folder)
                now = suite(scratch=folder)
                wall, cpu = (last[0] + now[0]) / 2, (last[1] + now[1]) / 2
                rows.append((wall, base, wall / base, cpu, base_cpu, cpu / base_cpu))
                print(f"round {i + 1}: {rev}'s suite {base:.1f} s ({base_cpu:.0f} CPU s; {base_closing}); this suite "
                      f"{now[0]:.1f} s ({now[1]:.0f} CPU s; {now[2]}); ratio {wall / base:.3f} (this suite's mean over "
                      f"{rev}'s), cpu_ratio {cpu / base_cpu:.2f}; load now {load_average():.2f}", flush=True)
                last = now
        finally:  # the worktree's registration in this repository goes with its folder
            subprocess.run(["git", "worktree", "remove", "--force", str(Path(folder) / "baseline")], cwd=ROOT,
                           capture_output=True)
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)


def alternate(rounds: int, rows: list) -> None:
    """Per round: the Keras workload, this suite, the workload again; each round's row goes into ``rows``."""
    for i in range(rounds):
        load = load_average()
        (b1, c1), (wall, cpu, closing), (b2, c2) = baseline(), suite(), baseline()
        base, base_cpu = (b1 + b2) / 2, (c1 + c2) / 2
        rows.append((wall, base, wall / base, cpu, base_cpu, cpu / base_cpu))
        print(f"round {i + 1}: load at start {load:.2f}; baseline {b1:.1f} s and {b2:.1f} s ({c1:.0f} and {c2:.0f} "
              f"CPU s); suite {wall:.1f} s ({cpu:.0f} CPU s; {closing}); ratio {wall / base:.2f}, cpu_ratio "
              f"{cpu / base_cpu:.2f}", flush=True)


def summary(rows: list) -> str:
    med = [statistics.median(r[k] for r in rows) for k in range(6)]
    return (f"suite_s={med[0]:.1f} baseline_s={med[1]:.2f} ratio={med[2]:.2f} ratio_min={min(r[2] for r in rows):.2f} "
            f"ratio_max={max(r[2] for r in rows):.2f} suite_cpu_s={med[3]:.0f} baseline_cpu_s={med[4]:.1f} "
            f"cpu_ratio={med[5]:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    rev = None
    if "--against" in args:
        at = args.index("--against")
        rev = args[at + 1]
        del args[at:at + 2]
    rounds = int(args[0]) if args else 2
    rows: list = []
    try:
        against(rev, rounds, rows) if rev else alternate(rounds, rows)
    except SystemExit as failed:  # a suite failed: say why, and what the finished rounds measured
        print(failed, file=sys.stderr, flush=True)
        print(f"{summary(rows)} rounds={len(rows)} of {rounds} (then a suite failed)" if rows else
              f"no round finished of {rounds} (a suite failed)")
        sys.exit(1)
    print(summary(rows))
