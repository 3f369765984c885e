"""The HDF5 gate's cost when opening a .keras file, against Keras' own load of the same file in the same run.

    python benchmarks/hdf5_gate.py
Last line: gate_s=<median seconds to walk model.weights.h5> keras_load_s=<median keras.models.load_model>
ratio=<gate/load>. The gate reads every link and dataset header of the weights (no data) before Keras loads.
"""

import statistics
import tempfile
import time
from pathlib import Path


def main(rounds: int = 5) -> None:
    import keras

    from playground.backend.model_import import _check_keras_weights

    model = keras.Sequential([keras.Input((2000,)), *[keras.layers.Dense(2000) for _ in range(6)]])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.keras"
        model.save(path)
        gate, load = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            _check_keras_weights(path, model.count_params())
            gate.append(time.perf_counter() - t)
            t = time.perf_counter()
            keras.models.load_model(path, compile=False)
            load.append(time.perf_counter() - t)
        size = path.stat().st_size / 1e6
    g, k = statistics.median(gate), statistics.median(load)
    print(f"file_mb={size:.0f} gate_s={g:.3f} keras_load_s={k:.3f} ratio={g / k:.3f}")


if __name__ == "__main__":
    main()
