"""Every random draw of a run comes from generators spawned from the run's seed."""

from __future__ import annotations

import numpy as np

STREAMS = ("network", "attributes", "workshops", "diffusion", "ripeness")


def run_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per process, spawned from SeedSequence(seed).

    Separate streams keep common random numbers across programmes: two configurations run on
    the same seed draw the same network and actors, whatever their workshops do.
    """
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


PURPOSE_STREAMS = ("formats", "third_party", "initiatives", "voice", "localities", "proscribed")
FIRST_PURPOSE_KEY = 64  # spawn keys of the purpose streams start here, clear of STREAMS


def purpose_stream(seed: int, purpose: str) -> np.random.Generator:
    """A generator for one later mechanism, spawned from the run's seed apart from STREAMS.

    Child ``FIRST_PURPOSE_KEY + i`` of SeedSequence(seed) for the i-th purpose: a mechanism's draws
    never shift those of the processes that were there before it, or of the other mechanisms.
    """
    key = FIRST_PURPOSE_KEY + PURPOSE_STREAMS.index(purpose)
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(key,)))
