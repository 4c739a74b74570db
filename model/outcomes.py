"""The model's outcomes, declared once: name, label in the domain's words, unit, goal, key outcome.

Figures, reports, CLI tables, comparisons and the app read names, labels and goals from here, so a
new outcome is added in one place, with the function that computes it: a function of the model
decorated with ``@computes(name, ...)`` (model/metrics.py), which ``metrics.outcomes`` runs. Goals
are ``maximize`` or ``minimize`` everywhere (GOAL_WORDS says them as "higher/lower is better").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CHAIN_PREFIXES",
    "COMPUTERS",
    "GOAL_WORDS",
    "ISSUE_PREFIXES",
    "KIND_LABELS",
    "ORIGIN_LABELS",
    "OUTCOMES",
    "RIVAL_ORIGINS",
    "ROUTES",
    "ROUTE_LABELS",
    "TRACK_LABELS",
    "Computer",
    "Goal",
    "Outcome",
    "computes",
    "outcome",
    "outcome_goal",
    "outcome_label",
]

Goal = Literal["maximize", "minimize"]  # the one goal vocabulary (sweep files' metric.goal, compare's rank_by.goal)
GOAL_WORDS: dict[str, str] = {"maximize": "higher", "minimize": "lower"}  # "<word> is better", for readers


@dataclass(frozen=True)
class Outcome:
    """One per-run outcome: what it is called, how it is read, and which direction is better."""

    name: str
    label: str
    unit: str = ""
    goal: Goal = "maximize"
    key: bool = False
    description: str = ""
    undefined: str = ""  # "censored": a time to an event that did not happen in the run (read as the run's length)
    undefined_when: str = ""  # when the run reports NaN for it ("" = always a finite number)


TRACK_LABELS = {
    "track_one": "Track One (officials)",
    "track_two_elite": "Track Two: influential elites",
    "track_two_autonomous": "Track Two: autonomous thinkers",
    "track_three": "Track Three (grassroots)",
    "track_two_middle_range": "Track Two: middle-range leaders",
}

ROUTE_LABELS = {
    "via_elites": "Via influential elites",
    "via_autonomous": "Via autonomous thinkers",
    "via_track_three": "Via Track Three pressure",
    "via_track_1_5": "Via Track 1.5 (officials in the room, then their colleagues)",
    "direct": "Direct (backchannel)",
    "via_middle_range": "Via middle-range leaders",
}
ROUTES = tuple(ROUTE_LABELS)
ORIGIN_LABELS = {  # where an idea that entered Track One came from (model.ideas.ORIGINS, seeded ideas aside)
    "workshop": "from the Track Two programme",
    "track_one": "from Track One's own bureaucracy",
    "outside": "from outside the programme",
}
RIVAL_ORIGINS = ("track_one", "outside")


def _declare(*outcomes: Outcome) -> dict[str, Outcome]:
    return {o.name: o for o in outcomes}


OUTCOMES: dict[str, Outcome] = _declare(
    Outcome("ideas_generated", "Ideas generated in workshops", "ideas"),
    Outcome(
        "mean_novelty_generated",
        "Mean novelty of ideas generated",
        "0..1",
        key=True,
        undefined_when="no workshop idea was generated",
    ),
    Outcome("ideas_transferred", "Ideas that entered Track One", "ideas", key=True),
    Outcome(
        "transfer_rate",
        "Share of ideas that entered Track One",
        "share",
        key=True,
        undefined_when="no workshop idea was generated",
    ),
    Outcome(
        "mean_novelty_transferred",
        "Mean novelty of ideas that entered Track One",
        "0..1",
        undefined_when="no workshop idea entered Track One",
    ),
    Outcome("impact", "Impact (novelty that entered Track One)", "novelty units", key=True),
    Outcome("any_transfer", "At least one idea entered Track One", "probability", key=True),
    Outcome(
        "time_to_first_transfer",
        "Months to the first idea entering Track One",
        "months",
        "minimize",
        undefined="censored",
        undefined_when="no workshop idea entered Track One (censored at the run's length)",
    ),
    Outcome("ripe_windows", "Ripe moments opened", "windows", key=True),
    Outcome("share_time_ripe", "Share of months Track One was ripe", "share"),
    Outcome("transfers_in_ripe_windows", "Ideas entering Track One in ripe moments", "ideas"),
    Outcome(
        "share_transfers_in_ripe_windows",
        "Share of entries in ripe moments",
        "share",
        undefined_when="no workshop idea entered Track One",
    ),
    Outcome(
        "transfers_per_ripe_step",
        "Ideas entering Track One per ripe month",
        "ideas/month",
        undefined_when="Track One was never ripe",
    ),
    Outcome(
        "transfers_per_unripe_step",
        "Ideas entering Track One per unripe month",
        "ideas/month",
        undefined_when="Track One was ripe every month",
    ),
    Outcome("trust_change", "Change in cross-side trust", "0..1", key=True, undefined_when="the conflict has one side"),
    Outcome(
        "official_trust_change",
        "Change in officials' trust of the other sides",
        "0..1",
        undefined_when="one side, or no officials",
    ),
    Outcome("cross_side_ties_created", "Cross-side ties created", "ties"),
    Outcome(
        "grassroots_reach",
        "Share of grassroots outside the workshops reached by Track Two ideas",
        "share",
        undefined_when="no grassroots actor stayed outside the workshops",
    ),
    Outcome("workshops_held", "Workshops held", "workshops"),
    Outcome("leaks", "Leaks", "leaks", "minimize"),
    Outcome("mean_candour", "Mean workshop candour", "0..1", undefined_when="no meeting was held"),
    Outcome("participants", "People who took part in a workshop", "people"),
    Outcome("credible_advocates_made", "Participants who became credible advocates", "people"),
    *(
        Outcome(f"transfers_{route}", f"Ideas that entered Track One {label[0].lower()}{label[1:]}", "ideas")
        for route, label in ROUTE_LABELS.items()
    ),
    # the "new" Track Two (docs/ODD.md 7.9): objectives beyond Track One, third parties, formats, initiatives
    Outcome(
        "transfers_track_1_5", "Ideas taken up in Track 1.5 (influentials, officials in a personal capacity)", "ideas"
    ),
    Outcome("transfers_track_three", "Ideas taken up in Track Three (grassroots)", "ideas"),
    Outcome("local_agreements", "Local-level agreements (locality and idea pairs)", "agreements", key=True),
    Outcome("third_party_reputation", "Main third party's reputation at the end", "0..1"),
    Outcome(
        "series_ended", "A series ended early (invitees declined, or funding withdrawn)", "probability", "minimize"
    ),
    Outcome("funding_withdrawn", "A funder withdrew (proscribed participants)", "probability", "minimize"),
    Outcome("invitations_declined", "Invitations declined", "invitations", "minimize"),
    Outcome("duplicate_ideas", "Ideas duplicating another initiative's (expected)", "ideas", "minimize"),
    Outcome("trainings_held", "Capacity-building trainings held", "trainings"),
    Outcome("knowledge_products", "Joint knowledge products published", "products"),
    Outcome("exposure_trips", "Exposure trips held", "trips"),
    Outcome("proscribed_engaged", "Members of proscribed groups who took part", "people"),
    *(
        Outcome(f"transfers_from_{origin}", f"Ideas that entered Track One {ORIGIN_LABELS[origin]}", "ideas")
        for origin in RIVAL_ORIGINS
    ),
    Outcome("rival_impact", "Impact of ideas from rival sources (not the programme)", "novelty units"),
    Outcome(
        "share_impact_from_programme",
        "Share of the impact that entered Track One attributable to the programme",
        "share",
        description="Impact of the programme's ideas over the impact of every idea that entered Track One.",
        undefined_when="no idea entered Track One",
    ),
)

OUTCOMES.update(  # ideas with content (model/issues.py, docs/ODD.md 7.11)
    _declare(
        Outcome(
            "influence_on_process",
            "Influence on the process (officials' positions moved by Track Two ideas without adoption)",
            "issue-space units",
            description="Movement of every side's official position, summed over dimensions and months, by framing "
            "from Track Two ideas its officials held but Track One had not adopted.",
        ),
        Outcome(
            "agenda_breadth",
            "Breadth of the agenda that entered Track One (effective number of dimensions)",
            "dimensions",
            description="exp(entropy) of the shares per dimension of the Track Two ideas that entered Track One.",
            undefined_when="no Track Two idea entered Track One (or the issue space is off)",
        ),
        Outcome(
            "mean_emergent_novelty_transferred",
            "Mean novelty of transferred ideas to the sides that took them, as they entered",
            "novelty units",
            description="Distance of each Track Two idea that entered Track One from the current positions of the "
            "sides that took it, at entry (emergent novelty; mean_novelty_transferred is novelty at birth).",
            undefined_when="no Track Two idea entered Track One (or the issue space is off)",
        ),
    )
)
ISSUE_PREFIXES = (  # per side and dimension, or per dimension: influence_on_process_1_security, ...
    ("influence_on_process_", "Influence on the process:", "issue-space units"),
    ("outcome_transfer_", "Track Two ideas adopted into Track One about", "ideas"),
    ("agenda_share_", "Share of the agenda that entered Track One about", "share"),
    ("generated_share_", "Share of the Track Two ideas generated about", "share"),
)

KIND_LABELS = {
    "elite": "influential elites",
    "autonomous": "autonomous thinkers",
    "grassroots": "grassroots actors",
    "official": "officials",
    "middle_range": "middle-range leaders",
}
_GROUP_PREFIXES = (
    ("participant_share_", "Share among participants"),
    ("author_share_", "Share among authors of transferred ideas"),
    ("authorship_share_", "Share of the authorships of transferred ideas (voice)"),
    ("seat_share_", "Share of the seats taken in meetings (presence)"),
)
CHAIN_PREFIXES = (  # attribution outcomes, per component (model.components): chain_impact_workshop_7, ...
    ("chain_ideas_", "Transferred ideas whose recorded chains pass through", "ideas"),
    ("chain_impact_", "Transferred impact whose recorded chains pass through", "novelty units"),
)


def outcome(name: str) -> Outcome:
    """The declared outcome, or one derived for the per-group inclusion shares and unknown names."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    for prefix, what, unit in CHAIN_PREFIXES:
        if name.startswith(prefix):
            return Outcome(name, f"{what} {name[len(prefix) :].replace('_', ' ', 1)}", unit)
    for prefix, what, unit in ISSUE_PREFIXES:
        if name.startswith(prefix):
            return Outcome(name, f"{what} {name[len(prefix) :].replace('_', ' ')}", unit)
    for prefix, what in _GROUP_PREFIXES:
        if name.startswith(prefix):
            group = name[len(prefix) :].removeprefix("kind_")
            words = KIND_LABELS.get(group, group.replace("_", " "))
            return Outcome(name, f"{what}: {words}", "share")
    return Outcome(name, name.replace("_", " ").capitalize())


