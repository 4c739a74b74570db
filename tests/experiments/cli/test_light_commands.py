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
heavy = sorted(name for name in {heavy!r} if name in sys.modules)
print("loaded:", ",".join(heavy) or "none", "code:", code)
"""
FIGURES = ("matplotlib", "seaborn")
HEAVY = (*FIGURES, "scipy.stats", "pandas")  # what the API and the analysis load; a command's --help needs neither
LIGHT_HELP = ["run", "sweep", "select", "compare", "sensitivity", "dilemma", "plot", "report", "evaluate", "discover"]


@pytest.mark.parametrize("argv", [["params"], ["--help"], ["sweep", "--help"]], ids=" ".join)
def test_command_imports_neither_matplotlib_nor_seaborn(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=FIGURES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "loaded: none code: 0", done.stdout[-500:]


def test_the_probe_sees_figure_libraries_when_a_command_loads_them() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(argv=["plot", "--help"], heavy=FIGURES) + "\nimport experiments.reporting.plots\n"
            "print('after:', 'matplotlib' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "after: True", done.stdout[-500:]


@pytest.mark.parametrize("command", LIGHT_HELP)
def test_a_commands_help_loads_neither_the_analysis_nor_the_figures(command: str) -> None:
    """Adding a command's options needs no API: its handler imports the API, the analysis and the figures."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=[command, "--help"], heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"usage: tracktwo {command}" in done.stdout, done.stdout[:500]
    assert done.stdout.strip().splitlines()[-1] == "loaded: none code: 0", done.stdout[-500:]


def test_the_probe_sees_pandas_and_scipy_stats_when_a_command_loads_them() -> None:
    """The probe can fail: the analysis that `evaluate` runs loads both (its --help reads only analysis.defaults)."""
    loads = "import tracktwo.experiments.analysis.verdicts\n"
    probe = PROBE.format(argv=["evaluate", "--help"], heavy=HEAVY).replace("heavy = sorted", loads + "heavy = sorted")
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "loaded: pandas,scipy.stats code: 0", done.stdout[-500:]
