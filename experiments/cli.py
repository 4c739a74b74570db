"""The `tracktwo` command: parses, calls, prints. Bad input exits 2 with one line, no traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from experiments import cli_checks, limits
from model import ConfigError

# Each module here defines register(subparsers), adding one subcommand with a `handler`.
COMMAND_MODULES = (
    "experiments.single_run",
    "experiments.params_command",
    "experiments.select_command",
    "experiments.sweep_command",
    "experiments.app_command",
    "experiments.dilemma_command",
    "experiments.compare_command",
    "experiments.plot_command",
    "experiments.report_command",
    "experiments.sensitivity_command",
    "experiments.discover_command",
)


class UsageError(Exception):
    """Bad command-line input (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tracktwo", description="Simulate how ideas from Track Two dialogues travel into Track One.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        cli_checks.check_arguments(args)
        with limits.lifted(getattr(args, "force", False)):
            return int(args.handler(args) or 0)
    except (ConfigError, UsageError) as error:
        print(cli_checks.one_line(f"tracktwo {args.command}: error: {error}"), file=sys.stderr)
        return 2
    except OSError as error:  # the machine, not the input: a full disk, a folder removed under us
        where = f"{error.filename}: " if error.filename else ""
        print(cli_checks.one_line(f"tracktwo {args.command}: error: {where}{error.strerror or error}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"tracktwo {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
