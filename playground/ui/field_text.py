"""What a typed parameter field means: the text of an inspector field turned into a value for the table's
validator (which then checks it), or an ``Invalid`` carrying the message to show beside the field."""

from __future__ import annotations

import json
import math
import re

from ..core.registry import ParamSpec


class Invalid:
    def __init__(self, message: str):
        self.message = message


def _numbers(text: str) -> list[str]:
    """The parts of "2", "2, 2", "(2, 2)", "2x2" or "2 \u00d7 2" (sizes as the lessons and the cards write them)."""
    text = re.sub(r"(?<=\d)\s*[x\u00d7]\s*(?=\d)", " ", text)  # an x between numbers only: "1, x" is no size
    for sep in "(),":
        text = text.replace(sep, " ")
    return text.split()


def parse_padding(text: str):
    t = text.strip()
    if t in ("valid", "same"):
        return t
    parts = _numbers(t)
    try:
        nums = [int(q) for q in parts]
    except ValueError:
        nums = []
    if nums and len(set(nums)) == 1 and len(nums) in (1, 2, 4):  # "1", "1, 1", "(1, 1)", "1x1": the same on every side
        return nums[0]
    if len(set(nums)) > 1:
        return Invalid(f"`padding` pads every side alike here: one whole number (or 'valid', 'same'). Received {t!r}; "
                       f"for different sides put a ZeroPadding2D before the layer.")
    return Invalid(f"`padding` must be 'valid', 'same' or a whole number of pixels. Received {t!r}.")


def parse_shape(text: str):
    parts = [p for p in text.replace("x", ",").replace(" ", ",").split(",") if p]
    try:
        return [int(p) for p in parts]
    except ValueError:
        return Invalid(f"Sizes must be whole numbers separated by commas, like 28, 28, 1. Received {text!r}.")


def parse_pair(text: str, p: ParamSpec):
    """'3' -> 3; '3, 5' -> (3, 5) (height, width); four numbers -> ((top, bottom), (left, right))."""
    parts = _numbers(text)  # ("2x2" was refused for strides, though the lessons write sizes so)
    try:
        nums = [int(q) for q in parts]
    except ValueError:
        several = {"hw": "height, width", "axes": "several axes"}.get(p.pair, "top, bottom, left, right")
        return Invalid(f"`{p.name}` takes whole numbers: one, or {several}. Received {text!r}.")
    if not nums and p.kind == "optional_int":
        return None
    if len(nums) == 1:
        return nums[0]
    if p.pair == "axes" and nums:
        return tuple(nums)
    if p.pair == "hw" and len(nums) == 2:
        return tuple(nums)
    if p.pair == "sides" and len(nums) == 4:
        return ((nums[0], nums[1]), (nums[2], nums[3]))
    several = "two (height, width)" if p.pair == "hw" else "four (top, bottom, left, right)"
    return Invalid(f"`{p.name}` takes one number or {several}. Received {text!r}.")


def parse_optional_float(text: str):
    t = text.strip()
    if not t or t.lower() == "none":
        return None
    try:
        return float(t)
    except ValueError:
        return Invalid(f"Must be a number, or empty for none. Received {t!r}.")


def parse_optional_int(text: str):
    t = text.strip()
    if not t:
        return None
    try:
        return int(t)
    except ValueError:
        return Invalid(f"Must be a whole number, or empty for 'same as size'. Received {t!r}.")


def parse_float(text: str, title: str):
    from .number_box import number_problem  # noqa: PLC0415
    try:
        value = float(text.strip())
    except ValueError:
        value = math.inf
    return value if math.isfinite(value) else Invalid(number_problem(title, text))


def value_text(value) -> str:
    """A layer's value as its field shows it: "3, 5" for (3, 5), per-side padding as four numbers, "" for None."""
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # per-side padding
        return ", ".join(str(v) for pair in value for v in pair)
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value)[:500]
    return "" if value is None else str(value)


def field_text(w) -> str:
    """What a field shows (a spin box's or an editable list's text: its line edit's)."""
    return w.lineEdit().text() if hasattr(w, "lineEdit") else w.text()


def refusal(p: ParamSpec, parsed) -> str | None:
    """Why a field's parsed text is not taken (the spec's own check of the value), or None."""
    if isinstance(parsed, Invalid):
        return parsed.message
    try:
        p.validate(parsed)
    except (ValueError, TypeError) as exc:  # ParamError (a ValueError), or a value of a type the rule rejects
        return str(exc)
    return None


class KeptEntries:
    """Entries a field refused, kept per layer while another layer is shown: a drive typed stride 0 (refused, red),
    selected another layer and came back to a field that said 1 with no message, and nothing said so. The layer's
    value was never changed; what was typed is shown again, refused, until it is changed or taken back."""

    def __init__(self) -> None:
        self.texts: dict[tuple[str, str], str] = {}  # (node id, field key) -> the refused text

    def leave(self, node_id: str, refused: dict[str, str]) -> None:
        """The fields of ``node_id`` that hold a refused text as it goes from view (and none other of it)."""
        self.drop(node_id)
        self.texts.update({(node_id, key): text for key, text in refused.items()})

    def of(self, node_id: str) -> dict[str, str]:
        return {key: text for (nid, key), text in self.texts.items() if nid == node_id}

    def drop(self, node_id: str | None = None) -> None:
        """Forget ``node_id``'s entries (a layer removed), or every entry (another project)."""
        self.texts = {k: t for k, t in self.texts.items() if node_id is not None and k[0] != node_id}


def plain_message(message: str) -> str:
    """A rule's message as a field shows it: the name it starts with without the command line's backquotes
    ("`filters` must be a whole number ..." read as code in a label: a drive)."""
    import re  # noqa: PLC0415
    return re.sub(r"^`([^`\n]{1,40})`", r"\1", message)
