"""Suite-wide hooks and fixtures: runs shared across tests and sessions, and the longest work first.

`shared_runs` gives the statistical tests their runs (tests/replicates.py: simulated once, kept in
.pytest_cache under a key of the model's code).

Scheduling (`make test`, two xdist workers). xdist's default `load` hands each worker a first chunk of a
quarter of the suite's consecutive tests: with the longest first, one worker got every long test and was
the tail. Under xdist (without an explicit `--dist`) the suite runs `--dist loadgroup` without xdist's
reordering: a module whose tests use a module-scoped fixture is one unit (its fixture made once, on one
worker), every other test is its own unit, and each worker takes the next unit as it frees up (no more
than two tests queued), so the units run longest first on whichever worker is free (LPT).

A unit's expected time is the sum of its tests': each test's duration (setup, call and teardown) kept in
pytest's cache (.pytest_cache) after a session, else tests/durations.json (shipped: a fresh clone and CI
have no cache), else SLOW_GUESS_S if marked slow, else FAST_GUESS_S. A duration kept is the larger of the
new one and half the old one: a session that read its simulated runs from the cache (tests/replicates.py)
does not send the tests that simulate them to the back of the next session, when the model changed.
`TRACKTWO_SAVE_DURATIONS=1` writes this session's durations to tests/durations.json (run it cold:
`TRACKTWO_SAVE_DURATIONS=1 make test-cold`).

The `slow` marker is what `make test-fast` and CI's pass on the newest Python leave out: a test over
SLOW_THRESHOLD_S alone. The session's summary names the tests that took longer without it.

Temporary folders (tmp_path) are on tmpfs (SCRATCH, /dev/shm) when it has room: the results store syncs every
run's commit to disk (experiments/engine/store.py), which on a busy disk cost several ms a run (2,232 runs of an
evaluate: 24-36 s on disk, 16-24 s on tmpfs). A session's folder is removed when it passes and kept when a test
failed. `--basetemp`, or TRACKTWO_TEST_TMP=disk, keeps pytest's own place.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pytest
from replicates import SharedRuns, code_key, prune

DURATIONS_KEY = "tracktwo/durations"
SHIPPED_DURATIONS = Path(__file__).with_name("durations.json")  # seconds per test, cold, one idle core
SLOW_GUESS_S = 20.0
FAST_GUESS_S = 0.5
DECAY = 0.5  # a stored duration falls by at most this factor per session
SLOW_THRESHOLD_S = 5.0  # a test this long alone on an idle core is marked slow
UNMARKED_NOTICE_S = 2 * SLOW_THRESHOLD_S  # named at the end when unmarked (twice: a busy machine or worker is slower)
GROUP_SUFFIX = re.compile(r"@[^@\[\]]*$")  # xdist's "@group" added to a grouped test's id under loadgroup
SCRATCH = Path("/dev/shm")  # tmpfs: a synced commit costs no disk flush
SCRATCH_MIN_FREE_BYTES = 4 * 2**30  # a small /dev/shm (a container's 64 MB) keeps pytest's own place
SCRATCH_STALE_S = 24 * 3600  # a failed session's folder is kept this long for a look, then removed
SESSION_FOLDER = pytest.StashKey[Path]()
SESSION_PASSED = pytest.StashKey[bool]()


def plain_id(nodeid: str) -> str:
    """A test's id without xdist's "@group" suffix (the key its duration is kept under)."""
    return GROUP_SUFFIX.sub("", nodeid)


def _stored(config: pytest.Config) -> dict[str, float]:
    cache = getattr(config, "cache", None)
    return cache.get(DURATIONS_KEY, {}) if cache is not None else {}


def _shipped() -> dict[str, float]:
    try:
        return json.loads(SHIPPED_DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _module_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture made once per module (or class or package): its module stays on one worker."""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.values() if info is not None else ()
    return any(d.scope in ("module", "class", "package") for chain in defs for d in chain)


