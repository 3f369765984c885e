"""Issue 28's table entries without Keras: arguments validated with messages naming the value, shape rules
with worked formulas, the Keras config forms they import from."""

from __future__ import annotations

import pytest

from playground.core import shapes
from playground.core.errors import ParamError, ShapeError
from playground.core.registry import LAYERS, by_category

AUGMENT = ["randomflip", "randomrotation", "randomzoom", "randomtranslation", "randomcontrast",
           "randombrightness", "randomcrop", "resizing", "centercrop"]


def test_the_palette_has_an_augmentation_group_with_the_nine_kinds():
    assert [s.key for s in by_category()["augmentation"]] == AUGMENT
    for key in AUGMENT[:6]:
        assert "Only while training" in LAYERS[key].help and "train only" in LAYERS[key].summary(
            LAYERS[key].defaults()), key


@pytest.mark.parametrize("kind,params,message", [
    ("randomrotation", {"factor": 1.5}, "`factor` must be in [0, 1]. Received factor=1.5."),
    ("randomrotation", {"fill_mode": "mirror"}, "`fill_mode` must be one of 'reflect', 'wrap', 'nearest', "
                                                "'constant'. Received fill_mode='mirror'."),
    ("randomzoom", {"height_factor": 1.0}, "`height_factor` must be in [0, 1). Received height_factor=1.0."),
    ("randomzoom", {"width_factor": -0.2}, "`width_factor` must be in [0, 1). Received width_factor=-0.2."),
    ("randomflip", {"mode": "diagonal"}, "Received mode='diagonal'."),
    ("randomcontrast", {"value_range": "0..65535"}, "Received value_range='0..65535'."),
    ("randomcrop", {"height": 0}, "`height` must be a whole number from 1 to 4,096. Received height=0."),
    ("resizing", {"width": 2.5}, "`width` must be a whole number. Received width=2.5."),
    ("centercrop", {"depth": 3}, "CenterCrop has no parameter `depth`"),
])
def test_bad_arguments_name_the_value(kind, params, message):
    with pytest.raises(ParamError) as exc:
        LAYERS[kind].validate_params(params)
    assert message in str(exc.value)


def test_shape_rules_and_formulas():
    spec = LAYERS["randomrotation"]
    res = spec.shape_rule(spec.defaults(), [(32, 32, 3)])
    assert res.shape == (32, 32, 3) and "identity at inference" in res.formula
    res = LAYERS["randomcrop"].shape_rule({"height": 24, "width": 20}, [(32, 32, 3)])
    assert res.shape == (24, 20, 3) and res.formula.startswith("H = height = 24; W = width = 20 (32x32 -> 24x20")
    assert not res.warnings
    res = LAYERS["centercrop"].shape_rule({"height": 40, "width": 20}, [(32, 32, 3)])
    assert res.shape == (40, 20, 3) and "resizes the image up" in res.warnings[0]
    res = LAYERS["resizing"].shape_rule({"height": 64, "width": 48, "interpolation": "nearest",
                                         "crop_to_aspect_ratio": True}, [(28, 28, 1)])
    assert res.shape == (64, 48, 1) and "nearest resampling, cropped to the aspect ratio" in res.formula
    with pytest.raises(ShapeError, match="RandomFlip needs a 3-D input"):
        LAYERS["randomflip"].shape_rule({"mode": "horizontal"}, [(784,)])
    assert shapes.count_none({}, [(32, 32, 3)], (32, 32, 3))[0] == 0 and not LAYERS["randomzoom"].weighted


def test_keras_configs_come_back_as_the_table_holds_them():
    base = {"name": "r", "data_format": "channels_last", "seed": 5}
    rot = LAYERS["randomrotation"].params_from_keras({**base, "factor": [-0.2, 0.2], "fill_mode": "constant",
                                                      "interpolation": "nearest", "fill_value": 0.5})
    assert rot == {"factor": 0.2, "fill_mode": "constant", "interpolation": "nearest", "fill_value": 0.5}
    contrast = LAYERS["randomcontrast"].params_from_keras({**base, "factor": [0, 0.3], "value_range": [0, 255]})
    assert contrast == {"factor": 0.3, "value_range": "0..255"}
    with pytest.raises(ParamError, match=r"factor=\[-0.1, 0.3\] is not symmetric"):
        LAYERS["randombrightness"].params_from_keras({**base, "factor": [-0.1, 0.3], "value_range": [0, 1]})
    with pytest.raises(ParamError, match="value_range"):
        LAYERS["randombrightness"].params_from_keras({**base, "factor": [-0.1, 0.1], "value_range": [-1, 1]})
    with pytest.raises(ParamError, match="value_range"):
        LAYERS["randomcontrast"].params_from_keras({**base, "factor": [0, 0.1], "value_range": ["a", "b"]})
    with pytest.raises(ParamError, match="pad_to_aspect_ratio"):
        LAYERS["resizing"].params_from_keras({**base, "height": 4, "width": 4, "pad_to_aspect_ratio": True})
    calls = LAYERS["randombrightness"].keras_calls({"factor": 0.2, "value_range": "0..1"})
    assert [(c.cls, c.kwargs) for c in calls] == [("RandomBrightness", {"factor": 0.2, "value_range": (0.0, 1.0)})]
