"""A meeting's kernels (model/kernels/meetings.py) against the numpy computations they replaced.

`_invite_numpy` is the code `WorkshopSeries._invite` ran before its kernel: the seats by kind and side (largest
remainder on Python floats, each call drawing its tie-breaks), the retention and invitation uniforms, and one
lexsort of the pool by cell, rank and priority; its tie-breaks came from numpy's Philox, which
`philox_uniforms` is checked against. `_authored_numpy` is `IdeaStore._authored` before its kernel: the
block of cells written, the counts grown by the authors' group counts. `_room_trust_numpy` and `_gains_numpy` are
`TrackTwoModel.run_workshop`'s array steps before its kernels: the room's trust, and the trust and standing it leaves.
`_placed_numpy` is `IssueSpace.place`'s draws and placing before its kernel (one idea's on Python floats).
"""

from __future__ import annotations

import bisect
import itertools

import numpy as np
import pytest
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.kernels.meetings import meeting_gains, philox_uniforms, placed, room_trust, seats_by_remainder
from tracktwo.model.params import ConfigError, make_params
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.workshops import WorkshopSeries, largest_remainder, room_shape, seat_list

KINDS = ["official", "elite", "autonomous", "grassroots", "middle_range"]


def _invite_numpy(series: WorkshopSeries, randomness: EventRandomness, number: int) -> np.ndarray:
    """The replaced numpy code: a convening's participants."""
    w = series.params.workshops
    rng = randomness.local_generator("invite", "workshop", number, 0)
    seats = seat_list(w.size, tuple(float(series.mix[k]) for k in series.mix), rng)
    pool, previous = series._pool, series.previous
    sizes = np.array([cell.size for cell in series.cells.values()], dtype=np.int64)
    cell_of = np.repeat(np.arange(sizes.size), sizes)
    within = np.arange(pool.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.ones(series.kinds.size, dtype=np.int8)
    priority = randomness.uniforms("invitation", number, pool)
    if previous.size:
        retention = randomness.uniforms("retention", number, previous)
        keep = round(w.retention * previous.size)
        again = previous.take(retention.argsort(kind="stable"))
        rank[previous] = 2
        rank[again[:keep]] = 0
    sides = (1.0,) * len(series.convened_sides)
    cell_seats = [seats_here for kind_seats in seats for seats_here in seat_list(kind_seats, sides, rng)]
    order = np.lexsort((priority, rank.take(pool), cell_of))
    taken = within < np.array(cell_seats, dtype=np.int64).take(cell_of)
    who = pool.take(order[taken])
    who.sort()
    return who[~series.excluded[who]] if series.empty_seats else who


def _series(cases: np.random.Generator) -> WorkshopSeries:
    """A series on a random population, mix, size, retention, sides convened and removal."""
    n_sides = int(cases.integers(1, 4))
    n = int(cases.integers(5, 200))
    kinds = np.array(KINDS, dtype=object)[cases.integers(0, len(KINDS), n)]
    sides = cases.integers(0, n_sides, n)
    invited = cases.choice(KINDS[:4], int(cases.integers(1, 5)), replace=False)  # (the default has no middle range)
    shares = np.ones(invited.size) if cases.random() < 0.3 else cases.random(invited.size) + 0.01
    shares /= shares.sum()  # summing to 1 (within the check's tolerance)
    overrides = {
        "workshops.mix": {str(kind): float(share) for kind, share in zip(invited, shares, strict=True)},
        "workshops.size": int(cases.integers(2, 40)),
        "workshops.retention": float(cases.choice([0.0, 0.5, 1.0, cases.random()])),
        "evaluation.seats": str(cases.choice(["empty", "refill"])),
    }
    if n_sides > 1 and cases.random() < 0.3:
        overrides["workshops.sides"] = [int(cases.integers(1, 3))]  # the default conflict's sides
    excluded = cases.random(n) < (0.1 if cases.random() < 0.5 else 0.0)
    ids = [f"a{i}" for i in range(n)]
    return WorkshopSeries(make_params(overrides), kinds, sides, n_sides, ids, excluded)


def test_invitations_are_the_numpy_codes() -> None:
    cases = np.random.default_rng(2211)
    randomness = EventRandomness(91)
    retained = 0
    for _ in range(150):
        try:
            series = _series(cases)
        except ConfigError:  # a mix of kinds the convened sides lack: refused, as a config would be
            continue
        for number in range(6):  # a series: each room the next one's last group
            want = _invite_numpy(series, randomness, number)
            got = series._invite(randomness, number)
            np.testing.assert_array_equal(got, want)
            assert (series._rank == 1).all()  # the scratch left as it was
            retained += np.intersect1d(got, series.previous).size
            series.previous = got
    assert retained > 0


@pytest.mark.parametrize("sides", [False, True])
def test_seats_by_remainder_are_largest_remainders_and_read_their_draws(sides: bool) -> None:
    cases = np.random.default_rng(2212)
    for case in range(1500):
        size = int(cases.integers(0, 12))
        shares = np.ones(size) if sides else cases.random(size)
        if size and case % 7 == 0:
            shares[cases.integers(size)] = 0.0
        total = int(cases.integers(-1, 40))
        at = int(cases.integers(0, 4))  # the draws an earlier call read
        draws = np.random.default_rng(case).random(at + size + 1)
        seats = np.full(size, 9, dtype=np.int64)
        after = seats_by_remainder(total, shares, draws, at, seats)
        rng = np.random.default_rng(case)
        rng.random(at)
        np.testing.assert_array_equal(seats, largest_remainder(total, shares, rng))
        assert rng.random() == draws[after]  # as many read as the call drew


def _authored_numpy(store: IdeaStore, authors: np.ndarray, first: int, k: int, step: int, source: int) -> None:
    """The replaced numpy code: the distinct authors adopt the k new ideas from `first` on."""
    n = store.n_actors
    if k == 1:
        cell = authors + first * n
    else:
        cell = (authors[None, :] + np.arange(first * n, (first + k) * n, n)[:, None]).reshape(-1)
    holds, adopted_at, first_adopted, sources = store._flat
    holds[cell] = True
    adopted_at[cell] = step
    first_adopted[cell] = step
    sources[cell] = source
    store._note_adopted(cell, step)
    held = store.held_count
    before = held.take(authors)
    held[authors] = before + k
    groups = store.groups.take(authors)
    added = np.bincount(groups, minlength=store.n_groups)
    if k == 1:
        store.group_holders[:, first] += added
        store.group_adoptions += added
    else:
        store.group_holders[:, first : first + k] += added[:, None]
        store.group_adoptions += added * k
    crossed = groups[before == 0]
    if crossed.size:
        store.group_reached += np.bincount(crossed, minlength=store.n_groups)
    actors = authors.astype(np.int32)
    store._log.append(
        (
            np.arange(first, first + k, dtype=np.int32).repeat(authors.size),
            actors if k == 1 else actors[None, :].repeat(k, axis=0).reshape(-1),
            step,
            np.full(cell.size, source, dtype=np.int32),
        )
    )


def test_authored_ideas_are_the_numpy_codes() -> None:
    cases = np.random.default_rng(2213)
    n, n_groups = 60, 5
    groups = cases.integers(0, n_groups, n)
    ours, theirs = (IdeaStore(n, groups.copy(), n_groups) for _ in range(2))
    for store in (ours, theirs):
        store.held_cells()  # kept: each adoption's cells noted
    for step in range(40):
        k = int(cases.integers(1, 4))
        authors = np.sort(cases.choice(n, int(cases.integers(1, 15)), replace=False))
        novelty = cases.random(k)
        first = ours.count
        ours.create(novelty, step, step, authors)  # the kernel
        theirs.create(novelty, step, step, authors[:0])  # the new ideas' fields, nobody adopting ...
        _authored_numpy(theirs, authors, first, k, step, -1)  # ... then the numpy code
    for name in ("holds", "adopted_at", "first_adopted", "source", "held_count", "group_holders", "group_reached"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name), err_msg=name)
    np.testing.assert_array_equal(ours.group_adoptions, theirs.group_adoptions)
    for got, want in zip(ours.adoption_log(), theirs.adoption_log(), strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ours.held_cells(), theirs.held_cells())


