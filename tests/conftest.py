"""Suite-wide hooks and fixtures: runs shared across tests and sessions, and the longest tests first.

`shared_runs` gives the statistical tests their runs (tests/replicates.py: simulated once, kept in
.pytest_cache under a key of the model's code).

Each test's duration (setup, call and teardown) is kept in pytest's cache (.pytest_cache) after a
session; the next session orders the modules by their expected total, longest first, and each
module's tests by their expected duration, longest first (a module's tests stay together, so its
module-scoped fixtures are made once; none of them is parametrized). A test never timed yet
counts SLOW_GUESS_S if marked slow, else FAST_GUESS_S. A duration kept is the larger of the new one
and half the old one: a session that read its simulated runs from the cache (tests/replicates.py)
does not send the modules that simulate them to the back of the next session, when the model changed.

The `slow` marker is what `make test-fast` and CI's pass on the newest Python leave out: a test over
SLOW_THRESHOLD_S alone. The session's summary names the tests that took longer without it.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
from replicates import SharedRuns, code_key, prune

DURATIONS_KEY = "tracktwo/durations"
SLOW_GUESS_S = 20.0
FAST_GUESS_S = 0.5
DECAY = 0.5  # a stored duration falls by at most this factor per session
SLOW_THRESHOLD_S = 5.0  # a test this long alone on an idle core is marked slow
UNMARKED_NOTICE_S = 2 * SLOW_THRESHOLD_S  # named at the end when unmarked (twice: a busy machine or worker is slower)


def _stored(config: pytest.Config) -> dict[str, float]:
    cache = getattr(config, "cache", None)
    return cache.get(DURATIONS_KEY, {}) if cache is not None else {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest modules first, and the longest tests first within each module (by stored durations, or the marker)."""
    stored = _stored(config)
    expected: dict[str, float] = {}
    totals: dict[str, float] = defaultdict(float)
    for item in items:
        guess = SLOW_GUESS_S if item.get_closest_marker("slow") else FAST_GUESS_S
        expected[item.nodeid] = stored.get(item.nodeid, guess)
        totals[item.nodeid.split("::")[0]] += expected[item.nodeid]
    position = {id(item): i for i, item in enumerate(items)}
    items.sort(
        key=lambda i: (-totals[i.nodeid.split("::")[0]], i.nodeid.split("::")[0], -expected[i.nodeid], position[id(i)])
    )


class DurationRecorder:
    """Each test's time over its phases; kept in the cache when the session ends."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.durations: dict[str, float] = defaultdict(float)
        self.unmarked: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Add up a test's phases (under xdist, every worker's reports reach the controller)."""
        self.durations[report.nodeid] += report.duration
        if "slow" not in report.keywords and "browser" not in report.keywords:
            self.unmarked.add(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        """Name the tests that took more than UNMARKED_NOTICE_S without the slow marker (keep the marker honest)."""
        if hasattr(self.config, "workerinput"):
            return
        long = sorted((n for n in self.unmarked if self.durations[n] > UNMARKED_NOTICE_S), key=self.durations.get)
        for nodeid in reversed(long):
            terminalreporter.write_line(
                f"not marked slow, took {self.durations[nodeid]:.0f} s here: {nodeid} (conftest.py: SLOW_THRESHOLD_S)"
            )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Keep this session's durations (in the controller or a single process, not in xdist workers)."""
        cache = getattr(self.config, "cache", None)
        if cache is None or hasattr(self.config, "workerinput") or not self.durations:
            return
        stored = _stored(self.config)
        for nodeid, seconds in self.durations.items():
            stored[nodeid] = round(max(seconds, DECAY * stored.get(nodeid, 0.0)), 3)
        cache.set(DURATIONS_KEY, stored)


def pytest_configure(config: pytest.Config) -> None:
    """Record durations for the next session's order."""
    config.pluginmanager.register(DurationRecorder(config), "tracktwo-durations")


@pytest.fixture(scope="session")
def shared_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SharedRuns:
    """Outcome tables by (parameters, seeds), simulated once whichever xdist worker asks first.

    Kept across sessions in pytest's cache folder (.pytest_cache) under a key of the model's code; with
    TRACKTWO_TEST_CACHE=off, or without pytest's cache plugin, only in this session's temporary folder.
    """
    key = code_key()
    cache = getattr(request.config, "cache", None)
    if cache is not None and os.environ.get("TRACKTWO_TEST_CACHE", "on") != "off":
        root = cache.mkdir("tracktwo-runs")
        if os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":  # one process prunes; the others only read
            prune(root, key)
        return SharedRuns(root / key)
    base = tmp_path_factory.getbasetemp()
    return SharedRuns((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "tracktwo-runs" / key)
