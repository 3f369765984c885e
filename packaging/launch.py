"""Entry point for the PyInstaller build (the console script is not available inside it)."""

import sys

from playground.cli import main

sys.exit(main())