def _room_trust_numpy(trust, who, side_who, shape, bonus, partiality):
    """The replaced numpy code: each participant's trust in the room."""
    rows, present = shape.rows, shape.present
    if rows.size:
        cell_trust = trust[who.take(rows), shape.other_sides]
        sums = np.bincount(rows, weights=cell_trust, minlength=who.size)
        trusting = sums / max(present.size - 1, 1)
    else:
        trusting = np.ones(who.size)
    if bonus:
        trusting += bonus * (1.0 - trusting)
    if partiality is not None:
        trusting *= 1.0 - partiality[side_who]
    return trusting


def _gains_numpy(trust, standing, meetings, who, shape, half, trust_gain, standing_gain, value):
    """The replaced numpy code: the trust and standing a meeting of candour `value` leaves, in place."""
    rows = shape.rows
    cells = (who.take(rows), shape.other_sides)
    cell_trust = trust[cells]
    attended = meetings.take(who)
    learned = attended / (attended + half) if half > 0 else np.ones_like(attended, dtype=float)
    if rows.size:
        gain = trust_gain * value * learned
        trust[cells] = cell_trust + gain.take(rows) * (1.0 - cell_trust)
    before = standing.take(who)
    standing[who] = before + standing_gain * value * learned * (1.0 - before)


