"""Main effects and two-way interactions of a sweep's parameters, from a regression that respects the pairing.

A ranking says which point is best; a researcher also asks how each parameter moves the outcome
and whether two parameters interact (does the autonomous share matter more when ripeness is
high?). `effects_table` answers with one OLS regression (statsmodels) of an outcome on the swept
parameters and their pairwise products, fitted on the runs:

* a numeric parameter enters centred and divided by its swept range, so its **main effect** is the
  change in the outcome from the low to the high end of its range (others at their mean), and an
  **interaction** coefficient is how much one parameter's full-range effect changes across the
  other's full range;
* a categorical parameter enters as indicators against its first level (`key[level]`);
* a mix of shares that sum to 1 cannot have every share in the model: the last share(s) that are
  linear combinations of the others are left out (they are the reference the others trade against);
* in a paired sweep (replicate r of every point on one seed) the seed is a fixed effect (the
  outcome and the parameters are demeaned within seed) and standard errors are cluster-robust by
  seed; an unpaired sweep gets an intercept and HC3 standard errors. Over `uncertain:` scenarios
  each (scenario, replicate) has its own seed shared by every lever point: the seed fixed effect
  then absorbs each scenario's level, and the table keeps the levers' effects and their
  interactions with the uncertain parameters.

Every term has a confidence interval, a p-value, a Holm-adjusted p-value over the table's terms,
and an equivalence verdict: `negligible` when the (1 - 2 alpha) interval lies inside +-
`equivalence_margin` (two one-sided tests, TOST), by default a tenth of the outcome's standard
deviation over runs. A term is reported as "no effect" only when it is negligible, never merely
because its p-value is large.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import bestset, stats
from tracktwo.experiments.analysis.ranking import BESIDE_OUTCOMES
from tracktwo.experiments.provenance import write_atomic

__all__ = [
    "EFFECTS_FILE",
    "EQUIVALENCE_SHARE",
    "MIN_CLUSTERS",
    "effects_table",
    "folder_effects",
    "runs_table",
    "sweep_effects",
    "write_effects",
]

EFFECTS_FILE = "effects.csv"
EQUIVALENCE_SHARE = 0.1  # default equivalence margin: this share of the outcome's standard deviation over runs
_RANK_TOLERANCE = 1e-10
MIN_CLUSTERS = 3  # seeds a paired sweep needs before effects get cluster-robust intervals


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _main_columns(runs: pd.DataFrame, swept: Sequence[str]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The design's main-effect columns by term name, and the parameter each came from."""
    columns: dict[str, np.ndarray] = {}
    origin: dict[str, str] = {}
    for key in swept:
        values = runs[key]
        text = values.map(str)  # a missing value is its own level, "nan" (pandas 3's astype(str) keeps it missing)
        if text.nunique() < 2:
            continue
        if _is_numeric(values):
            x = values.fillna(0.0).to_numpy(float)  # a mix kind a point leaves out has no seats: share 0
            columns[key] = (x - x.mean()) / (x.max() - x.min())
            origin[key] = key
        else:
            levels = sorted(text.unique())
            for level in levels[1:]:
                name = f"{key}[{level}]"
                columns[name] = (text == level).to_numpy(float)
                origin[name] = key
    return columns, origin


def _independent(columns: dict[str, np.ndarray], base: np.ndarray | None) -> list[str]:
    """Greedily keep the columns that are not (numerically) combinations of `base` and the columns kept before.

    Gram-Schmidt on the columns: one whose residual, after projecting out what is kept, is a tiny
    fraction of its own norm adds nothing (a share of a mix that sums to 1, a constant within seed).
    """
    basis: list[np.ndarray] = []
    if base is not None and base.size:
        q, r = np.linalg.qr(base)
        basis = [q[:, i] for i in range(q.shape[1]) if abs(r[i, i]) > _RANK_TOLERANCE * max(1.0, abs(r).max())]
    kept: list[str] = []
    for name, column in columns.items():
        residual = column.astype(float).copy()
        norm = float(np.linalg.norm(residual))
        if norm == 0:
            continue
        for vector in basis:
            residual -= (vector @ residual) * vector
        for vector in basis:  # twice is enough (Kahan): numerically orthogonal
            residual -= (vector @ residual) * vector
        left = float(np.linalg.norm(residual))
        if left > 1e-8 * norm:
            basis.append(residual / left)
            kept.append(name)
    return kept


