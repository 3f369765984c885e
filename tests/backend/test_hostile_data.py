"""Hostile dataset files (issue 15, items 2, 6-8, 11): refused with the file and the problem named,
before numpy or Pillow allocates anything large. Numpy and Pillow only: no Keras, so these are fast."""

import os
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from playground.backend import datasets
from playground.core import limits
from playground.core.errors import DatasetError, ResourceError


def npz(tmp_path, name="d.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def good(n=6):
    return {"x_train": np.arange(n * 16, dtype=np.uint8).reshape(n, 4, 4), "y_train": np.arange(n) % 3}


def patch_central_directory(path, offset: int, data: bytes) -> None:
    raw = bytearray(path.read_bytes())
    cd = raw.rfind(b"PK\x01\x02")  # the last member's central directory entry
    raw[cd + offset:cd + offset + len(data)] = data
    path.write_bytes(bytes(raw))


def test_a_three_image_npz_loads_and_is_contiguous(tmp_path):
    ds = datasets.load(str(npz(tmp_path, **good(3))))
    assert ds.x_train.shape == (3, 4, 4) and ds.x_train.flags.c_contiguous


@pytest.mark.parametrize("x,needle", [
    (np.array(5.0), "0-d array"),
    (np.array(["a", "b"]), "dtype '<U1'"),
    (np.zeros(2, dtype=[("a", "f4")]), "structured"),
    (np.arange(3.0), "one row per example"),
    (np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 1.0]]),
     "1 value that is not a finite number (NaN or infinity), the first at index (0, 1)"),
    (np.array([[1 + 2j, 0], [0, 0], [0, 0]]), "dtype '<c16'"),
])
def test_arrays_that_are_not_numeric_examples_are_refused(tmp_path, x, needle):
    path = npz(tmp_path, x_train=x, y_train=np.arange(3) % 2)
    with pytest.raises(DatasetError) as exc:
        datasets.load(str(path))
    assert needle in str(exc.value) and "d.npz" in str(exc.value)


def test_a_pickled_member_is_never_unpickled(tmp_path):
    path = npz(tmp_path, x_train=np.array([{"a": 1}, None], dtype=object), y_train=np.arange(2))
    with pytest.raises(DatasetError, match="pickle"):
        datasets.load(str(path))


def test_a_truncated_npz(tmp_path):
    path = npz(tmp_path, **good())
    path.write_bytes(path.read_bytes()[:-60])
    with pytest.raises(DatasetError, match="d.npz"):
        datasets.load(str(path))


def test_a_header_claiming_313_gb(tmp_path):
    path = tmp_path / "d.npz"
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("x_train.npy", "w") as fp:
            np.lib.format.write_array_header_1_0(fp, {"descr": "|u1", "fortran_order": False,
                                                      "shape": (313_000_000_000,)})
            fp.write(b"\0" * 64)
        with zf.open("y_train.npy", "w") as fp:
            np.lib.format.write_array(fp, np.arange(3))
    with pytest.raises(DatasetError, match=r"claims shape \(313000000000,\) \(313.0 GB\)"):
        datasets.load(str(path))


@pytest.mark.parametrize("offset,data,needle", [
    (8, b"\x01\x00", "encrypted"),
    (10, b"\x0e\x00", "compression method 14"),
    (24, (10 ** 9).to_bytes(4, "little"), "more than deflate can produce"),
])
def test_zip_directories_are_checked_before_unpacking(tmp_path, offset, data, needle):
    path = tmp_path / "d.npz"
    np.savez_compressed(path, **good())
    patch_central_directory(path, offset, data)
    with pytest.raises(DatasetError, match=needle):
        datasets.load(str(path))


def test_a_member_over_the_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, x_train=np.zeros((2000, 1000), np.uint8), y_train=np.zeros(2000))
    assert path.stat().st_size < 20_000
    monkeypatch.setattr(limits, "MAX_DATASET_FILE", 1_000_000)
    with pytest.raises(DatasetError, match="would unpack to 2.0 MB"):
        datasets.load(str(path))


def test_a_dataset_that_cannot_fit_names_both_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 1000)
    with pytest.raises(ResourceError, match=r"needs 1.4 KB to load and scale; this machine has 1.0 KB"):
        datasets.load(str(npz(tmp_path, **good(10))))


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_special_files_are_refused_without_blocking(tmp_path, suffix):
    fifo = tmp_path / f"f{suffix}"
    os.mkfifo(fifo)
    with pytest.raises(DatasetError, match="pipe"):
        datasets.load(str(fifo))
    link = tmp_path / f"z{suffix}"
    link.symlink_to("/dev/zero")
    with pytest.raises(DatasetError, match="device"):
        datasets.load(str(link))


