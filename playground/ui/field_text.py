"""What a typed parameter field means: the text of an inspector field turned into a value for the table's
validator (which then checks it), or an ``Invalid`` carrying the message to show beside the field."""

from __future__ import annotations

from ..core.registry import ParamSpec


class Invalid:
    def __init__(self, message: str):
        self.message = message


def parse_padding(text: str):
    t = text.strip()
    if t in ("valid", "same"):
        return t
    try:
        return int(t)
    except ValueError:
        return Invalid(f"`padding` must be 'valid', 'same' or a whole number of pixels. Received {t!r}.")


def parse_shape(text: str):
    parts = [p for p in text.replace("x", ",").replace(" ", ",").split(",") if p]
    try:
        return [int(p) for p in parts]
    except ValueError:
        return Invalid(f"Sizes must be whole numbers separated by commas, like 28, 28, 1. Received {text!r}.")


def parse_pair(text: str, p: ParamSpec):
    """'3' -> 3; '3, 5' -> (3, 5) (height, width); four numbers -> ((top, bottom), (left, right))."""
    parts = [q for q in text.replace("(", " ").replace(")", " ").replace(",", " ").split() if q]
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
