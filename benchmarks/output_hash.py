"""One hash of a run's outputs over seeds and configs: speed work must leave it unchanged.

Hashes outcomes, time series, ideas, events, workshops, adoptions, final trust, standing and
holdings, and (with the full record) the exposures, openings and counted officials, of 20 seeds of
the default config and 10 seeds each of the new-Track-Two scenario, compare.py's every-feature
config, the full record and three sides. Run it before and after a change and compare the lines.

    .venv/bin/python benchmarks/output_hash.py
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pandas as pd
import yaml
from compare import EVERY_FEATURE
from tracktwo.model.simulate import simulate

__all__ = ["CONFIGS", "main", "run_hash"]

ROOT = Path(__file__).resolve().parent.parent
CONFIGS: dict[str, tuple[dict, range]] = {
    "default": ({}, range(20)),
    "scenario": (yaml.safe_load((ROOT / "configs/new_track/scenario.yaml").read_text()), range(10)),
    "every": (EVERY_FEATURE, range(10)),
    "record": ({"evaluation.record": True}, range(10)),
    "sides3": ({"sides": 3}, range(10)),
}


def run_hash(config: dict, seed: int, h: hashlib._Hash) -> None:
    """Feed one run's outputs into `h`."""
    r = simulate(copy.deepcopy(config), seed)
    h.update(repr(sorted(r.outcomes.items())).encode())
    h.update(pd.util.hash_pandas_object(r.timeseries, index=True).to_numpy().tobytes())
    for table in (r.timeseries, r.ideas, r.events, r.workshops, r.adoptions()):
        h.update(table.to_csv().encode())
    m = r.model
    h.update(m.trust.tobytes())
    h.update(m.standing.tobytes())
    h.update(m.ideas.held[:, : m.ideas.count].tobytes())
    if m.record is not None:
        for column in m.record.exposures():
            h.update(column.tobytes())
        h.update(repr(m.record.openings).encode())
        for idea, by_side in sorted(m.record.counted.items()):
            h.update(repr((idea, {k: v.tolist() for k, v in by_side.items()})).encode())


def main() -> None:
    """Print one hash per config and the total."""
    total = hashlib.sha256()
    for name, (config, seeds) in CONFIGS.items():
        h = hashlib.sha256()
        for seed in seeds:
            run_hash(config, seed, h)
        print(name, h.hexdigest()[:16], flush=True)
        total.update(h.digest())
    print("TOTAL", total.hexdigest()[:16])


if __name__ == "__main__":
    main()
