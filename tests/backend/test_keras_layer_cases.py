"""Keras' own layer tests as the oracle for the table.

Every literal case of the ``*_test.py`` files shipped in the installed Keras (see ``keras_layer_cases``)
whose class the table knows is built as a one-layer Keras model, imported through the table's adapters and
inferred with our shape rules: the output shape must equal the test's expected shape (or, where the test
leaves it to Keras, Keras' own), the parameter count must equal the built layer's, and no valid configuration
may be refused. A case the table cannot show exactly (``data_format="channels_first"``, say) imports as an
opaque layer: counted, never compared (Keras' own shape rule would be comparing Keras with itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.backend.importer import graph_from_model
from playground.core import analysis
from playground.core.errors import PlaygroundError
from playground.core.registry import KERAS_CLASS_TO_KEY, LAYERS

from keras_layer_cases import read_cases  # noqa: E402  (tests/backend is on sys.path under pytest)

keras = pytest.importorskip("keras")
# A graph's tensors have a size in every dimension past the batch: a batch of scalars (np.array([1, 2, 3]))
# or an empty dimension is no layer input the playground can draw.
# Keras' image preprocessing layers also take one unbatched image (rank 3: height, width, channels), and
# their tests feed them so; in a graph the first axis is always the batch, so those cases are no graph's.


@pytest.fixture(scope="module")
def ours():
    """(our cases, how many were left out), read when a test here runs, not when the suite is collected: the
    parse of Keras' test files (about 1 s) is paid by the one worker that runs this module."""
    cases, left_out = read_cases(Path(keras.__file__).parent)
    return [c for c in cases if c.class_name in KERAS_CLASS_TO_KEY
            and all(len(s) >= 2 and all(d > 0 for d in s[1:]) for s in c.input_shapes)
            and not (LAYERS[KERAS_CLASS_TO_KEY[c.class_name]].category == "augmentation"
                     and any(len(s) < 4 for s in c.input_shapes))], left_out


def _keras_case(case):
    """The case as a Keras model, or None when Keras itself rejects it (an error-path test)."""
    inputs = [keras.Input(shape=s[1:], name=f"in{i}") for i, s in enumerate(case.input_shapes)]
    try:
        layer = getattr(keras.layers, case.class_name)(**case.init_kwargs, name="case")
        out = layer(inputs if len(inputs) > 1 else inputs[0])
        model = keras.Model(inputs if len(inputs) > 1 else inputs[0], out)
    except Exception:  # noqa: BLE001  (Keras refuses it too: not a valid configuration)
        return None, None
    return model, layer


def test_cases_were_found(ours):
    OURS, LEFT_OUT = ours
    assert len(OURS) >= 100, f"only {len(OURS)} cases read from Keras' tests ({LEFT_OUT} left out)"
    assert {c.class_name for c in OURS} >= {"Conv2D", "Dense", "Softmax", "LayerNormalization", "Concatenate"}


def test_table_agrees_with_keras_own_layer_tests(ours):
    OURS, _ = ours
    disagree, refused, compared, opaque = [], [], 0, []
    for case in OURS:
        model, layer = _keras_case(case)
        if model is None:
            continue
        try:
            g = graph_from_model(model)
        except PlaygroundError as exc:
            refused.append(f"{case.source} {case.class_name}({case.init_kwargs}): {exc}")
            continue
        node = g.by_name("case")
        if node.kind == "opaque":
            opaque.append(f"{case.class_name}({case.init_kwargs})")
            continue
        info = analysis.infer(g)[node.id]
        want = (tuple(case.expected_output_shape[1:]) if case.expected_output_shape is not None
                else tuple(layer.output.shape[1:]))
        got = (info.shape, info.params)
        if info.errors or got != (want, layer.count_params()):
            disagree.append(f"{case.source} {case.class_name}({case.init_kwargs}) on {case.input_shapes}: "
                            f"ours {got} {info.errors or ''}, Keras {(want, layer.count_params())}")
        compared += 1
    assert refused == [], "\n".join(refused)
    assert disagree == [], "\n".join(disagree)
    assert compared >= 100, (compared, opaque)
    import keras
    if keras.version().startswith("3.15."):  # the figures the README gives for the Keras this was measured with
        assert (compared, len(opaque)) == (206, 37), (compared, opaque)
    print(f"{compared} compared, {len(opaque)} opaque: " + "; ".join(opaque))
