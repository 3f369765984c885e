"""Text from a file, a folder's name or a path, shown by Qt as written. Qt reads a tooltip (or a label) with a tag
in it as rich text, and rich text loads what an ``<img src=...>`` names from the disk: a class folder named
``<img src=&#47;dev&#47;zero>`` (no slash needed) made the app read that file when its tooltip showed."""

from __future__ import annotations

from html import escape


def tip(text: str) -> str:
    """``text`` as a tooltip that shows it as written: unchanged where Qt would take it as plain text, else escaped
    inside a paragraph (rich text that says what the text says)."""
    return f"<p>{escape(text, quote=False)}</p>" if "<" in text or "&" in text else text
