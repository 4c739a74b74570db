"""The step's batched keyed draws are the per-event draws: same hash, same values, whichever path makes them.

A step mixes its idea keys for adoption, credit and forgetting in one pass, hashes adoption and
credit together, and draws a state or two with Python ints (model/randomness.py, diffusion.py).
Each must give, bit for bit, the uniform the event's definition gives: SplitMix64's finaliser of
(idea key mixed with the class and step) + actor x GOLDEN, its top 53 bits over 2^53.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.diffusion import STEP_EVENTS, StepDraws, StepKeys
from tracktwo.model.ideas import KEY_NUMBER_SHIFT, KEY_ORIGIN_SHIFT, ORIGINS, idea_keys
from tracktwo.model.kernels.advocacy import mix_keys
from tracktwo.model.randomness import GOLDEN, MASK, UNIT, EventRandomness, mix, mix_array


def _by_definition(randomness: EventRandomness, event: str, step: int, ids, keys=None, columns=None) -> list[float]:
    """Each event's uniform from the hash's definition, one Python int at a time."""
    prefix = randomness.key(event, step)
    values = []
    for position, actor in enumerate(np.asarray(ids).tolist()):
        base = prefix
        if keys is not None:
            base = mix((int(keys[columns[position]]) * GOLDEN + prefix) & MASK)
        values.append((mix((actor * GOLDEN + base) & MASK) >> 11) * UNIT)
    return values


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_batched_step_draws_equal_each_events_draw_by_definition(seed: int) -> None:
    randomness = EventRandomness(seed)
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 2**63, size=6, dtype=np.uint64)
    actors = rng.integers(0, 10_000, size=300)
    columns = rng.integers(0, keys.size, size=300)
    draws = StepDraws(randomness, 17, keys)
    for event in STEP_EVENTS:
        expected = _by_definition(randomness, event, 17, actors, keys, columns)
        assert draws.uniforms(event, actors, columns).tolist() == expected
        assert randomness.uniforms(event, 17, actors, keys, columns).tolist() == expected
    adoption, credit = draws.bits(slice(0, 2), actors, columns) * UNIT  # both hashed in one pass, as advocacy does
    assert adoption.tolist() == _by_definition(randomness, "adoption", 17, actors, keys, columns)
    assert credit.tolist() == _by_definition(randomness, "credit", 17, actors, keys, columns)
    one = StepDraws(randomness, 17, keys[:1])  # a single idea: its key broadcast, not indexed
    zeros = np.zeros(actors.size, dtype=np.int64)
    assert one.uniforms("adoption", actors, zeros).tolist() == _by_definition(
        randomness, "adoption", 17, actors, keys[:1], zeros
    )


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_keys_mixed_by_blocks_of_steps_equal_each_steps_own_mixing(seed: int) -> None:
    """A run's StepKeys (blocks of steps, ideas added within a block, keys that do not extend) mix as each step does."""
    randomness = EventRandomness(seed)
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 2**63, size=40, dtype=np.uint64)
    step_keys = StepKeys(randomness, block=5)
    steps = [0, 1, 2, 3, 4, 5, 9, 10, 30, 31, 7, 2**33]  # within a block, across, back, far beyond 32 bits
    counts = [1, 1, 2, 5, 5, 6, 12, 12, 20, 40, 40, 3]  # ideas only grow within a run; fewer: a new block
    for step, count in zip(steps, counts, strict=True):
        prefixes = [randomness.key(event, step) for event in STEP_EVENTS]
        assert randomness.step_prefixes(STEP_EVENTS, step, 1)[0].tolist() == prefixes
        expected = randomness.mixed_keys(STEP_EVENTS, step, keys[:count])
        assert step_keys.at(step, keys[:count]).tolist() == expected.tolist()
        by_definition = [[mix((int(k) * GOLDEN + prefix) & MASK) for k in keys[:count].tolist()] for prefix in prefixes]
        assert expected.tolist() == by_definition
    other = keys[::-1].copy()  # the same count, other keys: not an extension of those mixed, so mixed afresh
    assert step_keys.at(2**33, other[:3]).tolist() == randomness.mixed_keys(STEP_EVENTS, 2**33, other[:3]).tolist()
    draws = StepDraws(randomness, 31, keys, step_keys=step_keys)
    actors = rng.integers(0, 300, size=50)
    columns = rng.integers(0, keys.size, size=50)
    assert draws.uniforms("credit", actors, columns).tolist() == _by_definition(
        randomness, "credit", 31, actors, keys, columns
    )
    with pytest.raises(ValueError, match="first: expected 0 or more, got -1"):
        randomness.step_prefixes(STEP_EVENTS, -1, 2)


