"""The Keras 2 -> Keras 3 translation table: one case per rule, a config fragment in each dialect."""

import copy
import json

import pytest

from playground.core.errors import ModelImportError
from playground.core.keras2_dialect import RULES, RULES_BY_KEY, Conversion, is_keras2, keras_major, translate

from keras2_cases import CASES, dense2, dense3, inp2, inp3, seq, seq3  # tests/ is on sys.path (conftest)


def test_every_rule_has_a_case():
    assert sorted({c[0] for c in CASES}) == sorted(RULES_BY_KEY)
    assert len(RULES_BY_KEY) == len(RULES)


@pytest.mark.parametrize("key, keras2, keras3, fired", CASES, ids=[c[0] for c in CASES])
def test_rule_translates_its_fragment(key, keras2, keras3, fired):
    before = copy.deepcopy(keras2)
    out, conv = translate(keras2, "2.4.0")
    assert out == keras3
    assert conv.counts[key] == fired
    assert keras2 == before  # the caller's config is not modified


@pytest.mark.parametrize("key, keras2, keras3, fired", CASES, ids=[c[0] for c in CASES])
def test_keras3_spelling_is_left_alone(key, keras2, keras3, fired):
    out, conv = translate(keras3, "3.3.0")
    assert out == keras3
    assert not +conv.counts  # no rule fires on a config already in Keras 3's spelling


def test_rows_are_documented():
    for rule in RULES:
        assert rule.keras2 and rule.keras3 and rule.reason.endswith(".") and rule.keras2 != rule.keras3


@pytest.mark.parametrize("fragment, needle", [
    (seq(inp2((8, 8, 3)), {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3],
                                                                       "groups": 2}}), "groups=2"),
    (seq({"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "ragged": True, "name": "i"}}),
     "ragged=True"),
    (seq(inp2((8, 8, 3)), {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1, 2]}}),
     "[1, 2]"),
    ({"class_name": "Dense", "config": {"units": 2}}, "'Dense', not a Keras model"),
    (seq(inp2((4,)), "not a layer"), "not a class entry"),
])
def test_values_without_a_keras3_spelling_are_named(fragment, needle):
    with pytest.raises(ModelImportError) as err:
        translate(fragment, "2.4.0")
    assert needle in str(err.value)


@pytest.mark.parametrize("attr", [None, b"1.2.2"])
def test_keras1_files_are_refused_by_name(attr):
    with pytest.raises(ModelImportError, match="saved by Keras 1.2.2; Keras 1 files are not converted"):
        translate({**seq(inp2((4,))), "keras_version": "1.2.2"}, attr)


def test_message_counts_layers_models_and_rules():
    inner = seq(dense2(batch_input_shape=[None, 4]), name="head")
    model = seq(inp2((8, 8, 3)),
                seq({"class_name": "DepthwiseConv2D", "config": {"name": "a", "kernel_size": 3, "groups": 1}},
                    {"class_name": "DepthwiseConv2D", "config": {"name": "b", "kernel_size": 3, "groups": 1}},
                    {"class_name": "GlobalAveragePooling2D", "config": {"name": "g"}}, name="features"),
                inner)
    _, conv = translate(model, b"2.4.0")
    assert conv.message() == ("Keras 2 file (2.4.0) converted: 4 layers in 2 nested models; `groups` dropped from "
                              "2 DepthwiseConv2D layers; `ragged` dropped from 1 InputLayer; `batch_input_shape` "
                              "renamed `batch_shape` on 1 InputLayer; an InputLayer made from the first layer's "
                              "input shape in 1 Sequential model")
    d = conv.to_dict()
    assert d["layers"] == 4 and d["keras_version"] == "2.4.0" and d["changes"]["depthwise_groups"] == 2
    json.dumps(d)  # plain data for summary --json


def test_version_from_the_file_is_shown_printable_and_short():
    _, conv = translate(seq(inp2((4,))), "2.4.0\x1b[2J\x07" + "9" * 100)
    assert conv.keras_version == "2.4.0[2J" + "9" * 32


def test_message_when_nothing_changed():
    assert Conversion("2.13.1", layers=3, models=1).message() == \
        "Keras 2 file (2.13.1) converted: 3 layers; nothing needed changing"


@pytest.mark.parametrize("version, major", [("2.4.0", 2), (b"2.2.4", 2), ("3.3.3", 3), ("1.2.2", 1), ("2.2.4-tf", 2),
                                            (None, None), ("", None), ("tf-2", None),
                                            ("\u00b2.1", None), ("9" * 5000, None)])  # isdigit() is True for both
def test_keras_major(version, major):
    assert keras_major(version) == major


def test_dialect_detection_by_version_then_shape():
    k2, k3 = seq(inp2((4,)), dense2()), seq3(inp3((4,)), dense3())
    assert is_keras2(k2, "2.4.0") and not is_keras2(k2, "3.0.1")
    assert is_keras2(k2) and not is_keras2(k3)  # no version attribute: the InputLayer's spelling tells
    assert is_keras2({**k3, "keras_version": "2.11.0"})
    assert is_keras2(seq(dense2(batch_input_shape=[None, 4])))
    assert is_keras2(seq(inp3((8, 8, 3)), {"class_name": "BatchNormalization", "config": {"name": "b", "axis": [3]}}))
