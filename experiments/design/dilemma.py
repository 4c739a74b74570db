"""The Autonomy Dilemma's design: autonomous thinkers take 0, 10%, ..., 100% of the seats, influential elites the rest.

Every mix runs on the same seeds (common random numbers), so the curves differ by the mix, not by
luck. The design is a sweep of listed points, so it runs through the same engine as any sweep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracktwo.experiments.design.sweepfile import SweepSpec

__all__ = ["AUTONOMOUS_SHARES", "FRONTIER_KEY", "NAME", "SHARE_STEP", "dilemma_spec", "mix_point"]

NAME = "dilemma"
SHARE_STEP = 0.1
AUTONOMOUS_SHARES: tuple[float, ...] = tuple(round(k * SHARE_STEP, 2) for k in range(11))  # 0, 0.1, ..., 1
FRONTIER_KEY = "workshops.mix.autonomous"


def mix_point(share: float) -> dict[str, Any]:
    """One mix as a sweep point: autonomous thinkers take `share` of the seats, influential elites the rest."""
    return {"workshops.mix": {"elite": round(1.0 - share, 10), "autonomous": share}}


def dilemma_spec(base: dict[str, Any], seed: int, replicates: int, config: Path) -> SweepSpec:
    """The dilemma as a sweep: every mix of AUTONOMOUS_SHARES on common seeds, ranked by impact."""
    return SweepSpec(
        path=config,
        text="",
        name=NAME,
        method="grid",
        parameters={},
        base=base,
        base_path=config,
        replicates=replicates,
        seed=seed,
        metric={"name": "impact", "goal": "maximize"},
        timeseries_every=0,
        description="The Autonomy Dilemma: which share of autonomous thinkers gets the most novelty into Track One?",
        listed_points=tuple(mix_point(share) for share in AUTONOMOUS_SHARES),
        common_seeds=True,
    )