def outcome_label(name: str) -> str:
    """'Ideas that entered Track One' for ideas_transferred; readable words for any other name."""
    return outcome(name).label


def outcome_goal(name: str) -> Goal:
    """Whether a designer wants more of an outcome ('maximize') or less ('minimize')."""
    return outcome(name).goal


# ----------------------------------------------------------------------------------------------
# Each outcome with the function that computes it (the EMA Workbench's pattern)


@dataclass(frozen=True)
class Computer:
    """A function of a model that computes some declared outcomes (and names of the families it may add)."""

    function: Callable[[Any], dict[str, float]]
    outcomes: tuple[str, ...]
    families: tuple[str, ...] = ()


COMPUTERS: list[Computer] = []  # in the order a run's outcomes are computed (metrics.outcomes runs them)


def computes(*names: str, families: tuple[str, ...] = ()) -> Callable:
    """Declare that the decorated function computes these outcomes (each declared in OUTCOMES, once).

    The function takes the model and returns {name: value} for exactly these names (and names
    starting with one of `families`); tests/model/test_outcomes_declared.py checks both.
    """

    def register(function: Callable[[Any], dict[str, float]]) -> Callable[[Any], dict[str, float]]:
        unknown = [name for name in names if name not in OUTCOMES]
        taken = [name for name in names for c in COMPUTERS if name in c.outcomes]
        if unknown or taken:
            raise ValueError(f"{function.__name__}: outcomes not declared {unknown} or computed already {taken}")
        COMPUTERS.append(Computer(function, names, families))
        return function

    return register
