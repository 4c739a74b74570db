"""Transfer into Track One: when an idea enters, and by which route it got there.

A side's Track One *takes* an idea when at least ``threshold`` of its officials hold it, counting
only officials who speak for Track One: officials who co-authored the idea in a workshop in a
personal capacity (Track Two, Track 1.5) carry it out of the room, but it must still win over
their colleagues, so they do not count (``transfer.personal_capacity_counts`` makes them count);
officials under instructions (a backchannel) do count. An idea *enters Track One* the first step
a quorum of the sides that have officials take it (default: every such side). A side without
officials is an error, or, with ``sides_without_officials: not_needed``, a party whose Track One
is not needed; a population with no officials at all has no Track One, and nothing enters it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from tracktwo.model.agents import Official
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.kernels.transfer import entering, entry_paths, sides_taking
from tracktwo.model.params import ConfigError, Params

if TYPE_CHECKING:
    from tracktwo.model.record import Record

__all__ = ["ROUTE_CARRIERS", "TrackOneEntry", "holders_needed"]

ROUTE_CARRIERS = {"elite": "via_elites", "autonomous": "via_autonomous", "middle_range": "via_middle_range"}


def holders_needed(members: int, threshold: float) -> int:
    """The fewest holders h of a group of `members` whose share h / members reaches the threshold (members + 1: none).

    The share is the quotient numpy computes (whole numbers below 2^53 convert exactly), and it only grows with h,
    so `holders >= holders_needed(...)` is `holders / members >= threshold` for every count of holders.
    """
    if members < 1:
        raise ValueError(f"members: expected 1 or more, got {members}")
    h = max(0, min(members + 1, math.floor(threshold * members) - 1)) if math.isfinite(threshold) else 0
    while h > 0 and (h - 1) / members >= threshold:
        h -= 1
    while h <= members and h / members < threshold:
        h += 1
    return h


class TrackOneEntry:
    """Checks which ideas enter Track One each step, and records when, whether ripe, the path and the route."""

    def __init__(
        self,
        params: Params,
        ideas: IdeaStore,
        behaviour: np.ndarray,
        side: np.ndarray,
        n_sides: int,
        official_groups: np.ndarray,
        side_labels: list[str],
    ) -> None:
        self.threshold = params.transfer.threshold
        self.ideas = ideas
        self.behaviour = behaviour
        self.side = side
        self.instructed = Official.under_instructions(params)
        self.authors_count = Official.authors_for_track_one(params)
        self.officials = np.flatnonzero(behaviour == "official")
        officials_per_side = np.bincount(side[self.officials], minlength=n_sides)
        staffed = officials_per_side > 0
        if staffed.any() and not staffed.all() and params.transfer.sides_without_officials == "error":
            missing = side_labels[int(np.flatnonzero(~staffed)[0])]
            raise ConfigError(
                f"transfer.sides_without_officials: side {missing!r} has no officials, so its Track One could never "
                "take an idea; add officials there, or set transfer.sides_without_officials: not_needed"
            )
        self.needed = np.flatnonzero(staffed)  # sides whose Track One counts
        self.groups = official_groups[self.needed]  # the (official, side) holding counters of those sides
        self._rows = self.groups.astype(np.int64)  # as the kernels take them
        self.officials_per_side = officials_per_side[self.needed].astype(float)
        quorum = params.transfer.quorum or self.needed.size
        if self.needed.size and quorum > self.needed.size:
            raise ConfigError(
                f"transfer.quorum: {quorum} sides needed but only {self.needed.size} side(s) have officials"
            )
        self.quorum = quorum
        self._checked = np.zeros(1, dtype=np.int64)  # the officials' adoptions (on the sides that count) last checked
        # a side's share h / officials reaches the threshold from this many holders on (the same quotients,
        # computed once: the kernels compare whole numbers)
        self._holders_needed = np.array(
            [holders_needed(int(o), self.threshold) for o in self.officials_per_side.tolist()], dtype=np.int64
        )
        none = np.zeros(0, dtype=np.int64)
        self._excluded = (none, none, none)  # _not_counting as the kernels read it: (idea, official, side row) each
        self._not_counting: dict[int, np.ndarray] = {}  # idea -> officials who co-authored it in a personal capacity

    def note_authors(self, ids: np.ndarray, authors: np.ndarray) -> None:
        """Remember the officials among a workshop's authors who do not speak for Track One."""
        official_authors = authors[self.behaviour[authors] == "official"]
        if self.authors_count or official_authors.size == 0:
            return
        for idea in ids.tolist():
            self._not_counting[idea] = official_authors
        ideas = np.array(list(self._not_counting), dtype=np.int64)
        officials = list(self._not_counting.values())
        rows = np.searchsorted(self.needed, self.side[np.concatenate(officials)]).astype(np.int64)
        self._excluded = (
            np.repeat(ideas, [o.size for o in officials]),
            np.concatenate(officials).astype(np.int64),
            rows,
        )

    def sides_taking(self, ideas: np.ndarray, n_sides: int) -> np.ndarray:
        """(n_sides x ideas): the sides whose Track One takes each idea now.

        A side takes an idea when its counted holders' share of its officials reaches the threshold: the entry
        check's whole-number comparison.
        """
        store = self.ideas
        counts = (store.group_holders, self._rows, self.needed, self._holders_needed, n_sides, ideas)
        return sides_taking(*counts, *self._excluded, store.holds.T)

    def check(self, step: int, ripe: bool, record: Record | None = None) -> np.ndarray:
        """Ideas that enter Track One this step (ids); records their step, ripeness, path and route.

        An idea's path is the chain of first-adoption sources from a workshop author to the first official who
        counts for Track One. With the full `record`, also the officials (per side) who counted toward its entry.
        """
        ideas = self.ideas
        entered = entering(
            ideas.group_adoptions,
            self._rows,
            self._checked,
            ideas.group_holders,
            ideas.entered_step,
            ideas.count,
            self._holders_needed,
            self.quorum,
            *self._excluded,
            ideas.holds.T,
        )
        if entered.size == 0:
            return entered
        ideas.entered_count += entered.size
        excluded, held = self._excluded[:2], (ideas.first_adopted.T, ideas.holds.T, ideas.source.T)
        chains, ends, counted, counted_ends = entry_paths(
            entered, self.officials, self.side, self.needed, *held, *excluded, record is not None
        )
        chains, ends, counted_ends = chains.tolist(), ends.tolist(), counted_ends.tolist()
        sides, start, counted_start = self.needed.tolist(), 0, 0
        for j, idea in enumerate(entered.tolist()):
            ideas.entered_step[idea] = step
            ideas.entered_ripe[idea] = ripe
            path = ideas.paths[idea] = chains[start : ends[j]]
            start = ends[j]
            ideas.routes[idea] = self.route(path)
            if record is not None:  # idea j's officials, side by side
                by_side = {}
                for r, side in enumerate(sides):
                    counted_end = counted_ends[j * len(sides) + r]
                    by_side[side] = counted[counted_start:counted_end]
                    counted_start = counted_end
                record.note_entry(idea, by_side)
        return entered

    def route(self, path: list[int]) -> str:
        """How an idea reached Track One: by whoever brought it to the first official on its path.

        ``direct`` (an official under instructions authored it), ``via_track_1_5`` (an official
        co-authored it in a personal capacity and carried it to colleagues), ``via_middle_range`` (a
        middle-range leader passed it to the first official, even one it had from the grassroots:
        the middle range is the link between Track Three and Track One), ``via_track_three`` (a
        grassroots actor passed it on before any official had it), else ``via_elites`` or
        ``via_autonomous`` by the behaviour of the actor who passed it to the first official.
        """
        behaviours = [self.behaviour[a] for a in path]
        first_official = behaviours.index("official")
        if first_official == 0:
            return "direct" if self.instructed else "via_track_1_5"
        if behaviours[first_official - 1] == "middle_range":
            return ROUTE_CARRIERS["middle_range"]
        if "grassroots" in behaviours[:first_official]:
            return "via_track_three"
        return ROUTE_CARRIERS.get(behaviours[first_official - 1], "via_autonomous")
