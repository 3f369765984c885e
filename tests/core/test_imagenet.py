"""core.imagenet: which networks expect their pixels prepared otherwise than the app's [0, 1], and the frozen
convolution that prepares them (the families themselves: test_applications_families, test_open_models)."""

import numpy as np
import pytest

from playground.core import imagenet
from playground.core.graph import chain


def first_after(kind, params, channels=3):
    return chain(("input", {"shape": (16, 16, channels)}), (kind, params), ("conv2d", {"filters": 4, "kernel_size": 3}),
                 ("flatten", {}), ("dense", {"units": 2, "activation": "softmax"}))


@pytest.mark.parametrize("scale, offset, mode", [(1 / 255, 0.0, "0-255"), (1 / 127.5, -1.0, "0-255"),
                                                 (1.0, 0.0, None), (2.0, -1.0, None), (1 / 255, 0.5, None)])
def test_a_first_rescaling_that_divides_0_255_pixels_is_recognised_and_no_other(scale, offset, mode):
    got = imagenet.expected_pixels(first_after("rescaling", {"scale": scale, "offset": offset}))
    assert (got and got[1]) == mode
    if mode:
        assert "rescaling" in got[0] and "0 to 255" in got[0]


def test_grey_images_a_plain_network_and_a_prepared_one_want_nothing():
    assert imagenet.expected_pixels(first_after("rescaling", {"scale": 1 / 255}, channels=1)) is None
    assert imagenet.expected_pixels(first_after("activation", {"activation": "relu"})) is None
    g = first_after("rescaling", {"scale": 1 / 255})
    inp = g.inputs()[0]
    (first,) = g.output_ids(inp.id)
    pre = g.add_node("conv2d", imagenet.preprocessing_node_params(), name=imagenet.PREPROCESS_NAME,
                     weights=imagenet.preprocessing_weights("0-255"))
    g.disconnect(next(e for e in g.edges if e.src == inp.id))
    g.connect(inp.id, pre.id)
    g.connect(pre.id, first)
    assert imagenet.prepared(g) and imagenet.expected_pixels(g) is None


def test_a_family_is_known_by_its_layer_names_under_a_nested_prefix_too():
    g = chain(("input", {"shape": (32, 32, 3)}), ("conv2d", {"filters": 4, "kernel_size": 3}),
              ("conv2d", {"filters": 4, "kernel_size": 3}), ("maxpool2d", {}), ("flatten", {}))
    for node, name in zip([g.nodes[i] for i in g.topological_order()][1:4],
                          ("vgg16.block1_conv1", "vgg16.block1_conv2", "vgg16.block1_pool")):
        g.rename(node.id, name)
    what, mode, name = imagenet.expected_pixels(g)
    assert mode == "caffe" and "VGG" in what and "BGR" in what and name == imagenet.PREPROCESS_NAME
    # its names say the family, not whose weights the file holds: what it says is about ImageNet's weights (it
    # said the base was "made for" those pixels, which a file cannot tell)
    assert "whose ImageNet weights expect pixels from 0 to 255 in BGR" in what and "made for" not in what, what


@pytest.mark.parametrize("mean", ["abc", [1e400, 1.0, 1.0], [], None, [[1, 2], [3]], {"a": 1}])
def test_a_normalization_from_a_file_with_any_mean_is_not_a_crash(mean):
    params = {"class_name": "Normalization", "config": {"class_name": "Normalization", "config": {"mean": mean}}}
    g = first_after("rescaling", {"scale": 1.0})
    node = next(n for n in g.nodes.values() if n.kind == "rescaling")
    node.params = params
    node.kind = "opaque"
    assert imagenet._divides_pixels(node) is False


@pytest.mark.parametrize("mode", sorted(imagenet.MODE_WORDS))
def test_the_convolution_does_what_each_mode_says(mode):
    x = np.random.default_rng(0).uniform(size=(5, 3))  # pixels in [0, 1], RGB
    w = imagenet.preprocessing_weights(mode)
    got = x @ w["kernel"].reshape(3, 3) + w["bias"]
    want = {"tf": 2 * x - 1, "0-255": 255 * x, "caffe": 255 * x[:, ::-1] - np.asarray(imagenet.CAFFE_MEAN_BGR),
            "torch": (x - np.asarray(imagenet.IMAGENET_MEAN)) / np.asarray(imagenet.IMAGENET_STD)}[mode]
    assert np.allclose(got, want, atol=1e-4)
    with pytest.raises(ValueError, match="Received 'bgr'"):
        imagenet.preprocessing_weights("bgr")


