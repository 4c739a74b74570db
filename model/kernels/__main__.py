"""``python -m tracktwo.model.kernels``: compile every kernel into numba's on-disk cache, on 2 cores (``make setup``).

The kernels are compiled when their modules are imported (each has its exact signature), about 20 s of CPU in
all. The shared kernels of ``tracktwo.model.kernels`` are compiled (or loaded) here first, after numba's import;
then this process and a forked one, which inherits both, compile the modules in two groups of about equal time,
each module once: the meetings' kernels call the holdings', and the rival sources' both, so those go
together. Exit status: 1 when a group failed.
"""

from __future__ import annotations

import importlib
import os
import sys

import tracktwo.model.kernels  # noqa: F401  (compiles the shared kernels before the fork)

__all__ = ["GROUPS", "main"]

GROUPS = (  # (about 10.5 s of compile CPU each, measured one module after another from an empty cache)
    ("holdings", "meetings", "rivals", "record", "network", "ripeness"),
    ("advocacy", "initiatives", "tracks", "issues", "transfer", "metrics"),
)


def _compile(modules) -> None:
    for module in modules:
        importlib.import_module(f"tracktwo.model.kernels.{module}")


def main() -> int:
    """Compile the first group here and the others in forked processes; 1 when any failed."""
    children = []
    for modules in GROUPS[1:]:
        child = os.fork()
        if child == 0:  # pragma: no cover (runs in the child)
            try:
                _compile(modules)
            except BaseException as error:  # one line on stderr; the parent's status reports it
                print(f"compiling {modules}: {error!r}", file=sys.stderr)
                os._exit(1)
            os._exit(0)
        children.append(child)
    _compile(GROUPS[0])
    failed = [os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) for child in children]
    return 1 if any(failed) else 0


if __name__ == "__main__":
    sys.exit(main())
