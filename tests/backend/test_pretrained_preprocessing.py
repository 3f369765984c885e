"""New from a pretrained network feeds each family's ImageNet weights what they were trained on (a new-user drive:
images scaled to [0, 1] went in as they were, so an EfficientNet saw pixels of at most 0.004, a ResNet50 no mean
subtracted and RGB where its weights expect BGR). A frozen 1x1 convolution after the Input equals Keras' own
``preprocess_input`` on the 0-255 pixels, family by family."""

import numpy as np
import pytest

from playground.backend import builder, pretrained
from playground.core.graph import chain

FAMILY_MODULE = {"MobileNetV2": "mobilenet_v2", "MobileNetV2 (alpha 0.35)": "mobilenet_v2",
                 "MobileNetV3Small": "mobilenet_v3", "EfficientNetB0": "efficientnet", "ResNet50": "resnet50",
                 "DenseNet121": "densenet", "ConvNeXtTiny": "convnext"}


def test_every_family_in_the_catalog_is_named_here():
    assert set(FAMILY_MODULE) == set(pretrained.CATALOG)


@pytest.mark.parametrize("name", sorted(FAMILY_MODULE))
def test_the_preprocessing_layer_is_kerass_preprocess_input(name):
    import keras
    g = chain(("input", {"shape": [5, 4, 3]}), ("globalavgpool2d", {}))
    pre = pretrained.add_preprocessing(g, pretrained.CATALOG[name][3])
    assert not pre.trainable and g.input_ids(pre.id) == [g.inputs()[0].id]
    probe = chain(("input", {"shape": [5, 4, 3]}))  # the Input and the preprocessing alone: their output
    step = pretrained.add_preprocessing(probe, pretrained.CATALOG[name][3])
    model = builder.build_model(probe)
    x = np.random.default_rng(0).uniform(size=(2, 5, 4, 3)).astype(np.float32)  # as the app feeds images
    module = getattr(keras.applications, FAMILY_MODULE[name])
    want = np.asarray(module.preprocess_input(x * 255.0))
    got = np.asarray(model(x, training=False))
    assert step.name == "imagenet_preprocessing"
    assert np.max(np.abs(got - want)) < 1e-3 * max(1.0, float(np.max(np.abs(want))))
