"""What reaches the user's terminal besides results: warnings as single lines, never a library's source line.

Python prints a library's warning as two lines (the file and line that raised it, then the code).
Within `one_line_warnings`, each distinct warning is one line in tracktwo's own form instead
(`tracktwo CMD: warning: ...`), printed once however often it recurs; missing glyphs (characters
the figure fonts cannot draw) are one line for the whole command. Warnings that tests turn into
errors are raised as before: this changes how a warning is shown, not which are raised.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tracktwo.model import ConfigError

__all__ = ["MAX_WARNING_CHARS", "OptionError", "one_line_warnings", "warning_line"]

MAX_WARNING_CHARS = 299
GLYPH = re.compile(r"Glyph \d+ .*missing from (current )?font", re.IGNORECASE)


class OptionError(ConfigError):
    """A bad value for one option, named as the Python API names it (`workers`); the CLI shows its flag.

    The engine and analysis know argument names, not command-line flags: the message reads
    "workers: expected 1 or more, got 0" from Python, and `tracktwo` prints it as "--workers: ...".
    """

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option
        self.problem = problem

    def as_flag(self) -> str:
        """The message with the option as its command-line flag (`--min-density` for `min_density`)."""
        return f"--{self.option.replace('_', '-')}: {self.problem}"


def warning_line(command: str, category: type[Warning], message: str) -> str:
    """A warning as one line under MAX_WARNING_CHARS characters."""
    text = " ".join(str(message).split())
    if GLYPH.search(text):
        text = "some characters of the labels are missing from the figure fonts (they show as boxes)"
    line = f"tracktwo {command}: warning: {text} ({category.__name__})"
    return line if len(line) <= MAX_WARNING_CHARS else line[: MAX_WARNING_CHARS - 1] + "…"


@contextmanager
def one_line_warnings(command: str) -> Iterator[None]:
    """Show each distinct warning once, as one line on stderr, for the length of a command."""
    shown: set[str] = set()

    def show(message: Any, category: type[Warning], *_: Any, **__: Any) -> None:
        line = warning_line(command, category, str(message))
        if line not in shown:
            shown.add(line)
            print(line, file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
