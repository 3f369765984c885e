"""Package data: presets, the built-in digit sample, icons, stylesheet (read via importlib.resources)."""
