"""The new parameter forms survive the project file exactly, and bad values are named."""

import pytest

from playground.core import project
from playground.core.errors import ParamError
from playground.core.graph import Graph
from playground.core.registry import LAYERS, get_spec


def test_pair_and_config_values_round_trip_through_the_project_file():
    g = Graph()
    for kind, params in [("conv2d", {"kernel_size": (1, 7), "strides": (2, 1), "dilation_rate": 1}),
                         ("zeropadding2d", {"padding": ((0, 1), (0, 1))}), ("cropping2d", {"cropping": (1, 2)}),
                         ("maxpool2d", {"pool_size": (3, 2), "strides": (1, 2)}), ("permute", {"dims": (2, 1)}),
                         ("relu", {"max_value": 6.0}), ("concatenate", {"axis": 3}),
                         ("opaque", {"class_name": "RepeatVector", "config": {"config": {"n": 2}},
                                     "input_shapes": [[5]], "output_shape": [2, 5], "param_count": [0, 0]})]:
        g.add_node(kind, params)
    back = project.loads(project.dumps(project.Project(g))).graph
    assert back == g
    assert back.by_name("cropping2d").params["cropping"] == ((1, 1), (2, 2))
    assert back.by_name("maxpool2d").params["strides"] == (1, 2)


@pytest.mark.parametrize("kind,name,value,valid", [
    ("conv2d", "kernel_size", (0, 3), "or a pair (height, width) of them"),
    ("conv2d", "kernel_size", (1, 2, 3), "or a pair (height, width) of them"),
    ("zeropadding2d", "padding", ((1, -1), (0, 0)), "((top, bottom), (left, right))"),
    ("relu", "max_value", -1.0, "[0, 1e+09]"),
    ("opaque", "config", {"f": float("nan")}, "plain JSON data"),
])
def test_bad_values_are_named(kind, name, value, valid):
    with pytest.raises(ParamError, match=f"`{name}`") as exc:
        get_spec(kind).param(name).validate(value)
    assert valid in str(exc.value) and "Received" in str(exc.value)


def test_every_kind_has_a_glyph_help_and_an_adapter():
    for key, spec in LAYERS.items():
        assert spec.glyph and spec.help and spec.rule_text, key
        assert spec.keras.cls or key == "opaque", key
    assert {k for k, s in LAYERS.items() if s.merge} == {"add", "subtract", "multiply", "average", "maximum",
                                                       "minimum", "concatenate"}
    assert {k for k, s in LAYERS.items() if s.weighted} >= {"dense", "conv2d", "batchnorm", "neuron", "opaque"}


@pytest.mark.parametrize("config,shown", [("relu", "relu"), (None, None), ("set_epsilon", None), (["x"], None)])
def test_a_function_style_activation_reads_or_is_refused_by_name(config, shown):
    """Keras writes an activation function as {"class_name": "function", "config": "relu", ...}; a hostile sweep's
    config "set_epsilon" (or null) made the importer raise AttributeError ('str' object has no attribute 'get'), a
    43-line traceback from `playground summary`. Now the name is read, and a name no activation has is refused."""
    from playground.core.errors import ParamError
    from playground.core.registry import get_spec
    value = {"module": "keras.activations", "class_name": "function", "config": config, "registered_name": "function"}
    spec = get_spec("dense")
    if shown is not None:
        assert spec.params_from_keras({"units": 2, "activation": value})["activation"] == shown
    else:
        with pytest.raises(ParamError, match="activation"):
            spec.params_from_keras({"units": 2, "activation": value})
