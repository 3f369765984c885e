"""Start from a network trained on ImageNet: a keras.applications classifier, its base frozen, a new head.

The weights come through Keras' own cache (``$KERAS_HOME/models``, default ``~/.keras/models``). Which file a
constructor needs is asked of Keras itself: ``weights_file`` runs the constructor with Keras' ``get_file``
replaced by a probe that records the file name, address and cache folder and stops there, so the names never
drift from the installed Keras. ``download`` fetches the file into that cache with progress (Keras then checks
its hash where it has one); offline, ``OfflineError`` names the file and the folder to put it in.
``build_pretrained`` builds the base with ``weights="imagenet", include_top=False`` (Keras reads the cached file),
turns it into a graph and replaces the head with ``core.graph.plan_head_replacement`` (global pooling, Dense
with softmax for your classes, every base layer frozen if asked).
"""

from __future__ import annotations

import os
import threading
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import PlaygroundError
from ..core.files import fmt_bytes
from ..core.imagenet import PREPROCESS_NAME, preprocessing_node_params, preprocessing_weights
from .runtime import get_keras

# name -> (smallest input side Keras accepts with ImageNet weights and no top, the usual side, extra arguments,
# what its ImageNet weights expect of an image: PREPROCESSING)
CATALOG = {
    "MobileNetV2": (32, 224, {}, "tf"),
    "MobileNetV2 (alpha 0.35)": (32, 224, {"alpha": 0.35}, "tf"),
    "MobileNetV3Small": (32, 224, {}, "0-255"),
    "EfficientNetB0": (32, 224, {}, "0-255"),
    "ResNet50": (32, 224, {}, "caffe"),
    "DenseNet121": (32, 224, {}, "torch"),
    "ConvNeXtTiny": (32, 224, {}, "0-255"),
}
# The app feeds images scaled to [0, 1]; what each mode means and the convolution that prepares them: core.imagenet
# (an opened file's base is recognised there too). Fed [0, 1], an EfficientNet saw values of at most 0.004.


def add_preprocessing(graph, mode: str):
    """Put the frozen 1x1 convolution of ``preprocessing_weights`` right after the graph's Input; the node."""
    inp = graph.inputs()[0]
    outs = [e for e in graph.edges if e.src == inp.id]
    node = graph.add_node("conv2d", preprocessing_node_params(),
                          name=graph.unique_name(PREPROCESS_NAME), weights=preprocessing_weights(mode),
                          pos=inp.pos)
    graph.set_trainable(node.id, False)
    for e in outs:
        graph.disconnect(e)
    graph.connect(inp.id, node.id)
    for e in outs:
        graph.connect(node.id, e.dst, e.port)
    return node


class OfflineError(PlaygroundError):
    """The weights file is not cached and cannot be downloaded."""


@dataclass
class WeightsFile:
    """The file Keras reads for a pretrained base, and where."""

    name: str  # file name in the cache
    origin: str  # where Keras downloads it from
    path: Path  # where Keras looks for it
    size: int | None = None  # bytes (on disk when cached, else from the server when it answers)

    @property
    def cached(self) -> bool:
        return self.path.is_file()

    def describe(self) -> str:
        """One line for the dialog: cached, or the download size."""
        if self.cached:
            return f"{self.name} is in Keras' cache ({fmt_bytes(self.path.stat().st_size)})."
        size = fmt_bytes(self.size) if self.size else "size unknown"
        return f"Downloads {self.name} ({size}) into {self.path.parent}."

    def offline_message(self, reason: str = "") -> str:
        return (f"No connection{f' ({reason})' if reason else ''}: Keras needs {self.name}; download it from "
                f"{self.origin} and put it in {self.path.parent}.")


class _Probe(Exception):
    def __init__(self, fname, origin, cache_subdir, cache_dir):
        super().__init__(fname)
        self.fname, self.origin, self.cache_subdir, self.cache_dir = fname, origin, cache_subdir, cache_dir


_probe_lock = threading.Lock()


def _constructor(name: str):
    if name not in CATALOG:
        raise PlaygroundError(f"Pretrained networks: {', '.join(CATALOG)}. Received {name!r}.")
    return getattr(get_keras().applications, name.split(" ")[0]), CATALOG[name][2]


def check_side(name: str, side: int) -> None:
    """The input side must be at least the network's smallest."""
    smallest = CATALOG[name][0] if name in CATALOG else 32
    if isinstance(side, bool) or not isinstance(side, int) or side < smallest or side > 1024:
        raise PlaygroundError(f"{name} takes square colour images from {smallest} to 1024 pixels a side. "
                              f"Received {side!r}.")


