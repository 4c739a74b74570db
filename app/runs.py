"""What a trainer sets in the app, and the model they step.

`Settings` is the handful of knobs the app exposes, in a trainer's words; `Settings.params()`
turns them into model parameters through `model.make_params`, so a bad value gets the model's own
message. `TrainerModel` is the model plus one thing a trainer needs and the model does not do by
itself: staging a ripe moment *now*, in the middle of a run. `SPEEDS` and `advance` play a run at
a speed in plain words without ever stepping past its last month.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from model import ConfigError, Params, TrackTwoModel, make_params

RIPENESS_CHOICES: dict[str, str] = {
    "endogenous": "Endogenous (Track Two can help ripen it)",
    "staged": "A staged window (election, ceasefire)",
    "never": "Never ripe",
}
MODE_CHOICES: dict[str, str] = {
    "track2": "Track Two (unofficial)",
    "track1.5": "Track 1.5 (officials in a personal capacity)",
    "backchannel": "Backchannel (officials under instructions)",
}
POLICY_CHOICES: dict[str, str] = {
    "refuse": "Refuse the funder's conditions",
    "accept": "Accept the funder's conditions",
}
POLICY_DONE = {"refuse": "refused", "accept": "accepted"}
DEFAULT_WINDOW_START_MONTH = 13
DEFAULT_WINDOW_MONTHS = 24


def _default_mix_shares() -> tuple[float, float]:
    """(autonomous share of Track Two seats, grassroots share of all seats) in the model's default mix."""
    mix = make_params().workshops.mix
    elite, autonomous, grassroots = (mix.get(kind, 0.0) for kind in ("elite", "autonomous", "grassroots"))
    track_two = elite + autonomous
    return (autonomous / track_two if track_two else 0.5), grassroots


def _defaults() -> dict[str, Any]:
    """The app's defaults, read from the model's so that calibration carries over."""
    p = make_params()
    autonomous_share, grassroots_share = _default_mix_shares()
    return {
        "autonomous_share": round(autonomous_share, 2),
        "grassroots_share": round(grassroots_share, 2),
        "size": p.workshops.size,
        "interval": p.workshops.interval,
        "confidentiality": p.workshops.confidentiality,
        "funder_conditionality": p.workshops.funder_conditionality,
        "facilitator_policy": p.workshops.facilitator_policy,
        "ripeness": "endogenous"
        if p.ripeness.mode == "endogenous"
        else ("never" if p.ripeness.mode == "off" else "staged"),
        "mode": p.mode,
        "steps": p.steps,
    }


