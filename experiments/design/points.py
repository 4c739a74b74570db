"""Which points a sweep runs and with which seeds: the `sweeps` engine, seeded, plus derived values.

`sweeps` has no seed argument (random search draws from the global `random` module, bayes from
global `np.random`), so both are seeded before every proposal from (sweep seed, point index):
a point depends only on the sweep file and, for bayes, on the finished points before it.
"""

from __future__ import annotations

import ast
import operator
import random
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from tracktwo.experiments.design.keys import lookup
from tracktwo.model import ConfigError

__all__ = [
    "FLOAT_DECIMALS",
    "MAX_GRID_POINTS",
    "PROPOSAL_STREAM",
    "History",
    "Point",
    "bayes_values",
    "compile_expression",
    "evaluate_expression",
    "expression_names",
    "grid_values",
    "import_sweeps",
    "proposal_seed",
    "random_values",
    "run_seed",
    "tidy",
    "with_derived",
]

PROPOSAL_STREAM = 1  # SeedSequence spawn key of the engine's proposals, apart from run seeds
SCENARIO_STREAM = 2  # entropy word before a scenario index in a run seed (sweeps over uncertain scenarios)
FLOAT_DECIMALS = 12  # proposed floats are rounded so tables read 0.3, not 0.30000000000000004
MAX_GRID_POINTS = 1_000_000


@dataclass(frozen=True)
class Point:
    """A point of the sweep: its stable index and its values by dotted key (swept, then derived)."""

    index: int
    values: dict[str, Any]


@dataclass(frozen=True)
class History:
    """What bayes learns from a finished point: its swept values and mean metric (None if all runs failed)."""

    values: dict[str, Any]
    metric: float | None


def run_seed(
    sweep_seed: int, point: int, replicate: int, common_seeds: bool = False, scenario: int | None = None
) -> int:
    """A run's model seed, from (sweep seed, point, replicate) alone: the same on any executor.

    With common seeds the point is left out (replicate r of every point gets point 0's seed), so
    points differ by their values, not by luck: common random numbers, for paired comparisons. In a
    sweep over `uncertain:` scenarios, common seeds are shared by the lever points of one scenario
    and differ between scenarios (`scenario`), so every (scenario, replicate) is an independent draw
    that all levers share.
    """
    entropy = [sweep_seed, 0 if common_seeds else point, replicate]
    if common_seeds and scenario is not None:
        entropy += [SCENARIO_STREAM, scenario]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def proposal_seed(sweep_seed: int, point: int) -> int:
    """The seed of the engine's randomness when it proposes a point (a stream apart from run seeds)."""
    return int(np.random.SeedSequence(sweep_seed, spawn_key=(PROPOSAL_STREAM, point)).generate_state(1)[0])


def import_sweeps() -> ModuleType:
    """The `sweeps` package, imported without its pydantic-v1-style warnings (they are not ours).

    Its bayes module (and scikit-learn) is imported here too: `next_run` imports it lazily, and
    that first import draws from the global generators just seeded, so the first point a process
    proposed differed from the same point proposed later.
    """
    from pydantic.warnings import PydanticDeprecatedSince20

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PydanticDeprecatedSince20)
        warnings.filterwarnings("ignore", message="Valid config keys have changed in V2", category=UserWarning)
        import sweeps
        import sweeps.bayes_search  # before any seeding, see above
    return sweeps


