"""An image folder's images reach the model's Input in one resampling, whatever their own sizes (a new-user drive:
a class folder whose first file was an 8x8 thumbnail had every 128x128 photo cut to 8x8, then blown up to the
Input; and the augmentation strip refused a folder of 70x50 images for a 64x64 Input that training resizes to)."""

import numpy as np
from PIL import Image

from playground.backend import datasets, previews, session
from playground.core.graph import chain


def photo(side_w, side_h, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(side_h, side_w, 3), dtype=np.uint8)


def folder_with_a_thumbnail_first(root):
    originals = {}
    for c, cls in enumerate(("a_cats", "b_dogs")):
        (root / cls).mkdir(parents=True)
        for i, (w, h) in enumerate(((8, 8), (128, 128), (70, 50), (128, 96))):
            a = photo(w, h, 10 * c + i)
            Image.fromarray(a).save(root / cls / f"{i}.png")
            originals[(cls, i)] = a
    return originals


def straight(a, w, h):
    return np.asarray(Image.fromarray(a).resize((w, h), Image.BILINEAR), dtype=np.uint8)


def test_each_image_is_resized_once_straight_to_the_input(tmp_path):
    originals = folder_with_a_thumbnail_first(tmp_path / "pets")
    ds = datasets.load(str(tmp_path / "pets"), (32, 24, 3))  # height 32, width 24
    assert ds.x_train.shape[1:] == (32, 24, 3)
    order = [(cls, i) for cls in ("a_cats", "b_dogs") for i in range(4)]
    x = np.concatenate([ds.x_train, ds.x_test]) if ds.x_test is not None else ds.x_train
    assert len(x) == 8
    got = {tuple(a.tobytes() for a in [row]) for row in x}
    want = {tuple([straight(originals[k], 24, 32).tobytes()]) for k in order}
    assert got == want  # every photo at full detail, none through the thumbnail's 8x8
    # training prepares the same arrays: the Input's size, scaled to [0, 1]
    g = chain(("input", {"shape": [32, 24, 3]}), ("flatten", {}), ("dense", {"units": 2, "activation": "softmax"}))
    _, prepared = session.prepare_for(g, str(tmp_path / "pets"))
    assert {(a * 255).round().astype(np.uint8).tobytes() for a in prepared.x_train} <= {w[0] for w in want}
    # a grey Input takes each image grey, at its size
    grey = datasets.load(str(tmp_path / "pets"), (16, 16, 1))
    assert grey.x_train.shape[1:] == (16, 16)
    # without an Input (a look at the folder) the first image's size is kept, as the data box says
    assert datasets.load(str(tmp_path / "pets")).x_train.shape[1:] == (8, 8, 3)


def test_the_augmentation_strip_and_layer_previews_take_a_folder_of_another_size(tmp_path):
    root = tmp_path / "shots"
    for c, cls in enumerate(("x", "y")):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(photo(70, 50, 5 * c + i)).save(root / cls / f"{i}.png")
    g = chain(("input", {"shape": [64, 64, 3]}), ("randomrotation", {"factor": 0.1}),
              ("conv2d", {"filters": 2, "kernel_size": 3}), ("flatten", {}),
              ("dense", {"units": 2, "activation": "softmax"}))
    rot = next(n.id for n in g.nodes.values() if n.kind == "randomrotation")
    strip = previews.augmentation_strip(g, rot, str(root), seed=1)
    assert strip["original"].shape[:2] == (64, 64)
    maps = previews.layer_previews(g, str(root))
    assert maps
