"""One hash of the runs `output_hash.py` does not cover: speed work must leave it unchanged too.

Compare.py's every-feature config on seeds 10-19 (beyond output_hash.py's), four sides, each
`configs/new_track/*.yaml` config and each programme of each `configs/programmes/*.yaml` file
(its base config with its overrides, as `tracktwo compare` runs it), a few seeds each.

    .venv/bin/python benchmarks/output_hash_extra.py
"""

from __future__ import annotations

import copy
import hashlib

from compare import EVERY_FEATURE
from output_hash import ROOT, run_hash
from tracktwo.experiments.design.config import load_params
from tracktwo.experiments.design.programmes import load_programmes
from tracktwo.model import merge

__all__ = ["cases", "main"]


def cases() -> list[tuple[str, object, range]]:
    """(name, Params or config mapping, seeds) of every run hashed."""
    listed: list[tuple[str, object, range]] = [
        ("every 10-19", EVERY_FEATURE, range(10, 20)),
        ("sides4", {"sides": 4}, range(6)),
    ]
    for path in sorted((ROOT / "configs/new_track").glob("*.yaml")):
        listed.append((path.name, load_params(path), range(4)))
    for path in sorted((ROOT / "configs/programmes").glob("*.yaml")):
        programmes = load_programmes(path)
        for programme in programmes.programmes:
            config = merge(copy.deepcopy(programmes.base), programme.overrides)
            listed.append((f"{path.stem}: {programme.name}", config, range(3)))
    return listed


def main() -> None:
    """Print each case's hash and the TOTAL."""
    total = hashlib.sha256()
    for name, config, seeds in cases():
        h = hashlib.sha256()
        for seed in seeds:
            run_hash(config, seed, h)
        print(f"{name:50s} {h.hexdigest()[:16]}")
        total.update(h.digest())
    print("TOTAL", total.hexdigest()[:16])


if __name__ == "__main__":
    main()
