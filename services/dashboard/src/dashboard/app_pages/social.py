"""Social: do friends broaden taste? Friends vs diversity, the degree distribution, ego networks."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data, graphs

EGO_LIMIT = 40
Y_AXES = {"artists": "distinct artists", "plays": "total plays"}


def strength(coefficient: float | None) -> str:
    """A correlation coefficient in words (Cohen's rough bands)."""
    if coefficient is None:
        return "undefined"
    size = abs(coefficient)
    word = (
        "no"
        if size < 0.1
        else "a weak"
        if size < 0.3
        else "a moderate"
        if size < 0.5
        else "a strong"
    )
    sign = "" if size < 0.1 else " positive" if coefficient > 0 else " negative"
    return f"{word}{sign}"


def correlation_rows(correlations: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "friends vs": c["y"],
                "Pearson r": c["pearson"]["coefficient"],
                "p(r)": c["pearson"]["p_value"],
                "Spearman ρ": c["spearman"]["coefficient"],
                "p(ρ)": c["spearman"]["p_value"],
            }
            for c in correlations
        ]
    )


st.title("Social graph")
st.caption("12,717 friendships between 1,892 listeners: does a wider circle mean wider taste?")

stats = data.social()
people = data.users()
correlations = {(c["x"], c["y"]): c for c in stats["correlations"]}
kpis = st.columns(5)
kpis[0].metric("Users", f"{stats['users']:,}", border=True)
kpis[1].metric("Mean friends", f"{stats['mean_friends']:.1f}", border=True)
kpis[2].metric("Median friends", f"{stats['median_friends']:.0f}", border=True)
kpis[3].metric("Most friends", stats["max_friends"], border=True)
entropy = correlations.get(("friends", "entropy"))
if entropy:
    kpis[4].metric(
        "ρ friends vs entropy", f"{entropy['spearman']['coefficient']:+.3f}", border=True
    )

scatter, table = st.columns([3, 2], gap="large")
with scatter:
    y = (
        st.segmented_control(
            "Diversity measure",
            list(Y_AXES),
            default="artists",
            format_func=lambda axis: Y_AXES[axis],
            key="social_y",
        )
        or "artists"
    )
    st.plotly_chart(
        charts.friends_scatter(people, y, Y_AXES[y], log_y=y == "plays"), key="social_scatter"
    )
with table:
    st.markdown(f"**Correlation figures** over all {stats['users']:,} users")
    st.dataframe(
        correlation_rows(stats["correlations"]),
        hide_index=True,
        column_config={
            "Pearson r": st.column_config.NumberColumn(format="%+.3f"),
            "Spearman ρ": st.column_config.NumberColumn(format="%+.3f"),
            "p(r)": st.column_config.NumberColumn(format="%.1e"),
            "p(ρ)": st.column_config.NumberColumn(format="%.1e"),
        },
    )
    artists = correlations.get(("friends", "artists"))
    lines = []
    if artists:
        rho = artists["spearman"]["coefficient"]
        lines.append(
            f"Friends and the number of distinct artists show **{strength(rho)}** "
            f"relationship (ρ = {rho:+.3f}); every user's list is capped at their top 50 "
            "artists, so this measure saturates."
        )
    if entropy:
        rho = entropy["spearman"]["coefficient"]
        lines.append(
            f"Friends and listening entropy (how evenly plays spread over artists) show "
            f"**{strength(rho)}** relationship (ρ = {rho:+.3f}, p = "
            f"{entropy['spearman']['p_value']:.1g})."
        )
    st.info("\n\n".join(lines) or "No correlations available.", icon=":material/lightbulb:")

degree, ego = st.columns([2, 3], gap="large")
with degree:
    st.plotly_chart(charts.degree_distribution(stats["degree_distribution"]), key="degree")
    st.caption("Most users have a handful of friends, a few have more than a hundred.")
with ego:
    connected = people[people["friends"] > 0].sort_values("id")
    options = [int(uid) for uid in connected["id"]]
    wanted = st.query_params.get("user", "")
    friend_counts = {int(u): int(f) for u, f in zip(people["id"], people["friends"], strict=True)}
    chosen = st.selectbox(
        "Ego network of user",
        options,
        index=options.index(int(wanted)) if wanted.isdigit() and int(wanted) in options else 0,
        format_func=lambda uid: f"User {uid} · {friend_counts[uid]} friends",
        key="social_user",
    )
    centre = chosen if chosen is not None else options[0]
    members, edges = data.ego_network(centre, EGO_LIMIT)
    plays = {int(uid): int(p) for uid, p in zip(people["id"], people["plays"], strict=True)}

    def recentre() -> None:
        """A click on a friend makes them the centre of the network."""
        points = st.session_state[f"ego-{centre}"]["selection"]["points"]
        picked = [p for p in points if p.get("curve_number") == 1]
        if picked and 0 <= picked[0]["point_index"] < len(members):
            st.session_state["social_user"] = members[picked[0]["point_index"]]

    st.plotly_chart(
        graphs.ego_network_figure(centre, members, edges, plays),
        key=f"ego-{centre}",
        on_select=recentre,
        selection_mode="points",
    )
    if len(members) - 1 >= EGO_LIMIT:
        st.caption(f"The {EGO_LIMIT} most active friends are drawn.")
    st.caption(
        f"{len(edges) - (len(members) - 1)} friendships among user {centre}'s friends; "
        "node size follows plays. Click a friend to centre the network on them."
    )
