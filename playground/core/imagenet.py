"""What a pretrained image network expects of its pixels, and the frozen layer that gives it that from the app's
images, which are always in [0, 1].

Keras' image classifiers (``keras.applications``) leave the preparation of an image to ``preprocess_input``,
outside the model, and each family's ImageNet weights were trained on images prepared its own way. A file saved
from one of them does not say which: its layers do. ``expected_pixels`` recognises the families by the layer
names Keras gives them (the same in Keras 2 and 3, and under a nested base's prefix, ``resnet50.conv1_conv``),
and any network whose first layer after the Input divides 0-255 pixels down (a tutorial's ``Rescaling(1/255)``,
EfficientNet's, MobileNetV3's, ConvNeXt's normalisation). ``preprocessing_weights`` is the frozen 1x1
convolution that makes [0, 1] images what the network expects: every family's preparation is a per-channel scale
and shift (caffe's also swaps R and B), which a 3x3 matrix of weights does exactly.
"""

from __future__ import annotations

import numpy as np

PREPROCESS_NAME = "imagenet_preprocessing"  # before a base made for ImageNet's pixels
PIXELS_NAME = "pixels_to_0_255"  # before a network whose first layer takes 0-255 pixels down
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)

# what each mode's weights were trained on, in words: "tf" [-1, 1]; "0-255" the pixels as they are (the model
# scales them itself); "caffe" BGR less ImageNet's mean pixel; "torch" [0, 1] less ImageNet's mean, over its
# deviation, per channel
MODE_WORDS = {
    "tf": "pixels in [-1, 1]",
    "0-255": "pixels from 0 to 255",
    "caffe": "pixels from 0 to 255 in BGR order, less ImageNet's mean pixel",
    "torch": "pixels in [0, 1] less ImageNet's mean, over its deviation",
}

# what the convolution does to a pixel x in [0, 1], per mode
MODE_ACTION = {
    "tf": "takes each pixel x to 2x - 1",
    "0-255": "multiplies each pixel by 255",
    "caffe": "swaps red and blue and takes each pixel x to 255x less ImageNet's mean pixel",
    "torch": "takes off ImageNet's mean and divides by its deviation, per channel",
}

# (family, mode, layer names a base of that family has, all of them); checked in this order (VGG before Xception:
# both start with block1_conv1, and only VGG pools it as block1_pool)
SIGNATURES = (
    ("ResNet", "caffe", frozenset({"conv1_pad", "conv1_conv", "conv1_bn", "conv2_block1_1_conv"})),
    ("ResNetV2", "tf", frozenset({"conv1_pad", "conv1_conv", "conv2_block1_preact_bn"})),
    ("VGG", "caffe", frozenset({"block1_conv1", "block1_conv2", "block1_pool"})),
    ("Xception", "tf", frozenset({"block1_conv1", "block1_conv1_bn", "block2_sepconv1"})),
    ("MobileNet", "tf", frozenset({"conv1", "conv1_bn", "conv_dw_1", "conv_pw_1"})),
    ("MobileNetV2", "tf", frozenset({"Conv1", "bn_Conv1", "expanded_conv_depthwise"})),
    ("DenseNet", "torch", frozenset({"conv1_conv", "conv1_bn", "pool1", "conv2_block1_0_bn"})),
    ("InceptionResNetV2", "tf", frozenset({"mixed_5b", "block35_1_mixed"})),
    ("InceptionV3", "tf", frozenset({"mixed0", "mixed1", "mixed2"})),
    ("NASNet", "tf", frozenset({"stem_conv1", "stem_bn1", "reduction_conv_1_stem_1"})),
)


def preprocessing_weights(mode: str) -> dict:
    """A frozen 1x1 convolution's kernel (1, 1, 3, 3) and bias that take an image in [0, 1] to what ``mode``'s
    weights expect (``MODE_WORDS``)."""
    if mode not in MODE_WORDS:
        raise ValueError(f"Pixel modes: {', '.join(MODE_WORDS)}. Received {mode!r}.")
    m, b = np.eye(3), np.zeros(3)
    if mode == "tf":
        m, b = 2 * np.eye(3), -np.ones(3)
    elif mode == "0-255":
        m = 255 * np.eye(3)
    elif mode == "caffe":
        m, b = 255 * np.eye(3)[:, ::-1], -np.asarray(CAFFE_MEAN_BGR)
    elif mode == "torch":
        std = np.asarray(IMAGENET_STD)
        m, b = np.diag(1 / std), -np.asarray(IMAGENET_MEAN) / std
    return {"kernel": m.reshape(1, 1, 3, 3).astype(np.float32), "bias": b.astype(np.float32)}


def _after_input(graph):
    """(the Input, the layers it feeds) for a network with one Input of colour images, else None."""
    inputs = graph.inputs()
    if len(inputs) != 1:
        return None
    shape = tuple(inputs[0].params.get("shape") or ())
    if len(shape) != 3 or shape[-1] != 3:
        return None
    return inputs[0], [graph.nodes[n] for n in graph.output_ids(inputs[0].id)]


