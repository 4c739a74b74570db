"""What `tracktwo evaluate` checks before its first run: overridden settings, size, late meetings, columns, outcomes.

Each check is made from the parameters and the families alone (sizes before any coalition or order is
listed), before the pilot and the runs, so a request for more work than a machine can hold, or for an
outcome the config leaves undefined in every run of a coalition, is refused in one line (or, for the
run limits, run with --force) and nothing already written is touched.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from tracktwo.experiments.design import limits
from tracktwo.model import ConfigError, Params
from tracktwo.model.components import distinct_fragments
from tracktwo.model.outcomes import ISSUE_PREFIXES
from tracktwo.model.params import shorten

__all__ = [
    "ISSUE_FAMILIES",
    "MAX_ORDER_CELLS",
    "NEEDS_A_MEETING",
    "NEEDS_TWO_SIDES",
    "check_columns",
    "check_family_size",
    "check_issue_outcomes",
    "check_outcomes_defined",
    "check_settings",
    "coalition_count",
    "late_meetings",
]

MAX_ORDER_CELLS = 50_000_000  # sampled orders x components held in memory (400 MB of int64): even with --force
EXACT_MAX = 10  # exact Shapley values up to this many components (analysis.evaluation.EXACT_MAX)
EVALUATE_SETS = ("removed", "attribute")  # evaluation settings evaluate chooses itself, run by run
# Outcomes over the ideas generated in meetings (or over the meetings): undefined in a run that holds none
NEEDS_A_MEETING = frozenset(
    {"mean_novelty_generated", "transfer_rate", "mean_novelty_transferred", "share_transfers_in_ripe_windows",
     "mean_candour"}
)  # fmt: skip
NEEDS_TWO_SIDES = frozenset({"trust_change", "official_trust_change"})  # trust of the other sides: none with one side
# Shares of the meetings' ideas per issue (docs/ODD.md 7.11): undefined in a run that holds no meeting
NEEDS_A_MEETING_PREFIXES = ("agenda_share_", "generated_share_")
NEEDS_A_MEETING_ISSUES = frozenset({"agenda_breadth", "mean_emergent_novelty_transferred"})
ISSUE_FAMILIES = tuple(prefix for prefix, _, _ in ISSUE_PREFIXES)  # per side and dimension, or per dimension


def check_issue_outcomes(params: Params, outcomes: Sequence[str]) -> None:
    """ConfigError (one line) for a per-issue outcome the config does not report (its dimension or space is off)."""
    from tracktwo.model.issues import dimension_keys

    keys = dimension_keys(params.issues)
    for outcome in outcomes:
        if outcome == "influence_on_process" or not outcome.startswith(ISSUE_FAMILIES):
            continue
        if not params.issues.enabled:
            raise ConfigError(
                f"--outcomes: {outcome} needs the issue space, and issues.enabled is false; set it true or choose "
                "another outcome"
            )
        prefix = next(p for p in ISSUE_FAMILIES if outcome.startswith(p))
        rest = outcome.removeprefix(prefix)
        known = any(rest.endswith(f"_{k}") for k in keys) if prefix == "influence_on_process_" else rest in keys
        if not known:
            allowed = ", ".join(f"{prefix}{'<side>_' if prefix == 'influence_on_process_' else ''}{k}" for k in keys)
            raise ConfigError(f"--outcomes: {outcome!r} names no dimension of issues.dimensions; allowed: {allowed}")


def check_settings(params: Params) -> None:
    """ConfigError if the config or --set chose what evaluate sets for every run (it would be dropped silently)."""
    for name in EVALUATE_SETS:
        value = getattr(params.evaluation, name)
        if value:
            raise ConfigError(
                f"evaluation.{name}: {shorten(value)} is set, but evaluate chooses it for each run; remove it "
                "(to evaluate a programme without these components, leave them out of its schedule or map)"
            )


def coalition_count(players: int, orders: int | None) -> int:
    """Coalitions a family's game runs: every subset (exact), or at most each order's prefixes and n + 2 more."""
    if orders is None:
        return 2**players
    return min(2**players, orders * max(players - 1, 0) + players + 2)


def check_family_size(name: str, players: int, orders: int, replicates: int) -> None:
    """ConfigError (one line) if a family's coalitions x replicates, or its sampled orders, are past the limits."""
    sampled = players > EXACT_MAX
    if sampled and orders * players > MAX_ORDER_CELLS:
        raise ConfigError(
            f"--orders: {orders:,} orders of {players:,} components ({name}) = {orders * players:,} cells, over "
            f"{MAX_ORDER_CELLS:,} even with --force; lower --orders or evaluate fewer components"
        )
    coalitions = coalition_count(players, orders if sampled else None)
    limits.check_size(f"evaluate --components {name} ({players:,} components)", coalitions, replicates)


def check_columns(keys: Sequence[str]) -> None:
    """ConfigError naming both components if two distinct ones would share a record column (north-east, north_east)."""
    distinct_fragments(keys)


def late_meetings(params: Params, seed: int = 0) -> list[str]:
    """Warnings naming the meetings scheduled after the run's last month (they never run: zero contribution)."""
    from tracktwo.model.model import TrackTwoModel  # a probe of the programme's schedule, no run

    meetings = TrackTwoModel(params, seed).programme.meetings_scheduled()
    late = [(n, step, name) for n, (step, name, _) in enumerate(meetings, start=1) if step > params.steps]
    if not late:
        return []
    shown = ", ".join(f"meeting {n} ({name}, month {step})" for n, step, name in late[:3])
    more = f" and {len(late) - 3} more" if len(late) > 3 else ""
    return [
        f"{len(late)} meeting(s) scheduled after the last month ({params.steps}) never run, so contribute "
        f"nothing: {shown}{more}; lengthen steps or move them earlier"
    ]


def _removes_every_meeting(params: Params, family: str) -> bool:
    """Whether a family's coalition without any component holds no meeting at all, whatever the seed.

    ``workshops`` lists every meeting of every initiative; ``events`` and ``formats`` the main
    programme's schedule, which is every meeting when there are no further initiatives.
    """
    return family == "workshops" or (family in ("events", "formats") and not params.initiatives)


def check_outcomes_defined(params: Params, families: Iterable[tuple[str, Collection]], outcomes: Sequence[str]) -> None:
    """ConfigError (one line) if the config alone makes an outcome undefined in every run of some coalition.

    `families` are (name, coalitions) pairs. A game always runs its empty coalition (every component
    removed): for a family that removes every meeting, outcomes over the meetings' ideas are undefined
    there in every replicate, so no change or Shapley value can be computed. With one side, trust of
    the other sides is undefined in every run. Known before the pilot and the runs, so nothing runs.
    """
    for outcome in outcomes:
        if outcome in NEEDS_TWO_SIDES and params.sides < 2:
            raise ConfigError(
                f"--outcomes: {outcome} is trust of the other sides, undefined in every run with sides: "
                f"{params.sides}; choose another outcome or at least 2 sides"
            )
        if outcome not in NEEDS_A_MEETING | NEEDS_A_MEETING_ISSUES and not outcome.startswith(NEEDS_A_MEETING_PREFIXES):
            continue
        for name, coalitions in families:
            if _removes_every_meeting(params, name) and frozenset() in coalitions:
                raise ConfigError(
                    f"--outcomes: {outcome} is undefined in a run without meetings, and evaluating {name} runs "
                    "every replicate once without any (all removed); choose an outcome defined there (e.g. impact, "
                    "ideas_generated) or other --components"
                )
