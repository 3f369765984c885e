"""Counts in words: "1 epoch", "12 epochs", "1,024 examples", never "epoch(s)"."""

from __future__ import annotations


def count(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, the word in the plural unless ``n`` is 1 (``plural`` where adding "s" is wrong)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def short(v, limit: int = 60) -> str:
    """``repr(v)``, cut to ``limit`` characters with "...": a value from a file (a 400-digit integer, a long
    string) named in a message without stretching the line, the window or the terminal. Only about ``limit``
    characters are ever written, however large or deep ``v``: a message is made before its check passes, and a
    file's whole node list, weights and all, was written out for it on every load (reprlib, bounded per level
    only, took 32 s over a 60x60x60x60 list)."""
    out: list[str] = []
    try:
        _write(v, out, [limit + 1], 0)
    except _Full:
        pass
    except ValueError:  # an integer past Python's 4,300-digit str() limit
        out = [f"<a number of over {4300:,} digits>"]
    text = "".join(out)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _Full(Exception):
    """Enough has been written."""


def _write(v, out: list[str], left: list[int], depth: int) -> None:
    """``repr(v)`` piece by piece into ``out`` until ``left[0]`` characters are out (then _Full)."""
    def put(text: str) -> None:
        out.append(text)
        left[0] -= len(text)
        if left[0] <= 0:
            raise _Full
    if isinstance(v, (str, bytes)):
        put(repr(v[:left[0] + 1]))
    elif isinstance(v, dict) and depth < 100:
        put("{")
        for i, (key, value) in enumerate(v.items()):
            put(", " if i else "")
            _write(key, out, left, depth + 1)
            put(": ")
            _write(value, out, left, depth + 1)
        put("}")
    elif type(v) in (list, tuple) and depth < 100:
        put("[" if isinstance(v, list) else "(")
        for i, item in enumerate(v):
            put(", " if i else "")
            _write(item, out, left, depth + 1)
        put("]" if isinstance(v, list) else ",)" if len(v) == 1 else ")")
    else:
        put(repr(v) if depth < 100 else "...")


def file_stem(name: str, fallback: str = "project") -> str:
    """``name`` as a file name the save and export dialogs can offer inside the folder they open on: letters,
    digits, spaces, ``_ - .`` (others become ``_``), no leading dot, at most 100 characters. A project named
    ``../escaped/x`` or ``/etc/x`` made the dialogs offer a file outside that folder."""
    stem = "".join(c if c.isalnum() or c in " _-." else "_" for c in str(name)).strip().lstrip(".")[:100].strip()
    return stem or fallback


def head_advice(classes: int, folder: bool = False) -> str:
    """What to do where the data has ``classes`` classes and the output layer another count: an opened model's
    classifier may be no Dense (MobileNet's is a Conv2D), so the advice names the output layer and the inspector's
    Replace the head, not "the last Dense" a drive could not find."""
    data = "" if folder else ("choose data with as many classes as the output has (a head just replaced for your "
                              "images: your image folder, in Data), or ")  # (not where the folder is the data)
    return (f"{data}give the output layer {classes} units, or in Build select the layer before the "
            f"classifier, set \u201cclasses\u201d to {classes} in the inspector and press \u201cReplace the head "
            f"after this layer\u201d.")
