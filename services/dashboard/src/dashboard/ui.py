"""Page furniture shared by every page: gateway error handling and number formatting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.config import get_settings
from soundstream import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
    SoundStreamError,
)

RETRY_LABEL = "Retry"


def _retry_button() -> None:
    st.button(RETRY_LABEL, icon=":material/refresh:", type="primary", on_click=st.cache_data.clear)


@contextmanager
def gateway_errors() -> Iterator[None]:
    """Show an SDK failure as a clear message with a retry button instead of a traceback."""
    gateway = get_settings().gateway_url
    try:
        yield
    except APIConnectionError as exc:
        st.error(
            f"**The SoundStream gateway at {gateway} cannot be reached.** "
            "Is the stack running (`make dev`)? The dashboard will work again as soon as it "
            f"answers.\n\n_{exc}_",
            icon=":material/cloud_off:",
        )
        _retry_button()
    except (AuthenticationError, PermissionDeniedError) as exc:
        st.error(
            f"**The gateway refused the request ({exc.status_code}).** This needs an API key "
            f"with the right scope (`DASHBOARD_API_KEY`).\n\n_{problem_text(exc)}_",
            icon=":material/lock:",
        )
    except RateLimitError as exc:
        wait = f" Try again in {exc.retry_after:.0f} s." if exc.retry_after else ""
        st.warning(
            "**The gateway is limiting this dashboard's requests.** Give the dashboard its own "
            f"API key (`DASHBOARD_API_KEY`) for a higher limit.{wait}",
            icon=":material/speed:",
        )
        _retry_button()
    except APIStatusError as exc:
        st.error(
            f"**The gateway answered {exc.status_code}.** {problem_text(exc)}"
            + (f"\n\nRequest ID: `{exc.request_id}`" if exc.request_id else ""),
            icon=":material/error:",
        )
        _retry_button()
    except SoundStreamError as exc:
        st.error(f"**The gateway's answer could not be used.** {exc}", icon=":material/error:")
        _retry_button()


def problem_text(exc: APIStatusError) -> str:
    """The human part of a problem+json answer (detail, else title, else the message)."""
    problem = exc.problem
    if problem is not None:
        return str(problem.detail or problem.title)
    return str(exc)


def compact(number: float | int | None) -> str:
    """``1234567`` → ``1.2M``: numbers that fit on a card."""
    if number is None:
        return "–"
    value = float(number)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:.1f}{suffix}"
    return f"{value:,.0f}" if value == int(value) else f"{value:.2f}"


def percent(share: float | None, digits: int = 1) -> str:
    return "–" if share is None else f"{share * 100:.{digits}f}%"
