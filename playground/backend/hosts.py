"""Several processes (one per host) training one model: ``jax.distributed`` + ``keras.distribution.DataParallel``.

Every process runs ``playground train PROJECT --coordinator HOST:PORT --num-processes N --process-id I``; process 0
also hosts the coordinator. After they connect, every process loads the same project and dataset, they check that
they did (a fingerprint of the project, the data and the settings, gathered from all), and Keras shards each global
batch between them.

Why a child process: XLA ends a process with a C++ abort and a stack trace (exit 134, or a segfault) when the
coordinator does not answer in time, when a peer dies, or when its CPU all-reduce times out. So the command the
user started supervises a child that does the work: it passes the child's output on, holds back XLA's native log
lines, and turns such an end into one line and exit 2. Nothing here imports JAX or Keras until ``connect``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from ..core.errors import PlaygroundError

CHILD_ENV = "PLAYGROUND_SUPERVISED"  # set in the child: do the work, do not supervise again
# The child's line to its parent (never shown) as it starts waiting for the others: XLA waits about 5 s longer
# than --coordinator-timeout asks, so the parent times the wait itself to say how long it was.
CONNECTING = "playground-child: connecting"
DEFAULT_TIMEOUT = 120  # seconds to wait for every process to reach the coordinator


class ClusterError(PlaygroundError):
    """Several processes cannot train together: a bad setting, a port in use, a peer that never came."""


@dataclass(frozen=True)
class ClusterSpec:
    """What ``jax.distributed.initialize`` needs; None where JAX's cluster detection (SLURM, Open MPI) fills it."""

    coordinator: str | None
    num_processes: int | None
    process_id: int | None
    timeout: int = DEFAULT_TIMEOUT

    def who(self) -> str:
        if self.process_id is None or self.num_processes is None:
            return "this process"
        return f"process {self.process_id} of {self.num_processes}"


_ADDRESS = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})$")


def spec_from(coordinator: str | None, num_processes: int | None, process_id: int | None,
              timeout: float | None) -> ClusterSpec | None:
    """The cluster asked for by the options (or by ``JAX_COORDINATOR_ADDRESS``, which JAX itself reads), checked;
    None when the run is a single process."""
    coordinator = coordinator or os.environ.get("JAX_COORDINATOR_ADDRESS") or None
    if coordinator is None and num_processes is None and process_id is None:
        if timeout is not None:
            raise ClusterError("--coordinator-timeout applies to several processes; give --coordinator HOST:PORT "
                               "and --num-processes N too.")
        return None
    if coordinator is not None:
        m = _ADDRESS.match(coordinator)
        if not m or not 1 <= int(m["port"]) <= 65535:
            raise ClusterError(f"--coordinator must be HOST:PORT with a port from 1 to 65535, like "
                               f"10.0.0.1:4321. Received --coordinator={coordinator!r}.")
    if num_processes is not None and num_processes < 1:
        raise ClusterError(f"--num-processes must be 1 or more. Received --num-processes={num_processes}.")
    if process_id is not None and (process_id < 0 or (num_processes is not None and process_id >= num_processes)):
        top = f"{num_processes - 1}" if num_processes is not None else "N-1"
        raise ClusterError(f"--process-id must be from 0 to {top}. Received --process-id={process_id}.")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not (1 <= timeout <= 86400) or timeout != int(timeout):
        raise ClusterError(f"--coordinator-timeout must be a whole number of seconds from 1 to 86400. "
                           f"Received --coordinator-timeout={timeout}.")
    return ClusterSpec(coordinator, num_processes, process_id, int(timeout))


def check_port_free(spec: ClusterSpec) -> None:
    """Process 0 hosts the coordinator on every interface at the port: say so now if the port is taken (XLA
    would end with a segmentation fault)."""
    if spec.process_id != 0 or spec.coordinator is None:
        return
    port = int(spec.coordinator.rsplit(":", 1)[1])
    for family, host in ((socket.AF_INET6, "::"), (socket.AF_INET, "0.0.0.0")):
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # no IPv6 on this machine: the IPv4 try decides
            continue
        try:
            s.bind((host, port))
            return
        except OSError as exc:
            if family == socket.AF_INET6 and exc.errno not in (98, 48, 10048):  # not "in use": try IPv4
                continue
            raise ClusterError(f"port {port} is in use on this machine, so process 0 cannot host the coordinator "
                               f"there; pick another port in --coordinator (the same on every process).") from None
        finally:
            s.close()


# ------------------------------------------------------------------ the supervising parent

