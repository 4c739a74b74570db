"""The trainer's app in a real browser: `tracktwo app` on a free localhost port, driven by Debian's
chromium through Playwright, with every request to another host blocked (a room without internet).

Screenshots are saved under each test's tmp_path for inspection. Skipped, with the reason, only
where /usr/bin/chromium is not installed (`.ci/run` installs it with apt).
"""

from __future__ import annotations

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
UI_TIMEOUT_MS = 60_000  # generous: the machine may be busy with the statistical tests
VIEWPORT = {"width": 1600, "height": 1400}

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
                    f"tracktwo app did not serve {url} within {SERVER_START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}"
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


@pytest.fixture
def offline() -> Offline:
    return Offline()


@pytest.fixture
def page(browser, app_url, offline):
    """A fresh browser session on the app (so default settings), offline, loaded until Mesa's Step button shows."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.route("**/*", offline.route)
    page.on("requestfinished", offline.finished)
    page.on("websocket", lambda ws: offline.websockets.append(ws.url))
    page.goto(app_url)
    step_button(page).wait_for(state="visible")
    yield page
    context.close()


def step_button(page):
    return page.get_by_role("button", name="Step", exact=True)


def step_counter(page):
    """Mesa's counter: "Step: 3" up to Mesa 3.3, "Time: 3.0" from Mesa 3.4 (one step is one unit of time)."""
    return page.get_by_text(re.compile(r"^(Step: \d+|Time: \d+\.0)$"))


def current_step(page) -> int:
    return int(float(step_counter(page).inner_text().split(":")[1]))


def wait_for_step(page, step: int) -> None:
    page.wait_for_function(
        "step => [...document.querySelectorAll('span')].some(e => [`Step: ${step}`, `Time: ${step}.0`].includes(e.textContent.trim()))",
        arg=step,
        timeout=UI_TIMEOUT_MS,
    )


def wait_for_text(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible")


def settle(page, ms: int = 1500) -> None:
    """Give the server time to push redrawn figures after the counters have moved."""
    page.wait_for_timeout(ms)


def test_page_loads_offline_with_controls_and_network(page, offline, tmp_path):
    for name in (
        "Reset",
        "Step",
        "The usual suspects",
        "Autonomous thinkers",
        "A balanced mix",
        "Backchannel",
        "A ripe moment",
        "Stage a ripe moment now (24 months)",
        "Explore",
        "Side by side",
    ):
        assert page.get_by_role("button", name=name, exact=True).first.is_visible(), f"button {name!r} is not visible"
    sidebar = page.locator(".v-navigation-drawer")
    for label in (
        "Autonomous thinkers:",
        "Grassroots:",
        "Workshop size:",
        "A workshop every",
        "Confidentiality:",
        "Funder's conditions:",
    ):
        assert sidebar.get_by_text(label).first.is_visible(), f"slider {label!r} is not visible"
    for label in ("Facilitator's policy on conditions", "Mode", "Ripeness", "Seed (same seed, same conflict)"):
        assert sidebar.get_by_text(label, exact=True).first.is_visible(), f"control {label!r} is not visible"
    assert page.locator(".v-slider").count() >= 7
    network = page.locator("img.tt-network")
    network.wait_for(state="visible")
    box = network.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", network.element_handle())
    for plot in ("tt-plot-tracks", "tt-plot-novelty", "tt-plot-trust"):
        assert page.locator(f"img.{plot}").is_visible()
    wait_for_text(page, "Not ripe")
    assert current_step(page) == 0
    page.screenshot(path=tmp_path / "explore_loaded.png")
    assert offline.succeeded == [], f"requests left this machine: {offline.succeeded}"
    assert offline.attempted == [], f"the page tried to reach other hosts (blocked): {offline.attempted}"
    assert offline.websockets and all(Offline.is_local(url) for url in offline.websockets), offline.websockets


def test_step_advances_the_counter_and_changes_the_plots(page, offline, tmp_path):
    tracks, network = page.locator("img.tt-plot-tracks"), page.locator("img.tt-network")
    before_tracks, before_network = tracks.screenshot(), network.screenshot()
    step_button(page).click()
    wait_for_step(page, 1)
    for step in range(2, 7):  # past the first workshop (month 3), so ideas are held
        step_button(page).click()
        wait_for_step(page, step)
    wait_for_text(page, "6 of 120")
    settle(page)
    page.screenshot(path=tmp_path / "explore_after_6_steps.png")
    assert tracks.screenshot() != before_tracks, "the ideas-by-track plot did not change after stepping"
    assert network.screenshot() != before_network, "the network did not change after stepping"
    assert (
        page.get_by_text(re.compile(r"^Month 6")).first.is_visible() or page.get_by_text("6 of 120").first.is_visible()
    )

    page.get_by_role("button", name="Stage a ripe moment now (24 months)", exact=True).click()
    wait_for_text(page, "Ripe: looking for new approaches")
    wait_for_text(page, "until month 30")
    page.screenshot(path=tmp_path / "explore_ripe_moment_staged.png")
    assert offline.succeeded == []


def sidebar_text(page) -> str:
    return page.locator(".v-navigation-drawer").first.inner_text()


def test_choosing_a_preset_changes_the_parameters(page, offline, tmp_path):
    assert "Autonomous thinkers: 50% of Track Two seats" in sidebar_text(page)
    page.get_by_role("button", name="The usual suspects", exact=True).click()
    wait_for_text(page, "The usual suspects: what to watch for.")
    wait_for_text(page, "Autonomous thinkers: 0% of Track Two seats")
    wait_for_text(page, "100% influential elites")
    settle(page)
    page.screenshot(path=tmp_path / "preset_usual_suspects.png")

    page.get_by_role("button", name="Backchannel", exact=True).click()
    wait_for_text(page, "Backchannel: what to watch for.")
    wait_for_text(page, "Backchannel (officials under instructions)")
    assert "Backchannel (officials under instructions)" in sidebar_text(page)

    page.get_by_role("button", name="A ripe moment", exact=True).click()
    wait_for_text(page, "A ripe moment: what to watch for.")
    assert "Window opens in month 13" in sidebar_text(page)
    assert "A staged window" in sidebar_text(page)
    wait_for_step(page, 0)
    settle(page)
    page.screenshot(path=tmp_path / "preset_ripe_moment.png")
    assert offline.succeeded == []


def test_side_by_side_shows_two_runs_on_the_same_seed(page, offline, tmp_path):
    page.get_by_role("button", name="Side by side", exact=True).click()
    wait_for_text(page, "Run A: 0% autonomous thinkers")
    wait_for_text(page, "Run B: 100% autonomous thinkers")
    for run in ("tt-run-a", "tt-run-b"):
        page.locator(f".{run} img.tt-network").wait_for(state="visible")
        page.locator(f".{run} .tt-track-one").wait_for(state="visible")
    assert page.locator("img.tt-network").count() == 2
    page.get_by_role("button", name="+12 months", exact=True).click()
    wait_for_text(page, "Month 12 of 120")
    for run in ("tt-run-a", "tt-run-b"):
        page.locator(f".{run} .tt-track-one").get_by_text("12 of 120").wait_for(state="visible")
    page.locator("img.tt-comparison").wait_for(state="visible")
    settle(page, 2500)
    page.screenshot(path=tmp_path / "side_by_side.png", full_page=True)
    assert offline.succeeded == [] and offline.attempted == []
