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
