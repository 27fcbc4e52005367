"""The product end to end, as a user meets it after ``make dev``: the real data loaded, a model
retrained through the SDK with an admin key, recommendations through the gateway, the
dashboard rendered in headless Chromium. The stack's fixture then stops it and fails if any
process is left behind."""

from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import WebDriverException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By

from soundstream import ConflictError, SoundStream
from soundstream_testing import wait_until
from soundstream_testing.browser import headless_chromium
from soundstream_testing.stack import LiveStack

ARTIFACTS = Path("var") / "test-artifacts" / "stack"
RENDER_TIMEOUT_SECONDS = 60.0
# Streamlit's markers of a failed page: an exception block or an error alert.
ERROR_SELECTORS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')


def retrain_and_wait(client: SoundStream) -> str:
    """A forced retrain through the gateway (or the one already running), until published."""
    published = len(client.models.list())
    try:
        accepted = client.models.retrain(force=True)
    except ConflictError:  # a run started by another test is in progress: wait for it
        wait_until(
            lambda: len(client.models.list()) > published,
            timeout=600,
            what="the retrain in progress to publish a model",
            poll=2.0,
        )
        return client.models.current().version
    run = client.models.wait(accepted.run_id, timeout=600, poll=1.0)
    assert run.state == "succeeded", (run.state, run.error, [t.state for t in run.tasks])
    assert len(client.models.list()) == published + 1
    return client.models.current().version


def wait_rendered(page: Chrome, text: str) -> str:
    """The page's text once Streamlit has finished running the script and ``text`` shows."""
    seen = [""]

    def rendered() -> str | None:
        seen[0] = page.find_element(By.TAG_NAME, "body").text
        running = page.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        return seen[0] if text in seen[0] and not running else None

    return wait_until(
        rendered,
        timeout=RENDER_TIMEOUT_SECONDS,
        what=lambda: f"{text!r} to render:\n{seen[0][-2000:]}",
        poll=0.5,
        ignoring=(WebDriverException,),
    )


def test_retrain_recommend_and_see_it_in_the_dashboard(live_stack: LiveStack) -> None:
    with SoundStream(base_url=live_stack.url("gateway"), api_key=live_stack.admin_key) as client:
        version = retrain_and_wait(client)
        recommendations = client.recommendations.for_user(2, k=10)
        assert recommendations.model_version == version
        assert recommendations.source == "model"
        assert len(recommendations.items) == 10
        assert all(item.name for item in recommendations.items)  # enriched by the gateway
        listened = {a.artist_id for a in client.listens.list(2, limit=200)}
        assert not listened & {item.artist_id for item in recommendations.items}
        first_name = recommendations.items[0].name
        assert first_name is not None

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = headless_chromium()
    try:
        page.get(live_stack.url("dashboard"))
        wait_rendered(page, "Overview")
        page.save_screenshot(str(ARTIFACTS / "overview.png"))
        for selector in ERROR_SELECTORS:
            assert not page.find_elements(By.CSS_SELECTOR, selector), selector
        assert "Traceback" not in page.find_element(By.TAG_NAME, "body").text
    finally:
        page.quit()
