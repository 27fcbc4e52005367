"""Swagger UI and ReDoc render in headless Chromium with no internet: their scripts and
styles come from the service itself (``/docs/assets``), never from a CDN.

Chromium runs with every host name unresolvable, so only the service on 127.0.0.1 can be
reached; each page must render the service's operations, and every resource it loaded must
come from the service. Without Chromium the test is skipped locally and fails under CI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from catalog.config import Settings as CatalogSettings
from catalog.main import create_app as catalog_app
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from soundstream_testing import wait_until
from soundstream_testing.browser import headless_chromium
from soundstream_testing.stack import free_port

RENDER_SECONDS = 60.0
CDN_HOSTS = ("cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com")


def catalog(tmp_path: Path) -> FastAPI:
    return catalog_app(
        CatalogSettings(database_url=f"sqlite:///{tmp_path}/catalog.db", redis_url="")
    )


def gateway(tmp_path: Path) -> FastAPI:
    closed = f"http://127.0.0.1:{free_port()}"
    return gateway_app(
        GatewaySettings(
            database_url=f"sqlite:///{tmp_path}/gateway.db",
            redis_url="",
            catalog_url=closed,
            listening_url=closed,
            recommender_url=closed,
            admin_api_key="ss_bootstrap_" + "d" * 40,
        )
    )


APPS: dict[str, tuple[Callable[[Path], FastAPI], str]] = {
    "catalog": (catalog, "SoundStream Catalog"),
    "gateway": (gateway, "SoundStream API"),
}


@pytest.fixture(params=sorted(APPS))
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A service's app under uvicorn on a free port: its base URL and its API title."""
    make, title = APPS[request.param]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make(tmp_path), port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "the server stopped while starting"
        return server.started

    wait_until(started, timeout=RENDER_SECONDS, what="the server to start", poll=0.1)
    yield f"http://127.0.0.1:{port}", title
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = headless_chromium(offline=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: WebDriver, script: str, what: str) -> object:
    """Poll a JavaScript expression until it is truthy; its value."""
    return wait_until(
        lambda: driver.execute_script(f"return ({script});"),
        timeout=RENDER_SECONDS,
        what=lambda: f"{what} to show:\n{driver.page_source[:2000]}",
        poll=0.25,
    )


def loaded_resources(driver: WebDriver) -> list[str]:
    """Every resource the page received (an attempt the page's CSP blocked receives nothing:
    ReDoc's footer tries a logo on its CDN)."""
    urls = driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(entry => entry.responseStatus > 0).map(entry => entry.name);"
    )
    return [str(url) for url in urls]


def test_the_browser_really_is_offline(browser: WebDriver) -> None:
    with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
        browser.get("https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js")


def test_swagger_ui_renders_offline(served: tuple[str, str], browser: WebDriver) -> None:
    base, title = served

    browser.get(base + "/docs")

    wait_for(browser, "document.querySelectorAll('.swagger-ui .opblock').length > 3", "operations")
    heading = wait_for(
        browser, "document.querySelector('.swagger-ui .info .title')?.innerText", "title"
    )
    assert title in str(heading)
    resources = loaded_resources(browser)
    assert f"{base}/docs/assets/swagger-ui-bundle.js" in resources
    assert f"{base}/openapi.json" in resources
    assert all(url.startswith(base) for url in resources), resources
    assert not any(host in browser.page_source for host in CDN_HOSTS)


def test_redoc_renders_offline(served: tuple[str, str], browser: WebDriver) -> None:
    base, title = served

    browser.get(base + "/redoc")

    wait_for(
        browser,
        "document.querySelectorAll('[data-section-id^=\"operation/\"]').length > 3",
        "operations",
    )
    heading = wait_for(browser, "document.querySelector('.api-info h1')?.innerText", "title")
    assert title in str(heading)
    resources = loaded_resources(browser)
    assert f"{base}/docs/assets/redoc.standalone.js" in resources
    assert all(url.startswith(base) for url in resources), resources
