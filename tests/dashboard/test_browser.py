"""End to end: the real ``dashboard`` process in headless Chromium, every page, screenshots.

Each page must finish rendering with its title, its figures drawn by Plotly and no error
element or traceback anywhere. A PNG of each page goes to ``var/test-artifacts/dashboard/``.
Without Chromium the test is skipped locally and fails under CI (``CI=true``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from soundstream_testing import wait_until
from soundstream_testing.browser import headless_chromium
from soundstream_testing.stack import LiveStack, free_port

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "dashboard"
START_TIMEOUT_SECONDS = 60.0
RENDER_TIMEOUT_SECONDS = 120.0
WIDTH = 1500
ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
# The page has settled: fonts loaded, images complete, every Plotly figure drawn at the width
# of its container (after a resize, Plotly redraws a moment later).
SETTLED = """
const figures = [...document.querySelectorAll('.js-plotly-plot')];
const drawn = figures.every(figure => {
  const svg = figure.querySelector('.main-svg');
  const width = figure.getBoundingClientRect().width;
  return svg !== null && Math.abs(svg.getBoundingClientRect().width - width) < 1;
});
const images = [...document.images].every(image => image.complete);
return drawn && images && document.fonts.status === 'loaded';
"""


@dataclass(frozen=True)
class PageCheck:
    path: str
    title: str
    figures: int
    css: str = ""  # an element the page must show, besides its figures
    count: int = 0


PAGES = {
    "overview": PageCheck("", "SoundStream Analytics", 3, '[data-testid="stMetric"]', 7),
    "recommendations": PageCheck("recommendations?user=2", "Recommendations", 1, ".ss-card", 12),
    "search": PageCheck("search", "Search artists", 1, '[data-testid="stDataFrame"]', 1),
    "tags": PageCheck("tags", "Tags", 2, ".ss-cloud", 2),
    "social": PageCheck("social", "Social graph", 3, '[data-testid="stMetric"]', 5),
    "models": PageCheck("models", "Models", 2, '[data-testid="stMetric"]', 10),
    "jobs": PageCheck("jobs", "Jobs", 1, '[data-testid="stGraphVizChart"] svg .node', 9),
    "trends": PageCheck("trends", "Trends & data quality", 3, '[data-testid="stMetric"]', 8),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = headless_chromium(WIDTH, 1800)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def dashboard_url(
    trained_stack: LiveStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The ``dashboard`` console script, started like the stack starts it, on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "DASHBOARD_PORT": str(port),
        "DASHBOARD_GATEWAY_URL": trained_stack.urls["gateway"],
        "DASHBOARD_API_KEY": trained_stack.admin_key,
    }
    log = tmp_path_factory.mktemp("dashboard") / "dashboard.out"
    command = str(Path(sys.executable).parent / "dashboard")
    with log.open("wb") as out:
        process = subprocess.Popen([command], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"dashboard exited with {process.returncode}:\n{log.read_text()}")
        return httpx.get(url + "/_stcore/health", timeout=2.0).text == "ok"

    wait_until(
        healthy,
        timeout=START_TIMEOUT_SECONDS,
        what=lambda: f"the dashboard to answer:\n{log.read_text()}",
        poll=0.5,
        ignoring=(httpx.HTTPError,),
    )


def rendered(driver: WebDriver, check: PageCheck) -> bool:
    """The script has finished and the title, the figures and the key elements are there."""
    find = driver.find_elements
    apps = find(By.CSS_SELECTOR, '[data-testid="stApp"]')
    if not apps or apps[0].get_attribute("data-test-script-state") != "notRunning":
        return False
    if find(By.CSS_SELECTOR, ERROR_SELECTORS):
        return True  # finished, with an error: reported by the test
    titles = [h.text for h in find(By.CSS_SELECTOR, "h1")]
    drawn = find(By.CSS_SELECTOR, ".js-plotly-plot .main-svg")
    extra = find(By.CSS_SELECTOR, check.css) if check.css else []
    return check.title in titles and len(drawn) >= check.figures and len(extra) >= check.count


def screenshot(driver: WebDriver, name: str) -> Path:
    """The whole page: the window grows to the content's height first."""
    height = driver.execute_script(
        "const main = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
        "return main ? main.scrollHeight : document.body.scrollHeight;"
    )
    driver.set_window_size(WIDTH, int(height) + 160)
    wait_settled(driver, name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(WIDTH, 1800)
    return path


def wait_settled(driver: WebDriver, name: str) -> None:
    wait_until(
        lambda: bool(driver.execute_script(SETTLED)),
        timeout=RENDER_TIMEOUT_SECONDS,
        what=f"{name}'s figures, images and fonts to settle",
        poll=0.1,
    )


def load(driver: WebDriver, url: str, name: str) -> None:
    """Open a page and wait until it has finished rendering (screenshot if it never does)."""
    check = PAGES[name]
    driver.get(f"{url}/{check.path}")
    wait_until(
        lambda: rendered(driver, check),
        timeout=RENDER_TIMEOUT_SECONDS,
        what=lambda: f"{name} to finish rendering (see {screenshot(driver, f'{name}-timeout')})",
        poll=0.5,
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_in_a_real_browser(
    name: str, browser: WebDriver, dashboard_url: str
) -> None:
    load(browser, dashboard_url, name)
    wait_settled(browser, name)
    path = screenshot(browser, name)

    errors = browser.find_elements(By.CSS_SELECTOR, ERROR_SELECTORS)
    assert not errors, f"{name}: {[e.text for e in errors]} (see {path})"
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Traceback" not in text, f"{name} shows a traceback (see {path})"
    assert path.stat().st_size > 20_000, "the screenshot shows a rendered page"


def test_clicking_a_friend_recentres_the_ego_network(
    browser: WebDriver, dashboard_url: str
) -> None:
    load(browser, dashboard_url, "social")

    def ego_title() -> str:
        titles = [t.text for t in browser.find_elements(By.CSS_SELECTOR, ".gtitle")]
        return next((t for t in titles if re.fullmatch(r"User \d+ and \d+ friends", t)), "")

    assert ego_title() == "User 2 and 13 friends"
    ego = browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")[-1]
    friends = ego.find_elements(By.CSS_SELECTOR, ".scatterlayer .trace")[1]
    ActionChains(browser).move_to_element(
        friends.find_elements(By.CSS_SELECTOR, ".point")[3]
    ).click().perform()
    wait_until(
        lambda: ego_title() not in ("", "User 2 and 13 friends"),
        timeout=RENDER_TIMEOUT_SECONDS,
        what=lambda: f"the ego network to recentre (see {screenshot(browser, 'social-click')})",
        poll=0.5,
    )
    assert not browser.find_elements(By.CSS_SELECTOR, ERROR_SELECTORS)
