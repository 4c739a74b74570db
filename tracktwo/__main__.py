"""`python -m tracktwo` and the `tracktwo` command: Ctrl-C at any moment, even while the libraries load, is one line."""

import os
import sys

__all__ = ["run"]


def run() -> int:
    """Load the command line and run it; exit 130 with one line on Ctrl-C while loading."""
    try:
        from tracktwo.experiments.cli import main
    except KeyboardInterrupt:  # nothing started yet; exit at once (an interrupted import can make Python exit -2)
        print("tracktwo: interrupted", file=sys.stderr, flush=True)
        os._exit(130)
    return main()


if __name__ == "__main__":  # importing the module (e.g. to document it) runs nothing
    sys.exit(run())
