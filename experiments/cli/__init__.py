"""The `tracktwo` command: parses, calls, prints. Bad input exits 2 with one line, no traceback.

Each command lives in its own module here, imported only when that command runs: `tracktwo
--help` and `tracktwo params` never load the model runs' or the figures' libraries.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from tracktwo.experiments.cli import checks
from tracktwo.experiments.cli.options import UsageError
from tracktwo.experiments.design import limits
from tracktwo.experiments.engine.executors import ExecutorError
from tracktwo.experiments.messages import OptionError, one_line_warnings
from tracktwo.experiments.provenance import tracktwo_version
from tracktwo.model import ConfigError

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


@dataclass(frozen=True)
class Command:
    """A subcommand: its module (defining `configure(parser)`) and its one-line help."""

    module: str
    help: str


COMMANDS = {
    "run": Command("run", "Run the model once and write its summary, time series and timeline figure."),
    "params": Command("params", "Show all parameters with defaults and ranges."),
    "select": Command("select", "Choose whom to invite from an actor map (greedy selection with CELF, then swaps)."),
    "sweep": Command("sweep", "Run a parameter sweep and rank its points."),
    "app": Command("app", "Serve the trainer's app (the Autonomy Dilemma, live) on localhost; works offline."),
    "dilemma": Command("dilemma", "Draw the Autonomy Dilemma frontier figure (PNG and SVG) for a slide."),
    "compare": Command("compare", "Compare candidate programmes on common seeds."),
    "evaluate": Command("evaluate", "What each workshop, participant or group contributed, vs merely on the chain."),
    "plot": Command("plot", "Draw a sweep's figures (PNG and SVG)."),
    "report": Command("report", "Write a sweep's HTML report."),
    "sensitivity": Command("sensitivity", "Which parameters drive the outcomes (Sobol or Morris)."),
    "discover": Command("discover", "Find the parameter regions that give an outcome (PRIM or CART)."),
    "calibrate": Command("calibrate", "Fit uncertain parameters to patterns or a programme's records (ABC-SMC)."),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is one), if any."""
    return next((word for word in argv if word in COMMANDS), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command named in `argv` (None: every command) is imported and given its options."""
    parser = _Parser(prog="tracktwo", description="Simulate how ideas from Track Two dialogues travel into Track One.")
    parser.add_argument("--version", action="version", version=f"tracktwo {tracktwo_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    chosen = None if argv is None else _chosen(argv)
    for name, command in COMMANDS.items():
        subparser = subparsers.add_parser(name, help=command.help, description=command.help)
        if argv is None or name == chosen:
            importlib.import_module(f"tracktwo.experiments.cli.{command.module}").configure(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 2 on bad input, 1 when runs failed or workers died, 130 on Ctrl-C."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:  # importing a command's modules takes a moment: a Ctrl-C then is one line too
        args = build_parser(arguments).parse_args(arguments)
    except KeyboardInterrupt:
        print(f"tracktwo {_chosen(arguments) or ''}: interrupted".replace(" :", ":"), file=sys.stderr)
        return 130
    try:
        checks.check_arguments(args)
        with limits.lifted(getattr(args, "force", False)), one_line_warnings(args.command):
            return int(args.handler(args) or 0)
    except (ConfigError, UsageError) as error:
        shown = error.as_flag() if isinstance(error, OptionError) else error  # the engine names no flags
        print(checks.one_line(f"tracktwo {args.command}: error: {shown}"), file=sys.stderr)
        return 2
    except ExecutorError as error:
        print(
            f"tracktwo {args.command}: error: {error}; "
            "the runs finished so far are saved: rerun with --resume to finish",
            file=sys.stderr,
        )
        return 1
    except OSError as error:  # the machine, not the input: a full disk, a folder removed under us
        where = f"{error.filename}: " if error.filename else ""
        print(checks.one_line(f"tracktwo {args.command}: error: {where}{error.strerror or error}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"tracktwo {args.command}: interrupted", file=sys.stderr)
        return 130
