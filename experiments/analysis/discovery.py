"""Scenario discovery: which regions of the swept parameters give an outcome, as rules with coverage and density.

Each run is a case: does its outcome lie above (or below) a threshold? PRIM (Friedman and Fisher
1999, as used for scenario discovery by Bryant and Lempert 2010) peels a small share of the runs
off one side of one parameter (or one category) at a time, keeping the peel that raises the share
of cases left inside most per run peeled off, and records the trajectory of boxes. The box reported
balances density (share of the runs inside that give the outcome) and coverage (share of all runs
giving the outcome that fall inside); restrictions that do not help are dropped so the rule stays readable. A CART tree
(scikit-learn) is the alternative: its purest leaves become the regions.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.experiments import labels
from tracktwo.experiments.analysis import stats
from tracktwo.experiments.analysis.defaults import DISCOVERY_METHODS
from tracktwo.experiments.analysis.results import SCENARIO_PREFIX, SWEEP_KINDS, ResultsFolder, load_results
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.messages import OptionError
from tracktwo.experiments.provenance import write_atomic, write_json
from tracktwo.model import ConfigError

__all__ = [
    "LATER_BOX_DENSITY",
    "LATER_BOX_LIFT",
    "MAX_DEPTH",
    "METHODS",
    "MIN_LEAF_SHARE",
    "MIN_MASS",
    "PEEL_ALPHA",
    "PRUNE_TOLERANCE",
    "Box",
    "Discovery",
    "Restriction",
    "box_of",
    "cart",
    "discover",
    "discover_results",
    "factor_columns",
    "format_discovery",
    "output_stem",
    "prim",
    "write_discovery",
]

METHODS = DISCOVERY_METHODS
PEEL_ALPHA = 0.05  # share of the runs in the box peeled at each step
MIN_MASS = 0.03  # the smallest box, as a share of all runs
MAX_DEPTH = 3  # CART: conditions per rule
MIN_LEAF_SHARE = 0.03  # CART: the smallest leaf, as a share of all runs
PRUNE_TOLERANCE = 0.01  # a condition stays only if it adds at least this much to the box's score (readability first)
LATER_BOX_DENSITY = 0.5  # a second or later PRIM box is reported only if at least this dense...
LATER_BOX_LIFT = 2.0  # ...and this many times the sweep's base rate


@dataclass(frozen=True)
class Restriction:
    """One condition of a rule: a numeric parameter within [low, high] (either may be open), or in a set of values."""

    key: str
    low: float | None = None
    high: float | None = None
    categories: tuple[Any, ...] | None = None

    def text(self) -> str:
        """'Share of autonomous thinkers in workshops from 30% to 60%', 'Confidentiality at least 0.8'."""
        name = labels.parameter_label(self.key)
        if self.categories is not None:
            shown = " or ".join(labels.value_label(self.key, v) for v in self.categories)
            return f"{name} is {shown}"
        low = labels.value_label(self.key, self.low) if self.low is not None else None
        high = labels.value_label(self.key, self.high) if self.high is not None else None
        if low is not None and high is not None:
            return f"{name} {low}" if low == high else f"{name} from {low} to {high}"
        if high is not None and float(self.high) <= 0:  # at most nothing: exactly none
            return f"{name} {high}"
        return f"{name} at least {low}" if low is not None else f"{name} at most {high}"

    def contains(self, column: pd.Series) -> np.ndarray:
        """Which rows satisfy the condition."""
        if self.categories is not None:
            return column.astype(str).isin([str(v) for v in self.categories]).to_numpy()
        inside = np.ones(len(column), dtype=bool)
        numbers = column.to_numpy(float)
        if self.low is not None:
            inside &= numbers >= self.low - 1e-12
        if self.high is not None:
            inside &= numbers <= self.high + 1e-12
        return inside


@dataclass(frozen=True)
class Box:
    """A region of parameter space: its conditions and how well it captures the cases."""

    restrictions: tuple[Restriction, ...]
    coverage: float
    density: float
    mass: float
    runs: int
    cases: int

    def rule(self) -> str:
        """The conditions joined: 'A from x to y and B at least z' (or 'any values' for the whole space)."""
        return " and ".join(r.text() for r in self.restrictions) or "any values of the swept parameters"


@dataclass
class Discovery:
    """What scenario discovery found for one question."""

    outcome: str
    above: bool
    threshold: float
    method: str
    runs: int
    cases: int
    undefined: int
    boxes: list[Box]
    trajectory: list[dict[str, float]] = field(default_factory=list)
    binary: bool = False  # a 0/1 outcome: the condition is that it happened (above) or did not (below)

    @property
    def condition(self) -> str:
        """The outcome condition in words, e.g. 'at least one idea entered Track One' or 'impact ... is above 2'."""
        label = labels.outcome_label(self.outcome)
        lowered = label if label.startswith("Track") else label[:1].lower() + label[1:]
        if self.binary:
            return lowered if self.above else f"not ({lowered})"
        return f"{lowered} is {'above' if self.above else 'below'} {self.threshold:g}"

    @property
    def question(self) -> str:
        """The question in words."""
        return f"Where in the swept parameters does this hold: {self.condition}?"

    @property
    def base_density(self) -> float:
        """The share of all runs that give the outcome (a box's density is judged against it)."""
        return self.cases / self.runs if self.runs else math.nan

    def sentence(self, box: Box) -> str:
        """'A from x to y and B at least z: in 71% of such runs, at least one idea entered Track One (...)'."""
        return (
            f"{box.rule()}: in {box.density:.0%} of such runs, {self.condition} (density; {box.runs} runs, "
            f"{box.mass:.0%} of all). Coverage {box.coverage:.0%}: {box.cases} of the {self.cases} runs where it holds "
            f"fall in this region. Over the whole sweep it holds in {self.base_density:.0%} of runs."
        )

    def summary(self) -> str:
        """What was found, in sentences."""
        undefined = (
            f" {self.undefined} runs where the outcome is undefined count as not meeting it." if self.undefined else ""
        )
        return (
            f"{self.cases} of {self.runs} runs ({self.base_density:.0%}) meet the condition: {self.condition}. "
            f"Method: {self.method.upper()}.{undefined}"
        )

    def to_json(self) -> dict[str, Any]:
        """The discovery as JSON (scenarios_*.json)."""
        return {
            "question": self.question,
            "summary": self.summary(),
            "outcome": self.outcome,
            "direction": "above" if self.above else "below",
            "threshold": self.threshold,
            "method": self.method,
            "runs": self.runs,
            "cases": self.cases,
            "undefined": self.undefined,
            "base_density": self.base_density,
            "boxes": [
                {
                    "rule": b.rule(),
                    "text": self.sentence(b),
                    "coverage": b.coverage,
                    "density": b.density,
                    "mass": b.mass,
                    "runs": b.runs,
                    "cases": b.cases,
                    "restrictions": [asdict(r) for r in b.restrictions],
                }
                for b in self.boxes
            ],
            "trajectory": self.trajectory,
        }

    def table(self) -> pd.DataFrame:
        """One row per box (scenarios_*.csv)."""
        return pd.DataFrame(
            [
                {
                    "box": i + 1,
                    "rule": b.rule(),
                    "density": b.density,
                    "coverage": b.coverage,
                    "mass": b.mass,
                    "runs": b.runs,
                    "cases": b.cases,
                }
                for i, b in enumerate(self.boxes)
            ]
        )


# Boxes from rows ------------------------------------------------------------------------------


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def box_of(frame: pd.DataFrame, inside: np.ndarray, cases: np.ndarray, total_cases: int | None = None) -> Box:
    """The tightest box around the rows inside, with only the conditions that narrow the swept space."""
    restrictions = []
    for column in frame.columns:
        values, kept = frame[column], frame[column][inside]
        if _is_numeric(values):
            low, high = float(kept.min()), float(kept.max())
            restricted_low, restricted_high = low > float(values.min()), high < float(values.max())
            if restricted_low or restricted_high:
                restrictions.append(
                    Restriction(
                        column, _plain(low) if restricted_low else None, _plain(high) if restricted_high else None
                    )
                )
        else:
            present = sorted(kept.astype(str).unique())
            if len(present) < values.astype(str).nunique():
                restrictions.append(Restriction(column, categories=tuple(present)))
    return _measure(frame, tuple(restrictions), cases, total_cases)


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _measure(
    frame: pd.DataFrame, restrictions: tuple[Restriction, ...], cases: np.ndarray, total_cases: int | None = None
) -> Box:
    inside = np.ones(len(frame), dtype=bool)
    for restriction in restrictions:
        inside &= restriction.contains(frame[restriction.key])
    runs, hits = int(inside.sum()), int(cases[inside].sum())
    total = total_cases if total_cases is not None else int(cases.sum())
    return Box(
        restrictions,
        hits / total if total else math.nan,
        hits / runs if runs else math.nan,
        runs / len(frame) if len(frame) else math.nan,
        runs,
        hits,
    )


def _score(box: Box, min_density: float | None) -> float:
    """How good a box is: the harmonic mean of coverage and density (or coverage, once dense enough)."""
    if min_density is not None:
        return box.coverage if box.density >= min_density else -1.0 + box.density
    if not box.coverage or not box.density:
        return 0.0
    return 2 * box.coverage * box.density / (box.coverage + box.density)


def _loosened(restriction: Restriction) -> list[Restriction | None]:
    """Looser versions of a condition: without it, or (for a range) without one of its ends."""
    options: list[Restriction | None] = [None]
    if restriction.low is not None and restriction.high is not None:
        options += [
            Restriction(restriction.key, None, restriction.high),
            Restriction(restriction.key, restriction.low, None),
        ]
    return options


def _prune(frame: pd.DataFrame, box: Box, cases: np.ndarray, min_density: float | None, total_cases: int) -> Box:
    """Drop conditions (or ends of ranges) whose removal keeps the box's score: fewer conditions read better."""
    improved = True
    while improved and box.restrictions:
        improved = False
        for index, restriction in enumerate(box.restrictions):
            for looser in _loosened(restriction):
                changed = box.restrictions[:index] + ((looser,) if looser else ()) + box.restrictions[index + 1 :]
                candidate = _measure(frame, changed, cases, total_cases)
                if _score(candidate, min_density) >= _score(box, min_density) - PRUNE_TOLERANCE:
                    box, improved = candidate, True
                    break
            if improved:
                break
    return box


# PRIM -----------------------------------------------------------------------------------------


def _peels(frame: pd.DataFrame, inside: np.ndarray, alpha: float) -> list[np.ndarray]:
    """Every candidate peel of the current box: a low or high slice of one numeric column, or one category."""
    candidates = []
    for column in frame.columns:
        values = frame[column]
        kept = values[inside]
        if _is_numeric(values):
            numbers = values.to_numpy(float)
            low, high = np.quantile(kept.to_numpy(float), [alpha, 1 - alpha])
            candidates.append(inside & (numbers > low))
            candidates.append(inside & (numbers < high))
        else:
            text = values.astype(str).to_numpy()
            for category in kept.astype(str).unique():
                candidates.append(inside & (text != category))
    return [c for c in candidates if 0 < c.sum() < inside.sum()]


def prim(
    frame: pd.DataFrame,
    cases: np.ndarray,
    alpha: float = PEEL_ALPHA,
    min_mass: float = MIN_MASS,
    min_density: float | None = None,
    total_cases: int | None = None,
) -> tuple[Box, list[dict[str, float]]]:
    """One PRIM box: peel while the box holds at least min_mass of the runs, then pick the trajectory's best box."""
    total = total_cases if total_cases is not None else int(cases.sum())
    inside = np.ones(len(frame), dtype=bool)
    boxes = [box_of(frame, inside, cases, total)]
    floor = max(1, math.ceil(min_mass * len(frame)))
    while True:
        options = [c for c in _peels(frame, inside, alpha) if c.sum() >= floor]
        if not options:
            break
        density, size = cases[inside].mean(), inside.sum()
        densities = [cases[c].mean() for c in options]
        gains = [(d - density) / (size - c.sum()) for d, c in zip(densities, options, strict=True)]
        best = max(range(len(options)), key=lambda i: (gains[i], options[i].sum()))  # density gained per run peeled
        inside = options[best]
        boxes.append(box_of(frame, inside, cases, total))
        if densities[best] >= 1.0:
            break
    chosen = max(boxes, key=lambda b: _score(b, min_density))
    trajectory = [
        {"coverage": b.coverage, "density": b.density, "mass": b.mass, "conditions": len(b.restrictions)} for b in boxes
    ]
    return _prune(frame, chosen, cases, min_density, total), trajectory


# CART -----------------------------------------------------------------------------------------


def cart(
    frame: pd.DataFrame, cases: np.ndarray, max_boxes: int, min_density: float | None = None, seed: int = 0
) -> list[Box]:
    """The purest leaves of a shallow classification tree, as boxes (best first)."""
    from sklearn.tree import DecisionTreeClassifier

    encoded = pd.get_dummies(frame, prefix_sep="\x1f", dtype=float)
    tree = DecisionTreeClassifier(
        max_depth=MAX_DEPTH, min_samples_leaf=max(5, math.ceil(MIN_LEAF_SHARE * len(frame))), random_state=seed
    )
    tree.fit(encoded.to_numpy(float), cases)
    leaves = tree.apply(encoded.to_numpy(float))
    total = int(cases.sum())
    boxes = []
    for leaf in np.unique(leaves):
        inside = leaves == leaf
        boxes.append(box_of(frame, inside, cases, total))
    base = cases.mean() if len(cases) else 0.0
    threshold = min_density if min_density is not None else max(0.5, base)
    good = sorted(
        (b for b in boxes if b.density >= threshold and b.density > base), key=lambda b: (-b.density, -b.coverage)
    )
    if not good:
        good = sorted(boxes, key=lambda b: (-b.density, -b.coverage))[:1]
    return [_prune(frame, box, cases, min_density, total) for box in good[:max_boxes]]


# Entry points ---------------------------------------------------------------------------------


def discover(
    frame: pd.DataFrame,
    cases: np.ndarray,
    method: str = "prim",
    max_boxes: int = 1,
    min_density: float | None = None,
    alpha: float = PEEL_ALPHA,
    min_mass: float = MIN_MASS,
) -> tuple[list[Box], list[dict[str, float]]]:
    """Boxes where the cases concentrate; PRIM covers them box after box (each on the runs the earlier ones left)."""
    if method not in METHODS:
        raise OptionError("method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    cases = np.asarray(cases, dtype=bool)
    if method == "cart":
        return cart(frame, cases, max_boxes, min_density), []
    total = int(cases.sum())
    remaining = np.ones(len(frame), dtype=bool)
    boxes: list[Box] = []
    trajectory: list[dict[str, float]] = []
    for _ in range(max_boxes):
        if cases[remaining].sum() == 0:
            break
        part = frame[remaining].reset_index(drop=True)
        box, path = prim(
            part, cases[remaining], alpha, min_mass * len(frame) / max(1, remaining.sum()), min_density, total
        )
        if boxes and box.density < max(min_density or 0.0, LATER_BOX_DENSITY, LATER_BOX_LIFT * total / len(frame)):
            break  # a later box must be worth reading: dense, and well above the sweep's base rate
        boxes.append(Box(box.restrictions, box.coverage, box.density, box.runs / len(frame), box.runs, box.cases))
        trajectory = trajectory or path
        inside = np.ones(len(frame), dtype=bool)
        for restriction in box.restrictions:
            inside &= restriction.contains(frame[restriction.key])
        remaining &= ~inside
    return boxes, trajectory


def factor_columns(results: ResultsFolder) -> list[str]:
    """The columns to find rules over: each factor's swept column (lockstep and derived columns add nothing)."""
    return [factor.key for factor in results.factors]


def discover_results(
    directory: str | Path,
    outcome: str,
    threshold: float,
    above: bool,
    method: str = "prim",
    max_boxes: int = 1,
    min_density: float | None = None,
) -> Discovery:
    """Scenario discovery on a results folder's runs: which swept values give `outcome` above/below `threshold`."""
    with folder_lock.reading(Path(directory), "discover"):
        results = load_results(directory, "discover", SWEEP_KINDS)
    if outcome not in results.outcomes:
        close = difflib.get_close_matches(outcome, results.outcomes, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise OptionError(
            "outcome",
            f"{outcome!r} is not an outcome in {results.directory}/runs.parquet{hint}; "
            f"outcomes: {', '.join(results.outcomes)}",
        )
    if min_density is not None and not 0 < min_density <= 1:
        raise OptionError("min_density", f"expected a share in (0, 1], got {min_density:g}")
    if max_boxes < 1:
        raise OptionError("boxes", f"expected 1 or more, got {max_boxes}")
    columns = factor_columns(results)
    if not columns:
        raise ConfigError(
            f"{results.directory}: nothing varied across the sweep's points, so there is no region to find"
        )
    values = results.runs[outcome].to_numpy(float)
    undefined = int(np.isnan(values).sum())
    with np.errstate(invalid="ignore"):
        cases = values > threshold if above else values < threshold
    total = int(cases.sum())
    if total == 0 or total == len(cases):
        where = "no run" if total == 0 else "every run"
        raise ConfigError(
            f"--{'above' if above else 'below'} {threshold:g}: {where} meets it ({outcome} ranges "
            f"{np.nanmin(values):g} to {np.nanmax(values):g}), so there is nothing to tell apart"
        )
    frame = results.runs[columns].reset_index(drop=True)
    boxes, trajectory = discover(frame, cases, method, max_boxes, min_density)
    return Discovery(
        outcome,
        above,
        threshold,
        method,
        len(cases),
        total,
        undefined,
        boxes,
        trajectory,
        binary=stats.is_binary(values),
    )


def output_stem(discovery: Discovery) -> str:
    """scenarios_<outcome>_<above|below>_<threshold>: one file pair per question."""
    threshold = re.sub(r"[^0-9A-Za-z.-]+", "_", f"{discovery.threshold:g}")
    return f"{SCENARIO_PREFIX}{discovery.outcome}_{'above' if discovery.above else 'below'}_{threshold}"


def write_discovery(directory: Path, discovery: Discovery) -> list[Path]:
    """RESULTS_DIR/scenarios_*.json (for the report) and .csv (the boxes as a table)."""
    stem = output_stem(discovery)
    with folder_lock.reading(Path(directory), "discover"):
        return [
            write_json(directory / f"{stem}.json", discovery.to_json()),
            write_atomic(directory / f"{stem}.csv", discovery.table().to_csv(index=False)),
        ]


def format_discovery(discovery: Discovery) -> str:
    """The question, then each box's rule with its density and coverage, for the terminal."""
    lines = [discovery.question, discovery.summary()]
    for index, box in enumerate(discovery.boxes, start=1):
        lines.append(f"  {index}. {discovery.sentence(box)}")
    return "\n".join(lines)
