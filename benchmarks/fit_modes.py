"""Plain Keras, no app code: ``fit`` given NumPy arrays against ``fit`` given Keras' own pipeline for those arrays,
alternated in one process: one source of the spread of the README's fit rows.

    python benchmarks/fit_modes.py [ROUNDS]

Each side fits the network, data and settings of ``training_overhead.py``'s fit (1 epoch of the built-in digits,
batch 64, a fresh model each time, compiled the same way) on the main thread:

- "arrays": ``model.fit(x, y, batch_size=64, shuffle=True)``, as the app and the baseline both call it;
- "pipeline": the very ``tf.data`` pipeline Keras makes from those arrays (``ArrayDataAdapter(...).get_tf_dataset()``,
  a private Keras module), built before ``fit`` and given to it. Its length is unknown to Keras (a ``flat_map``), so
  ``fit`` runs its unknown-length loop;
- "known": the same pipeline with its length asserted (``assert_cardinality``), so ``fit`` runs the loop it runs for
  arrays. In a scratch check this one ended 3 epochs in bit-identical weights to "arrays" and "pipeline" did not (its
  loop advanced the optimizer's step counter once more each epoch: 144 steps against 141); the last line says
  whether that holds here.

On the 2-core development machine some fits take half as long again as the others for the same CPU time: most
run in about 0.95 s on 1.2-1.3 cores, and now and then one takes 1.3-1.6 s on less than one (the machine's idle CPU
time during it, read from /proc/stat, is about 1.7 s against 0.7 s). A round that catches one on one side only is
off by a third, whatever the app does. This script counts them on each side.

Per round: the wall time and the process's CPU time of each fit. Last line: arrays_s, pipeline_s and known_s (median
wall times), ratio=<pipeline/arrays> cpu_ratio=<the same in process CPU> known_ratio=<known/arrays>, and
arrays_slow, pipeline_slow and known_slow: the fits of each side whose CPU over wall is below 1.0, of ROUNDS;
pipeline_identical and known_identical: whether 3 epochs fed that way (the warm-up) end in the very weights
that 3 epochs fed as arrays do.
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


MODES = ("arrays", "pipeline", "known")


def fit(mode: str, data, epochs: int | None = None, keep: list | None = None) -> tuple[float, float, float]:
    """(wall s, process CPU s, machine idle s) of one fit of a fresh model; with ``keep``, its trained weights are
    appended to it."""
    import keras

    from playground.backend import builder, training
    cfg = training.TrainConfig.from_settings(bench.SETTINGS)
    keras.utils.set_random_seed(0)
    model = builder.build_model(bench.graph())
    training.compile_model(model, cfg, data.loss, len(data.x_train))
    if mode == "arrays":
        kwargs = {"x": data.x_train, "y": data.y_train, "batch_size": cfg.batch_size, "shuffle": True}
    else:
        import tensorflow as tf
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
        adapter = ArrayDataAdapter(data.x_train, data.y_train, batch_size=cfg.batch_size, shuffle=True)
        ds = adapter.get_tf_dataset()
        if mode == "known":
            ds = ds.apply(tf.data.experimental.assert_cardinality(adapter.num_batches))
        kwargs = {"x": ds}
    idle0, r0, t0 = idle_seconds(), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    model.fit(**kwargs, epochs=epochs or cfg.epochs, verbose=0)
    if keep is not None:
        keep.append([v.numpy() for v in model.weights])
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    return wall, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, idle_seconds() - idle0


def main(rounds: int) -> None:
    import warnings

    from playground.backend import datasets
    warnings.filterwarnings("ignore", module="keras")  # the pipeline's unknown length: "ran out of data"
    data = datasets.prepare(datasets.load(bench.SETTINGS["dataset"]), (28, 28, 1), 10)
    weights: dict[str, list] = {m: [] for m in MODES}
    for mode in MODES:  # warm-up (tracing, the kernels' first use), and 3 epochs each: are the weights the same?
        fit(mode, data, epochs=3, keep=weights[mode])
    identical = " ".join(
        f"{m}_identical={all((a == b).all() for a, b in zip(weights['arrays'][0], weights[m][0]))}"
        for m in MODES[1:])
    runs: dict[str, list] = {m: [] for m in MODES}
    for i in range(rounds):
        for mode in (MODES if i % 2 == 0 else MODES[::-1]):
            runs[mode].append(fit(mode, data))
        print("round %d: " % (i + 1) + "  ".join(
            "%s %.2f s, cpu %.2f s, idle %.2f s" % ((m,) + runs[m][-1]) for m in MODES), flush=True)
    med = {m: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for m, v in runs.items()}
    slow = {m: sum(1 for r in v if r[1] / r[0] < SLOW) for m, v in runs.items()}
    print(f"arrays_s={med['arrays'][0]:.2f} pipeline_s={med['pipeline'][0]:.2f} known_s={med['known'][0]:.2f} "
          f"ratio={med['pipeline'][0] / med['arrays'][0]:.3f} cpu_ratio={med['pipeline'][1] / med['arrays'][1]:.3f} "
          f"known_ratio={med['known'][0] / med['arrays'][0]:.3f} "
          + " ".join(f"{m}_slow={slow[m]}/{rounds}" for m in MODES) + " " + identical)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