def _within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each column minus its mean within its group (the seed fixed effect absorbed)."""
    frame = pd.DataFrame(values)
    return (frame - frame.groupby(groups).transform("mean")).to_numpy(float)


def effects_table(
    runs: pd.DataFrame,
    swept: Sequence[str],
    outcome: str,
    confidence: float = stats.DEFAULT_CONFIDENCE,
    paired: bool | None = None,
    equivalence_margin: float | None = None,
) -> pd.DataFrame:
    """Main effects and two-way interactions of the swept parameters on `outcome`, with intervals.

    Args:
        runs: one row per run (point, replicate, seed, swept values, outcomes), as runs.parquet.
        swept: the swept (and derived) columns; those that do not vary are left out.
        outcome: the outcome column to explain.
        confidence: of the intervals (Holm's adjustment is over the table's terms).
        paired: seeds as fixed effects with cluster-robust errors; by default when the runs are paired.
        equivalence_margin: +- this is "negligible"; default EQUIVALENCE_SHARE x the outcome's sd.

    Returns:
        One row per term: outcome, term, kind (main or interaction), parameters, estimate, se, low,
        high, p_value, p_holm, negligible, equivalence_margin, runs, clusters, method.
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: a third of the modules to import
    from statsmodels.stats.multitest import multipletests

    data = runs[np.isfinite(pd.to_numeric(runs[outcome], errors="coerce"))].reset_index(drop=True)
    if paired is None:  # replicate r on one seed everywhere, or (over scenarios) one seed per scenario and replicate
        paired = bestset.is_paired(data) or bool(len(data) and (data.groupby("seed").size() > 1).all())
    empty = pd.DataFrame(columns=_COLUMNS)
    if len(data) < 3 or (paired and data["seed"].nunique() < MIN_CLUSTERS):
        return empty  # cluster-robust errors need several seeds
    mains, origin = _main_columns(data, swept)
    products: dict[str, np.ndarray] = {}
    parts: dict[str, tuple[str, str]] = {}
    names = list(mains)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if origin[first] == origin[second] and "[" in first:  # two levels of one categorical never co-occur
                continue
            name = f"{first} x {second}"
            products[name] = mains[first] * mains[second]
            parts[name] = (first, second)
    y = data[outcome].to_numpy(float)
    groups = data["seed"].to_numpy() if paired else np.arange(len(data))
    candidates = {**mains, **products}
    if not candidates:
        return empty
    if paired:
        demeaned = _within(np.column_stack(list(candidates.values())), groups)
        within = {  # a column constant within seed (an uncertain parameter over scenarios) is absorbed: dropped
            name: column
            for name, column in zip(candidates, demeaned.T, strict=True)
            if np.linalg.norm(column) > 1e-8 * max(float(np.linalg.norm(candidates[name])), 1e-300)
        }
        kept = _independent(within, None)
        design = np.column_stack([within[k] for k in kept]) if kept else np.empty((len(y), 0))
        response = _within(y[:, None], groups)[:, 0]
    else:
        kept = _independent(candidates, np.ones((len(y), 1)))
        design = np.column_stack([np.ones(len(y)), *[candidates[k] for k in kept]])
        response = y
    if not kept or len(y) <= design.shape[1] + 1:
        return empty
    model = OLS(response, design)
    if paired:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]}, use_t=True)
        method = "OLS, seed fixed effects, cluster-robust SE by seed"
        offset = 0
    else:
        fit = model.fit(cov_type="HC3", use_t=True)
        method = "OLS, HC3 SE (unpaired runs)"
        offset = 1
    alpha = 1 - confidence
    interval = np.asarray(fit.conf_int(alpha))[offset:]
    narrow = np.asarray(fit.conf_int(2 * alpha))[offset:]
    params = np.asarray(fit.params)[offset:]
    errors = np.asarray(fit.bse)[offset:]
    pvalues = np.asarray(fit.pvalues)[offset:]
    holm = multipletests(pvalues, method="holm")[1] if len(pvalues) else pvalues
    margin = EQUIVALENCE_SHARE * float(np.std(y, ddof=1)) if equivalence_margin is None else equivalence_margin
    clusters = len(np.unique(groups))
    rows = []
    for index, term in enumerate(kept):
        kind = "interaction" if term in parts else "main"
        parameters = " x ".join(origin[p] for p in parts[term]) if term in parts else origin[term]
        rows.append(
            {
                "outcome": outcome,
                "term": term,
                "kind": kind,
                "parameters": parameters,
                "estimate": float(params[index]),
                "se": float(errors[index]),
                "low": float(interval[index, 0]),
                "high": float(interval[index, 1]),
                "p_value": float(pvalues[index]),
                "p_holm": float(holm[index]),
                "negligible": bool(-margin < narrow[index, 0] and narrow[index, 1] < margin) and margin > 0,
                "equivalence_margin": margin,
                "runs": len(y),
                "clusters": clusters,
                "method": method,
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


_COLUMNS = [
    "outcome",
    "term",
    "kind",
    "parameters",
    "estimate",
    "se",
    "low",
    "high",
    "p_value",
    "p_holm",
    "negligible",
    "equivalence_margin",
    "runs",
    "clusters",
    "method",
]


def sweep_effects(
    runs: pd.DataFrame, swept: Sequence[str], metric: str | None, confidence: float = stats.DEFAULT_CONFIDENCE
) -> pd.DataFrame:
    """The effects table of a sweep: its metric (else impact) and the outcomes shown beside it, stacked."""
    outcomes = [metric or "impact", *[o for o in BESIDE_OUTCOMES if o != metric]]
    tables = []
    for name in dict.fromkeys(outcomes):
        if name not in runs.columns or not runs[name].notna().any():
            continue
        try:
            tables.append(effects_table(runs, swept, name, confidence))
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):  # a degenerate design: no table, not a crash
            continue
    tables = [t for t in tables if not t.empty]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=_COLUMNS)


def runs_table(directory: str | Path) -> pd.DataFrame:
    """A results folder's finished runs (runs.parquet without failed runs)."""
    runs = pd.read_parquet(Path(directory) / "runs.parquet")
    return runs[runs["status"] == "finished"] if "status" in runs else runs


def write_effects(directory: str | Path, runs: pd.DataFrame, swept: Sequence[str], metric: str | None) -> Path | None:
    """Write DIR/effects.csv (sweep_effects); None when no parameter varies enough to estimate an effect."""
    table = sweep_effects(runs, swept, metric)
    if table.empty:
        return None
    path = Path(directory) / EFFECTS_FILE
    write_atomic(path, table.to_csv(index=False))
    return path


def folder_effects(directory: str | Path) -> pd.DataFrame:
    """The effects table of a sweep's results folder (for the Python API): effects.csv, or computed from its runs."""
    from tracktwo.experiments.analysis.results import load_results

    results = load_results(directory)
    path = results.directory / EFFECTS_FILE
    if path.exists():
        return pd.read_csv(path)
    return sweep_effects(results.runs, results.swept, (results.metric or {}).get("name"))
