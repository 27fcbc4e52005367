"""The product end to end, as a user meets it after ``make dev``: the real data loaded, a model
retrained through the SDK with an admin key, recommendations through the gateway, the
dashboard rendered in headless Chromium. The stack's fixture then stops it and fails if any
process is left behind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By

from soundstream import ConflictError, SoundStream
from soundstream_admin.testing import LiveStack, headless_chromium

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
        deadline = time.monotonic() + 600
        while len(client.models.list()) == published:
            if time.monotonic() > deadline:
                pytest.fail("the retrain in progress never published a model")
            time.sleep(2)
        return client.models.current().version
    task = client.models.wait(accepted.task_id, timeout=600, poll=1.0)
    assert task.state == "SUCCESS", (task.state, task.error, task.steps)
    assert len(client.models.list()) == published + 1
    return client.models.current().version


def wait_rendered(page: Chrome, text: str) -> str:
    """The page's text once Streamlit has finished running the script and ``text`` shows."""
    deadline = time.monotonic() + RENDER_TIMEOUT_SECONDS
    body = ""
    while time.monotonic() < deadline:
        try:
            body = page.find_element(By.TAG_NAME, "body").text
            running = page.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        except WebDriverException:
            body, running = "", []
        if text in body and not running:
            return body
        time.sleep(0.5)
    pytest.fail(f"{text!r} did not render within {RENDER_TIMEOUT_SECONDS:.0f}s:\n{body[-2000:]}")


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
