"""What do the "new" Track Two features cost? A default run against a default run with every one enabled.

Both run 120 months on the default synthetic conflict, in this process, on the same seeds; the
"every feature" config adds an NGO mediator with a hybrid team and a reputation that invitees
watch, a schedule of every format (trainings, Track 1.5 workshops, shuttle rounds, an exposure
trip, joint reports), voice weights, proscribed members of a kind, and a second, uncoordinated
initiative on the same pool. Prints the median wall time of each and the ratio (target: under 2x).

    .venv/bin/python benchmarks/bench_new_track.py            # 20 seeds each, about 15 s
    .venv/bin/python benchmarks/bench_new_track.py --seeds 5  # quicker
"""

from __future__ import annotations

import argparse
import statistics
import time

from tracktwo.model import make_params, simulate

RATIO_TARGET = 2.0
EVERY_FEATURE = {
    "programme.third_party": {"type": "ngo_mediator", "facilitation": "hybrid", "decline_below": 0.5},
    "programme.events": [
        {"format": "training", "step": 3, "count": 2, "interval": 4, "size": 24},
        {"format": "workshop", "step": 11, "count": 18, "interval": 4, "mode": "track1.5"},
        {"format": "shuttle", "step": 13, "count": 3, "interval": 24},
        {"format": "exposure_trip", "step": 24},
        {"format": "knowledge_product", "step": 36, "count": 3, "interval": 24},
    ],
    "initiatives": [{"name": "Second NGO", "third_party": {"type": "ngo_mediator"}, "workshops": {"first_step": 5}}],
    "voice.weights": {"kind_autonomous": 0.6},
    "kinds.elite.proscribed": 0.1,
}


def median_run_seconds(overrides: dict, seeds: range) -> float:
    """Median wall time of one run (params validated once, outside the timing)."""
    params = make_params(overrides)
    times = []
    for seed in seeds:
        start = time.perf_counter()
        simulate(params, seed)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print both medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="runs per config (default 20)")
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    simulate({}, 0)  # warm-up: imports, first allocation
    default = median_run_seconds({}, seeds)
    everything = median_run_seconds(EVERY_FEATURE, seeds)
    ratio = everything / default
    print(f"default run:            {default * 1000:7.1f} ms (median of {args.seeds})")
    print(f"every new feature on:   {everything * 1000:7.1f} ms (median of {args.seeds})")
    verdict = "within" if ratio < RATIO_TARGET else "OVER"
    print(f"ratio:                  {ratio:7.2f}x ({verdict} the {RATIO_TARGET:g}x target)")


if __name__ == "__main__":
    main()