# XLA/absl native lines (log lines, the fatal check's stack) and Gloo's connection notice: held back
_NATIVE_LINE = re.compile(r"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]|\*\*\* |\s+@\s+0x|\[Gloo\]"
                          r"|WARNING: All log messages before absl|RPC: /"
                          r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] )")


def is_native_line(line: str) -> bool:
    """A line written by XLA, absl or Gloo rather than by the playground."""
    return bool(_NATIVE_LINE.match(line)) or not line.strip()


def explain(returncode: int, native: list[str], spec: ClusterSpec | None, cpu_note: str | None = None,
            waited: float | None = None) -> str:
    """One line for a child that ended abnormally, from its exit status and its held-back native lines
    (``waited``: the seconds from the child's start of connecting to its end, where the parent saw it)."""
    text = "\n".join(native)
    if spec is not None and "DEADLINE_EXCEEDED" in text and ("RegisterTask" in text or "Connect" in text):
        n = spec.num_processes if spec.num_processes is not None else "all"
        how_long = f"past --coordinator-timeout {spec.timeout}" if waited is None else \
            f"{max(round(waited), 1)} s (--coordinator-timeout {spec.timeout})"
        return (f"{spec.who()} waited {how_long} and the {n} processes did not all reach the coordinator "
                f"{spec.coordinator}: start every process with the same --coordinator and --num-processes and its "
                f"own --process-id, check that HOST:PORT is reachable from every host, or raise "
                f"--coordinator-timeout.")
    if spec is not None and "Failed to add port" in text:
        return (f"process 0 could not host the coordinator at {spec.coordinator} (the port is in use or the "
                f"address is not this machine's); pick another port.")
    if spec is not None and ("detected fatal errors" in text or "UNAVAILABLE" in text
                             or "heartbeat" in text.lower()):
        return (f"{spec.who()} stopped: another process ended or could no longer be reached, so training cannot "
                f"go on (XLA: {_status(text)}).")
    if cpu_note is not None:
        return f"training ended abnormally ({_signal_name(returncode)}): {cpu_note}"
    status = _status(text)
    return (f"training ended abnormally ({_signal_name(returncode)})" + (f"; XLA said: {status}" if status else "")
            + ".")


def _status(text: str) -> str:
    for line in text.splitlines():
        if line[:1] == "F" and "]" in line:
            msg = line.split("] ", 1)[-1]
            found = re.search(r"absl::Status: (.*)", msg)
            return (found.group(1) if found else msg).strip()[:200]
    return ""


def _signal_name(returncode: int) -> str:
    code = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else None
    if code:
        try:
            return f"{signal.Signals(code).name}, exit {returncode}"
        except ValueError:
            pass
    return f"exit {returncode}"


def _die_with_parent() -> None:
    """In the child, before it starts (Linux): end it if the supervising parent is killed, so no worker is left
    waiting for its peers."""
    try:
        import ctypes  # noqa: PLC0415
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's finally still ends it on a normal exit
        pass


def supervise(argv: list[str], spec: ClusterSpec | None, cpu_note: str | None = None) -> int:
    """Run ``playground <argv>`` as a child doing the work; pass its output on without XLA's native lines; an
    abnormal end (a C++ abort, a segfault) becomes one line and exit 2. The child is always ended before return."""
    env = {**os.environ, CHILD_ENV: "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "playground", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, preexec_fn=_die_with_parent)
    native: list[str] = []
    connecting: list[float] = []  # when the child began to wait for the others

    def pump(src, dst) -> None:
        for raw in iter(src.readline, b""):
            line = raw.decode("utf-8", "replace")
            if line.rstrip("\r\n") == CONNECTING:
                connecting.append(time.monotonic())
                continue
            if is_native_line(line):
                native.append(line.rstrip("\n"))
                del native[:-200]  # the last lines are the ones that explain an end
                continue
            dst.write(line)
            dst.flush()

    threads = [threading.Thread(target=pump, args=(proc.stdout, sys.stdout), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, sys.stderr), daemon=True)]
    for t in threads:
        t.start()
    try:
        returncode = proc.wait()
        ended = time.monotonic()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for t in threads:
            t.join(timeout=5)
    if returncode in (0, 1, 2, 130):  # the child's own answer: it has printed its line
        return returncode
    waited = ended - connecting[0] if connecting else None
    print(f"playground train: error: {explain(returncode, native, spec, cpu_note, waited)}", file=sys.stderr,
          flush=True)
    return 2


# ------------------------------------------------------------------ in the child: connect, then agree

_PROCESS = {"index": 0, "count": 1}


