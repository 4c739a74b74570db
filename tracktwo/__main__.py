"""`python -m tracktwo` and the `tracktwo` command: Ctrl-C at any moment, even while the libraries load, is one line.

And a Ctrl-C after the command has finished its work (while Python shuts down: the pool's and the figure
helper's exit handlers, then the modules' teardown, about half a second after a sweep) ends the process
with the command's own exit status, silently: Python restores SIGINT's default action before it tears
the modules down, so a Ctrl-C there killed the process with no message and status -2.

A Ctrl-C can also land inside a compiled library that turns the KeyboardInterrupt into an error of its
own (pydantic-core building a model's schema while a command's modules load reports it as a
SchemaError): the interrupt is recorded when it arrives, so whatever escapes after it is one line too.
"""

import atexit
import contextlib
import os
import signal
import sys

__all__ = ["run"]


def _ignore_interrupts() -> None:
    """From the last exit handler on (modules' teardown), Ctrl-C is ignored: SIG_IGN survives Python's finalization."""
    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)


_interrupt = {"seen": False}


def _on_interrupt(signum, frame) -> None:
    """Python's own Ctrl-C handling (raise KeyboardInterrupt), remembering that it happened."""
    _interrupt["seen"] = True
    signal.default_int_handler(signum, frame)


def _watch_interrupts() -> None:
    with contextlib.suppress(ValueError):  # not the main thread
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where SIGINT is ignored
            signal.signal(signal.SIGINT, _on_interrupt)


def _interrupted() -> None:
    print("tracktwo: interrupted", file=sys.stderr, flush=True)
    os._exit(130)


def _done(code: int) -> None:
    """The command's work is done: a Ctrl-C from now on ends the process at once, with the command's status."""

    def leave(_signum, _frame) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGINT, leave)


def _forget_caught_interrupts() -> None:
    """Clear CPython's note of an interrupt that ended evaluated source, so `python -m tracktwo` exits with its status.

    A Ctrl-C landing while source text runs through `exec` (dataclasses and namedtuple build their methods so, as
    a command's modules load or its pool starts) makes CPython note an unhandled interrupt, even when our code
    catches it; under `python -m`, Python then ends the process with SIGINT (status -2) instead of the command's
    130. The note is cleared at the start of every evaluation of source text, so evaluating none clears it.
    """
    exec("", {})  # the empty program: nothing is evaluated


def run() -> int:
    """Load the command line and run it; exit 130 with one line on Ctrl-C while loading."""
    atexit.register(_ignore_interrupts)  # registered first, so it runs last of the exit handlers
    _watch_interrupts()
    try:
        from tracktwo.experiments.cli import main

        code = main()
        _done(code)
        _forget_caught_interrupts()
    except BaseException as error:
        # Ctrl-C while loading (an interrupted import can make Python exit -2), between the command's own
        # handling and _done, or reported by a library as an error of its own: one line, nothing left to do
        if isinstance(error, KeyboardInterrupt) or _interrupt["seen"]:
            _interrupted()
        raise
    return code


if __name__ == "__main__":  # importing the module (e.g. to document it) runs nothing
    sys.exit(run())