@dataclass(frozen=True)
class Settings:
    """The knobs a trainer turns. Shares are fractions 0..1; months are model steps."""

    autonomous_share: float = 0.5  # of the Track Two seats; influential elites take the rest
    grassroots_share: float = 0.0  # of all seats (Track Three in the room)
    size: int = 12  # participants per workshop
    interval: int = 4  # months between workshops
    confidentiality: float = 0.9  # Chatham House discipline; a leak follows with probability 1 - this
    funder_conditionality: float = 0.0  # how heavy the funder's conditions are, 0..1
    facilitator_policy: str = "refuse"  # accept | refuse the funder's conditions
    ripeness: str = "endogenous"  # endogenous | staged | never
    window_start: int = DEFAULT_WINDOW_START_MONTH  # first ripe month of a staged window
    window_months: int = DEFAULT_WINDOW_MONTHS  # length of a staged window (also of "stage one now")
    mode: str = "track2"  # track2 | track1.5 | backchannel
    seed: int = 1
    steps: int = 120  # months to simulate

    @classmethod
    def default(cls) -> Settings:
        """The knobs at the model's defaults, so the app starts from the calibrated programme."""
        return cls(**_defaults())

    def replace(self, **changes: Any) -> Settings:
        """A copy with some knobs changed; settings are frozen so each change makes a new run."""
        return dataclasses.replace(self, **changes)

    def mix(self) -> dict[str, float]:
        """Seat shares by kind: grassroots first, the rest split between autonomous thinkers and elites."""
        track_two = 1.0 - self.grassroots_share
        mix = {
            "elite": track_two * (1.0 - self.autonomous_share),
            "autonomous": track_two * self.autonomous_share,
            "grassroots": self.grassroots_share,
        }
        return {kind: share for kind, share in mix.items() if share > 0} or {"elite": 1.0}

    def overrides(self) -> dict[str, Any]:
        """The model parameters these settings stand for, as dotted-key overrides."""
        if self.ripeness not in RIPENESS_CHOICES:
            raise ConfigError(f"ripeness: expected one of {sorted(RIPENESS_CHOICES)} (got {self.ripeness!r})")
        ripeness: dict[str, Any] = {
            "endogenous": {"ripeness.mode": "endogenous"},
            "never": {"ripeness.mode": "off"},
        }.get(
            self.ripeness,
            {
                "ripeness.mode": "fixed",
                "ripeness.windows": [[self.window_start, self.window_start + self.window_months]],
            },
        )
        return {
            "steps": self.steps,
            "mode": self.mode,
            "workshops.mix": self.mix(),
            "workshops.size": self.size,
            "workshops.interval": self.interval,
            "workshops.confidentiality": self.confidentiality,
            "workshops.funder_conditionality": self.funder_conditionality,
            "workshops.facilitator_policy": self.facilitator_policy,
            **ripeness,
        }

    def params(self) -> Params:
        """Validated model parameters; raises ConfigError with the model's message."""
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ConfigError(f"seed: expected a whole number (got {self.seed!r})")
        return make_params(self.overrides())

    def mix_applies(self) -> bool:
        """A backchannel seats officials only: the seat mix does not apply."""
        return self.mode != "backchannel"

    def policy_applies(self) -> bool:
        """The facilitator's policy matters only when the funder sets conditions."""
        return self.funder_conditionality > 0

    def seats(self) -> str:
        """Who takes the seats, in words that follow the mode (Track 1.5 adds officials, a backchannel is only them)."""
        if not self.mix_applies():
            return "officials only"
        mix = self.mix()
        if self.mode == "track1.5":
            official = self.params().workshops.track15_official_share
            mix = {"official": official, **{kind: share * (1 - official) for kind, share in mix.items()}}
        return ", ".join(f"{round(100 * share)}% {KIND_WORDS[kind][1]}" for kind, share in mix.items())

    def describe(self) -> str:
        """One line for a trainer: who is in the room, how often, and when Track One is ripe."""
        parts = [f"{MODE_CHOICES[self.mode]}: {plural(self.size, 'seat')} every {plural(self.interval, 'month')}"]
        parts[0] += f" ({self.seats()})"
        if self.funder_conditionality > 0:
            parts.append(
                f"funder's conditions {self.funder_conditionality:.1f}, {POLICY_DONE[self.facilitator_policy]}"
            )
        if self.ripeness == "staged":
            parts.append(f"ripe in months {self.window_start}-{self.window_start + self.window_months - 1}")
        elif self.ripeness == "never":
            parts.append("never ripe")
        return "; ".join([*parts, f"seed {self.seed}"])


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count with its noun in the right number: 1 month, 4 months."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


KIND_WORDS: dict[str, tuple[str, str]] = {  # singular, plural
    "official": ("official", "officials"),
    "elite": ("influential elite", "influential elites"),
    "autonomous": ("autonomous thinker", "autonomous thinkers"),
    "grassroots": ("grassroots actor", "grassroots actors"),
}


def kind_count(kind: str, count: int) -> str:
    """A count of actors of a kind: 1 official, 12 officials (an unknown kind keeps its own name)."""
    singular, several = KIND_WORDS.get(kind, (kind, kind))
    return plural(count, singular, several)


@dataclass(frozen=True)
class Speed:
    """How a run plays: months per update and the pause between updates."""

    months_per_update: int
    pause_s: float


SPEEDS: dict[str, Speed] = {
    "slow": Speed(months_per_update=1, pause_s=0.5),
    "normal": Speed(months_per_update=4, pause_s=0.1),
    "fast": Speed(months_per_update=12, pause_s=0.0),
}
DEFAULT_SPEED = "normal"


def advance(model: TrackTwoModel, months: int) -> int:
    """Step the model up to `months` months, never past its last month; returns the months stepped."""
    stepped = 0
    while stepped < months and model.running and model.steps < model.params.steps:
        model.step()
        stepped += 1
    return stepped


def finished(model: TrackTwoModel) -> bool:
    """Whether the run has reached its last month."""
    return not model.running or model.steps >= model.params.steps


class TrainerModel(TrackTwoModel):
    """The model as a trainer drives it: built from Settings, and able to stage a ripe moment now."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.default()
        super().__init__(self.settings.params(), self.settings.seed)
        self.initial_ties = self.ties.copy()
        self.staged_by_trainer = False

    @property
    def staged_until(self) -> int:
        """Track One is held ripe for months before this one (0: nothing staged)."""
        return self.ripeness.staged_until

    def stage_ripe_moment(self, months: int) -> None:
        """Open a ripe window from the next month for `months` months (counted as a window if it was closed)."""
        self.stage_ripe_window(months)
        self.staged_by_trainer = True