def test_augmentation_before_the_first_layer_is_looked_through_and_a_rescaling_decides_over_the_family():
    """Keras' tutorials: RandomFlip, then Rescaling(1/255) (the image classification one), or Rescaling(1/127.5,
    offset=-1) before a nested MobileNetV2 (the transfer learning one): a review found the first missed and the
    second given [-1, 1] twice (the family's mode, then the model's own Rescaling)."""
    g = chain(("input", {"shape": (32, 32, 3)}), ("randomflip", {}), ("rescaling", {"scale": 1 / 255}),
              ("conv2d", {"filters": 4, "kernel_size": 3}), ("flatten", {}))
    assert imagenet.expected_pixels(g)[1] == "0-255"
    g = chain(("input", {"shape": (32, 32, 3)}), ("randomflip", {}), ("dropout", {"rate": 0.1}),
              ("rescaling", {"scale": 1 / 127.5, "offset": -1.0}), ("conv2d", {"filters": 4, "kernel_size": 3}),
              ("batchnorm", {}), ("depthwiseconv2d", {"kernel_size": 3}), ("flatten", {}))
    for node, name in zip([g.nodes[i] for i in g.topological_order()][4:7],
                          ("mobilenetv2_1.00_32.Conv1", "mobilenetv2_1.00_32.bn_Conv1",
                           "mobilenetv2_1.00_32.expanded_conv_depthwise")):
        g.rename(node.id, name)
    what, mode, _ = imagenet.expected_pixels(g)
    assert mode == "0-255" and "[-1, 1]" in what
    g.set_param(g.by_name("rescaling").id, "scale", 2.0)  # made for [0, 1] images: the network prepares its own
    assert imagenet.expected_pixels(g) is None


@pytest.mark.parametrize("scale, offset, says", [(1 / 128, -1.0, "[-1, 1]"), (1 / 255, 5e-7, "[0, 1]")])
def test_keras_own_near_values_are_recognised_and_said_by_their_scale(scale, offset, says):
    """EfficientNetV2S/M/L rescale by 1/128 less 1, not 1/127.5; an offset of 5e-7 read as "1/127.5, less 1"."""
    what, mode, name = imagenet.expected_pixels(first_after("rescaling", {"scale": scale, "offset": offset}))
    assert mode == "0-255" and f"Rescaling to {says}" in what and name == imagenet.PIXELS_NAME


def test_two_common_names_are_not_a_family():
    g = chain(("input", {"shape": (32, 32, 3)}), ("conv2d", {"filters": 4, "kernel_size": 3}), ("batchnorm", {}),
              ("flatten", {}))
    for node, name in zip([g.nodes[i] for i in g.topological_order()][1:3], ("stem_conv1", "stem_bn1")):
        g.rename(node.id, name)
    assert imagenet.expected_pixels(g) is None


def test_a_renamed_preparation_is_still_one_and_so_is_one_past_augmentation():
    """A review: renamed, the preparation was taken for deleted (declined) and offered a head; after a RandomFlip
    put before it, for none at all."""
    g = first_after("rescaling", {"scale": 1 / 255})
    inp = g.inputs()[0]
    (first,) = g.output_ids(inp.id)
    pre = g.add_node("conv2d", imagenet.preprocessing_node_params(), name="mine",
                     weights=imagenet.preprocessing_weights("0-255"))
    g.set_trainable(pre.id, False)
    flip = g.add_node("randomflip", {})
    g.disconnect(next(e for e in g.edges if e.src == inp.id))
    for a, b in ((inp.id, flip.id), (flip.id, pre.id), (pre.id, first)):
        g.connect(a, b)
    assert imagenet.is_preparation(g.nodes[pre.id]) and imagenet.preparation(g).id == pre.id
    g.set_trainable(pre.id, True)  # a trainable 1x1 convolution is the user's own, whatever its weights
    assert not imagenet.is_preparation(g.nodes[pre.id]) and not imagenet.prepared(g)