def process_index() -> int:
    """This process's number among those training together (0 when alone)."""
    return _PROCESS["index"]


def process_count() -> int:
    """How many processes train together (1 unless ``connect`` joined several)."""
    return _PROCESS["count"]


def connect(spec: ClusterSpec) -> tuple[int, int]:
    """``jax.distributed.initialize`` with the spec (gloo collectives on CPU); returns (process index, count).

    XLA aborts the process if the others do not come within ``spec.timeout`` s; the supervising parent
    explains that."""
    import jax  # noqa: PLC0415 - only the JAX backend trains across processes

    # Without a collectives library, CPU computations cannot span processes.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    if os.environ.get(CHILD_ENV) == "1":
        print(CONNECTING, file=sys.stderr, flush=True)  # the supervising parent times the wait from here
    try:
        jax.distributed.initialize(coordinator_address=spec.coordinator, num_processes=spec.num_processes,
                                   process_id=spec.process_id, initialization_timeout=spec.timeout)
    except (ValueError, TypeError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClusterError(f"cannot start several processes: {first} (give --coordinator HOST:PORT, "
                           f"--num-processes N and --process-id I, or run under SLURM or Open MPI).") from None
    _PROCESS.update(index=int(jax.process_index()), count=int(jax.process_count()))
    return _PROCESS["index"], _PROCESS["count"]


def _digest(*parts: bytes) -> bytes:
    import hashlib  # noqa: PLC0415
    h = hashlib.blake2b(digest_size=8)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.digest()


def fingerprints(graph, settings: dict, data) -> dict[str, bytes]:
    """8-byte digests of what must be the same on every process: the network (weights included), the prepared
    arrays, and the settings (the seed only when one was given; a drawn seed is agreed separately)."""
    import json  # noqa: PLC0415

    from ..core import project  # noqa: PLC0415
    d = project.to_dict(project.Project(graph, "x"))
    net = json.dumps({"nodes": [{k: v for k, v in n.items() if k != "pos"} for n in d["nodes"]],
                      "edges": d["edges"]}, sort_keys=True, default=str).encode()
    arrays = []
    for a in (data.x_train, data.y_train, data.x_test, data.y_test):
        if a is None:
            arrays.append(b"-")
        else:
            import numpy as np  # noqa: PLC0415
            a = np.ascontiguousarray(a)
            arrays += [f"{a.dtype}{a.shape}".encode(), a.tobytes()]
    run = {k: v for k, v in settings.items() if k not in ("tensorboard_dir",)}
    return {"project": _digest(net), "dataset": _digest(*arrays),
            "settings": _digest(json.dumps(run, sort_keys=True, default=str).encode())}


def agree(graph, settings: dict, data, drawn_seed: int | None, failed: bool = False) -> int | None:
    """Gather every process's fingerprints and refuse (ClusterError, one line on every process) if any differ;
    returns process 0's drawn seed (so every copy of the model starts from the same weights), or None.

    Every process must call it exactly once before training, ``failed=True`` (and no data) when it could not get
    that far: the others then stop too, instead of waiting for it in the next collective."""
    import numpy as np  # noqa: PLC0415
    from jax.experimental import multihost_utils  # noqa: PLC0415

    names = ["project", "dataset", "settings"]
    prints = dict.fromkeys(names, bytes(8)) if failed else fingerprints(graph, settings, data)
    seed = 0 if drawn_seed is None else int(drawn_seed)
    row = np.frombuffer(b"".join(prints.values()) + seed.to_bytes(8, "little") + bytes([failed]), np.uint8)
    table = np.asarray(multihost_utils.process_allgather(row)).reshape(process_count(), -1)
    if failed:
        return None  # the caller raises its own error
    stopped = [i for i in range(table.shape[0]) if table[i, -1]]
    if stopped:
        raise ClusterError(f"process {stopped[0]} stopped before training (its own message says why), so this one "
                           f"stops too.")
    for i in range(1, table.shape[0]):
        for k, name in enumerate(names):
            if not np.array_equal(table[i, 8 * k:8 * k + 8], table[0, 8 * k:8 * k + 8]):
                raise ClusterError(f"process {i}'s {name} differs from process 0's (fingerprint "
                                   f"{table[i, 8 * k:8 * k + 8].tobytes().hex()} against "
                                   f"{table[0, 8 * k:8 * k + 8].tobytes().hex()}): every process must load the same "
                                   f"project and dataset with the same options.")
    if drawn_seed is None:
        return None
    return int.from_bytes(table[0, 8 * len(names):8 * len(names) + 8].tobytes(), "little")