def weights_file(name: str, side: int, with_size: bool = True) -> WeightsFile:
    """Ask Keras which file the base needs (without downloading it); with its size when known."""
    check_side(name, side)
    make, extra = _constructor(name)
    from keras.src.backend import config  # noqa: PLC0415 - Keras' own cache folder ($KERAS_HOME)
    from keras.src.utils import file_utils  # noqa: PLC0415

    def probe(fname=None, origin=None, cache_subdir="datasets", cache_dir=None, **_):
        raise _Probe(fname or os.path.basename(origin), origin, cache_subdir, cache_dir)

    with _probe_lock:
        real = file_utils.get_file
        file_utils.get_file = probe
        try:
            with warnings.catch_warnings():  # "weights for input shape (224, 224) will be loaded": said below
                warnings.simplefilter("ignore")
                make(weights="imagenet", include_top=False, input_shape=(side, side, 3), **extra)
        except _Probe as p:
            found = p
        else:
            raise PlaygroundError(f"{name} asked Keras for no weights file.")
        finally:
            file_utils.get_file = real
    base = Path(os.path.expanduser(found.cache_dir or config.keras_home()))
    if not os.access(base, os.W_OK) and base.exists():
        base = Path("/tmp/.keras")  # what get_file does with a read-only home
    wf = WeightsFile(found.fname, found.origin, base / found.cache_subdir / found.fname)
    if wf.cached:
        wf.size = wf.path.stat().st_size
    elif with_size:
        wf.size = remote_size(found.origin)
    return wf


def remote_size(origin: str, timeout: float = 10.0) -> int | None:
    """Content-Length of ``origin`` (a HEAD request), or None when the server does not answer."""
    try:
        req = urllib.request.Request(origin, method="HEAD")
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - Keras' own https address
            length = resp.headers.get("Content-Length")
            return int(length) if length else None
    except (OSError, ValueError):
        return None


def download(wf: WeightsFile, progress=None, stop=None, timeout: float = 30.0) -> Path:
    """Fetch ``wf`` into Keras' cache (a temp file renamed at the end); ``progress(done, total)`` per chunk,
    ``stop()`` True cancels. Offline: OfflineError naming the file and the folder."""
    if wf.cached:
        return wf.path
    wf.path.parent.mkdir(parents=True, exist_ok=True)
    part = wf.path.with_name(wf.path.name + ".part")
    try:
        with urllib.request.urlopen(wf.origin, timeout=timeout) as resp, open(part, "wb") as out:  # noqa: S310
            total = int(resp.headers.get("Content-Length") or 0) or wf.size or 0
            done = 0
            while chunk := resp.read(1 << 16):
                if stop is not None and stop():
                    raise PlaygroundError("Download cancelled.")
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        os.replace(part, wf.path)
    except (OSError, ValueError) as exc:
        part.unlink(missing_ok=True)
        raise OfflineError(wf.offline_message(str(getattr(exc, "reason", exc))[:120])) from None
    except PlaygroundError:
        part.unlink(missing_ok=True)
        raise
    return wf.path


def build_pretrained(name: str, side: int, classes: int, freeze_base: bool = True):
    """(graph, note): the ImageNet base from Keras' cache with a new head for ``classes`` classes."""
    from ..core.graph import plan_head_replacement  # noqa: PLC0415
    from ..core.layout import apply_layout  # noqa: PLC0415
    from .deep import run_deep_if  # noqa: PLC0415
    from .importer import graph_from_model  # noqa: PLC0415
    wf = weights_file(name, side, with_size=False)
    if not wf.cached:
        raise OfflineError(wf.offline_message("not downloaded yet"))
    make, extra = _constructor(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = run_deep_if(1000, make, weights="imagenet", include_top=False, input_shape=(side, side, 3),
                                **extra)
    except (ValueError, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise PlaygroundError(f"Keras could not read {wf.path}: {first}. Delete it and download it again.") \
            from None
    graph = run_deep_if(len(model.layers), graph_from_model, model)
    pre = add_preprocessing(graph, CATALOG[name][3])  # images in [0, 1], as the app feeds them, made what the
    out = graph.outputs()[0].id  # weights were trained on
    plan = plan_head_replacement(graph, out, classes, freeze_base=freeze_base)
    plan.apply(graph)
    apply_layout(graph)
    note = (f"{name} with ImageNet weights from {wf.path.name}: {len(graph.nodes)} layers, {pre.name} first (the "
            f"pixels as its weights expect them, frozen), "
            f"{'base frozen (' + str(len(plan.frozen)) + ' layers), ' if plan.frozen else ''}"
            f"new head {' + '.join(n.name for n in plan.added)} for {classes} classes.")
    return graph, note
