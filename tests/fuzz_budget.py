"""The fuzz suites' budget, in one place: a small derandomized search for CI, a long one on request.

TRACKTWO_FUZZ=long runs the long search (TRACKTWO_FUZZ_EXAMPLES=N inputs per property, default 400).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG_EXAMPLES = int(os.environ.get("TRACKTWO_FUZZ_EXAMPLES", "400"))

# Numbers past Python's 4,300-digit limit for int <-> text: reading or printing one raises ValueError
# unless the loader catches it (issue 21: `--set workshops.size=<100,000 nines>` ended in a traceback).
LONG_INTEGER_TEXTS = ("9" * 100_000, "-" + "9" * 4_301, "1" + "0" * 5_000, "[1, " + "7" * 4_400 + "]")
LONG_INTEGER_DIGITS = (5_000, 4_400)  # as Python ints: build them with 10**n (hypothesis cannot repr them)


def fuzz_settings(ci_examples: int) -> settings:
    """Hypothesis settings for one fuzz suite: `ci_examples` per property in CI, or the long search."""
    if os.environ.get("TRACKTWO_FUZZ") == "long":
        return settings(max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    return settings(
        max_examples=ci_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
    )
