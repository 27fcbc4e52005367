"""Overview: the data set in numbers, the top artists and the superstar-vs-long-tail picture."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.ui import compact, percent

st.title("SoundStream Analytics")
st.caption(
    "Listening, tagging and friendship data of 1,892 Last.fm users (HetRec 2011), "
    "served live by the SoundStream gateway."
)

counts = data.overview()
model = data.current_model()
kpis = st.columns(7)
kpis[0].metric("Users", f"{counts['users']:,}")
kpis[1].metric(
    "Artists",
    f"{counts['artists']:,}",
    help=f"Artists in the catalog; {counts['artists_with_listens']:,} of them have listens",
)
kpis[2].metric("Listens", f"{counts['listens']:,}", help="User–artist pairs with a play count")
kpis[3].metric("Plays", compact(counts["plays"]), help=f"{counts['plays']:,} plays in total")
kpis[4].metric("Tags", f"{counts['tags']:,}")
kpis[5].metric("Friendships", f"{counts['friendships']:,}")
kpis[6].metric(
    "Model version",
    str(model["version"])[:8] if model else "none yet",
    help=f"{model['algorithm']}, trained {model['trained_at'][:16]}" if model else None,
)

st.subheader("Top 10 artists")
left, right = st.columns([3, 2], gap="large")
with left:
    rankings: list[data.ArtistRanking] = ["plays", "listeners"]
    by = st.segmented_control("Rank by", rankings, default="plays", key="top_by") or "plays"
    ranking = data.top_artists(by, 10)
    st.plotly_chart(charts.top_artists_bar(ranking, by))
with right:
    weights = data.weights()
    st.markdown("**Superstars and the long tail**")
    tail = st.columns(2)
    tail[0].metric("Gini of plays per artist", f"{weights['gini']:.3f}")
    tail[1].metric("Plays to the top 1% of artists", percent(weights["top_1_percent_share"]))
    tail[0].metric("Plays to the top 10%", percent(weights["top_10_percent_share"]))
    median = next((q["value"] for q in weights["quantiles"] if q["p"] == 0.5), None)
    tail[1].metric(
        "Median plays per listen",
        compact(median),
        help=f"Mean {weights['mean']:,.0f}: a few huge counts pull the mean up",
    )
    st.dataframe(
        ranking[["rank", "name", "plays", "listeners"]],
        hide_index=True,
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "plays": st.column_config.NumberColumn(format="localized"),
            "listeners": st.column_config.NumberColumn(format="localized"),
        },
    )

st.subheader("Listening weights")
hist, lorenz = st.columns(2, gap="large")
hist.plotly_chart(charts.weight_histogram(weights["histogram"]))
lorenz.plotly_chart(charts.lorenz_curve(weights["lorenz"], weights["gini"]))
st.info(
    f"A few superstars take most of the listening: the top 1% of artists receive "
    f"{percent(weights['top_1_percent_share'])} of all plays and the top 10% receive "
    f"{percent(weights['top_10_percent_share'])}, while the typical user–artist pair has "
    f"{compact(median)} plays. The weights span {compact(weights['quantiles'][0]['value'])} to "
    f"{compact(weights['quantiles'][-1]['value'])} plays: only log scales show them together.",
    icon=":material/lightbulb:",
)
