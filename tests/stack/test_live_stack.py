"""The whole stack as ``make dev`` runs it: every HTTP service answers through the runner."""

from __future__ import annotations

import httpx

from soundstream_admin.testing import LiveStack


def test_every_http_service_of_the_stack_is_ready(live_stack: LiveStack) -> None:
    with httpx.Client(timeout=10.0) as client:
        for name, url in live_stack.urls.items():
            path = "/_stcore/health" if name == "dashboard" else "/ready"
            response = client.get(url + path)
            assert response.status_code == 200, (name, response.text)


def test_the_stack_serves_the_loaded_data(live_stack: LiveStack) -> None:
    overview = httpx.get(live_stack.url("listening", "/stats/overview"), timeout=10.0).json()
    assert overview["users"] == 1892
