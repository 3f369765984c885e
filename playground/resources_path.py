"""Where the shipped resources are: through importlib.resources, so a wheel install works."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_root():
    """The ``playground.resources`` package folder (a Traversable)."""
    return resources.files("playground.resources")


def preset_names() -> list[str]:
    return sorted(p.name[:-5] for p in (resource_root() / "presets").iterdir() if p.name.endswith(".json"))


def preset_text(name: str) -> str:
    return (resource_root() / "presets" / f"{name}.json").read_text(encoding="utf-8")


def resource_file(*parts: str) -> Path:
    """A real filesystem path to a resource (wheels install resources as plain files)."""
    return Path(str(resource_root().joinpath(*parts)))
