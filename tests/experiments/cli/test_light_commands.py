"""Commands that only read declarations stay light: no figure libraries loaded for `params` or `--help`."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from tracktwo.experiments.cli import main
try:
    code = main({argv!r})
except SystemExit as exit:
    code = exit.code
heavy = sorted(name for name in ("matplotlib", "seaborn") if name in sys.modules)
print("loaded:", ",".join(heavy) or "none", "code:", code)
"""


@pytest.mark.parametrize("argv", [["params"], ["--help"], ["sweep", "--help"]], ids=" ".join)
def test_command_imports_neither_matplotlib_nor_seaborn(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "loaded: none code: 0", done.stdout[-500:]


def test_the_probe_sees_figure_libraries_when_a_command_loads_them() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(argv=["plot", "--help"]) + "\nimport experiments.reporting.plots\n"
            "print('after:', 'matplotlib' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "after: True", done.stdout[-500:]
