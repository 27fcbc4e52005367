"""Helpers for testing the app with ``streamlit.testing.v1.AppTest``: run a page, read what
it shows (figures, cards, HTML blocks). Used by the dashboard's tests and the stack tests."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from dashboard.cli import APP_FILE

PAGES = sorted(p.stem for p in (APP_FILE.parent / "app_pages").glob("*.py") if p.stem[0] != "_")
PAGE_TIMEOUT_SECONDS = 180.0


def open_page(page: str, *, timeout: float = PAGE_TIMEOUT_SECONDS, **state: Any) -> AppTest:
    """Run one page of the app, with ``state`` put in its session first."""
    app = AppTest.from_file(str(APP_FILE), default_timeout=timeout)
    app.switch_page(f"app_pages/{page}.py")
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    return app


def assert_clean(app: AppTest) -> None:
    """No exception, no error message."""
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def figures(app: AppTest) -> list[dict[str, Any]]:
    """The Plotly figures on the page, as their JSON specs."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def figure_titled(app: AppTest, prefix: str) -> dict[str, Any]:
    for figure in figures(app):
        title = figure.get("layout", {}).get("title", {})
        if str(title.get("text", "")).startswith(prefix):
            return figure
    raise AssertionError(f"no figure titled {prefix!r} in {[titles(app)]}")


def titles(app: AppTest) -> list[str]:
    return [str(f.get("layout", {}).get("title", {}).get("text", "")) for f in figures(app)]


def html_blocks(app: AppTest, css_class: str) -> list[str]:
    """The bodies of ``st.html`` blocks whose markup uses ``css_class``."""
    bodies = [str(block.proto.body) for block in app.get("html")]
    return [body for body in bodies if f'class="{css_class}"' in body]


def card_names(app: AppTest) -> list[str]:
    """Artist names on the recommendation cards, in order."""
    return [
        match.group(1)
        for body in html_blocks(app, "ss-card")
        if (match := re.search(r'class="ss-name" title="([^"]*)"', body))
    ]


def values(data: Any) -> list[Any]:
    """A trace's ``x``/``y`` as a list, whether Plotly sent a list or base64 typed data."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        return list(array.reshape(data["shape"]) if "shape" in data else array)
    return list(data)
