"""The Trends & data quality page's loaders: the analytics warehouse through the SDK client.

Like :mod:`dashboard.data`, every loader returns plain data that Streamlit can cache; an
export or a new quality report clears the cached answers.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import LIVE_TTL, STATS_TTL, Record, client, plain
from soundstream import NotFoundError


def warehouse_ready() -> bool:
    """Whether the warehouse has been exported to at least once."""
    return any(e.last_exported_day for e in client().analytics.extractors())


def bring_warehouse_up_to_date() -> Record:
    """An incremental export (the days since the last one); clears the cached answers."""
    run: Record = plain(client().analytics.run())
    st.cache_data.clear()
    return run


def create_quality_report() -> Record:
    report: Record = plain(client().analytics.create_quality_report())
    st.cache_data.clear()
    return report


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the daily activity…")
def daily_activity() -> pd.DataFrame:
    """Per day: assignments, taggers, first-time tags, artists and taggers, running totals."""
    frame: pd.DataFrame = client().analytics.query("daily_activity").to_pandas()
    if not frame.empty:
        frame["day"] = pd.to_datetime(frame["day"])
    return frame


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def tagger_cohorts() -> pd.DataFrame:
    frame: pd.DataFrame = client().analytics.query("tagger_cohorts").to_pandas()
    return frame


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def growth() -> pd.DataFrame:
    frame: pd.DataFrame = client().analytics.query("growth").to_pandas()
    return frame


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def warehouse_top_tags(limit: int = 200) -> pd.DataFrame:
    frame: pd.DataFrame = client().analytics.query("top_tags", limit=limit).to_pandas()
    return frame


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def latest_quality_report() -> Record | None:
    try:
        return plain(client().analytics.latest_quality_report())  # type: ignore[no-any-return]
    except NotFoundError:
        return None


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def quality_history() -> pd.DataFrame:
    rows = [
        {"as_of": item.as_of, "created_at": item.created_at, **item.summary}
        for item in client().analytics.quality_history(limit=60)
    ]
    return pd.DataFrame(rows)


def genre_tags(top: pd.DataFrame, report: Record | None, limit: int = 15) -> pd.DataFrame:
    """The most used tags that name a genre, spelling variants merged under their canonical
    form (both from the latest data-quality report)."""
    if top.empty:
        return top
    canonical: dict[str, str] = {}
    flagged: set[str] = set()
    if report is not None:
        for group in report["report"].get("tag_variants", []):
            for variant in group["variants"]:
                canonical[variant["value"]] = group["canonical"]
        flagged = {t["value"] for t in report["report"].get("non_genre_tags", [])}
    genres = top[~top["tag"].isin(flagged)].assign(
        genre=lambda f: f["tag"].map(lambda t: canonical.get(t, t))
    )
    merged = genres.groupby("genre", as_index=False).agg(
        assignments=("assignments", "sum"), spellings=("tag", "nunique")
    )
    return merged.sort_values(["assignments", "genre"], ascending=[False, True]).head(limit)
