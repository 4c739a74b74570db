"""`python -m experiments.cli`: the same as the `tracktwo` command."""

import sys

from experiments.cli import main

sys.exit(main())
