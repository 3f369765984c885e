"""Counts in words: "1 epoch", "12 epochs", "1,024 examples", never "epoch(s)"."""

from __future__ import annotations


def count(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, the word in the plural unless ``n`` is 1 (``plural`` where adding "s" is wrong)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"
