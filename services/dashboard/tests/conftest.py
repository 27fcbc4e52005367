"""Fixtures of the dashboard's own tests: a clean Streamlit state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from dashboard.config import get_settings


@pytest.fixture
def fresh_dashboard(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings re-read from the environment and no cached data or client from earlier tests."""
    for name in ("DASHBOARD_API_KEY", "DASHBOARD_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield monkeypatch
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
