"""A gateway that does not answer: every page says so plainly and offers a retry."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from soundstream_testing.dashboard import PAGES, open_page


@pytest.fixture
def dead_gateway(fresh_dashboard: pytest.MonkeyPatch) -> Iterator[str]:
    """A gateway URL on a port that is bound but never listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        fresh_dashboard.setenv("DASHBOARD_GATEWAY_URL", url)
        yield url


def test_every_page_is_tested() -> None:
    assert PAGES == [
        "jobs",
        "models",
        "overview",
        "recommendations",
        "search",
        "social",
        "tags",
        "trends",
    ]


@pytest.mark.parametrize("page", PAGES)
def test_a_dead_gateway_gives_a_clear_message_and_a_retry_button(
    page: str, dead_gateway: str
) -> None:
    app = open_page(page, timeout=30)

    assert not app.exception, [e.value for e in app.exception]
    assert len(app.error) == 1
    message = app.error[0].value
    assert f"gateway at {dead_gateway} cannot be reached" in message
    assert "Traceback" not in message
    retry = [button for button in app.button if button.label == "Retry"]
    assert len(retry) == 1

    retry[0].click().run()  # still down: the same message again, still no traceback
    assert not app.exception
    assert [e.value for e in app.error] == [message]
