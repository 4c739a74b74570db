"""`python -m tracktwo`: the same as the `tracktwo` command."""

import sys

from tracktwo.experiments.cli import main

sys.exit(main())