def test_a_few_events_drawn_on_python_ints_equal_the_array_draws() -> None:
    randomness = EventRandomness(11)
    many = randomness.uniforms("ripeness", 5, np.arange(9))  # above the Python-int path's size: array arithmetic
    for size in (1, 2, 3, 4):
        assert randomness.uniforms("ripeness", 5, np.arange(size)).tolist() == many[:size].tolist()
    assert many.tolist() == _by_definition(randomness, "ripeness", 5, np.arange(9))
    assert randomness.uniforms("ripeness", 5, np.arange(0)).size == 0


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_a_reused_local_generator_draws_what_a_fresh_keyed_generator_draws(seed: int) -> None:
    """local_generator resets one generator per call site to the event's key: the same draws as a new Philox.

    Drawn part-way (a buffered uint32 and a half-used block left behind), then reset for another event.
    """
    randomness = EventRandomness(seed)
    for number in (0, 1, 5, 2**33):
        used = randomness.local_generator("site", "workshop", number, 1)
        fresh = randomness.generator("workshop", number, 1)
        assert np.array_equal(used.random(3), fresh.random(3))
        assert used.integers(0, 2**31, dtype=np.uint32) == fresh.integers(0, 2**31, dtype=np.uint32)
        assert used.poisson(4.5) == fresh.poisson(4.5)
        assert np.array_equal(used.beta(2.0, 3.0, 5), fresh.beta(2.0, 3.0, 5))
    other = randomness.local_generator("other site", "workshop", 0, 0)
    assert other is not randomness.local_generator("site", "workshop", 0, 0), "one generator per call site"


def test_idea_keys_in_one_call_are_the_base_plus_each_rank() -> None:
    for origin in ORIGINS:
        for number in (0, 1, 119, 5_000, 2**35):
            for count in (0, 1, 3, 40):
                base = (ORIGINS.index(origin) << KEY_ORIGIN_SHIFT) | (number << KEY_NUMBER_SHIFT)
                want = np.uint64(base) + np.arange(count, dtype=np.uint64)  # the keys as they were made
                got = idea_keys(origin, number, count)
                assert got.dtype == want.dtype and got.tolist() == want.tolist(), (origin, number, count)


def test_the_block_mixing_kernel_is_mix_array_of_the_keys_and_prefixes() -> None:
    rng = np.random.default_rng(23)
    for case in range(50):
        steps, events, count = int(rng.integers(1, 17)), int(rng.integers(1, 4)), int(rng.integers(0, 40))
        prefixes = rng.integers(0, 2**64 - 1, size=(steps, events), dtype=np.uint64)
        keys = rng.integers(0, 2**64 - 1, size=count, dtype=np.uint64)
        covered = int(rng.integers(0, count + 1))
        table = np.zeros((steps, events, count + 3), dtype=np.uint64)
        mix_keys(table, prefixes, keys, covered)
        mixed = keys[covered:] * np.uint64(GOLDEN)  # StepKeys.at's numpy steps before
        want = mix_array(mixed[None, None, :] + prefixes[:, :, None])
        assert table[:, :, covered:count].tolist() == want.tolist(), case
        assert not table[:, :, :covered].any() and not table[:, :, count:].any()
