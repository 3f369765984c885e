"""``python -m playground`` runs the same entry point as the ``playground`` command."""

import sys

from .cli import main

sys.exit(main())
