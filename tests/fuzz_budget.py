"""The fuzz suites' budget, in one place: a small derandomized search for CI, a long one on request.

TRACKTWO_FUZZ=long runs the long search (TRACKTWO_FUZZ_EXAMPLES=N inputs per property, default 400).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG_EXAMPLES = int(os.environ.get("TRACKTWO_FUZZ_EXAMPLES", "400"))


def fuzz_settings(ci_examples: int) -> settings:
    """Hypothesis settings for one fuzz suite: `ci_examples` per property in CI, or the long search."""
    if os.environ.get("TRACKTWO_FUZZ") == "long":
        return settings(max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    return settings(
        max_examples=ci_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
    )
