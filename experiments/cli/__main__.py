"""`python -m tracktwo.experiments.cli`: the same as the `tracktwo` command."""

import sys

from tracktwo.experiments.cli import main

__all__ = []

sys.exit(main())
