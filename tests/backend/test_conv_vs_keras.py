"""The explorers' arithmetic (core/conv.py) agrees with Keras' own layers given the same fixed kernel."""

import numpy as np
import pytest

from playground.core import conv


def keras_conv(image, kernel, stride, padding):
    import keras
    x = np.asarray(image, np.float32)[None, :, :, None]
    if isinstance(padding, int) and padding:
        x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    mode = "same" if padding == "same" else "valid"
    layer = keras.layers.Conv2D(1, kernel.shape[0], strides=stride, padding=mode, use_bias=False)
    layer.build(x.shape)
    layer.set_weights([np.asarray(kernel, np.float32)[:, :, None, None]])
    return np.asarray(layer(x))[0, :, :, 0]


@pytest.mark.parametrize("image,kernel,stride,padding", [
    (conv.LECTURE_IMAGE, conv.VERTICAL_EDGE, 1, 0),
    (conv.LECTURE_IMAGE, conv.HORIZONTAL_EDGE, 1, 0),
    (conv.EDGE_IMAGE, conv.VERTICAL_EDGE, 1, 0),
    (np.arange(49).reshape(7, 7), conv.VERTICAL_EDGE, 2, 0),
    (conv.LECTURE_IMAGE, conv.VERTICAL_EDGE, 1, 1),
    (conv.LECTURE_IMAGE, conv.VERTICAL_EDGE, 1, 2),
    (conv.LECTURE_IMAGE, conv.VERTICAL_EDGE, 2, "same"),
    (np.arange(36).reshape(6, 6) % 7, np.array([[1, 2], [3, 4]]), 1, "same"),
])
def test_convolve2d_matches_keras_conv2d(image, kernel, stride, padding):
    ours = conv.convolve2d(image, kernel, stride, padding)
    np.testing.assert_allclose(ours, keras_conv(image, kernel, stride, padding), atol=1e-4)


@pytest.mark.parametrize("size,stride,mode,padding", [(2, 2, "max", "valid"), (2, 2, "avg", "valid"),
                                                      (3, 1, "max", "valid"), (3, 2, "avg", "same"),
                                                      (2, 1, "max", "same")])
def test_pool2d_matches_keras(size, stride, mode, padding):
    import keras
    grid = np.arange(25).reshape(5, 5) % 9
    cls = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    theirs = np.asarray(cls(size, strides=stride, padding=padding)(grid[None, :, :, None].astype(np.float32)))[0, :, :, 0]
    ours = conv.pool2d(grid, size, stride, mode, padding)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
