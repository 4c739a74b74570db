"""What got in: influence on the process beside outcome transfer, and the agenda per dimension, per point.

The model reports, per run, `influence_on_process` (official positions moved by framing from Track Two
ideas not adopted), `ideas_transferred` (outcome transfer: Track Two ideas adopted into Track One) and
per dimension of the issue space `outcome_transfer_<dim>`, `agenda_share_<dim>` and `agenda_breadth`
(docs/ODD.md 7.11). A point's agenda is pooled over its runs: the share of all the Track Two ideas its
runs brought into Track One that were about each dimension (runs with no transfer add nothing, so the
share is defined whenever any run transferred). Means carry the same intervals as summary.csv's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import stats

__all__ = [
    "AGENDA_PREFIX",
    "MEANS",
    "OUTCOME_TRANSFER",
    "PROCESS",
    "TRANSFER_PREFIX",
    "dimensions",
    "has_issue_space",
    "what_got_in",
    "with_what_got_in",
]

PROCESS = "influence_on_process"
OUTCOME_TRANSFER = "ideas_transferred"  # the sum of outcome_transfer_<dim> over the dimensions
TRANSFER_PREFIX = "outcome_transfer_"
AGENDA_PREFIX = "agenda_share_"
MEANS = (PROCESS, OUTCOME_TRANSFER, "agenda_breadth")  # per point: mean and interval


def dimensions(columns: Sequence[str]) -> list[str]:
    """The issue space's dimension keys the runs report (from their outcome_transfer_<dim> columns), in order."""
    return [c.removeprefix(TRANSFER_PREFIX) for c in columns if c.startswith(TRANSFER_PREFIX)]


def has_issue_space(runs: pd.DataFrame) -> bool:
    """Whether the runs report influence on the process and outcome transfer per dimension."""
    return PROCESS in runs and bool(dimensions(list(runs.columns))) and OUTCOME_TRANSFER in runs


def what_got_in(runs: pd.DataFrame, confidence: float = stats.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """One row per point: mean and interval of MEANS, and the pooled agenda share per dimension.

    Columns: point, runs, `<outcome>_estimate/_low/_high` for each of MEANS the runs have, and
    `agenda_share_<dim>` (NaN for a point none of whose runs transferred an idea).
    """
    keys = dimensions(list(runs.columns))
    rows = []
    for point, group in runs.groupby("point", sort=True):
        row: dict[str, float | int] = {"point": int(point), "runs": len(group)}
        for name in MEANS:
            if name not in group:
                continue
            interval = stats.point_interval(group[name].to_numpy(float), confidence, binary=False)
            row[f"{name}_estimate"], row[f"{name}_low"], row[f"{name}_high"] = (
                interval.estimate,
                interval.low,
                interval.high,
            )
        counts = np.array([group[f"{TRANSFER_PREFIX}{k}"].sum() for k in keys], dtype=float)
        total = counts.sum()
        for key, count in zip(keys, counts, strict=True):
            row[f"{AGENDA_PREFIX}{key}"] = count / total if total else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def with_what_got_in(summary: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """summary.csv's ranking with what got in beside each point (unchanged when the runs have no issue space)."""
    if not has_issue_space(runs) or summary.empty:
        return summary
    extra = what_got_in(runs).drop(columns=["runs"])
    extra = extra.drop(columns=[c for c in extra.columns if c != "point" and c in summary.columns])
    return summary.merge(extra, on="point", how="left")