@pytest.mark.parametrize("y,needle", [
    (np.array([0, 1, 1e15]), "1,000,000,000,000,001 classes"),
    (np.array([0, 1, np.inf]), "[inf]"),
    (np.array([0, 1, -1]), ">= 0"),
])
def test_labels_that_are_not_class_indices(tmp_path, y, needle):
    path = npz(tmp_path, x_train=np.zeros((3, 2)), y_train=y)
    with pytest.raises(DatasetError) as exc:
        datasets.load(str(path))
    assert needle in str(exc.value)


def test_csv_with_a_bom_and_no_header_keeps_its_first_row(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff1,0,0,0,255\n0,255,0,0,0\n2,1,2,3,4\n".encode("utf-8"))
    ds = datasets.load(str(path))
    assert ds.y_train.tolist() == [1, 0, 2] and ds.x_train.shape == (3, 2, 2)


def test_csv_label_inf(tmp_path):
    path = tmp_path / "inf.csv"
    path.write_text("label,p0\n1,0\ninf,3\n")
    with pytest.raises(DatasetError, match=r"inf.csv: labels must be whole numbers"):
        datasets.load(str(path))


@settings(max_examples=60, deadline=None)
@given(cell=st.sampled_from(["nan", "inf", "-inf", "1e999", "", "abc", "0x10", "1,2"]))
def test_csv_pixels_that_are_not_finite_numbers(tmp_path_factory, cell):
    path = tmp_path_factory.mktemp("csv") / "c.csv"
    path.write_text(f"0,1,2\n1,{cell},3\n")
    with pytest.raises(DatasetError, match="c.csv"):
        datasets.load(str(path))


# ------------------------------------------------------------------ image folders

def make_folder(tmp_path, size=(5, 5)):
    from PIL import Image
    for c, shade in (("cat", 10), ("dog", 200)):
        (tmp_path / c).mkdir()
        for i in range(2):
            Image.new("L", size, shade + i).save(tmp_path / c / f"{i}.png")
    return tmp_path


def test_hidden_and_other_files_are_skipped(tmp_path):
    make_folder(tmp_path)
    (tmp_path / "cat" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (tmp_path / "cat" / "._0.png").write_bytes(b"\0\5\26\7")  # macOS resource fork
    (tmp_path / "dog" / "notes.txt").write_text("hi")
    (tmp_path / ".hidden").mkdir()
    ds = datasets.load(str(tmp_path))
    assert ds.class_names == ("cat", "dog") and ds.x_train.shape == (4, 5, 5)
    assert ds.y_train.tolist() == [0, 1, 0, 1] and ds.x_train[1, 0, 0] == 200


def test_a_broken_image_is_named(tmp_path):
    make_folder(tmp_path)
    (tmp_path / "dog" / "2.png").write_text("not a png")
    with pytest.raises(DatasetError, match=r"dog/2.png is not a PNG, JPEG, BMP or GIF image"):
        datasets.load(str(tmp_path))


def test_a_truncated_image_is_named(tmp_path):
    make_folder(tmp_path, (64, 64))
    from PIL import Image
    Image.effect_noise((64, 64), 50).save(tmp_path / "dog" / "3.png")
    raw = (tmp_path / "dog" / "3.png").read_bytes()
    (tmp_path / "dog" / "3.png").write_bytes(raw[:len(raw) // 2])
    with pytest.raises(DatasetError, match=r"dog/3.png"):
        datasets.load(str(tmp_path))


def test_an_image_over_the_size_limit_is_refused_before_decoding(tmp_path):
    make_folder(tmp_path)
    from PIL import Image
    Image.new("1", (limits.MAX_IMAGE_SIDE + 1, 4)).save(tmp_path / "cat" / "wide.png")
    with pytest.raises(DatasetError, match=rf"wide.png is {limits.MAX_IMAGE_SIDE + 1}x4 pixels"):
        datasets.load(str(tmp_path))


def test_an_image_over_4_megapixels_is_checked_before_it_is_decoded(tmp_path, monkeypatch):
    """The README: every image over 4 megapixels is checked before it is decoded (about three copies at 4 bytes a
    pixel). One pixel over is checked against the memory there is; 4 megapixels exactly are decoded unchecked."""
    from PIL import Image
    monkeypatch.setattr(limits, "available_memory", lambda: 40_000_000)  # under 12 bytes x 4 megapixels
    Image.new("1", (2048, 2048)).save(tmp_path / "four.png")
    Image.new("1", (2048, 2049)).save(tmp_path / "over.png")
    assert datasets._open_image(tmp_path / "four.png").size == (2048, 2048)
    with pytest.raises(ResourceError, match=r"over.png \(2048x2049 pixels\) needs 50.4 MB to decode and resize; "
                                            r"this machine has 40.0 MB available"):
        datasets._open_image(tmp_path / "over.png")


def test_an_image_folder_that_cannot_fit_is_refused(tmp_path, monkeypatch):
    make_folder(tmp_path)
    monkeypatch.setattr(limits, "available_memory", lambda: 100)
    with pytest.raises(ResourceError, match=r"4 images of 5x5\) needs 500 bytes"):
        datasets.load(str(tmp_path))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_corruption_of_an_npz_is_a_dataset_error_or_still_valid(tmp_path_factory, data):
    import io
    buf = io.BytesIO()
    compressed = data.draw(st.booleans())
    (np.savez_compressed if compressed else np.savez)(buf, **good(4))
    raw = bytearray(buf.getvalue())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    path = tmp_path_factory.mktemp("fuzz") / "f.npz"
    path.write_bytes(bytes(raw))
    try:
        ds = datasets.load(str(path))
    except DatasetError:
        return
    assert ds.x_train.ndim >= 2 and len(ds.x_train) == len(ds.y_train)


def test_an_image_folder_never_hands_a_file_to_ghostscript(tmp_path, monkeypatch):
    """A hostile-file review: Pillow tells a format by a file's first bytes, so an EPS (PostScript) named 0.png in
    a class folder was decoded by running Ghostscript, a PostScript interpreter, on it. Only the PNG, JPEG, BMP
    and GIF decoders are used now; the EPS is named and refused, and no program runs."""
    from PIL import Image
    folder = tmp_path / "faces"
    for c in ("cat", "dog"):
        (folder / c).mkdir(parents=True)
        for k in range(2):
            Image.new("RGB", (8, 8), "red").save(folder / c / f"{k}.png")
    (folder / "cat" / "0.png").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\nshowpage\n%%EOF\n")
    ran = tmp_path / "gs-ran"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gs = bin_dir / "gs"
    gs.write_text(f"#!/bin/sh\necho \"$@\" > {ran}\n")
    gs.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    with pytest.raises(DatasetError) as refused:
        datasets.load_image_folder(folder)
    assert not ran.exists()  # (before: "gs -q -g8x8 ... -dSAFER -sDEVICE=pnmraw ...")
    assert "cat/0.png is not a PNG, JPEG, BMP or GIF image" in str(refused.value)
    (folder / "cat" / "0.png").unlink()  # without it the folder loads
    assert datasets.load_image_folder(folder).x_train.shape[1:] == (8, 8, 3)


@pytest.mark.parametrize("link", ["class", "image"])
def test_an_image_folder_never_follows_a_link_out_of_itself(tmp_path, link):
    """A hostile-file review: a class folder linked to another folder (birds -> outside/) or an image linked to a
    private file (cats/x.png -> outside/secret.png) was read as part of the folder the user chose. A link that
    stays inside the folder is read; one that leads out is refused by name."""
    from PIL import Image
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("RGB", (8, 8), "blue").save(outside / "secret.png")
    folder = tmp_path / "faces"
    for c in ("cat", "dog"):
        (folder / c).mkdir(parents=True)
        Image.new("RGB", (8, 8), "red").save(folder / c / "0.png")
    os.symlink(folder / "cat" / "0.png", folder / "dog" / "same.png")  # inside: fine
    assert len(datasets.load_image_folder(folder).y_train) >= 1
    if link == "class":
        os.symlink(outside, folder / "birds")
    else:
        os.symlink(outside / "secret.png", folder / "cat" / "x.png")
    needle = "birds" if link == "class" else "cat/x.png"
    with pytest.raises(DatasetError, match=rf"{needle} is a link to .*outside the folder you chose \(faces\)"):
        datasets.load_image_folder(folder)
    with pytest.raises(DatasetError, match="outside the folder you chose"):
        datasets.folder_summary(folder)


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "mse"])
def test_one_hot_labels_are_counted_before_they_are_made(monkeypatch, loss):
    """A hostile sweep: a 2 MB .npz of 250,000 labels over 4,000 classes, with a loss that takes one-hot rows, took
    4.0 GB with every check passed (np.eye(4000)[y]), and 100,000 classes asked for 37 GB for the eye alone."""
    n, k = 3000, 400
    ds = datasets.Dataset("wide.npz", np.zeros((n, 1), np.float32), np.arange(n) % k, np.zeros((10, 1), np.float32),
                          np.arange(10) % k, tuple(str(i) for i in range(k)))
    ok = datasets.prepare(ds, (1,), k, loss)  # it fits: one-hot rows, nothing else made
    assert ok.y_train.shape == (n, k) and ok.y_train.dtype == np.float32
    assert np.array_equal(ok.y_train.argmax(1), np.arange(n) % k) and ok.y_train.sum() == n
    monkeypatch.setattr(limits, "available_memory", lambda: 4_000_000)
    with pytest.raises(ResourceError, match=r"Turning wide\.npz's labels into one-hot rows for " + loss + r" \(3,010 "
                                            r"rows x 400 classes\) needs 4\.8 MB of memory; this machine has 4\.0 MB"):
        datasets.prepare(ds, (1,), k, loss)


def test_a_csv_is_counted_by_its_numbers_not_its_size(tmp_path, monkeypatch):
    """A hostile sweep: 50 MB of "0,1" lines passed a check of 4 times the file's size (200 MB) and took 1.27 GB:
    a number can be two bytes of text and 8 as it is parsed, and the text, its lines and a float copy were all
    held. The numbers are counted before parsing; the parse holds about a tenth of what the count allows."""
    import tracemalloc
    path = tmp_path / "pairs.csv"
    path.write_text("0,1\n1,0\n" * 50_000)  # 200,000 numbers in 800 KB
    monkeypatch.setattr(limits, "available_memory", lambda: 8_000_000)
    with pytest.raises(ResourceError, match=r"pairs\.csv \(200,001 numbers\) needs 9\.0 MB to parse; this machine "
                                            r"has 8\.0 MB"):
        datasets.load_csv(path)
    monkeypatch.setattr(limits, "available_memory", lambda: 10 ** 10)
    for text, numbers in (("0,1\n1,0\n" * 500_000, 2_000_001),
                          (("3," + ",".join(["200"] * 99) + "\n") * 20_000, 2_000_001)):
        path.write_text(text)
        tracemalloc.start()
        ds = datasets.load_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert ds.x_train.size + len(ds.y_train) == numbers - 1
        # 10.9 bytes a number measured: one more float64 copy of the data (8 more) would fail this
        assert peak <= numbers * 16 + datasets.CSV_OVERHEAD, (peak - datasets.CSV_OVERHEAD) / numbers
        assert 16 < datasets.CSV_BYTES_PER_VALUE


@pytest.mark.parametrize("end", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_a_csv_whose_lines_end_in_a_carriage_return_is_counted_by_them_too(tmp_path, monkeypatch, end):
    r"""A sweep: 100 MB of "0\r" was counted as one number (only commas and "\n" were counted), passed a 4 MB check
    and took 427 MB before "found 1 column": NumPy ends a line at "\r" too. A "\r\n" is still one line end."""
    path = tmp_path / "cr.csv"
    path.write_bytes(f"0,1{end}1,0{end}".encode() * 50_000)
    monkeypatch.setattr(limits, "available_memory", lambda: 8_000_000)
    with pytest.raises(ResourceError, match=r"cr\.csv \(200,001 numbers\) needs 9\.0 MB to parse"):
        datasets.load_csv(path)


def test_an_npz_of_empty_examples_is_refused_by_its_shape(tmp_path):
    """A hostile sweep: x_train and y_train of shape (10**12, 0), no data, passed every check as 10**12 examples of
    0 classes, and training said 'has examples of one class only (label ?, 0 examples)'."""
    path = tmp_path / "empty.npz"
    np.savez(path, x_train=np.zeros((5, 0), np.float32), y_train=np.zeros((5, 0), np.float32))
    with pytest.raises(DatasetError, match=r"empty\.npz.*x has shape \(5, 0\).*each example holds no values"):
        datasets.load(str(path))


def test_a_csv_that_is_not_utf8_names_the_byte_in_the_file(tmp_path):
    """A review: the offset was counted from the start of the piece being decoded ("at byte 1152" for byte
    2,000,000)."""
    path = tmp_path / "bad.csv"
    path.write_bytes(b"1,2\n" * 500_000 + b"\xff,3\n")
    with pytest.raises(DatasetError, match=r"bad\.csv is not UTF-8 text \(invalid start byte at byte 2,000,000\)"):
        datasets.load_csv(path)


def test_a_dataset_file_ending_in_capitals_is_read_by_its_ending(tmp_path):
    """A sweep: the data box took a typed digits.NPZ, then the loader said it reads .npz, .csv or a folder."""
    with open(tmp_path / "digits.NPZ", "wb") as fh:  # (a file name: numpy would add ".npz")
        np.savez(fh, x_train=np.zeros((4, 3, 3)), y_train=np.array([0, 1, 0, 1]))
    (tmp_path / "rows.CSV").write_text("0,1,2\n1,2,3\n")
    assert len(datasets.load_file(tmp_path / "digits.NPZ").x_train) == 4
    assert len(datasets.load_file(tmp_path / "rows.CSV").x_train) == 2

