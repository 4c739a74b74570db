"""One run: validated parameters and a seed in, outcomes and a time series out."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.model.ideas import ORIGINS
from tracktwo.model.metrics import outcomes
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import Params, make_params

__all__ = ["SimulationResult", "ideas_table", "simulate", "workshops_table"]


@dataclass
class SimulationResult:
    """What one run produced. Tables are pandas DataFrames; outcomes a flat dict.

    ``seed`` is the seed the run used (drawn from fresh entropy when none was given). The time series,
    ideas, workshops and events tables are read from the finished model the first time they are asked
    for, so a caller that wants only the outcomes does not pay for them (a table costs about as much as
    a tenth of a default run).
    """

    params: Params
    seed: int
    outcomes: dict[str, float]
    model: TrackTwoModel

    @functools.cached_property
    def timeseries(self) -> pd.DataFrame:
        """One row per month: the time-series columns, with the step."""
        return self.model.timeseries()

    def timeseries_values(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """The time series' values as one float64 array (months x columns, the step first) and its columns.

        What `timeseries` holds, without building the table (a sweep's worker keeps only the values).
        """
        return self.model.timeseries_values()

    @functools.cached_property
    def ideas(self) -> pd.DataFrame:
        """One row per idea: novelty, origin, reach, when and how it entered Track One."""
        return ideas_table(self.model)

    @functools.cached_property
    def workshops(self) -> pd.DataFrame:
        """One row per meeting held."""
        return workshops_table(self.model)

    @functools.cached_property
    def events(self) -> pd.DataFrame:
        """One row per event of the programmes, with the run's state after it."""
        return pd.DataFrame(self.model.programme.log)

    def adoptions(self) -> pd.DataFrame:
        """Every adoption: idea, actor, step, source (-1 author, -2 seeded)."""
        idea, actor, step, source = self.model.ideas.adoption_log()
        return pd.DataFrame({"idea": idea, "actor": actor, "step": step, "source": source})


def ideas_table(model: TrackTwoModel) -> pd.DataFrame:
    """One row per idea: novelty, origin, reach, when and how it entered Track One."""
    store = model.ideas
    n = store.count
    labels = model.population.labels
    table = pd.DataFrame(
        {
            "idea": np.arange(n),
            "novelty": store.novelty[:n],
            "origin_step": store.origin_step[:n],
            "origin": [ORIGINS[o] for o in store.origin[:n].tolist()],
            "origin_workshop": store.origin_workshop[:n],
            "holders": store.held.sum(axis=0),
            "ever_adopted": (store.first_adopted[:, :n] >= 0).sum(axis=0),
            "entered_step": store.entered_step[:n],
            "entered_ripe": store.entered_ripe[:n],
            "route": [store.routes.get(i, "") for i in range(n)],
            "path": [" > ".join(labels[a] for a in store.paths.get(i, [])) for i in range(n)],
        }
    ).assign(workshop_idea=lambda df: df.origin_workshop >= 0)
    if model.issues is not None:  # the dimension of the issue space each idea is about (docs/ODD.md 7.11)
        table["issue"] = np.array(model.params.issues.dimensions, dtype=object)[model.issues.dimension[:n]]
    return table


def workshops_table(model: TrackTwoModel) -> pd.DataFrame:
    """One row per workshop held: when, how many, how candid, what it produced, whether it leaked."""
    records = model.series.records
    return pd.DataFrame(
        {
            "workshop": [r.number for r in records],
            "step": [r.step for r in records],
            "participants": [r.participants.size for r in records],
            "candour": [r.candour for r in records],
            "novelty_mean": [r.novelty_mean for r in records],
            "ideas": [r.ideas.size for r in records],
            "leaked": [r.leaked for r in records],
            "ties_created": [r.ties_created for r in records],
            "format": [r.format for r in records],
        }
    )


def simulate(params: Params | Mapping[str, Any] | None = None, seed: int | None = 0) -> SimulationResult:
    """Run the model once. ``params`` may be Params or a mapping of overrides on the defaults.

    ``seed=None`` draws a fresh seed (recorded in the result's ``seed``), as a Mesa model does.
    """
    model = TrackTwoModel(make_params(params), seed)
    model.run()
    return SimulationResult(
        params=model.params,
        seed=model.seed,
        outcomes=outcomes(model),
        model=model,
    )
