"""Tags: dominant genres vs niches as clouds, tag activity over time, similar tags."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.markup import CloudWord, tag_cloud

DEFAULT_COMPARE = ["rock", "pop", "electronic", "indie"]

st.title("Tags")
st.caption("What the folksonomy says: which genres dominate, which live in niches, and when.")


def cloud(kind: data.TagKind, limit: int, palette_start: int) -> dict[str, Any]:
    frame, facts = data.tag_dominance(kind, limit)
    words = [
        CloudWord(
            value=str(value),
            weight=float(users),
            hint=f"{value}: {artists:,} artists, {users:,} taggers",
        )
        for value, artists, users in zip(
            frame["value"], frame["artists"], frame["users"], strict=True
        )
    ]
    st.html(tag_cloud(words, palette_start=palette_start))
    return facts


dominant_box, niche_box = st.columns(2, gap="large")
with dominant_box.container(border=True):
    st.markdown("#### :material/trending_up: Dominant genres")
    facts = cloud("dominant", 60, 0)
with niche_box.container(border=True):
    st.markdown("#### :material/filter_vintage: Strongest niches")
    cloud("niche", 60, 3)
st.caption(
    f"{facts.get('rule') or ''} {facts.get('dominant') or 0:,} dominant and "
    f"{facts.get('niche') or 0:,} niche tags; word size follows the number of taggers. "
    "Click a tag to follow it over time."
)

st.subheader("Tag activity over time")
known = data.top_tags(limit=400)
ids = dict(zip(known["value"], known["id"], strict=True))
for wanted in st.query_params.get_all("tag"):
    if wanted not in ids and (tag := data.find_tag(wanted)):
        ids[str(tag["value"])] = int(tag["id"])
linked = [tag for tag in st.query_params.get_all("tag") if tag in ids]
controls = st.columns([4, 1, 1], vertical_alignment="bottom")
compared = controls[0].multiselect(
    "Compare tags",
    list(ids),
    default=linked or [tag for tag in DEFAULT_COMPARE if tag in ids],
    max_selections=8,
    key="tags_compare",
)
periods: list[data.Granularity] = ["month", "year"]
period = (
    controls[1].segmented_control("Per", periods, default="year", key="tags_granularity") or "year"
)
measure = controls[2].segmented_control(
    "Show",
    ["count", "share"],
    default="count",
    key="tags_measure",
    help="share = the tag's part of all tag assignments in the period",
)
if compared:
    overall = data.overall_timeline(period).set_index("period")["count"]
    series: dict[str, pd.DataFrame] = {}
    for value in compared:
        points = data.tag_timeline(int(ids[value]), period)
        points["share"] = points["count"] / points["period"].map(overall).fillna(0).clip(lower=1)
        series[value] = points
    title = "Assignments" if measure != "share" else "Share of all tag assignments"
    st.plotly_chart(
        charts.timeline_lines(series, measure or "count", f"{title} per {period}"),
        key="tags_timeline",
    )
    st.caption(
        "The data set ends in spring 2011: the last year and its months are incomplete. "
        "Share = the tag's part of all tag assignments in the period."
    )
else:
    st.info("Choose tags to compare.", icon=":material/info:")

st.subheader("Similar tags")
left, right = st.columns([3, 2], gap="large")
with left:
    row = st.columns(2)
    focus = row[0].selectbox(
        "Tag", list(ids), index=list(ids).index(compared[0]) if compared else 0, key="tags_focus"
    )
    measures: list[data.SimilarityMeasure] = ["jaccard", "cosine"]
    similarity = (
        row[1].segmented_control("Measure", measures, default="jaccard", key="tags_similarity")
        or "jaccard"
    )
    neighbours = data.similar_tags(int(ids[focus]), similarity)
    st.plotly_chart(charts.similar_tags_bar(neighbours, similarity), key="tags_similar")
with right:
    st.markdown(f"**Artists most often tagged _{focus}_**")
    st.dataframe(
        data.tag_top_artists(int(ids[focus]))[["name", "count", "listeners", "plays"]],
        hide_index=True,
        column_config={
            "name": "Artist",
            "count": st.column_config.NumberColumn("Times tagged"),
            "plays": st.column_config.NumberColumn(format="localized"),
        },
    )
