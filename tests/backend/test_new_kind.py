"""Adding a layer kind is one LayerSpec entry: a kind defined here, and nothing else changed, is built,
inferred, exported (.h5, .keras, .py) and imported back."""

from __future__ import annotations

import numpy as np
import pytest

from playground.backend import builder, export, model_import
from playground.core import analysis
from playground.core import shapes as S
from playground.core.graph import Graph
from playground.core.registry import KerasAdapter, LayerSpec, ParamSpec, register

UNIT_NORM = LayerSpec(
    "unitnorm", "UnitNorm", "regularisation", "Scales each example to length 1 along an axis.",
    KerasAdapter("UnitNormalization"),
    (ParamSpec("axis", "int", -1, "The axis to normalise along.", -8, 8),),
    S.rule_axis_same, rule_text="shape unchanged", glyph="U1")


@pytest.fixture()
def unit_norm_kind():
    unregister = register(UNIT_NORM)
    yield UNIT_NORM
    unregister()


def test_a_kind_defined_in_a_test_crosses_every_boundary(unit_norm_kind, tmp_path):
    g = Graph()
    x = g.add_node("input", {"shape": (6,)}, name="x")
    u = g.add_node("unitnorm", {}, name="unit")
    d = g.add_node("dense", {"units": 3}, name="out")
    g.connect(x.id, u.id)
    g.connect(u.id, d.id)
    info = analysis.infer(g)[u.id]
    assert (info.shape, info.params, info.errors) == ((6,), 0, [])

    model = builder.build_model(g)
    assert type(model.get_layer("unit")).__name__ == "UnitNormalization"
    out = model.predict(np.array([[3.0, 4, 0, 0, 0, 0]], "float32"), verbose=0)
    assert out.shape == (1, 3)
    for fmt in ("h5", "keras"):
        back = model_import.import_model(export.export(g, tmp_path / f"n.{fmt}", model=model))
        assert back.by_name("unit").kind == "unitnorm" and back.by_name("unit").params == {"axis": -1}
    script = export.export(g, tmp_path / "n.py").read_text()
    assert "layers.UnitNormalization(" in script


def test_register_refuses_a_taken_key():
    from playground.core.errors import ParamError  # noqa: PLC0415
    with pytest.raises(ParamError, match="exists already"):
        register(LayerSpec("dense", "Dense", "core", "", KerasAdapter("Dense"), (), S.rule_same))
