"""`python -m tracktwo`: the same as the `tracktwo` command."""

import sys

from tracktwo.experiments.cli import main

if __name__ == "__main__":  # importing the module (e.g. to document it) runs nothing
    sys.exit(main())
