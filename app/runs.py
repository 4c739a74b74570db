"""What a trainer sets in the app, and the model they step.

`Settings` is the handful of knobs the app exposes, in a trainer's words (including the choice
between the plain workshop series and an NGO's multi-track programme); `Settings.params()` turns
them into model parameters through `model.make_params`, so a bad value gets the model's own
message. `TrainerModel` is the model plus one thing a trainer needs and the model does not do by
itself: staging a ripe moment *now*, in the middle of a run. `SPEEDS` and `advance` play a run at
a speed in plain words without ever stepping past its last month.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tracktwo.model import ConfigError, Params, TrackTwoModel, make_params
from tracktwo.model.formats import FORMATS

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
PROGRAMME_CHOICES: dict[str, str] = {
    "series": "A workshop series (a scholar-practitioner)",
    "ngo": "An NGO's multi-track programme",
}
MIDDLE_RANGE_MAX = 30  # middle-range leaders a side the app offers (Lederach's middle range is a few leaders)
DEFAULT_WINDOW_START_MONTH = 13
DEFAULT_WINDOW_MONTHS = 24
NGO_TRAININGS = 2  # capacity-building trainings that open the NGO's programme (of its meetings, as a series counts)
NGO_TRAINING_SEATS_PER_WORKSHOP_SEAT = 2  # a training seats twice a workshop's participants
NGO_TRIP_MONTH = 24  # the exposure trip for officials, in year 2
NGO_REPORT_MONTH = 36  # the joint report, in year 3
NGO_THIRD_PARTY = {"type": "ngo_mediator", "facilitation": "hybrid"}  # local and outside facilitators together
NGO_WORKSHOP_MODE = "track1.5"


def meeting_word(kind: str) -> str:
    """A meeting's format in a trainer's words ('capacity-building training'), from the format's registration."""
    return FORMATS[kind].words[0] if kind in FORMATS else kind.replace("_", " ")


THIRD_PARTY_WORDS = {
    "scholar_practitioner": "a scholar-practitioner",
    "ngo_mediator": "an NGO mediator",
    "private_citizen": "a private citizen",
}


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


_SERIES_DEFAULTS = make_params().workshops  # the plain series' meetings and first month, which the NGO keeps


