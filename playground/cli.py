"""Command line: ``playground`` opens the app; ``summary``, ``train``, ``export``, ``datasets``, ``devices``.

Bad input exits with status 2 and one clear line on stderr, never a traceback. Nothing here imports
Qt unless the app is opened, and Keras loads only for commands that need it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shlex
import sys
import time
from pathlib import Path

from . import __version__
from .core import analysis
from .core.errors import PlaygroundError
from .core.registry import get_spec
from .core.words import count


class CliError(PlaygroundError):
    """A command-line argument that cannot be used."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """``text`` safe for a terminal: control characters (ANSI escapes, bells, carriage returns) become '?', and a
    lone surrogate (a name no encoder can write, like ``"\\ud800"`` from JSON) is written as its escape."""
    return _CONTROL.sub("?", str(text)).encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str) -> str:
    """A message as one clean line: its lines joined with ' | '."""
    return " | ".join(clean(part) for part in str(text).splitlines() if part.strip()) or clean(text)


def check_output_path(path: str, option: str) -> None:
    """Before a long run: refuse an output path that could not be written, naming the option."""
    p = Path(path)
    if p.is_dir():
        raise CliError(f"{option} {clean(path)!r} is a folder; give a file name.")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise CliError(f"{option}: the folder {clean(str(parent))!r} does not exist.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CliError(f"{option}: cannot write in the folder {clean(str(parent))!r} (permission denied).")


# ------------------------------------------------------------------ loading

def load_graph(path: str):
    """(graph, project or None, name) from a project .json or a Keras .h5/.keras file."""
    from .core import project  # noqa: PLC0415
    p = Path(path)
    try:
        if p.suffix in (".h5", ".keras", ".hdf5"):
            from .backend.model_import import import_model  # noqa: PLC0415 - Keras only for model files
            graph = import_model(p)
            return graph, None, p.stem
        proj = project.load(p)
    except PlaygroundError as exc:  # which file, where the message does not say (a field out of range)
        if exc.args and isinstance(exc.args[0], str) and p.name not in exc.args[0]:
            exc.args = (f"{p.name}: {exc.args[0]}",) + exc.args[1:]
        raise
    return proj.graph, proj, proj.name


def summary_rows(graph) -> tuple[list[dict], int, int]:
    infos = analysis.infer(graph)
    rows = []
    for nid in graph.topological_order():
        node, info = graph.nodes[nid], infos[nid]
        spec = get_spec(node.kind)
        errors = list(info.errors)
        if info.status == "blocked":
            errors.append("not computed: an earlier layer has an error")
        kind = node.params.get("class_name") if spec.opaque else spec.title if spec.hand_set else spec.keras_class
        rows.append({"name": node.name, "type": kind,
                     "output_shape": list(info.shape) if info.shape else [], "params": info.params,
                     "formula": info.full_formula, "warnings": list(info.warnings), "errors": errors})
    total, trainable = analysis.totals(infos)
    return rows, total, trainable


def _shape_cell(shape: list[int]) -> str:
    return "(None, " + ", ".join(map(str, shape)) + ")" if shape else "?"


def print_summary(name: str, rows: list[dict], total: int, trainable: int, out=None) -> None:
    out = out if out is not None else sys.stdout  # looked up now, so redirection works
    cells = [(f"{r['name']} ({r['type']})", _shape_cell(r["output_shape"]), f"{r['params']:,}", r["formula"])
             for r in rows]
    heads = ("Layer (type)", "Output Shape", "Param #", "Formula")
    w = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(heads[:3])]
    width = sum(w) + 6 + max((len(c[3]) for c in cells), default=7)
    line = "\u2500" * min(width, 160)
    print(f'Model: "{clean(name)}"', file=out)
    print(line, file=out)
    print(f"{heads[0]:<{w[0]}}  {heads[1]:<{w[1]}}  {heads[2]:>{w[2]}}  {heads[3]}", file=out)
    print(line, file=out)
    for c, r in zip(cells, rows):
        print(clean(f"{c[0]:<{w[0]}}  {c[1]:<{w[1]}}  {c[2]:>{w[2]}}  {c[3]}"), file=out)
        for msg in r["warnings"]:
            print(f"    warning: {one_line(msg)}", file=out)
        for msg in r["errors"]:
            print(f"    error: {one_line(msg)}", file=out)
    print(line, file=out)
    print(f"Total params: {total:,}", file=out)
    print(f"Trainable params: {trainable:,}", file=out)
    print(f"Non-trainable params: {total - trainable:,}", file=out)
    n_err = sum(1 for r in rows if r["errors"])
    n_warn = sum(len(r["warnings"]) for r in rows)
    if n_err or n_warn:
        print(f"{count(n_err, 'layer')} with errors, {count(n_warn, 'warning')}.", file=out)


def keras2_conversion(path: str):
    """What opening a Keras 2 .h5 file converted (core.keras2_dialect.Conversion), or None for other files."""
    if Path(path).suffix not in (".h5", ".hdf5"):
        return None
    from .backend.keras2 import conversion_for  # noqa: PLC0415
    return conversion_for(path)


def cmd_summary(args) -> int:
    graph, _, name = load_graph(args.file)
    rows, total, trainable = summary_rows(graph)
    conversion = keras2_conversion(args.file)
    note = None if conversion else getattr(graph, "import_note", "") or None  # opened beyond plain Keras
    if args.json:
        print(json.dumps({"layers": rows, "total_params": total, "trainable_params": trainable,
                          "keras2": conversion.to_dict() if conversion else None, "note": note}))
    else:
        if conversion:
            print(conversion.message())
        if note:
            print(clean(note))
        print_summary(name, rows, total, trainable)
    return 1 if any(r["errors"] for r in rows) else 0


# ------------------------------------------------------------------ train / export

class Progress:
    """A terminal progress bar with ETA, redrawn at most 10 times a second."""

    def __init__(self, stream=sys.stderr, prefix: str = "") -> None:
        self.stream = stream
        self.prefix = prefix  # "process 1: " when several processes train together
        self.live = stream.isatty()  # a log file gets one line per epoch, not a redrawn bar
        self.last = 0.0
        self.epochs = 1
        self.t0 = time.perf_counter()
        self.first: tuple[float, float] | None = None  # (time, progress) after the first batch

    def __call__(self, kind: str, p: dict) -> None:
        if kind == "begin":
            self.epochs = int(p["epochs"])
            self.t0 = time.perf_counter()
        elif kind == "batch":
            now = time.perf_counter()
            ep, b, steps = int(p["epoch"]), int(p["batch"]) + 1, int(p["steps"])
            done = (ep * steps + b) / max(self.epochs * steps, 1)
            if self.first is None:
                self.first = (now, done)  # the first batch includes graph tracing: leave it out of the ETA
            if not self.live or now - self.last < 0.1:
                return
            self.last = now
            t1, d1 = self.first
            eta = (now - t1) * (1 - done) / max(done - d1, 1e-9) if done > d1 else float("nan")
            bar = "#" * int(24 * b / steps)
            eta_text = f"{eta:4.0f}s" if eta == eta else "   ?"
            self.stream.write(f"\r{self.prefix}epoch {ep + 1}/{self.epochs} [{bar:<24}] {b}/{steps} loss {p['mean_loss']:.4f} "
                              f"acc {p['mean_accuracy']:.4f} ETA {eta_text} ")
            self.stream.flush()
        elif kind == "epoch":
            extra = "".join(f" {k} {v:.4f}" for k, v in p.items() if k.startswith("val_"))
            self.stream.write(f"{chr(13) if self.live else ''}{self.prefix}epoch {int(p['epoch']) + 1}/{self.epochs} loss {p.get('loss', float('nan')):.4f} "
                              f"acc {p.get('accuracy', float('nan')):.4f}{extra} ({p['elapsed']:.1f} s)".ljust(90)
                              + "\n")
            self.stream.flush()


def parse_devices(value: str | None):
    if value is None:
        return None
    if value == "all":
        return "all"
    try:
        n = int(value)
    except ValueError:
        raise CliError(f"--devices must be 'all' or a whole number >= 1. Received --devices={value!r}.") from None
    if n < 1:
        raise CliError(f"--devices must be 'all' or a whole number >= 1. Received --devices={value!r}.")
    return n


def cluster_spec(args):
    """The several-process run asked for (hosts.ClusterSpec), or None; it forces the JAX backend."""
    from .backend import hosts  # noqa: PLC0415 - no JAX until connect
    spec = hosts.spec_from(args.coordinator, args.num_processes, args.process_id, args.coordinator_timeout)
    if spec is None:
        return None
    if args.devices is not None:
        raise CliError("--devices cannot be combined with --coordinator/--num-processes: across processes every "
                       "device of every process trains.")
    asked = args.backend or os.environ.get("KERAS_BACKEND")
    if asked and asked != "jax":
        raise CliError(f"training across processes runs on the JAX backend only (jax.distributed); received "
                       f"the {asked} backend. Use --backend jax (or unset KERAS_BACKEND).")
    args.backend = "jax"
    return spec


def cmd_train(args) -> int:
    from .backend import hosts  # noqa: PLC0415
    from .backend.distribute import oversubscription_note  # noqa: PLC0415
    from .backend.runtime import select_backend  # noqa: PLC0415
    from .core.settings import TrainConfig  # noqa: PLC0415
    devices = parse_devices(args.devices)
    spec = cluster_spec(args)
    backend = select_backend(args.backend)
    graph, proj, name = load_graph(args.project)
    settings = dict(proj.training) if proj else {}
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size), ("learning_rate", args.lr),
                       ("lr_schedule", args.lr_schedule),
                       ("optimizer", args.optimizer), ("seed", args.seed),
                       ("validation_split", args.validation_split)):
        if value is not None:
            settings[key] = value
    settings["tensorboard_dir"] = args.tensorboard
    named = settings.get("dataset") or "mnist-sample"
    if not (args.dataset_file or args.dataset) and isinstance(named, str):
        from .backend.datasets import REGISTRY  # noqa: PLC0415 - plain Python
        if named not in REGISTRY:  # a file is data: the path a project names is read once the user names it too
            there = os.path.join(os.path.dirname(os.path.abspath(args.project)), os.path.expanduser(named))
            raise CliError(f"{args.project} trains on {named!r}, a path the project names; name it yourself to read "
                           f"it: --dataset-file {shlex.quote(there)} (or --dataset for a built-in set).")  # (a
            # relative path is the project's folder's, as the window reads it)
    dataset = args.dataset_file or args.dataset or named
    settings["dataset"] = dataset
    settings = TrainConfig.from_dict(settings).to_dict(include_run=True)  # every value checked before Keras loads
    if args.export and Path(args.export).suffix not in (".h5", ".keras"):
        raise CliError(f"--export must end in .h5 or .keras. Received --export={args.export!r}.")
    for option, path in (("--export", args.export), ("--save-project", args.save_project)):
        if path:
            check_output_path(path, option)  # before the run, not after an hour of training
    if args.tensorboard:
        from .backend.training import check_writable_dir  # noqa: PLC0415
        check_writable_dir(args.tensorboard, "the --tensorboard folder")

    supervised = os.environ.get(hosts.CHILD_ENV) == "1"
    cpu_note = oversubscription_note(devices, backend)
    if not supervised and (spec is not None or cpu_note is not None):
        # XLA may end such a run with a C++ abort: a child does the work and its end becomes one line
        if cpu_note:
            print(f"playground train: warning: {cpu_note}", file=sys.stderr, flush=True)
        if spec is not None:
            hosts.check_port_free(spec)
        return hosts.supervise(args.argv, spec, cpu_note)
    cluster = None
    if spec is not None:
        cluster = hosts.connect(spec)
        devices = "all"  # every device of every process: Keras' DataParallel over list_devices()
        print(f"process {cluster[0]} of {cluster[1]}: connected through {clean(str(spec.coordinator))}",
              file=sys.stderr, flush=True)
        if cluster[0] != 0:  # only process 0 writes files
            settings["tensorboard_dir"] = None
            args.export = args.save_project = None

    if args.json:
        # stdout carries nothing but JSON lines: anything else printed meanwhile (Keras' "Downloading
        # data from ..." for a dataset, say) goes to stderr.
        json_out = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):
            return _train(args, graph, proj, name, settings, dataset, devices, json_out, cluster)
    return _train(args, graph, proj, name, settings, dataset, devices, None, cluster)


def json_line(obj: dict) -> str:
    """One JSON object on one line; NaN and infinities (not JSON) become null."""
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v
    return json.dumps(clean(obj), allow_nan=False)


def epoch_record(payload: dict) -> dict:
    """An ``epoch`` event for --json: the epoch 1-based and whole, the metrics as floats."""
    return {"event": "epoch", "epoch": int(payload["epoch"]) + 1,
            **{k: float(v) for k, v in payload.items() if k != "epoch"}}


def _train(args, graph, proj, name, settings, dataset, devices, json_out, cluster=None) -> int:
    from .backend import session  # noqa: PLC0415
    progress = Progress(prefix=f"process {cluster[0]}: " if cluster else "") if not args.quiet else None
    tag = {"process": cluster[0]} if cluster else {}  # several processes: each line says whose it is

    def on_event(kind, payload):
        if progress:
            progress(kind, payload)
        if json_out is not None and kind == "epoch":
            print(json_line({**epoch_record(payload), **tag}), file=json_out, flush=True)

    outcome = session.run_training(graph, dataset, settings, on_event=on_event, devices=devices, name=name)
    res = outcome.result
    who = f"process {cluster[0]}: " if cluster else ""
    print(who + one_line(res.message), file=sys.stderr)
    if res.test_accuracy is not None:
        print(f"{who}test accuracy {res.test_accuracy:.4f}, test loss {res.test_loss:.4f}", file=sys.stderr)
    if args.export and res.stopped == "nan":  # (a model of NaN weights predicts nothing)
        print(f"{clean(args.export)} not saved: the run ended with weights that are not numbers.", file=sys.stderr)
    elif args.export:
        from .backend.export import export  # noqa: PLC0415
        export(graph, args.export, name=name, model=outcome.model)
        print(f"saved {clean(args.export)}", file=sys.stderr)
    if args.save_project:
        from .core import project  # noqa: PLC0415
        if res.stopped != "nan":
            for node_id, weights in outcome.weights.items():
                graph.set_weights(node_id, weights)
        project.save(proj if proj is not None else project.Project(graph, name), args.save_project)
        print(f"saved {clean(args.save_project)} (with the trained weights)", file=sys.stderr)
    if json_out is not None:
        print(json_line({"event": "end", "stopped": res.stopped, "epochs_run": res.epochs_run,
                         "stopped_at": res.stopped_at, "test_accuracy": res.test_accuracy,
                         "test_loss": res.test_loss, "seconds": res.seconds, "devices": outcome.devices, **tag}),
              file=json_out, flush=True)
    return 0 if res.stopped in ("finished", "early") else 1


def cmd_export(args) -> int:
    out = Path(args.out)
    if keras2_conversion(args.project) and args.format in ("h5", "keras"):
        # a Keras 2 file converts straight to Keras 3, every layer as it was (no round trip through a graph)
        from .backend.keras2 import convert_file  # noqa: PLC0415
        conversion = convert_file(args.project, out, args.format)
        print(clean(conversion.message()), file=sys.stderr)
        print(f"saved {clean(str(out))} (Keras 3)", file=sys.stderr)
        return 0
    graph, _, name = load_graph(args.project)
    from .backend.export import export_checked  # noqa: PLC0415
    note = export_checked(graph, out, args.format, name=name)[1]
    print(f"saved {clean(str(out))}" + (f" ({note})" if note else ""), file=sys.stderr)
    return 0


def cmd_datasets(args) -> int:
    from .backend.datasets import REGISTRY, keras_cache_dir  # noqa: PLC0415
    print(f"{'name':<16} {'where':<22} description")
    for spec in REGISTRY.values():
        if spec.offline:
            where = "built in"
        elif spec.key == "mnist" and (keras_cache_dir() / "mnist.npz").exists():
            where = "cached"
        else:
            where = "cache or download"
        print(f"{spec.key:<16} {where:<22} {spec.description}")
    print(f"\nAlso: any .npz (x_train, y_train[, x_test, y_test]), a label,pixel0.. CSV, or a folder with one "
          f"sub-folder per class (--dataset-file PATH).\nKeras cache folder: {clean(str(keras_cache_dir()))}")
    return 0


def cmd_devices(args) -> int:
    from .backend.runtime import backend_name, gpu_notes, list_devices, select_backend  # noqa: PLC0415
    name = select_backend(args.backend)
    # Nearly all the wait is the backend's import (TensorFlow: 5-15 s); the question itself is instant.
    print(f"Loading {name} to ask which devices it sees (this is most of the wait)\u2026", file=sys.stderr,
          flush=True)
    devs = list_devices()
    print(f"backend: {backend_name()}")
    for d in devs:
        print(f"  {d['kind']:<4} {d['name']}")
    gpus = sum(1 for d in devs if d["kind"] == "gpu")
    print(f"{count(len(devs), 'device')}, {count(gpus, 'GPU')}")
    notes = gpu_notes()
    if notes and not gpus:
        print("why no GPU, from the backend's start-up log:")
        for line in notes:
            print(f"  {line}")
    return 0


def cmd_lesson(args) -> int:
    """Validate one lesson file: a one-line summary (exit 0), or one line naming the problem (exit 2)."""
    from .core import lessons  # noqa: PLC0415
    lesson = lessons.load(args.file)
    checks = sum(1 for s in lesson.steps if s.check is not None)
    print(f"{clean(Path(args.file).name)}: lesson {lesson.id!r} (format version {lesson.version}), "
          f"{clean(lesson.title)!r}: {len(lesson.steps)} steps, {checks} checked")
    return 0


# ------------------------------------------------------------------ entry points

def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="playground", description="Build neural networks by hand and watch them learn. "
                                 "With no command, opens the app.")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument("--backend", choices=("tensorflow", "jax", "torch"), help="Keras backend (default: "
                    "$KERAS_BACKEND or tensorflow)")
    sub = ap.add_subparsers(dest="command")
    s = sub.add_parser("summary", help="layer table with shapes, parameters and worked formulas")
    s.add_argument("file", help="project .json, or a Keras .h5 / .keras model")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(fn=cmd_summary)
    t = sub.add_parser("train", help="train a project headless (no display needed)")
    t.add_argument("project")
    t.add_argument("--dataset", help="dataset name (see `playground datasets`)")
    t.add_argument("--dataset-file", help="a .npz, .csv or image folder of your own")
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--lr", type=float, help="learning rate")
    t.add_argument("--optimizer", choices=("sgd", "adam", "rmsprop", "adagrad"))
    t.add_argument("--lr-schedule", choices=("constant", "cosine"), help="cosine decays the rate to 0 by the end")
    t.add_argument("--validation-split", type=float)
    t.add_argument("--seed", type=int)
    t.add_argument("--devices", help="'all' or N: data-parallel over N devices")
    t.add_argument("--coordinator", metavar="HOST:PORT", help="several processes (hosts) train together on JAX: "
                   "process 0's address and a free port, the same on every process (default: "
                   "$JAX_COORDINATOR_ADDRESS)")
    t.add_argument("--num-processes", type=int, metavar="N", help="how many processes train together (left out, "
                   "JAX's own cluster detection may supply it: SLURM, Open MPI)")
    t.add_argument("--process-id", type=int, metavar="I", help="this process's number, 0 to N-1; process 0 hosts "
                   "the coordinator and alone writes --export/--save-project")
    t.add_argument("--coordinator-timeout", type=float, metavar="SECONDS",
                   help="give up if the processes have not all connected by then (default 120)")
    t.add_argument("--tensorboard", metavar="DIR", help="write TensorBoard logs here")
    t.add_argument("--export", metavar="OUT", help="save the trained model (.h5 or .keras)")
    t.add_argument("--save-project", metavar="OUT.json", help="save the project with its trained weights")
    t.add_argument("--json", action="store_true", help="one JSON line per epoch on stdout")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.add_argument("--backend", dest="backend", choices=("tensorflow", "jax", "torch"), default=argparse.SUPPRESS)
    t.set_defaults(fn=cmd_train)
    e = sub.add_parser("export", help="export a network as it stands (.h5, .keras, a Python script, ONNX, LiteRT); "
                       "a Keras 2 .h5 file is converted to Keras 3")
    e.add_argument("project", help="project .json, or a Keras .h5 / .keras model")
    e.add_argument("--format", choices=("h5", "keras", "py", "onnx", "litert"), required=True,
                   help="onnx needs: pip install 'network-playground[onnx]'; litert writes a .tflite file")
    e.add_argument("--out", required=True)
    e.set_defaults(fn=cmd_export)
    d = sub.add_parser("datasets", help="list the datasets")
    d.set_defaults(fn=cmd_datasets)
    v = sub.add_parser("devices", help="list the devices Keras sees")
    v.add_argument("--backend", dest="backend", choices=("tensorflow", "jax", "torch"), default=argparse.SUPPRESS)
    v.set_defaults(fn=cmd_devices)
    le = sub.add_parser("lesson", help="lesson files: `lesson check FILE` validates one")
    le.add_argument("action", choices=("check",))
    le.add_argument("file", help="a lesson .json (format playground-lesson)")
    le.set_defaults(fn=cmd_lesson)
    return ap


COMMANDS = ("summary", "train", "export", "datasets", "devices", "lesson")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        return gui_main(argv)  # `playground FILE` opens the file in the app
    args = build_parser().parse_args(argv)
    args.argv = argv  # a supervised child process runs the same command
    if not getattr(args, "command", None):
        return gui_main([])
    try:
        return args.fn(args)
    except PlaygroundError as exc:
        print(f"playground {args.command}: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"playground {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"playground {args.command}: error: {one_line(exc.strerror or str(exc))}: "
              f"{clean(exc.filename or '')}", file=sys.stderr)
        return 2
    except RecursionError:
        print(f"playground {args.command}: error: the input is nested too deeply to read.", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"playground {args.command}: error: out of memory; the file or network is too large for this "
              f"machine.", file=sys.stderr)
        return 2


def no_display_reason() -> str | None:
    """Why the window cannot open here (Linux with no display and no Qt platform chosen), or None."""
    if not sys.platform.startswith("linux"):
        return None
    if any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return ("playground: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). "
            "The command line needs none: try `playground train PROJECT` or `playground --help`; "
            "to run the app without a screen, set QT_QPA_PLATFORM=offscreen.")


def gui_main(argv: list[str] | None = None) -> int:
    reason = no_display_reason()
    if reason:  # Qt would abort with its xcb error (exit 134) and a core dump
        print(reason, file=sys.stderr)
        return 2
    from .ui.app import run_app  # noqa: PLC0415 - Qt only for the app
    return run_app(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
