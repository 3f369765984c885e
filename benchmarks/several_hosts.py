"""Two processes training together (as two hosts would, through a coordinator on 127.0.0.1) against one process,
for the same global batch, in one run.

    python benchmarks/several_hosts.py [ROUNDS] [EPOCHS]
Each round runs `playground train` on the digit CNN preset, the built-in 10,000 digits, batch 128, no validation,
on the JAX backend: once as one process, once as two (`--coordinator 127.0.0.1:PORT --num-processes 2`), the order
alternating from round to round so a change in the machine's load hits both sides alike. The figure is the time of
`model.fit` that the run reports (`seconds` in its end event; for two processes, the slower one), so the start-up of
Python, JAX and TensorFlow is left out; `wall_ratio=` compares the whole commands, `cpu_ratio=` the CPU seconds
all their processes used (start-up included: two processes start twice). On a machine busy with other work, two
processes can finish sooner than one simply because they draw a larger share of its cores: read `cpu_ratio=` then.
On one machine the two processes share its cores: what this shows is the cost of the collectives (every batch's
gradients summed across processes through Gloo), not a speed-up. On two machines, each with its own cores, the
work per batch halves and the collectives go over the network.
Last line: ratio=<median over rounds of (two-process fit s / one-process fit s)> spread=<min..max>
wall_ratio=<same for the whole commands> cpu_ratio=<same for their CPU seconds> same_loss=<bool: both processes of
every two-process run reported the same loss>
"""

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CNN = ROOT / "resources" / "presets" / "mnist-cnn.json"


def _env() -> dict:
    e = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_COORDINATOR_ADDRESS")}
    e.update(KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3",
             PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), e.get("PYTHONPATH")])))
    return e


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # every ended child process, and theirs
    return r.ru_utime + r.ru_stime


def _run(extra_per_process: list[list[str]], epochs: int, cwd: str) -> tuple[list[dict], float, float]:
    """Start one command per entry; (their end events, wall seconds, CPU seconds of all). Every process is ended
    before return."""
    cpu0 = _cpu()
    common = [sys.executable, "-m", "playground", "train", str(CNN), "--dataset", "mnist-sample", "--epochs",
              str(epochs), "--batch-size", "128", "--validation-split", "0", "--seed", "1", "--json", "--quiet"]
    t0 = time.perf_counter()
    procs = [subprocess.Popen([*common, *extra], cwd=cwd, env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for extra in extra_per_process]
    ends = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=1800)
            if p.returncode != 0:
                raise SystemExit(f"a run failed (exit {p.returncode}): {err.strip().splitlines()[-1:]}")
            events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
            ends.append({"end": events[-1], "loss": [e["loss"] for e in events if e["event"] == "epoch"]})
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    return ends, time.perf_counter() - t0, _cpu() - cpu0


def main(rounds: int, epochs: int) -> None:
    ratios, wall_ratios, cpu_ratios, same = [], [], [], True
    with tempfile.TemporaryDirectory() as cwd:
        for r in range(rounds):
            order = ("one", "two") if r % 2 == 0 else ("two", "one")
            fit, wall, cpu = {}, {}, {}
            for side in order:
                if side == "one":
                    ends, wall[side], cpu[side] = _run([[]], epochs, cwd)
                else:
                    cluster = ["--coordinator", f"127.0.0.1:{_port()}", "--num-processes", "2",
                               "--coordinator-timeout", "300"]
                    pair = [[*cluster, "--process-id", "0"], [*cluster, "--process-id", "1"]]
                    ends, wall[side], cpu[side] = _run(pair, epochs, cwd)
                    same = same and ends[0]["loss"] == ends[1]["loss"]
                fit[side] = max(e["end"]["seconds"] for e in ends)
            ratios.append(fit["two"] / fit["one"])
            wall_ratios.append(wall["two"] / wall["one"])
            cpu_ratios.append(cpu["two"] / cpu["one"])
            print(f"round {r + 1}: fit one process {fit['one']:.1f} s, two processes {fit['two']:.1f} s "
                  f"(ratio {ratios[-1]:.2f}); whole command {wall['one']:.1f} s against {wall['two']:.1f} s, "
                  f"CPU {cpu['one']:.1f} s against {cpu['two']:.1f} s",
                  flush=True)
    print(f"cores={len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} "
          f"load={os.getloadavg()[0]:.1f} rounds={rounds} epochs={epochs} "
          f"ratio={statistics.median(ratios):.2f} spread={min(ratios):.2f}..{max(ratios):.2f} "
          f"wall_ratio={statistics.median(wall_ratios):.2f} cpu_ratio={statistics.median(cpu_ratios):.2f} "
          f"same_loss={same}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
