"""The trainer's app in a real browser: `tracktwo app` on a free localhost port, driven by Debian's
chromium through Playwright, with every request to another host blocked (a room without internet).

Screenshots go under each test's tmp_path (or $TRACKTWO_SCREENSHOTS, to keep them) for a person to
look at. Skipped, with the reason, only where /usr/bin/chromium is not installed (`.ci/run` installs
it with apt).
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from tracktwo.app.presets import PAIR_STORY, PRESETS, PRESETS_BY_NAME
from tracktwo.app.runs import Settings
from tracktwo.model import simulate

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SERVER_START_TIMEOUT_S = 120
UI_TIMEOUT_MS = 90_000  # generous: the machine may be busy with the statistical tests
PROJECTOR_SCREENS = {"1280x720": {"width": 1280, "height": 720}, "1920x1080": {"width": 1920, "height": 1080}}
MONTHS = Settings.default().steps
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (Debian package 'chromium'; .ci/run installs it)"
    ),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """`tracktwo app --port N` serving until the module's tests are done."""
    port = free_port()
    log = tmp_path_factory.mktemp("app_server") / "server.log"
    tracktwo = Path(sys.executable).parent / "tracktwo"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [str(tracktwo), "app", "--port", str(port)], stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"tracktwo app exited with {server.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"tracktwo app did not serve {url} in {SERVER_START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: $TRACKTWO_SCREENSHOTS if set (to keep them), else the test's tmp dir."""
    folder = Path(os.environ.get("TRACKTWO_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Offline:
    """Records every request; lets localhost through and aborts everything else."""

    def __init__(self) -> None:
        self.attempted: list[str] = []
        self.succeeded: list[str] = []
        self.websockets: list[str] = []

    @staticmethod
    def is_local(url: str) -> bool:
        parsed = urlparse(url)
        return parsed.scheme in ("data", "blob") or parsed.hostname in LOCAL_HOSTS

    def route(self, route) -> None:
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.attempted.append(url)
            route.abort()

    def finished(self, request) -> None:
        if not self.is_local(request.url):
            self.succeeded.append(request.url)

    def check(self) -> None:
        assert self.succeeded == [], f"requests left this machine: {self.succeeded}"
        assert self.attempted == [], f"the page tried to reach other hosts (blocked): {self.attempted}"
        assert self.websockets and all(self.is_local(url) for url in self.websockets), self.websockets


def open_page(browser, url: str, viewport: dict, offline: Offline):
    """A fresh browser session (so default settings) on `url`, offline, loaded until a network is drawn."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.route("**/*", offline.route)
    page.on("requestfinished", offline.finished)
    page.on("websocket", lambda ws: offline.websockets.append(ws.url))
    started = time.perf_counter()
    page.goto(url)
    page.locator("img.tt-network").first.wait_for(state="visible")
    page.load_seconds = time.perf_counter() - started
    return page


@pytest.fixture
def offline() -> Offline:
    return Offline()


@pytest.fixture
def page(browser, app_url, offline):
    """Explore at 1280x720 (the smaller projector), offline."""
    page = open_page(browser, app_url, PROJECTOR_SCREENS["1280x720"], offline)
    yield page
    page.context.close()


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True).first


def month_shown(page) -> int:
    return int(re.match(r"Month (\d+) of", page.locator(".tt-month").inner_text()).group(1))


def wait_for_month(page, month: int) -> None:
    page.locator(".tt-month").get_by_text(f"Month {month} of {MONTHS}").wait_for()


def settle(page, ms: int = 1500) -> None:
    """Give the server time to push redrawn figures after the counters have moved."""
    page.wait_for_timeout(ms)


def assert_inside_viewport(page, selector: str) -> None:
    viewport = page.viewport_size
    locator = page.locator(selector)
    assert locator.count() >= 1, f"{selector} is not on the page"
    for index in range(locator.count()):
        box = locator.nth(index).bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 20, f"{selector}: {box}"
        assert box["x"] >= 0 and box["y"] >= 0, f"{selector} starts off screen: {box}"
        assert box["x"] + box["width"] <= viewport["width"] + 1, f"{selector} is cut at the right: {box}"
        assert box["y"] + box["height"] <= viewport["height"] + 1, f"{selector} is below the fold: {box}"


@pytest.mark.parametrize("screen", PROJECTOR_SCREENS, ids=str)
def test_one_screen_on_a_projector(browser, app_url, offline, shots, screen):
    """Explore: network, Track One and the plot to watch on one screen; Side by side: both runs and the chart."""
    page = open_page(browser, app_url, PROJECTOR_SCREENS[screen], offline)
    try:
        print(f"{screen}: page drawn in {page.load_seconds:.1f} s")
        button(page, "A balanced mix").click()
        page.get_by_text("Watch:").first.wait_for()
        button(page, "Step").click()
        wait_for_month(page, 1)
        settle(page)
        for selector in (
            "img.tt-network",
            ".tt-track-one",
            ".tt-stage-side img.tt-plot-novelty",
            ".tt-controls",
            ".tt-presets",
            ".tt-sidebar",
        ):
            assert_inside_viewport(page, selector)
        card = page.locator(".tt-track-one")
        rows = ("Influence on the process", "Ideas that entered Track One", "Agenda that entered")  # what got in (26)
        for row in rows:
            assert card.get_by_text(row).is_visible(), f"Track One card row {row!r}"
        for name in ("Play", "Step", "Reset", "slow", "normal", "fast", "Hide settings", *(p.name for p in PRESETS)):
            assert button(page, name).is_visible(), f"button {name!r}"
        for label in ("Play Interval", "Render Interval", "Use Threads", "Information:"):
            assert page.get_by_text(label).count() == 0, f"Mesa's control {label!r} is on the page"
        page.screenshot(path=shots / f"explore_{screen}.png")

        button(page, "Side by side").click()
        page.locator(".tt-run-b img.tt-network").wait_for(state="visible")
        page.locator("img.tt-comparison").wait_for(state="visible")
        assert page.locator(".tt-sidebar").count() == 0, "Side by side opens with the sidebar hidden"
        settle(page)
        for selector in ("img.tt-network", "img.tt-comparison", ".tt-run-name", ".tt-controls"):
            assert_inside_viewport(page, selector)
        assert page.locator("img.tt-network").count() == 2
        page.screenshot(path=shots / f"side_by_side_{screen}.png")
        button(page, "Settings").click()
        page.locator(".tt-sidebar").get_by_text("Run A: autonomous thinkers").wait_for()
        offline.check()
    finally:
        page.context.close()


def test_play_to_the_end_never_passes_the_last_month_and_says_so(page, offline, shots):
    preset = PRESETS_BY_NAME["A ripe moment"]
    button(page, preset.name).click()
    page.locator(".tt-presets").get_by_text(preset.watch[:40]).wait_for()
    button(page, "fast").click()
    started = time.perf_counter()
    button(page, "Play").click()
    seen: list[int] = []
    banner = page.locator(".tt-finished")
    while not banner.is_visible():
        seen.append(month_shown(page))
        assert seen[-1] <= MONTHS, f"the month counter passed the last month: {seen}"
        assert time.perf_counter() - started < UI_TIMEOUT_MS / 1000, f"the run did not finish: {seen}"
        page.wait_for_timeout(250)
    print(f"fast: a full run in {time.perf_counter() - started:.1f} s")
    assert month_shown(page) == MONTHS and seen == sorted(seen)
    outcomes = simulate(preset.apply().params(), preset.seed).outcomes
    text = banner.inner_text()
    assert f"Run finished at month {MONTHS}" in text
    assert f"{outcomes['ideas_transferred']:.0f} of {outcomes['ideas_generated']:.0f} generated" in text
    assert f"impact {outcomes['impact']:.2f}" in text, "the browser shows the run that simulate() gives"
    assert button(page, "Play").is_disabled() and button(page, "Step").is_disabled()
    assert_inside_viewport(page, ".tt-finished")
    settle(page)
    plot = page.locator(".tt-stage-side img.tt-plot").bounding_box()  # the card grows as ideas enter: it must not
    assert plot is not None and plot["height"] >= 0.3 * page.viewport_size["height"], f"the plot to watch: {plot}"
    page.screenshot(path=shots / "explore_finished.png")

    button(page, "Scoreboard").click()
    board = page.locator("table.tt-scoreboard")
    board.wait_for()
    assert preset.name in board.inner_text() and f"{outcomes['impact']:.2f}" in board.inner_text()
    button(page, "Run 20 seeds of the current settings").click()
    page.get_by_text(f"{preset.name}: mean of 20 seeds (95% interval)").wait_for()
    page.screenshot(path=shots / "scoreboard.png")
    offline.check()


def test_every_preset_pins_its_seed_and_shows_its_checked_story(page, offline):
    from playwright.sync_api import expect

    for preset in PRESETS:
        button(page, preset.name).click()
        page.locator(".tt-presets").get_by_text(preset.watch[:40]).wait_for()
        page.locator(".tt-running").get_by_text(f"seed {preset.seed}").wait_for()
        claim = preset.claim()
        assert claim.holds, f"{preset.name}: {claim.summary}"
        # every preset pins the same seed: wait for this preset's own story, not the previous one's
        checked = f"Checked on seed {preset.seed}: {claim.summary}"
        expect(page.locator(".tt-explanation")).to_contain_text(checked, timeout=UI_TIMEOUT_MS)
    button(page, "Side by side").click()
    page.locator(".tt-watch").get_by_text(PAIR_STORY.claim().summary[:30]).wait_for()
    offline.check()


def test_controls_a_mode_makes_moot_are_disabled_and_texts_follow(page, offline):
    sidebar = page.locator(".tt-sidebar")
    assert sidebar.get_by_text("A workshop every 4 months").is_visible()
    assert sidebar.get_by_text("Policy on conditions (none set)").is_visible()
    disabled = sidebar.locator(".tt-disabled .v-slider--disabled")
    assert disabled.count() == 1, "only the middle-range seats, with no middle-range leaders"
    button(page, "Backchannel").click()
    sidebar.get_by_text("A backchannel seats officials only").wait_for()
    assert disabled.count() == 3, "both mix sliders are disabled too"
    page.locator(".tt-running").get_by_text("officials only").wait_for()
    button(page, "Step").click()
    wait_for_month(page, 1)
    for _ in range(2):
        button(page, "Step").click()
    wait_for_month(page, 3)
    page.locator(".tt-workshop").get_by_text(re.compile(r"\d+ officials?\b")).first.wait_for()
    assert "official " not in page.locator(".tt-workshop").inner_text().replace("officials", "")
    button(page, "The usual suspects").click()
    page.locator(".tt-presets").get_by_text(PRESETS_BY_NAME["The usual suspects"].watch[:40]).wait_for()
    assert sidebar.locator(".v-slider--disabled").count() == 1  # the mix is live again; no middle-range leaders
    button(page, "Stage a ripe moment now (24 months)").click()
    page.get_by_text("Ripe: looking for new approaches").wait_for()
    page.locator(".tt-track-one").get_by_text("until month 24").wait_for()
    offline.check()


def test_exports_download_valid_files(page, offline):
    for _ in range(5):
        button(page, "Step").click()
    wait_for_month(page, 5)
    downloads = page.locator(".tt-downloads").first
    for label in ("Network (PNG)", "Novelty of ideas (PNG)", "Cross-side trust (PNG)", "Ideas held, by track (PNG)"):
        with page.expect_download() as download:
            downloads.get_by_role("button", name=label).click()
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000, label
        assert download.value.suggested_filename.endswith("_month5.png")
    with page.expect_download() as download:
        downloads.get_by_role("button", name="This run (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [int(row["month"]) for row in rows] == [1, 2, 3, 4, 5]
    assert {"ripe", "leak", "ideas_transferred", "mean_cross_side_trust"} <= set(rows[0])
    offline.check()


def test_about_tab_and_full_screen(page, offline, shots):
    button(page, "Full screen").click()
    page.wait_for_function("document.fullscreenElement !== null")
    button(page, "Full screen").click()
    page.wait_for_function("document.fullscreenElement === null")
    button(page, "About this model").click()
    about = page.locator(".tt-about")
    about.get_by_text("Impact").first.wait_for()
    for words in ("Novelty", "Ripeness", "Sources", "seed"):
        assert words in about.inner_text()
    page.screenshot(path=shots / "about.png")
    offline.check()


def test_the_ngo_programme_and_the_evaluate_tab_fit_a_projector(page, offline, shots):
    """The NGO preset: its routes plot and multi-track card on screen; Evaluate: the verdicts and chart on screen."""
    preset = PRESETS_BY_NAME["An NGO's multi-track programme"]
    button(page, preset.name).click()
    page.locator(".tt-presets").get_by_text(preset.watch[:40]).wait_for()
    sidebar = page.locator(".tt-sidebar")
    sidebar.get_by_text("Mode (the NGO's workshops are Track 1.5)").wait_for()
    assert sidebar.get_by_text("Workshop size: 12 seats (trainings: 24 seats)").is_visible()
    for _ in range(3):
        button(page, "Step").click()
    wait_for_month(page, 3)
    page.locator(".tt-workshop").get_by_text("a capacity-building training").wait_for()
    settle(page)
    for selector in ("img.tt-network", ".tt-track-one", ".tt-stage-side img.tt-plot-routes", ".tt-controls"):
        assert_inside_viewport(page, selector)
    assert "Local agreements" in page.locator(".tt-track-one").inner_text()
    page.screenshot(path=shots / "explore_ngo_1280x720.png")

    button(page, "Evaluate").click()
    started = time.perf_counter()
    button(page, "Evaluate this run").click()
    page.locator("img.tt-evaluation").wait_for(state="visible")
    print(f"Evaluate this run ({preset.name}, seed {preset.seed}): {time.perf_counter() - started:.1f} s")
    outcomes = simulate(preset.apply().params(), preset.seed).outcomes
    summary = page.locator(".tt-eval-summary").inner_text()
    assert f"On seed {preset.seed}: impact {outcomes['impact']:.2f}." in summary
    assert summary.count("is on the chain of") == 3
    rows = page.locator("table.tt-eval-table tbody tr")
    assert rows.count() == outcomes["workshops_held"], "one row per meeting held"
    for screen, viewport in PROJECTOR_SCREENS.items():
        page.set_viewport_size(viewport)
        settle(page, 800)
        for selector in (".tt-eval-summary", "img.tt-evaluation", ".tt-evaluate", ".tt-evaluate-seeds"):
            assert_inside_viewport(page, selector)
        page.screenshot(path=shots / f"evaluate_{screen}.png")
    offline.check()
