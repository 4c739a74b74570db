"""`tracktwo params`: show every parameter with its default and range, or rewrite configs/default.yaml."""

from __future__ import annotations

import argparse

from tracktwo.experiments.design.config import DEFAULT_CONFIG, defaults_yaml
from tracktwo.experiments.provenance import write_atomic

__all__ = ["configure", "params_command"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo params`'s options."""
    parser.description = "Print every parameter, its default and its allowed range (as configs/default.yaml)."
    parser.add_argument(
        "--write", action="store_true", help=f"rewrite {DEFAULT_CONFIG.name} from the declared defaults"
    )
    parser.set_defaults(handler=params_command)


def params_command(args: argparse.Namespace) -> int:
    """Print the declared defaults, or write them to configs/default.yaml."""
    text = defaults_yaml()
    if args.write:
        write_atomic(DEFAULT_CONFIG, text)
        print(f"Wrote {DEFAULT_CONFIG}")
    else:
        print(text, end="")
    return 0