GROUPED_MODULES = pytest.StashKey[set[str]]()
UNITS_FILE = "tracktwo_units_file"  # workerinput key: where workers tell the controller which modules are units


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep a module together (one unit) when its tests share a module-scoped fixture; tell the xdist controller."""
    grouped = {item.nodeid.split("::")[0] for item in items if _module_fixture(item)}
    config.stash[GROUPED_MODULES] = grouped
    units_file = getattr(config, "workerinput", {}).get(UNITS_FILE)
    if units_file:  # every worker collects the same tests: whichever writes last writes the same list
        Path(units_file).write_text(json.dumps(sorted(grouped)), encoding="utf-8")


class LongestFirst:
    """Orders the tests after pytest's own reordering by fixtures (a plugin registered before the session's)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Longest unit first (a grouped module, or one test), and the longest tests first within a unit."""
        stored = {**_shipped(), **_stored(self.config)}
        grouped = self.config.stash.get(GROUPED_MODULES, set())

        def unit(item: pytest.Item) -> str:  # what a worker takes at once: a grouped test's module, else the test
            module = item.nodeid.split("::")[0]
            return module if module in grouped else plain_id(item.nodeid)

        expected: dict[str, float] = {}
        totals: dict[str, float] = defaultdict(float)
        for item in items:
            guess = SLOW_GUESS_S if item.get_closest_marker("slow") else FAST_GUESS_S
            expected[item.nodeid] = stored.get(plain_id(item.nodeid), guess)
            totals[unit(item)] += expected[item.nodeid]
        position = {id(item): i for i, item in enumerate(items)}
        items.sort(key=lambda i: (-totals[unit(i)], unit(i), -expected[i.nodeid], position[id(i)]))


class DurationRecorder:
    """Each test's time over its phases; kept in the cache when the session ends."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.durations: dict[str, float] = defaultdict(float)
        self.unmarked: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Add up a test's phases (under xdist, every worker's reports reach the controller)."""
        nodeid = plain_id(report.nodeid)
        self.durations[nodeid] += report.duration
        if "slow" not in report.keywords and "browser" not in report.keywords:
            self.unmarked.add(nodeid)

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
        if hasattr(self.config, "workerinput") or not self.durations:
            return
        if os.environ.get("TRACKTWO_SAVE_DURATIONS"):  # a fresh clone's order: run the whole suite, cold, idle
            shipped = {nodeid: round(seconds, 2) for nodeid, seconds in sorted(self.durations.items())}
            SHIPPED_DURATIONS.write_text(json.dumps(shipped, indent=0) + "\n", encoding="utf-8")
        cache = getattr(self.config, "cache", None)
        if cache is None:
            return
        stored = _stored(self.config)
        for nodeid, seconds in self.durations.items():
            stored[nodeid] = round(max(seconds, DECAY * stored.get(nodeid, 0.0)), 3)
        cache.set(DURATIONS_KEY, stored)


def _scratch_root() -> Path | None:
    """This user's folder of session folders on tmpfs, or None where tmpfs is missing, small or not wanted."""
    if os.environ.get("TRACKTWO_TEST_TMP", "scratch") == "disk" or not SCRATCH.is_dir():
        return None
    try:
        if not os.access(SCRATCH, os.W_OK) or shutil.disk_usage(SCRATCH).free < SCRATCH_MIN_FREE_BYTES:
            return None
        root = SCRATCH / f"tracktwo-tests-{os.getuid()}"
        root.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    for old in root.iterdir():  # failed sessions' folders, a day after (a running session's is younger)
        try:
            if time.time() - old.stat().st_mtime > SCRATCH_STALE_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return root


@pytest.hookimpl(tryfirst=True)  # before pytest's tmpdir plugin reads --basetemp
def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders on tmpfs; record durations for the next session's order; order tests longest first."""
    if config.option.basetemp is None and not hasattr(config, "workerinput"):  # xdist workers: the controller's
        root = _scratch_root()
        if root is not None:
            folder = Path(tempfile.mkdtemp(prefix="session-", dir=root))
            config.option.basetemp = str(folder)
            config.stash[SESSION_FOLDER] = folder
    config.pluginmanager.register(DurationRecorder(config), "tracktwo-durations")
    config.pluginmanager.register(LongestFirst(config), "tracktwo-longest-first")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this session's tmpfs folder if every test passed (a failed test's files stay for a look)."""
    folder = config.stash.get(SESSION_FOLDER, None)
    if folder is not None and config.stash.get(SESSION_PASSED, False):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Note whether the session passed (its tmpfs folder is then removed)."""
    session.config.stash[SESSION_PASSED] = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """Tell each xdist worker where to write the modules that are one unit (read by the scheduler below)."""
    node.workerinput[UNITS_FILE] = str(_units_file(node.config))


def _units_file(config: pytest.Config) -> Path:
    return config._tmp_path_factory.getbasetemp() / "tracktwo-units.json"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under `-n N` without `--dist`: units in the workers' (longest-first) order, each to whichever worker frees up.

    xdist's default `load` gives each worker a first chunk of a quarter of the suite's consecutive tests, so one
    worker got every long test and was the tail. Here a unit is a test, or a whole module whose tests share a
    module-scoped fixture (made once, on one worker); a worker gets the next unit when it has two tests or fewer
    left (xdist's LoadScopeScheduling, without its reordering by unit size).
    """
    explicit = any(arg == "--dist" or arg.startswith(("--dist=", "-d")) for arg in config.invocation_params.args)
    if config.option.dist != "load" or explicit:
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def schedule(self) -> None:
            if self.collection is None:
                try:
                    self.grouped = set(json.loads(_units_file(config).read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    self.grouped = set()
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module in self.grouped else nodeid

    config.option.loadscopereorder = False
    return Units(config, log)


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
