"""Weight surgery's evaluation (copy one conv layer's weights into the model, measure test accuracy,
run one example through every layer: what See inside does after each filter edit) on the digit CNN and
the built-in digits' 2,000 test examples, against Keras' own ``model.evaluate`` on the same data as the
baseline in the same run.

    python benchmarks/weight_surgery.py
Last line: maps_ms=<weights copied, maps and path back> surgery_ms=<maps plus the test accuracy>
evaluate_ms=<Keras' model.evaluate on the same test split> ratio=<surgery/evaluate> (medians, min..max)
Goal (issue 18.4): surgery_ms < 1000 on the digit CNN (untrained weights: the time does not depend on them).
"""

import statistics
import time

import numpy as np

from playground.backend import probes, session
from playground.backend.builder import build_model
from playground.backend.training import TrainConfig, compile_model
from playground.core import project
from playground.resources_path import preset_text
from playground.ui.inside.model_view import look, measure


def main(repeat: int = 7) -> None:
    proj = project.loads(preset_text("mnist-cnn"))
    _, data = session.prepare_for(proj.graph, "mnist-sample")
    model = build_model(proj.graph, "mnist_cnn")
    compile_model(model, TrainConfig.from_settings(proj.training), data.loss, len(data.x_train))
    layer = next(l.name for l in model.layers if type(l).__name__ == "Conv2D")
    w = {v.name: np.asarray(a) for v, a in zip(model.get_layer(layer).weights, model.get_layer(layer).get_weights())}
    test = (data.x_test, data.y_test)
    look(model, layer, w, data.x_test[0])  # warm-up: the first calls trace the model
    measure(model, *test)
    model.evaluate(*test, verbose=0, batch_size=1000)
    maps, surgery, evaluate = [], [], []
    for i in range(repeat):
        w["kernel"] = w["kernel"] * (1 if i % 2 else -1)  # a real edit each time
        t0 = time.perf_counter()
        look(model, layer, dict(w), data.x_test[i])
        maps.append((time.perf_counter() - t0) * 1000)
        measure(model, *test)
        surgery.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        model.evaluate(*test, verbose=0, batch_size=1000)
        evaluate.append((time.perf_counter() - t0) * 1000)
    m, s, e = statistics.median(maps), statistics.median(surgery), statistics.median(evaluate)
    print(f"maps_ms={m:.0f} ({min(maps):.0f}..{max(maps):.0f}) surgery_ms={s:.0f} ({min(surgery):.0f}.."
          f"{max(surgery):.0f}) evaluate_ms={e:.0f} ({min(evaluate):.0f}..{max(evaluate):.0f}) ratio={s / e:.2f}")


if __name__ == "__main__":
    main()
