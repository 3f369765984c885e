"""Plain Keras, no app code: ``fit`` given NumPy arrays against ``fit`` given Keras' own pipeline for those arrays,
alternated in one process: one source of the spread of the README's fit rows.

    python benchmarks/fit_modes.py [ROUNDS]

Both sides fit the network, data and settings of ``training_overhead.py``'s fit (1 epoch of the built-in digits,
batch 64, a fresh model each time, compiled the same way) on the main thread. "arrays" is ``model.fit(x, y,
batch_size=64, shuffle=True)``, as the app and the baseline both call it. "pipeline" builds the very ``tf.data``
pipeline Keras makes from those arrays (``ArrayDataAdapter(...).get_tf_dataset()``, a private Keras module) before
``fit`` and gives ``fit`` that: the same ops, in the same order, made outside ``fit``.

On the 2-core development machine some fits take half as long again as the others for the same CPU time: most
run in about 0.95 s on 1.2-1.3 cores, and now and then one takes 1.3-1.6 s on less than one (the machine's idle CPU
time during it, read from /proc/stat, is about 1.7 s against 0.7 s). It comes and goes from fit to fit, on either
side: 3 of 20 array fits and 1 of 20 pipeline fits in two runs of 10 rounds (6 Dec, quiet). A round that catches one
on one side only is off by a third, whatever the app does. This script counts them.

Per round: the wall time, the process's CPU time and the machine's idle CPU time of each fit (Linux; elsewhere the
idle figure reads nan). Last line: arrays_s=<median wall> pipeline_s=<median wall> ratio=<pipeline/arrays>
cpu_ratio=<the same in process CPU> arrays_slow=<fits of the arrays side whose CPU over wall is below 1.0, of
ROUNDS> pipeline_slow=<the same for the pipeline side>.
"""

import os
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import training_overhead as bench  # noqa: E402 - the same network, data and settings

SLOW = 1.0  # CPU seconds per wall second below which a fit ran on one core or less (the others: 1.2-1.3)


def idle_seconds() -> float:
    """The machine's idle CPU time so far (all cores), from /proc/stat; nan where there is none."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def fit(mode: str, data) -> tuple[float, float, float]:
    """(wall s, process CPU s, machine idle s) of one fit of a fresh model."""
    import keras

    from playground.backend import builder, training
    cfg = training.TrainConfig.from_settings(bench.SETTINGS)
    keras.utils.set_random_seed(0)
    model = builder.build_model(bench.graph())
    training.compile_model(model, cfg, data.loss, len(data.x_train))
    if mode == "arrays":
        kwargs = {"x": data.x_train, "y": data.y_train, "batch_size": cfg.batch_size, "shuffle": True}
    else:
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
        kwargs = {"x": ArrayDataAdapter(data.x_train, data.y_train, batch_size=cfg.batch_size,
                                        shuffle=True).get_tf_dataset()}
    idle0, r0, t0 = idle_seconds(), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    model.fit(**kwargs, epochs=cfg.epochs, verbose=0)
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    return wall, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, idle_seconds() - idle0


def main(rounds: int) -> None:
    import warnings

    from playground.backend import datasets
    warnings.filterwarnings("ignore", module="keras")  # the pipeline's unknown length: "ran out of data"
    data = datasets.prepare(datasets.load(bench.SETTINGS["dataset"]), (28, 28, 1), 10)
    fit("arrays", data), fit("pipeline", data)  # warm-up: tracing, the kernels' first use
    runs: dict[str, list] = {"arrays": [], "pipeline": []}
    for i in range(rounds):
        order = ("arrays", "pipeline") if i % 2 == 0 else ("pipeline", "arrays")
        for mode in order:
            runs[mode].append(fit(mode, data))
        print("round %d: " % (i + 1) + "  ".join(
            "%s %.2f s, cpu %.2f s, idle %.2f s" % ((m,) + runs[m][-1]) for m in ("arrays", "pipeline")), flush=True)
    med = {m: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for m, v in runs.items()}
    slow = {m: sum(1 for r in v if r[1] / r[0] < SLOW) for m, v in runs.items()}
    print(f"arrays_s={med['arrays'][0]:.2f} pipeline_s={med['pipeline'][0]:.2f} "
          f"ratio={med['pipeline'][0] / med['arrays'][0]:.3f} cpu_ratio={med['pipeline'][1] / med['arrays'][1]:.3f} "
          f"arrays_slow={slow['arrays']}/{rounds} pipeline_slow={slow['pipeline']}/{rounds}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