def tidy(value: Any) -> Any:
    """Plain Python values (no numpy scalars) with floats rounded to FLOAT_DECIMALS places."""
    if isinstance(value, Mapping):
        return {str(k): tidy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [tidy(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, FLOAT_DECIMALS) + 0.0
    return value


def _engine_config(method: str, parameters: Mapping[str, Any], metric: Mapping[str, Any] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"method": method, "parameters": dict(parameters)}
    if metric:
        config["metric"] = dict(metric)
    return config


def _values_of(run: Any) -> dict[str, Any]:
    return {name: tidy(entry["value"]) for name, entry in run.config.items()}


def _seed_engine(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - `sweeps` draws from the global legacy generator


def grid_values(parameters: Mapping[str, Any], limit: int = MAX_GRID_POINTS) -> list[dict[str, Any]]:
    """Every grid point (swept values only), in the engine's deterministic order, at most `limit`."""
    sweeps = import_sweeps()
    runs = sweeps.next_runs(_engine_config("grid", parameters, None), [], n=limit + 1)
    proposed = [_values_of(run) for run in runs if run is not None]
    if len(proposed) > limit and limit == MAX_GRID_POINTS:
        raise ConfigError(f"the grid has more than {MAX_GRID_POINTS} points; narrow it or set run_cap")
    return proposed[:limit]


def random_values(parameters: Mapping[str, Any], sweep_seed: int, index: int) -> dict[str, Any]:
    """Point `index` of a random search: a draw seeded by (sweep seed, index) alone."""
    sweeps = import_sweeps()
    _seed_engine(proposal_seed(sweep_seed, index))
    return _values_of(sweeps.next_run(_engine_config("random", parameters, None), []))


def bayes_values(
    parameters: Mapping[str, Any],
    metric: Mapping[str, Any],
    sweep_seed: int,
    index: int,
    finished: Sequence[History],
    pending: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Point `index` of a bayes search, from the finished points' mean metric; pending points count as running."""
    sweeps = import_sweeps()
    runs = [
        sweeps.SweepRun(
            config={k: {"value": v} for k, v in h.values.items()},
            state=sweeps.RunState.failed if h.metric is None else sweeps.RunState.finished,
            summary_metrics={} if h.metric is None else {metric["name"]: h.metric},
        )
        for h in finished
    ]
    runs += [
        sweeps.SweepRun(config={k: {"value": v} for k, v in p.items()}, state=sweeps.RunState.pending) for p in pending
    ]
    from sklearn.exceptions import ConvergenceWarning

    _seed_engine(proposal_seed(sweep_seed, index))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the GP's fit on few points; harmless
        return _values_of(sweeps.next_run(_engine_config("bayes", parameters, metric), runs))


# Derived values: small arithmetic over swept keys, e.g. `workshops.mix.elite: 1 - workshops.mix.autonomous`

_OPERATORS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def compile_expression(text: str | float) -> ast.Expression:
    """Parse a derived value: numbers, dotted keys, + - * / and brackets; ConfigError otherwise."""
    try:
        tree = ast.parse(str(text), mode="eval")
    except SyntaxError:
        raise ConfigError(f"{text!r} is not an arithmetic expression") from None
    for node in ast.walk(tree):
        allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Attribute, ast.Load, *_OPERATORS)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            continue
        if not isinstance(node, allowed):
            raise ConfigError(f"{text!r}: only numbers, parameter keys and + - * / are allowed")
    return tree


def expression_names(tree: ast.Expression) -> list[str]:
    """The dotted keys an expression reads, outermost only (workshops.mix.elite, not workshops)."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        name = _dotted(node)
        if name is not None:
            names.append(name)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def evaluate_expression(tree: ast.Expression, values: Mapping[str, Any]) -> float:
    """The value of a compiled derived expression at a point."""

    def value(node: ast.AST) -> float:
        name = _dotted(node)
        if name is not None:
            found = lookup(values, name)
            if isinstance(found, bool) or not isinstance(found, int | float):
                raise ConfigError(f"{name} is {found!r}, not a number")
            return float(found)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp):
            return _OPERATORS[type(node.op)](value(node.operand))
        if isinstance(node, ast.BinOp):
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        raise ConfigError(f"cannot evaluate {ast.dump(node)}")

    try:
        return value(tree.body)
    except KeyError as error:
        raise ConfigError(f"{error.args[0]} has no value at this point") from None
    except ZeroDivisionError:
        raise ConfigError("division by zero") from None


def with_derived(values: Mapping[str, Any], derived: Mapping[str, ast.Expression]) -> dict[str, Any]:
    """A point's values plus its derived values, in file order (a derived value may use an earlier one)."""
    point = dict(values)
    for key, tree in derived.items():
        point[key] = tidy(evaluate_expression(tree, point))
    return point
