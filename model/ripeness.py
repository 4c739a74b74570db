"""Ripeness: whether Track One is looking for new approaches.

Endogenous mode: an unripe Track One opens a window with probability 1 - exp(-h) per step,

    h = baseline + w_exposure x (share of officials holding Track Two ideas)
        + w_advocates x (1 - exp(-credible advocates holding them / scale))
        + w_public x (share of grassroots holding them)

and an open window closes with probability 1 / mean length. Fixed mode: ripe exactly inside
the configured [start, end) windows. Off: never ripe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.params import Ripeness


@dataclass
class RipenessDrivers:
    official_exposure: float
    credible_advocates: int
    public_support: float


def opening_hazard(config: Ripeness, drivers: RipenessDrivers) -> float:
    advocates = 1.0 - math.exp(-drivers.credible_advocates / config.advocate_scale)
    return (
        config.baseline_hazard
        + config.exposure_weight * drivers.official_exposure
        + config.advocate_weight * advocates
        + config.public_weight * drivers.public_support
    )


def in_fixed_window(config: Ripeness, step: int) -> bool:
    return any(start <= step < end for start, end in config.windows)


class RipenessProcess:
    """Track One's ripe/unripe state, updated at the end of each step for the next one."""

    def __init__(self, config: Ripeness) -> None:
        self.config = config
        self.ripe = config.mode == "endogenous" and config.initially_ripe
        if config.mode == "fixed":
            self.ripe = in_fixed_window(config, 1)
        self.windows_opened = int(self.ripe)
        self.hazard = 0.0
        self.staged_until = 0  # a staged window holds Track One ripe for steps before this one

    def stage(self, next_step: int, months: int) -> None:
        """Hold Track One ripe from next_step for `months` steps (a trainer's "ripe moment now")."""
        self.staged_until = max(self.staged_until, next_step + months)
        if not self.ripe:
            self.ripe = True
            self.windows_opened += 1

    def advance(self, rng: np.random.Generator, next_step: int, drivers: RipenessDrivers | None) -> None:
        """Set the state for next_step; counts every window that opens."""
        was_ripe = self.ripe
        if self.config.mode == "fixed":
            self.ripe = in_fixed_window(self.config, next_step)
        elif self.config.mode == "endogenous":
            draw = rng.random()
            self.hazard = opening_hazard(self.config, drivers)
            if self.ripe:
                self.ripe = draw >= 1.0 / self.config.mean_window_length
            else:
                self.ripe = draw < 1.0 - math.exp(-self.hazard)
        if next_step < self.staged_until:
            self.ripe = True
        elif next_step == self.staged_until and self.config.mode != "fixed":
            self.ripe = False  # the staged window ends; endogenous ripeness resumes from unripe
        self.windows_opened += int(self.ripe and not was_ripe)