@dataclass(frozen=True)
class Settings:
    """The knobs a trainer turns. Shares are fractions 0..1; months are model steps."""

    autonomous_share: float = 0.5  # of the Track Two seats; influential elites take the rest
    grassroots_share: float = 0.0  # of all seats (Track Three in the room)
    middle_range_count: int = 0  # middle-range leaders a side (none in the model's default population)
    middle_range_share: float = 0.0  # of all seats, when there are middle-range leaders
    size: int = 12  # participants per workshop
    interval: int = 4  # months between workshops
    confidentiality: float = 0.9  # Chatham House discipline; a leak follows with probability 1 - this
    funder_conditionality: float = 0.0  # how heavy the funder's conditions are, 0..1
    facilitator_policy: str = "refuse"  # accept | refuse the funder's conditions
    ripeness: str = "endogenous"  # endogenous | staged | never
    window_start: int = DEFAULT_WINDOW_START_MONTH  # first ripe month of a staged window
    window_months: int = DEFAULT_WINDOW_MONTHS  # length of a staged window (also of "stage one now")
    mode: str = "track2"  # track2 | track1.5 | backchannel (the plain series only)
    programme: str = "series"  # series (the plain workshop series) | ngo (an NGO's multi-track programme)
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
        """Seat shares by kind: grassroots and middle-range leaders first, the rest autonomous thinkers and elites."""
        middle_range = self.middle_range_share if self.middle_range_count else 0.0
        track_two = max(0.0, 1.0 - self.grassroots_share - middle_range)
        mix = {
            "elite": track_two * (1.0 - self.autonomous_share),
            "autonomous": track_two * self.autonomous_share,
            "grassroots": self.grassroots_share,
            "middle_range": middle_range,
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
        if self.programme not in PROGRAMME_CHOICES:
            raise ConfigError(f"programme: expected one of {sorted(PROGRAMME_CHOICES)} (got {self.programme!r})")
        return {
            "steps": self.steps,
            "mode": self.mode if self.mode_applies() else "track2",
            **self.programme_overrides(),
            **({"kinds.middle_range.count": self.middle_range_count} if self.middle_range_count else {}),
            "workshops.mix": self.mix(),
            "workshops.size": self.size,
            "workshops.interval": self.interval,
            "workshops.confidentiality": self.confidentiality,
            "workshops.funder_conditionality": self.funder_conditionality,
            "workshops.facilitator_policy": self.facilitator_policy,
            **ripeness,
        }

    def programme_overrides(self) -> dict[str, Any]:
        """The NGO's schedule and third party: the series' meetings, trainings first, then Track 1.5 workshops.

        The NGO holds as many meetings as the plain series funds, `interval` months apart from the
        series' first month, plus an exposure trip for officials and a joint report (the plain
        series: nothing to add).
        """
        if self.programme == "series":
            return {}
        series = _SERIES_DEFAULTS
        workshops_from = series.first_step + NGO_TRAININGS * self.interval
        return {
            "programme.third_party": dict(NGO_THIRD_PARTY),
            "programme.events": [
                {
                    "format": "training",
                    "step": series.first_step,
                    "count": NGO_TRAININGS,
                    "interval": self.interval,
                    "size": NGO_TRAINING_SEATS_PER_WORKSHOP_SEAT * self.size,
                },
                {
                    "format": "workshop",
                    "step": workshops_from,
                    "count": series.count - NGO_TRAININGS,
                    "interval": self.interval,
                    "mode": NGO_WORKSHOP_MODE,
                },
                {"format": "exposure_trip", "step": NGO_TRIP_MONTH, "audience": "officials"},
                {"format": "knowledge_product", "step": NGO_REPORT_MONTH},
            ],
        }

    def params(self) -> Params:
        """Validated model parameters; raises ConfigError with the model's message."""
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ConfigError(f"seed: expected a whole number (got {self.seed!r})")
        return make_params(self.overrides())

    def mode_applies(self) -> bool:
        """The NGO's programme sets its own formats (Track 1.5 workshops): the mode applies to the series only."""
        return self.programme == "series"

    def workshop_mode(self) -> str:
        """The mode the workshops are held in: the chosen one, or the NGO's Track 1.5."""
        return self.mode if self.mode_applies() else NGO_WORKSHOP_MODE

    def mix_applies(self) -> bool:
        """A backchannel seats officials only: the seat mix does not apply."""
        return self.workshop_mode() != "backchannel"

    def policy_applies(self) -> bool:
        """The facilitator's policy matters only when the funder sets conditions."""
        return self.funder_conditionality > 0

    def seats(self) -> str:
        """Who takes the seats, in words that follow the mode (Track 1.5 adds officials, a backchannel is only them)."""
        if not self.mix_applies():
            return "officials only"
        mix = self.mix()
        if self.workshop_mode() == "track1.5":
            official = self.params().workshops.track15_official_share
            mix = {"official": official, **{kind: share * (1 - official) for kind, share in mix.items()}}
        return ", ".join(f"{round(100 * share)}% {KIND_WORDS[kind][1]}" for kind, share in mix.items())

    def programme_words(self) -> str:
        """The NGO's programme in words: who runs it, its schedule, and who takes the workshops' seats."""
        return f"{PROGRAMME_CHOICES[self.programme]}: {schedule_words(self.params())}; workshop seats {self.seats()}"

    def describe(self) -> str:
        """One line for a trainer: who is in the room, how often, and when Track One is ripe."""
        if self.mode_applies():
            parts = [f"{MODE_CHOICES[self.mode]}: {plural(self.size, 'seat')} every {plural(self.interval, 'month')}"]
            parts[0] += f" ({self.seats()})"
        else:
            parts = [self.programme_words()]
        if self.middle_range_count:
            parts.append(f"{kind_count('middle_range', self.middle_range_count)} a side")
        if self.funder_conditionality > 0:
            parts.append(
                f"funder's conditions {self.funder_conditionality:.1f}, {POLICY_DONE[self.facilitator_policy]}"
            )
        if self.ripeness == "staged":
            parts.append(f"ripe in months {self.window_start}-{self.window_start + self.window_months - 1}")
        elif self.ripeness == "never":
            parts.append("never ripe")
        return "; ".join([*parts, f"seed {self.seed}"])


def schedule_words(params: Params) -> str:
    """A programme's schedule and third party in a trainer's words, read from the parameters the run uses."""
    events = params.programme.events or []
    third_party = params.programme.third_party
    team = {"outside": "an outside team", "local": "a local team", "hybrid": "a hybrid team"}[third_party.facilitation]
    words = []
    for event in events:
        seats = event.size or params.workshops.size
        when = f"from month {event.step}" if event.count > 1 else f"in month {event.step}"
        if event.format == "training":
            what = f"{plural(event.count, 'capacity-building training')} of {plural(seats, 'seat')} {when}"
        elif event.format == "workshop":
            mode = MODE_CHOICES[event.mode or params.mode].split(" (")[0]
            what = f"{plural(event.count, f'{mode} workshop')} of {plural(seats, 'seat')} {when}"
        elif event.format == "exposure_trip":
            who = "officials" if event.audience == "officials" else "Track Two participants"
            what = f"an exposure trip for {event.size or params.formats.trip_size} {who} {when}"
        elif event.format == "knowledge_product":
            what = f"{'a joint report' if event.count == 1 else plural(event.count, 'joint report')} {when}"
        else:  # a shuttle, or a format registered by a program: its own words
            singular, several = FORMATS[event.format].words
            what = f"{plural(event.count, singular, several)} {when}"
        if event.count > 1:
            what += f", every {plural(event.interval, 'month')}"
        words.append(what)
    outreach = round(third_party.profile.track_three_link * params.formats.outreach_size)
    head = f"{THIRD_PARTY_WORDS[third_party.type]} with {team}"
    if outreach:
        words.append(f"each meeting's ideas taken to {plural(outreach, 'grassroots actor')} a side (Track Three)")
    return f"{head}: " + "; ".join(words)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """A count with its noun in the right number: 1 month, 4 months."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


KIND_WORDS: dict[str, tuple[str, str]] = {  # singular, plural
    "official": ("official", "officials"),
    "elite": ("influential elite", "influential elites"),
    "autonomous": ("autonomous thinker", "autonomous thinkers"),
    "grassroots": ("grassroots actor", "grassroots actors"),
    "middle_range": ("middle-range leader", "middle-range leaders"),
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
        self.local_agreements_by_month: list[
            int
        ] = []  # the model keeps only the latest count; the plots need each month's

    def step(self) -> None:
        """One month, then the local agreements formed so far (for the plot of what reached beyond Track One)."""
        super().step()
        self.local_agreements_by_month.append(len(self.programme.uptake.agreed))

    @property
    def staged_until(self) -> int:
        """Track One is held ripe for months before this one (0: nothing staged)."""
        return self.ripeness.staged_until

    def stage_ripe_moment(self, months: int) -> None:
        """Open a ripe window from the next month for `months` months (counted as a window if it was closed)."""
        self.stage_ripe_window(months)
        self.staged_by_trainer = True
