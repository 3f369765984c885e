"""Counts in words: "1 epoch", "12 epochs", "1,024 examples", never "epoch(s)"."""

from __future__ import annotations

import functools


def count(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, the word in the plural unless ``n`` is 1 (``plural`` where adding "s" is wrong)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def short(v, limit: int = 60) -> str:
    """``repr(v)``, cut to ``limit`` characters with "...": a value from a file (a 400-digit integer, a long
    string) named in a message without stretching the line, the window or the terminal. Only about ``limit``
    characters are ever written: a message is made before its check passes, and a file's whole node list, weights
    and all, was written out for it on every load."""
    try:
        text = _bounded(limit).repr(v)
    except ValueError:  # an integer past Python's 4,300-digit str() limit
        text = f"<a number of over {4300:,} digits>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


@functools.lru_cache(maxsize=8)
def _bounded(limit: int):
    """reprlib, which writes at most ``limit`` items of a container and (below) a string's first ``limit``
    characters: what is past them is cut anyway."""
    import reprlib  # noqa: PLC0415

    class Bounded(reprlib.Repr):
        def repr_str(self, x, level):
            return repr(x[:limit + 1])

        repr_bytes = repr_str

    r = Bounded()
    r.maxlevel = 8
    r.maxlist = r.maxtuple = r.maxdict = r.maxset = r.maxfrozenset = r.maxdeque = r.maxarray = limit
    r.maxstring = r.maxother = r.maxlong = 10 * limit
    r.repr_int = lambda x, level: repr(x)  # whole, or the ValueError above
    return r


def file_stem(name: str, fallback: str = "project") -> str:
    """``name`` as a file name the save and export dialogs can offer inside the folder they open on: letters,
    digits, spaces, ``_ - .`` (others become ``_``), no leading dot, at most 100 characters. A project named
    ``../escaped/x`` or ``/etc/x`` made the dialogs offer a file outside that folder."""
    stem = "".join(c if c.isalnum() or c in " _-." else "_" for c in str(name)).strip().lstrip(".")[:100].strip()
    return stem or fallback


def head_advice(classes: int) -> str:
    """What to do where the data has ``classes`` classes and the output layer another count: an opened model's
    classifier may be no Dense (MobileNet's is a Conv2D), so the advice names the output layer and the inspector's
    Replace the head, not "the last Dense" a drive could not find."""
    return (f"give the output layer {classes} units, or in Build select the layer before the classifier, set "
            f"\u201cclasses\u201d to {classes} in the inspector and press \u201cReplace the head after this "
            f"layer\u201d.")