def test_room_trust_and_its_gains_are_the_numpy_codes() -> None:
    cases = np.random.default_rng(2214)
    for case in range(600):
        n, n_sides = int(cases.integers(2, 80)), int(cases.integers(1, 5))
        sides = cases.integers(0, n_sides, n)
        trust = cases.random((n, n_sides))
        if case % 5 == 0:
            trust = np.asfortranarray(trust)  # the model's trust in another layout
        standing, meetings = cases.random(n), cases.integers(0, 9, n).astype(float)
        who = np.sort(cases.choice(n, int(cases.integers(1, min(n, 20) + 1)), replace=False))
        side_who = sides.take(who)
        shape = room_shape(side_who, n_sides)
        bonus = float(cases.choice([0.0, cases.random()]))
        partiality = cases.random(n_sides) * 0.5 if case % 3 == 0 else None
        got = room_trust(who, side_who, shape.rows, shape.other_sides, max(shape.present.size - 1, 1), trust, bonus,
                         np.empty(0) if partiality is None else partiality)  # fmt: skip
        assert got.tobytes() == _room_trust_numpy(trust, who, side_who, shape, bonus, partiality).tobytes(), case
        half = float(cases.choice([0.0, 2.0, cases.random() * 5]))
        trust_gain, standing_gain, value = cases.random(3)
        ours, theirs = (trust.copy(order="A"), standing.copy()), (trust.copy(order="A"), standing.copy())
        meeting_gains(who, shape.rows, shape.other_sides, meetings, half, trust_gain * value, standing_gain * value,
                      *ours)  # fmt: skip
        _gains_numpy(*theirs, meetings, who, shape, half, trust_gain, standing_gain, value)
        assert ours[0].tobytes() == theirs[0].tobytes(), case
        assert ours[1].tobytes() == theirs[1].tobytes(), case


def test_philox_uniforms_are_numpys_philox_generator() -> None:
    cases = np.random.default_rng(2215)
    for _ in range(500):
        key = int(cases.integers(0, 2**63)) * 2 + int(cases.integers(0, 2))  # every bit of a uint64 key
        count = int(cases.integers(0, 40))
        want = np.random.Generator(np.random.Philox(key=key)).random(count)
        assert philox_uniforms(np.uint64(key), count).tobytes() == want.tobytes()


def _placed_numpy(randomness, ids, weights, anchor, keys, novelty, location, dimension):
    """The replaced code: each idea's dimension drawn by its weights, its location the anchor + novelty on it."""
    dimensions = weights.shape[-1]
    if ids.size == 1:  # one idea: the draw and the bisection on Python floats
        idea = int(ids[0])
        draw = float(randomness.uniforms("issue_direction", 0, keys[ids])[0])
        cumulative = list(itertools.accumulate(weights.reshape(-1).tolist()))
        chosen = min(bisect.bisect_right(cumulative, draw * cumulative[-1]), dimensions - 1)
        row = location[idea]
        row[:] = anchor
        row[chosen] += novelty[idea]
        dimension[idea] = chosen
        return
    draws = randomness.uniforms("issue_direction", 0, keys.take(ids))
    if weights.ndim == 1:  # one row for every idea: searchsorted on its cumulative weights
        cumulative = weights.cumsum()
        chosen = np.minimum(np.searchsorted(cumulative, draws * cumulative[-1], side="right"), dimensions - 1)
    else:
        cumulative = weights.cumsum(axis=-1)
        chosen = np.add.reduce(cumulative <= (draws * cumulative[:, -1])[:, None], axis=1)
        chosen = np.minimum(chosen, dimensions - 1)
    location[ids] = anchor
    location[ids, chosen] += novelty.take(ids)
    dimension[ids] = chosen


def test_ideas_placed_are_the_replaced_codes() -> None:
    cases = np.random.default_rng(2216)
    randomness = EventRandomness(93)
    prefix = randomness.key("issue_direction", 0)
    for case in range(3000):
        dimensions, count = int(cases.integers(1, 9)), int(cases.integers(1, 12))
        ids = np.sort(cases.choice(count, int(cases.integers(1, count + 1)), replace=False))
        shape = (ids.size, dimensions) if case % 2 else (dimensions,)  # a row per idea (voiced authors'), or one
        weights = cases.random(shape) if case % 3 else np.full(shape, 1.0 / dimensions)
        weights[cases.random(shape) < 0.3] = 0.0  # equal cumulative steps: bisection's side matters
        weights[..., 0] += 0.01  # some weight in every row
        anchor = cases.normal(size=dimensions)
        keys, novelty = cases.integers(0, 2**63, count).astype(np.uint64), cases.random(count)
        ours = (cases.normal(size=(count, dimensions)), np.zeros(count, dtype=np.int64))
        theirs = (ours[0].copy(), ours[1].copy())
        placed(ids, weights.reshape(-1, dimensions), anchor, keys, prefix, novelty, *ours)
        _placed_numpy(randomness, ids, weights, anchor, keys, novelty, *theirs)
        assert ours[0].tobytes() == theirs[0].tobytes(), case
        assert ours[1].tolist() == theirs[1].tolist(), case
