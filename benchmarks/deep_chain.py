"""How deep plain Keras recurses, and what the app builds past it (README: "No layer count of our own").

    python benchmarks/deep_chain.py [LAYERS]

1. Plain Keras under Python's default recursion limit: the longest chain of Dense layers ``keras.Model`` builds
   (bisected; Keras walks the graph depth first, one frame per layer on the path it follows, so a chain's depth is
   its length).
2. The app: Input -> LAYERS Dense layers (default 1,200) built (``backend.builder``), exported as .keras and .h5
   (``backend.export``), each opened again (``backend.model_import``, what the window and ``playground summary``
   use) and built again: every layer back, and it predicts exactly what the exported model does.
Last line: plain_keras_chain=N (fails at N+1) app_chain=LAYERS depth_ratio=<LAYERS / N: how far past plain Keras'
depth the app went> keras=ok h5=ok export_s=... open_s=...
"""

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def plain_keras_chain() -> tuple[int, int]:
    import keras
    inp = keras.Input((2,))
    outs, x = [inp], inp
    for _ in range(1200):
        x = keras.layers.Dense(2)(x)
        outs.append(x)

    def builds(n: int) -> bool:
        try:
            keras.Model(inp, outs[n])
            return True
        except RecursionError:
            return False
    lo, hi = 100, 1200
    assert builds(lo) and not builds(hi), "Keras' depth is not where this script expects it"
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if builds(mid) else (lo, mid)
    return lo, hi


def app_chain(layers: int) -> dict:
    import numpy as np
    from playground.backend import export, model_import
    from playground.backend.builder import build_model
    from playground.core.graph import chain
    graph = chain(("input", {"shape": (2,)}), *[("dense", {"units": 2})] * layers)
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    t0 = time.perf_counter()
    model = build_model(graph)  # (the app's build: on a deep thread past 300 layers)
    out, want = {"build": time.perf_counter() - t0}, np.asarray(model(x))
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("keras", "h5"):
            t0 = time.perf_counter()
            path = export.export(graph, Path(folder) / f"deep.{fmt}", model=model)
            t1 = time.perf_counter()
            back = model_import.import_model(path)
            t2 = time.perf_counter()
            assert len(back.nodes) == layers + 1, (fmt, len(back.nodes))
            got = np.asarray(build_model(back)(x))  # the weights it opened, built again
            assert np.array_equal(got, want), (fmt, float(np.max(np.abs(got - want))))
            out[fmt] = (t1 - t0, t2 - t1)
    return out


def main() -> None:
    layers = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    limit = sys.getrecursionlimit()
    lo, hi = plain_keras_chain()
    print(f"plain Keras, recursion limit {limit}: a chain of {lo} Dense layers builds, {hi} does not")
    times = app_chain(layers)
    print(f"app: {layers} Dense layers built in {times.pop('build'):.1f} s")
    for fmt, (e, o) in times.items():
        print(f"app: {layers} Dense layers exported as .{fmt} in {e:.1f} s, opened again in {o:.1f} s")
    print(f"plain_keras_chain={lo} (fails at {hi}) app_chain={layers} depth_ratio={layers / lo:.2f} keras=ok h5=ok "
          f"export_s={times['keras'][0]:.1f}/{times['h5'][0]:.1f} open_s={times['keras'][1]:.1f}/{times['h5'][1]:.1f}")


if __name__ == "__main__":
    main()