def _rescaling_range(node) -> str | None:
    """What a Rescaling makes of 0-255 pixels: "[0, 1]" (1/255), "[-1, 1]" (1/127.5 less 1; EfficientNetV2S's
    1/128 less 1 too), else None. Within 1 %: Keras' own families differ by that much."""
    try:
        scale, offset = float(node.params.get("scale", 1.0)), float(node.params.get("offset", 0.0))
    except (TypeError, ValueError, OverflowError):
        return None
    if abs(scale * 255 - 1) < 0.01 and abs(offset) < 0.01:
        return "[0, 1]"
    if abs(scale * 127.5 - 1) < 0.01 and abs(offset + 1) < 0.01:
        return "[-1, 1]"
    return None


def _divides_pixels(node) -> bool:
    """A first layer that takes 0-255 pixels down: Rescaling by 1/255 (to [0, 1]) or by 1/127.5 less 1 (to
    [-1, 1]); a Normalization whose stored mean is a pixel's (ConvNeXt's, ImageNet's mean times 255)."""
    if node.kind == "rescaling":
        return _rescaling_range(node) is not None
    mean = node.weights.get("mean")
    if node.kind == "opaque" and node.params.get("class_name") == "Normalization":  # a Keras layer kept as it is
        config = node.params.get("config")
        config = config.get("config") if isinstance(config, dict) else None
        mean = config.get("mean") if isinstance(config, dict) else None
    elif node.kind != "normalization":
        return False
    try:
        mean = np.asarray(mean, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # (from a file: anything)
        return False
    return mean.size > 0 and bool(np.all(np.isfinite(mean))) and float(np.max(mean)) > 2


def is_preparation(node) -> bool:
    """Whether ``node`` is one of the app's pixel preparations, a frozen 1x1 convolution of ``preprocessing_weights``:
    by its name, or, renamed, by its weights (a review: a renamed one was taken as declined and offered a head)."""
    if node.kind != "conv2d":
        return False
    if node.name.startswith((PREPROCESS_NAME, PIXELS_NAME)):
        return True
    kernel, bias = node.weights.get("kernel"), node.weights.get("bias")
    if node.trainable or kernel is None or bias is None or kernel.shape != (1, 1, 3, 3) or bias.shape != (3,):
        return False
    return any(np.allclose(kernel, w["kernel"], atol=1e-6) and np.allclose(bias, w["bias"], atol=1e-4)
               for w in map(preprocessing_weights, MODE_WORDS))


def preparation(graph):
    """The app's preprocessing convolution first after the Input (past random augmentation), or None."""
    found = _after_input(graph)
    if found is None:
        return None
    first = _first_layer(graph, found[0])
    return first if first is not None and is_preparation(first) else None


def prepared(graph) -> bool:
    """Whether the layer after the Input is already the app's preprocessing convolution."""
    return preparation(graph) is not None


def _passes_through(node) -> bool:
    """A layer that leaves an image as it is at inference: random augmentation, Identity, Dropout."""
    if node.kind in ("identity", "dropout") or node.spec.extra.get("training_only"):
        return True
    return node.kind == "opaque" and str(node.params.get("class_name", "")).startswith("Random")


def _first_layer(graph, inp):
    """The first layer after the Input that changes its pixels at inference (a tutorial's RandomFlip and the like
    passed), where the Input feeds one chain up to it; else None."""
    node = inp
    for _ in range(32):
        outs = graph.output_ids(node.id)
        if len(outs) != 1:
            return None
        node = graph.nodes[outs[0]]
        if not _passes_through(node):
            return node
    return None


def expected_pixels(graph) -> tuple[str, str, str] | None:
    """(what the network is, in words; its mode; the name for its preparation) where it expects its images
    prepared otherwise than the app's [0, 1], and has no preprocessing layer of the app's yet; else None. A network that prepares its pixels itself
    (its first layer a Rescaling or a Normalization) is read by that layer: one that divides 0-255 pixels down wants
    them, any other is left as it is, whatever base follows (Keras' transfer-learning tutorial puts
    Rescaling(1/127.5, offset=-1) before a MobileNetV2)."""
    found = _after_input(graph)
    if found is None or prepared(graph):
        return None
    first = _first_layer(graph, found[0])
    if first is not None and first.kind in ("rescaling", "normalization") or \
            first is not None and first.kind == "opaque" and first.params.get("class_name") == "Normalization":
        if not _divides_pixels(first):
            return None
        what = f"Rescaling to {_rescaling_range(first)}" if first.kind == "rescaling" else \
            "Normalization by a pixel's mean"
        return f"its first layer, {first.name} ({what}), takes pixels from 0 to 255", "0-255", PIXELS_NAME
    names = {n.name.rsplit(".", 1)[-1] for n in graph.nodes.values()}
    for family, mode, signature in SIGNATURES:
        if signature <= names:
            why = f"its base is Keras' {family} (keras.applications), whose ImageNet weights expect {MODE_WORDS[mode]}"
            return why, mode, PREPROCESS_NAME
    return None


def preprocessing_node_params() -> dict:
    """The preprocessing convolution's parameters."""
    return {"filters": 3, "kernel_size": 1, "activation": "linear"}
