"""Fixtures of the dashboard tests against the live stack: the app, pointed at its gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from dashboard.config import get_settings
from soundstream import SoundStream
from soundstream_testing.stack import LiveStack


@pytest.fixture
def dashboard_stack(
    trained_stack: LiveStack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveStack]:
    """The app configured for the live gateway (with the admin key), caches emptied."""
    monkeypatch.setenv("DASHBOARD_GATEWAY_URL", trained_stack.urls["gateway"])
    monkeypatch.setenv("DASHBOARD_API_KEY", trained_stack.admin_key)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield trained_stack
    get_settings.cache_clear()


@pytest.fixture
def sdk(dashboard_stack: LiveStack) -> Iterator[SoundStream]:
    """An SDK client on the same gateway, to check what the pages show."""
    with SoundStream(
        base_url=dashboard_stack.urls["gateway"], api_key=dashboard_stack.admin_key
    ) as client:
        yield client
