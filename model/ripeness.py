"""Ripeness: whether Track One is looking for new approaches, shared by all sides or per side.

Endogenous mode: an unripe Track One opens a window with probability 1 - exp(-h) per step,

    h = baseline + w_exposure x (share of officials holding Track Two ideas)
        + w_advocates x (1 - exp(-credible advocates holding them / scale))
        + w_public x (share of grassroots holding them)

and an open window closes with probability 1 / mean length. Fixed mode: ripe exactly inside
the configured [start, end) windows. Off: never ripe. With ``scope: per_side`` each side's Track
One has its own state, driven by its own officials, advocates and public; otherwise one state
is driven by all of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from tracktwo.model.params import Ripeness

__all__ = [
    "HAZARD_TERMS",
    "RipenessDrivers",
    "RipenessProcess",
    "hazard_terms",
    "in_fixed_window",
    "opening_hazard",
    "opening_hazards",
]


class RipenessDrivers(NamedTuple):
    """What pushes one Track One toward a ripe moment this step (a row of the three, in this order)."""

    official_exposure: float
    credible_advocates: int
    public_support: float


HAZARD_TERMS = ("baseline", "official_exposure", "credible_advocates", "public_support")


def hazard_terms(config: Ripeness, drivers: RipenessDrivers) -> dict[str, float]:
    """The opening hazard's terms, by driver (they sum to the hazard): what pushed Track One toward ripeness."""
    advocates = 1.0 - math.exp(-drivers.credible_advocates / config.advocate_scale)
    return {
        "baseline": config.baseline_hazard,
        "official_exposure": config.exposure_weight * drivers.official_exposure,
        "credible_advocates": config.advocate_weight * advocates,
        "public_support": config.public_weight * drivers.public_support,
    }


def opening_hazard(config: Ripeness, drivers: RipenessDrivers) -> float:
    """Hazard per step that an unripe Track One becomes ripe: hazard_terms' sum, in their order."""
    return opening_hazards(config, [drivers])[0]


def opening_hazards(config: Ripeness, drivers: Sequence[Sequence[float]]) -> list[float]:
    """Each state's :func:`opening_hazard`, its drivers a RipenessDrivers or a row of the three in their order."""
    baseline, scale = config.baseline_hazard, config.advocate_scale
    exposure, advocate, public = config.exposure_weight, config.advocate_weight, config.public_weight
    return [baseline + exposure * e + advocate * (1.0 - math.exp(-c / scale)) + public * p for e, c, p in drivers]


def in_fixed_window(config: Ripeness, step: int) -> bool:
    """Whether a fixed window covers this step."""
    return any(start <= step < end for start, end in config.windows)


_FEW_STATES = 8  # numpy sums fewer values than this one by one, in order (its pairwise summation starts at 8)


class RipenessProcess:
    """Track One's ripe/unripe state (one per side, or one shared), updated at the end of each step for the next."""

    def __init__(self, config: Ripeness, n_states: int = 1) -> None:
        self.config = config
        initially = config.mode == "endogenous" and config.initially_ripe
        if config.mode == "fixed":
            initially = in_fixed_window(config, 1)
        self.states = np.full(n_states, initially, dtype=bool)
        self.windows_opened = int(self.states.sum())
        self.hazard = 0.0  # mean opening hazard over the states, for the time series
        self.staged_until = 0  # a staged window holds Track One ripe for steps before this one
        self._openings: tuple[list[float], list[float]] | None = None  # the last hazards and their expm1(-h)
        self._opened_none = np.zeros(n_states, dtype=bool)  # what advance returns when no window opens (read only)
        self._opened_none.flags.writeable = False

    def _opening_chances(self, hazards: list[float]) -> list[float]:
        """expm1(-h) of each state's hazard, numpy's (one array call), kept for the last hazards seen."""
        cached = self._openings
        if cached is None or cached[0] != hazards:
            cached = self._openings = (hazards, np.expm1(np.array([-value for value in hazards])).tolist())
        return cached[1]

    @property
    def ripe(self) -> bool:
        """Track One as a whole is ripe: every state is (a few states, read as Python bools: no array call)."""
        return all(self.states.tolist())

    def stage(self, next_step: int, months: int) -> None:
        """Hold Track One ripe from next_step for `months` steps (a trainer's "ripe moment now")."""
        self.staged_until = max(self.staged_until, next_step + months)
        self.windows_opened += int((~self.states).sum())
        self.states[:] = True

    def advance(
        self, draws: np.ndarray | list[float] | None, next_step: int, drivers: Sequence[Sequence[float]] | None
    ) -> np.ndarray:
        """Set the states for next_step from one uniform per state (drivers: one per state, endogenous mode).

        Each state's drivers are a RipenessDrivers, or a row of the three in its order (the model's).

        Counts every window that opens; returns which states opened. Off, outside a staged window, nothing changes.
        `draws` may be Python floats (the model's): the same comparisons, without reading an array.
        """
        mode = self.config.mode
        if mode == "endogenous":
            was_ripe = self.states  # replaced below, not changed in place
            values = opening_hazards(self.config, drivers)
            count = len(values)
            if count < _FEW_STATES:  # numpy's mean of under 8 values: summed in order, then divided, without its call
                total = values[0]
                for value in values[1:]:
                    total += value
                self.hazard = total if count == 1 else total / count
            else:
                self.hazard = float(np.array(values).mean())
            stay = 1.0 / self.config.mean_window_length
            if next_step > self.staged_until:  # no staged window: the same comparisons on Python floats
                was = was_ripe.tolist()
                draws = draws if isinstance(draws, list) else draws.tolist()
                if all(was):  # every state ripe: each stays ripe or closes, and no opening chance is needed
                    ripe = [d >= stay for d in draws]
                    if all(ripe):  # nothing changes: the same states, nothing opened
                        return self._opened_none
                    self.states = np.array(ripe)
                    return self._opened_none
                opening = self._opening_chances(values)
                ripe = [d >= stay if w else d < -o for d, w, o in zip(draws, was, opening, strict=True)]
                opened = [r and not w for r, w in zip(ripe, was, strict=True)]
                if ripe == was:
                    return self._opened_none
                self.states = np.array(ripe)
                self.windows_opened += sum(opened)
                return np.array(opened)
            opening = self._opening_chances(values)
            draws = np.asarray(draws, dtype=float)
            stays = draws >= stay
            self.states = np.where(was_ripe, stays, draws < -np.array(opening))
        elif mode == "fixed":
            was_ripe = self.states.copy()
            self.states[:] = in_fixed_window(self.config, next_step)
        else:
            if next_step > self.staged_until:  # off, and no staged window starts or ends: never ripe, nothing opens
                return np.zeros(self.states.size, dtype=bool)
            was_ripe = self.states.copy()
        if next_step < self.staged_until:
            self.states[:] = True
        elif next_step == self.staged_until and mode != "fixed":
            self.states[:] = False  # the staged window ends; endogenous ripeness resumes from unripe
        opened = self.states & ~was_ripe
        self.windows_opened += int(np.count_nonzero(opened))
        return opened
