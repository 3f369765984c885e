"""Shape inference of DenseNet121 (429 layers) per edit, against Keras' own shape rules in the same run.

    python benchmarks/densenet_inference.py
One edit = change one convolution's filters, then bring the shapes up to date: ``edit_ms`` through
``ShapeCache`` (incremental: the changed node and what its new shape reaches; an early conv1 edit and a
late one), ``full_ms`` re-running ``analysis.infer`` over the whole graph. The baseline walks the same
layers through Keras' own ``compute_output_shape`` once.
Last line: edit_ms=<median> (p10-p90) full_ms=... keras_ms=... ratio=<edit/keras> full_ratio=<full/keras>
Goal (issue 17): under 10 ms per edit.
"""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def spread(fn, repeat: int = 60) -> tuple[float, float, float]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return statistics.median(runs), runs[len(runs) // 10], runs[(len(runs) * 9) // 10]


def main() -> None:
    import keras

    from playground.backend.importer import graph_from_model
    from playground.core import shapes
    from playground.core import analysis

    model = keras.applications.DenseNet121(weights=None, input_shape=(224, 224, 3))
    g = graph_from_model(model)
    assert all(i.status in ("ok", "warning") for i in analysis.infer(g).values())
    cache = analysis.ShapeCache(g)
    cache.infos  # noqa: B018 - the first, full inference
    convs = [g.by_name("conv1_conv").id, g.by_name("conv5_block16_2_conv").id]  # an early and a late edit
    state = {"i": 0}

    def edit() -> None:
        state["i"] += 1
        conv = convs[state["i"] % 2]
        g.set_param(conv, "filters", g.nodes[conv].params["filters"] + (1 if state["i"] % 4 < 2 else -1))
        cache.infos  # noqa: B018

    def full() -> None:
        analysis.infer(g)

    order = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    in_shapes = {layer.name: ([t.shape for t in layer.input] if isinstance(layer.input, list) else layer.input.shape)
                 for layer in order}

    def keras_pass() -> None:
        for layer in order:
            layer.compute_output_shape(in_shapes[layer.name])

    edit_ms, lo, hi = spread(edit)
    assert cache.infos == analysis.infer(g)  # the incremental result is the full one
    full_ms, flo, fhi = spread(full)
    keras_ms, klo, khi = spread(keras_pass, repeat=20)
    print(f"edit_ms={edit_ms:.2f} ({lo:.2f}-{hi:.2f}) full_ms={full_ms:.2f} ({flo:.2f}-{fhi:.2f}) "
          f"keras_ms={keras_ms:.2f} ({klo:.2f}-{khi:.2f}) ratio={edit_ms / keras_ms:.3f} "
          f"full_ratio={full_ms / keras_ms:.2f} layers={len(g.nodes)}")


if __name__ == "__main__":
    main()
