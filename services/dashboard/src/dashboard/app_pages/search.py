"""Search: artists by tag combination (all/any) and popularity range, exportable as CSV."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import charts, data

LISTENER_STEPS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
PLAY_STEPS = [0, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]
RESULT_LIMIT = 500


def bounds(chosen: tuple[int, int], steps: list[int]) -> tuple[int | None, int | None]:
    """A range slider's ends as API filters: the outermost steps mean "no limit"."""
    low, high = chosen
    return (low if low > steps[0] else None, high if high < steps[-1] else None)


def step_label(value: int, steps: list[int]) -> str:
    if value == steps[-1]:
        return "no limit"
    return f"{value:,}"


st.title("Search artists")
st.caption("Combine tags, narrow by popularity, sort, and export what you find.")

tag_options = list(data.top_tags(limit=400)["value"])
wanted = [tag for tag in st.query_params.get_all("tag") if tag]
default_tags = [tag for tag in wanted if tag in tag_options] or ["rock", "80s"]
filters, ranges = st.columns([3, 2], gap="large")
with filters:
    tags = st.multiselect(
        "Tags",
        tag_options,
        default=[tag for tag in default_tags if tag in tag_options],
        key="search_tags",
        placeholder="Choose tags (the 400 most used)",
    )
    row = st.columns(2)
    modes: list[data.MatchMode] = ["all", "any"]
    match = (
        row[0].segmented_control(
            "Artists carrying",
            modes,
            default="all",
            format_func=lambda mode: "all the tags" if mode == "all" else "any of the tags",
            key="search_match",
        )
        or "all"
    )
    sorts: list[data.SearchSort] = ["relevance", "listeners", "plays"]
    sort = row[1].selectbox("Sort by", sorts, key="search_sort") or "relevance"
with ranges:
    listeners = st.select_slider(
        "Listeners",
        LISTENER_STEPS,
        value=(LISTENER_STEPS[0], LISTENER_STEPS[-1]),
        format_func=lambda v: step_label(v, LISTENER_STEPS),
        key="search_listeners",
    )
    plays = st.select_slider(
        "Plays",
        PLAY_STEPS,
        value=(PLAY_STEPS[0], PLAY_STEPS[-1]),
        format_func=lambda v: step_label(v, PLAY_STEPS),
        key="search_plays",
    )

if not tags:
    st.info("Choose at least one tag to search.", icon=":material/info:")
    st.stop()

results, facts = data.search_artists(
    tuple(tags),
    match,
    bounds(listeners, LISTENER_STEPS),
    bounds(plays, PLAY_STEPS),
    sort,
    RESULT_LIMIT,
)
if facts["unknown_tags"]:
    st.warning("Unknown tags ignored: " + ", ".join(facts["unknown_tags"]))
total = int(facts["total"])
shown = f" (the first {len(results)} shown)" if total > len(results) else ""
st.subheader(f"{total:,} artists{shown}")
if results.empty:
    st.info("No artist matches: try *any* instead of *all*, or widen the ranges.")
    st.stop()

st.dataframe(
    results[["name", "listeners", "plays", "relevance", "matched_tags"]],
    hide_index=True,
    height=420,
    column_config={
        "name": st.column_config.TextColumn("Artist", width="medium"),
        "listeners": st.column_config.ProgressColumn(
            "Listeners", format="%d", min_value=0, max_value=int(results["listeners"].max())
        ),
        "plays": st.column_config.NumberColumn("Plays", format="localized"),
        "relevance": st.column_config.NumberColumn("Relevance", format="%.2f"),
        "matched_tags": st.column_config.TextColumn("Matched tags (times applied)", width="large"),
    },
)
st.download_button(
    "Download CSV",
    results.to_csv(index=False).encode("utf-8"),
    file_name=f"soundstream-search-{'-'.join(tags)[:60]}.csv",
    mime="text/csv",
    icon=":material/download:",
)
fig = px.scatter(
    results,
    x="listeners",
    y="plays",
    size="relevance",
    hover_name="name",
    hover_data={"matched_tags": True, "relevance": ":.2f"},
    log_x=True,
    log_y=True,
    color_discrete_sequence=[charts.ACCENT],
)
fig.update_xaxes(dtick=1)
fig.update_yaxes(dtick=1)
fig.update_layout(
    template=charts.TEMPLATE,
    height=400,
    title="Popularity of the matches (size = relevance)",
    margin={"l": 10, "r": 10, "t": 50, "b": 10},
)
st.plotly_chart(fig, key="search_scatter")
