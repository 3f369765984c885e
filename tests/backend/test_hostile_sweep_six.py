"""A hostile sweep's finds (7 Dec): a card placed 1e12 px away hung the window; a link to itself in a class folder
gave a traceback; 1e300 in a float64 file trained as infinity; large images behind a small first one, and a 1 KB
lesson whose UpSampling layers grow one example to gigabytes, were decoded or run past the memory check."""

import os

import numpy as np
import pytest
from PIL import Image

from playground import cli
from playground.backend import datasets, previews, probes
from playground.core import limits, project
from playground.core.errors import DatasetError, ProjectFormatError, ResourceError
from playground.core.graph import chain
from playground.resources_path import preset_text


def test_a_card_beyond_the_canvas_reach_is_refused_by_name():
    import json
    d = json.loads(preset_text("mnist-mlp"))
    d["nodes"][-1]["pos"] = [1e12, 0.0]
    with pytest.raises(ProjectFormatError, match=r"nodes\[\d+\]\.pos must be two numbers \[x, y\] within "
                                                 r"\u00b110,000,000 pixels .*received \[1000000000000\.0, 0\.0\]"):
        project.loads(json.dumps(d))
    d["nodes"][-1]["pos"] = [project.MAX_POS, -project.MAX_POS]  # the reach itself opens
    assert project.loads(json.dumps(d)).graph.nodes


def test_a_link_to_itself_in_a_class_folder_is_one_line(tmp_path, capsys):
    for c in "ab":
        (tmp_path / c).mkdir()
        Image.new("L", (4, 4)).save(tmp_path / c / "0.png")
    os.symlink("x.png", tmp_path / "a" / "x.png")
    with pytest.raises(DatasetError, match=r"x\.png is a link that leads nowhere readable"):
        datasets.load_file(tmp_path)
    proj = tmp_path.parent / "p.json"
    proj.write_text(preset_text("mnist-mlp"))
    assert cli.main(["train", str(proj), "--dataset-file", str(tmp_path), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "leads nowhere readable" in err


def test_numbers_beyond_float32_are_refused_by_value(tmp_path):
    x = np.full((20, 784), 0.5)
    x[3, 7] = 1e300
    np.savez(tmp_path / "huge.npz", x_train=x, y_train=np.arange(20) % 10)
    with pytest.raises(DatasetError, match=r"x holds 1e\+300 at index \(3, 7\), beyond the largest number training "
                                           r"reads \(float32"):
        datasets.load(str(tmp_path / "huge.npz"))


def test_each_large_image_is_checked_before_it_is_decoded(tmp_path, monkeypatch):
    for c in "ab":
        (tmp_path / c).mkdir()
    Image.new("RGB", (1, 1)).save(tmp_path / "a" / "0.png")
    for c in "ab":
        Image.new("RGB", (4096, 4096)).save(tmp_path / c / "1.png")
    monkeypatch.setattr(limits, "available_memory", lambda: 100 * 2 ** 20)
    with pytest.raises(ResourceError, match=r"1\.png \(4096x4096 pixels\) needs .* to decode and resize; this "
                                            r"machine has 104\.9 MB available"):
        datasets.load_file(tmp_path)


def grown():
    return chain(("input", {"shape": [28, 28, 1]}), ("upsampling2d", {"size": 64}), ("upsampling2d", {"size": 8}),
                 ("randomflip", {}), ("globalavgpool2d", {}), ("dense", {"units": 10, "activation": "softmax"}))


def test_previews_count_one_examples_activations_first(monkeypatch):
    g = grown()  # 1.3 million weights' worth of nothing: 28*64*8 = 14,336 px a side, 822 MB for one map
    monkeypatch.setattr(limits, "available_memory", lambda: 2 * 2 ** 30)
    flip = next(n.id for n in g.nodes.values() if n.kind == "randomflip")
    with pytest.raises(ResourceError, match="Previewing this network needs .* to run one example through it"):
        previews.layer_previews(g, "mnist-sample")
    with pytest.raises(ResourceError, match="Previewing this network needs"):
        previews.augmentation_strip(g, flip, "mnist-sample", seed=1)


def test_see_inside_counts_one_examples_activations_and_fits_its_batch(monkeypatch):
    from playground.backend.builder import build_model
    small = chain(("input", {"shape": [8, 8, 1]}), ("conv2d", {"filters": 2, "kernel_size": 3}), ("flatten", {}),
                  ("dense", {"units": 3, "activation": "softmax"}))
    model = build_model(small)
    x = np.random.default_rng(0).uniform(size=(50, 8, 8, 1)).astype(np.float32)
    y = np.arange(50) % 3
    want = probes.accuracy(model, x, y)
    per = probes.example_bytes(model)
    assert per == (64 + 72 + 72 + 3) * 4
    monkeypatch.setattr(limits, "available_memory", lambda: per * 2 * 2 * 7)  # room for a batch of 7
    assert probes.accuracy(model, x, y) == want  # in batches that fit, the same answer
    monkeypatch.setattr(limits, "available_memory", lambda: per)
    with pytest.raises(ResourceError, match="Every layer's output for one example needs"):
        probes.activations(model, x[0])


def test_the_cli_reads_a_path_a_project_names_only_when_the_user_names_it_too(tmp_path, capsys, monkeypatch):
    """A review: `playground train p.json` read the image folder the project named, where the window asks first."""
    folder = tmp_path / "elsewhere"
    for c in "ab":
        (folder / c).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (28, 28), (40 * i, 0, 0)).save(folder / c / f"{i}.png")
    proj = project.loads(preset_text("mnist-mlp"))
    proj.training["dataset"] = str(folder)
    project.save(proj, tmp_path / "p.json")
    read = []
    monkeypatch.setattr(datasets, "load_image_folder", lambda *a, **k: read.append(a) or (_ for _ in ()).throw(
        DatasetError("stop here")))
    assert cli.main(["train", str(tmp_path / "p.json"), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert f"trains on '{folder}', a path the project names; name it yourself to read it: --dataset-file {folder}" \
        in err and "Traceback" not in err
    assert not read
    assert cli.main(["train", str(tmp_path / "p.json"), "--epochs", "1", "--dataset-file", str(folder)]) == 2
    assert read and "stop here" in capsys.readouterr().err  # named: read (and refused here by the fake)


def test_the_app_never_puts_a_card_past_the_reach_a_file_may_name():
    """A second sweep: a paste or an added layer beside cards at the edge went past +-10,000,000 px, and the project
    (and its recovery file) saved then could not be opened again."""
    g = chain(("input", {"shape": [4]}), ("dense", {"units": 2}))
    far = g.add_node("dense", {"units": 2}, pos=(project.MAX_POS + 228, 3e12))
    assert far.pos == (project.MAX_POS, project.MAX_POS)
    g.move_node(far.id, (-5e7, 12.5))
    assert g.nodes[far.id].pos == (-project.MAX_POS, 12.5)
    again = project.loads(project.dumps(project.Project(g, "edge")))
    assert again.graph.nodes[far.id].pos == (-project.MAX_POS, 12.5)



def test_a_failed_download_says_its_reason_not_its_address(monkeypatch):
    """A review: Keras' message put the address first, and a cut at 120 characters left "Temporary failure in na"."""
    import keras

    def offline():
        raise Exception("URL fetch failure on https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz: None -- "
                        "[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", offline)
    with pytest.raises(DatasetError, match=r"could not be downloaded: \[Errno -3\] Temporary failure in name "
                                           r"resolution\. Offline\?"):
        datasets._download("cifar10", "CIFAR-10", "/somewhere")
