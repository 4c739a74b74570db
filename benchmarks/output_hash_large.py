"""One hash of large runs' outputs: advocacy's paths for many actors must leave it unchanged.

`output_hash.py` covers the default sizes (a few hundred actors), where advocacy takes its small-network
paths. This covers the large ones: plain diffusion at N = 10,000 (50 steps) and 100,000 (35 steps), and
the default kinds scaled to 3,000 actors (with the full record, three sides, officials not weighing
standing) and 20,000 (with the full record), two seeds each. It hashes holdings, first sources, first
adoption steps, the adoption log, trust, standing and the record's exposures. Run it before and after a
change (about 5 s) and compare the lines (TOTAL f9ee630a6e138039 at ecfd1e3 and since).

    .venv/bin/python benchmarks/output_hash_large.py
"""

from __future__ import annotations

import copy
import hashlib

import numpy as np
from compare import build_config
from timing import NETWORK_SEED, si_config
from tracktwo.model import TrackTwoModel, simulate

__all__ = ["CONFIGS", "main"]


def _scaled(n_actors: int, **changes) -> dict:
    """The default kinds scaled to about n_actors actors, with workshops, 48 months."""
    config = build_config(n_actors)
    config.pop("workshops.count")
    return {**config, "steps": 48, **changes}


CONFIGS: dict[str, dict] = {
    "kinds_3000": _scaled(3_000),
    "kinds_3000_record": _scaled(3_000, **{"evaluation.record": True}),
    "kinds_3000_no_weighing": _scaled(3_000, **{"diffusion.officials_weigh_standing": False}),
    "kinds_3000_three_sides": _scaled(3_000, sides=3),
    "kinds_20000_record": _scaled(20_000, **{"evaluation.record": True, "steps": 24}),
}
PLAIN = {"plain_10000": (10_000, 50), "plain_100000": (100_000, 35)}


def _feed(model: TrackTwoModel, h: hashlib._Hash) -> None:
    ideas = model.ideas
    for array in (
        ideas.held[:, : ideas.count],
        ideas.source[:, : ideas.count],
        ideas.first_adopted[:, : ideas.count],
        model.trust,
        model.standing,
    ):
        h.update(np.ascontiguousarray(array).tobytes())
    for column in ideas.adoption_log():
        h.update(column.tobytes())
    if model.record is not None:
        for column in model.record.exposures():
            h.update(column.tobytes())


def main() -> None:
    """Print one hash per run family and the total."""
    total = hashlib.sha256()
    for name, (n_agents, steps) in PLAIN.items():
        h = hashlib.sha256()
        model = TrackTwoModel(si_config(n_agents, 50), seed=NETWORK_SEED)
        for _ in range(steps):
            model.step()
        _feed(model, h)
        total.update(h.digest())
        print(name, h.hexdigest()[:16], flush=True)
    for name, config in CONFIGS.items():
        h = hashlib.sha256()
        for seed in (1, 2):
            result = simulate(copy.deepcopy(config), seed)
            h.update(result.timeseries.to_csv().encode())
            _feed(result.model, h)
        total.update(h.digest())
        print(name, h.hexdigest()[:16], flush=True)
    print("TOTAL", total.hexdigest()[:16])


if __name__ == "__main__":
    main()
