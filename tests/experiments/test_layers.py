"""experiments/'s layers, read from its source with `ast`.

- Imports go one way: design -> engine -> analysis -> reporting -> cli (api.py and calibrate.py at the
  top beside cli). A lower layer never imports a higher one, counting function-level imports and the
  ones under `if TYPE_CHECKING:`. The shared modules at experiments/'s top (labels, messages,
  provenance) sit below every layer and import none.
- The engine and analysis name no command-line flag: they raise `OptionError("workers", ...)` and
  the API and the CLI show "--workers".
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from tracktwo.experiments.engine.executors import make_executor
from tracktwo.experiments.messages import OptionError

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
PACKAGE = "tracktwo.experiments"
SHARED = -1  # labels.py, messages.py, provenance.py: below every layer
RANKS = {"design": 0, "engine": 1, "analysis": 2, "reporting": 3, "cli": 4, "api": 4, "calibrate": 4}

# Upward imports allowed for now, each with its reason (this list may only shrink).
UPWARD_ALLOWED = {
    ("engine.runner", "analysis.bestset"): "replicates: auto asks the best set which points need more replicates",
}

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(-[a-z0-9]+)*")
# Modules that still spell flags in messages, with how many string literals do (the counts may only
# fall): their errors predate OptionError. New code raises OptionError instead.
FLAGS_ALLOWED = {
    "analysis/comparison.py": 1,
    "analysis/posterior.py": 1,
    "analysis/results.py": 8,
    "analysis/selection.py": 4,
    "analysis/verdicts.py": 4,
    "engine/budget.py": 1,
    "engine/calibration.py": 8,
    "engine/folder_lock.py": 1,
    "engine/runner.py": 1,
    "engine/store.py": 3,
}


def layer_of(name: str) -> int:
    """The rank of a module named relative to experiments/ ("engine.runner", "labels")."""
    return RANKS.get(name.split(".")[0], SHARED)


def _module(name: str) -> str | None:
    """The experiments/ module (or package) an absolute name reaches: "engine.runner", "labels", "analysis"."""
    if not name.startswith(PACKAGE + "."):
        return None
    inside = name[len(PACKAGE) + 1 :].split(".")
    for length in (2, 1):
        path = EXPERIMENTS.joinpath(*inside[:length])
        if len(inside) >= length and (path.with_suffix(".py").is_file() or path.is_dir()):
            return ".".join(inside[:length])
    return None


def imports_of(path: Path) -> set[str]:
    """The experiments/ modules this file imports anywhere (names relative to experiments/, e.g. "engine.runner")."""
    package = list(path.relative_to(EXPERIMENTS).parts[:-1])  # a relative import starts from the file's package
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(filter(None, (_module(alias.name) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([PACKAGE, *base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import mod` reads mod; `from pkg import name` reads pkg
                target = _module(f"{module}.{alias.name}") or _module(module)
                if target:
                    found.add(target)
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(EXPERIMENTS).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def upward_imports() -> dict[tuple[str, str], int]:
    """(importer, imported) for every import from a lower layer into a higher one."""
    upward = {}
    for path in sorted(EXPERIMENTS.rglob("*.py")):
        me = module_name(path)
        if me == "":  # experiments/__init__.py lists the subpackages
            continue
        for other in imports_of(path):
            if layer_of(other) > layer_of(me):
                upward[(me, other)] = 1
    return upward


def test_the_reader_sees_imports_in_functions_and_under_type_checking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "engine").mkdir()
    (tmp_path / "reporting").mkdir()
    (tmp_path / "reporting" / "plots.py").write_text("")
    (tmp_path / "labels.py").write_text("")
    (tmp_path / "engine" / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from tracktwo.experiments.reporting import plots\n"
        "def f():\n    from .. import labels\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "EXPERIMENTS", tmp_path)
    found = imports_of(tmp_path / "engine" / "a.py")
    assert found == {"reporting.plots", "labels"}
    assert [layer_of(name) > layer_of("engine.a") for name in sorted(found)] == [False, True]


def test_experiments_layers_import_one_way() -> None:
    assert len(list(EXPERIMENTS.rglob("*.py"))) > 60  # every module was read
    upward = set(upward_imports())
    assert upward - set(UPWARD_ALLOWED) == set()
    assert set(UPWARD_ALLOWED) <= upward, "an allowed upward import is gone: drop it from UPWARD_ALLOWED"


def flag_strings(path: Path) -> int:
    """How many string literals in this file name a command-line flag (docstrings excepted)."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and FLAG.search(node.value)
    )


def test_flag_finder() -> None:
    assert FLAG.search("--workers: expected 1 or more")
    assert FLAG.search("use another --out, or")
    assert not FLAG.search("a -- b, x--y, SQLite's -wal")


def test_engine_and_analysis_name_no_command_line_flag() -> None:
    counts = {}
    for layer in ("engine", "analysis"):
        for path in sorted((EXPERIMENTS / layer).rglob("*.py")):
            if found := flag_strings(path):
                counts[str(path.relative_to(EXPERIMENTS))] = found
    grown = {name: n for name, n in counts.items() if n > FLAGS_ALLOWED.get(name, 0)}
    assert grown == {}, "raise OptionError(option, problem): the CLI adds the flag"
    fallen = {name: n for name, n in FLAGS_ALLOWED.items() if counts.get(name, 0) < n}
    assert fallen == {}, "fewer flags than FLAGS_ALLOWED says: lower its count"
    assert "engine/executors.py" not in counts


def test_an_option_error_names_the_argument_in_python_and_the_flag_on_the_command_line() -> None:
    with pytest.raises(OptionError, match=r"^workers: expected 1 or more, got 0$") as raised:
        make_executor("serial", 0)
    assert raised.value.as_flag() == "--workers: expected 1 or more, got 0"
    assert OptionError("min_density", "expected a share").as_flag() == "--min-density: expected a share"
