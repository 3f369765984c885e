"""Every keras.applications constructor (weights=None, its smallest input) saved as .h5 and .keras, opened by
the playground and checked against Keras; open time against plain keras.models.load_model of the same file.

    python benchmarks/open_applications.py [NAME ...]
A file is exact when every layer's output shape and parameter count equal Keras' (from the model that wrote the
file) and the model re-exported as .keras by the playground predicts what the original predicts (max |diff| <=
1e-5 on one random batch). Times are in-process, Keras already loaded, each file opened once by each side
(alternating); a file plain Keras cannot load has no ratio.
Last line: exact=N/M median_ratio=R worst_ratio=W (FILE)
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SMALLEST = {"Inception": 75, "Xception": 71}  # other families accept 32x32


def input_side(name: str) -> int:
    return next((v for k, v in SMALLEST.items() if name.startswith(k)), 32)


def constructors() -> list[str]:
    import keras
    names = [n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n))]
    for mod in dir(keras.applications):
        sub = getattr(keras.applications, mod)
        if mod.startswith("_") or not hasattr(sub, "__dict__"):
            continue
        for n in dir(sub):
            if n[:1].isupper() and callable(getattr(sub, n)) and n not in names:
                names.append(n)
    return sorted(names)


def keras_rows(model) -> list[tuple]:
    """(name, output shape, parameters) of every operation Keras runs: nested models' layers as ``outer.inner``
    (the playground flattens them), operations like ``x + y`` included (``model.operations``)."""
    rows, stack = [], [(model, "")]
    while stack:
        m, prefix = stack.pop()
        for op in getattr(m, "operations", m.layers):
            if hasattr(op, "layers") and op is not m and type(op).__name__ in ("Functional", "Sequential"):
                stack.append((op, f"{prefix}{op.name}."))
            elif type(op).__name__ != "InputLayer" or not prefix:
                params = op.count_params() if hasattr(op, "count_params") and op.weights else 0
                rows.append((prefix + op.name, list(op.output.shape[1:]), params))
    return sorted(rows)


def our_rows(graph) -> list[tuple]:
    from playground.cli import summary_rows
    rows = summary_rows(graph)[0]
    return sorted((r["name"], r["output_shape"], r["params"]) for r in rows)


def main() -> None:
    import keras
    from playground.backend import export, model_import
    names = sys.argv[1:] or constructors()
    folder = Path(tempfile.mkdtemp())
    exact = total = 0
    ratios: list[tuple[float, str]] = []
    for name in names:
        side = input_side(name)
        model = getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3), classes=10)
        x = np.random.default_rng(0).uniform(0, 255, size=(2, side, side, 3)).astype(np.float32)
        want = np.asarray(model(x))
        for fmt in ("h5", "keras"):
            path = folder / f"{name}.{fmt}"
            model.save(path)
            total += 1
            t0 = time.perf_counter()
            try:
                keras.models.load_model(path, compile=False)
                plain = time.perf_counter() - t0
            except Exception as exc:  # noqa: BLE001 - a file plain Keras refuses has no baseline
                plain, why = None, str(exc).splitlines()[0][:80]
            t0 = time.perf_counter()
            try:
                graph = model_import.import_model(path)
                ours = time.perf_counter() - t0
                same_rows = our_rows(graph) == keras_rows(model)
                again = export.export(graph, folder / f"{name}_{fmt}_again.keras")
                diff = float(np.max(np.abs(np.asarray(keras.models.load_model(again, compile=False)(x)) - want)))
                ok = same_rows and diff <= 1e-5
            except Exception as exc:  # noqa: BLE001 - report and go on to the next file
                print(f"{path.name}: refused: {str(exc).splitlines()[0][:160]}", flush=True)
                continue
            finally:  # ConvNeXtXLarge's files are 1.4 GB each: 80 of them kept would fill a disk
                path.unlink(missing_ok=True)
                (folder / f"{name}_{fmt}_again.keras").unlink(missing_ok=True)
            exact += ok
            ratio = ours / plain if plain else None
            if ratio:
                ratios.append((ratio, path.name))
            print(f"{path.name}: {len(model.layers)} layers, rows {'equal' if same_rows else 'DIFFER'}, "
                  f"max diff {diff:.1e}, ours {ours:.2f} s, load_model "
                  f"{f'{plain:.2f} s, ratio {ratio:.2f}' if plain else 'fails (' + why + ')'}", flush=True)
    worst = max(ratios) if ratios else (float("nan"), "-")
    med = statistics.median(r for r, _ in ratios) if ratios else float("nan")
    print(f"exact={exact}/{total} median_ratio={med:.2f} worst_ratio={worst[0]:.2f} ({worst[1]})")


if __name__ == "__main__":
    main()
