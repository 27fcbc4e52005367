"""Recommendations: a user's suggested artists beside their own taste; cold start from seeds."""

from __future__ import annotations

import random

import plotly.express as px
import streamlit as st

from dashboard import charts, data
from dashboard.cards import card_grid
from dashboard.markup import ArtistCard
from dashboard.ui import compact

USER_KEY = "rec_user"
HIDDEN_KEY = "rec_hidden"

st.title("Recommendations")
if flash := st.session_state.pop("rec_flash", None):
    st.toast(flash, icon=":material/visibility_off:")

people = data.users()
user_ids = [int(uid) for uid in people["id"]]
labels = {
    int(uid): f"User {uid} · {artists} artists · {friends} friends"
    for uid, artists, friends in zip(
        people["id"], people["artists"], people["friends"], strict=True
    )
}


def describe_user(user_id: int) -> str:
    return labels.get(user_id, f"User {user_id}")


def pick_user(user_id: int) -> None:
    st.session_state[USER_KEY] = user_id


if USER_KEY not in st.session_state:
    wanted = st.query_params.get("user", "")
    known = wanted.isdigit() and int(wanted) in labels
    if wanted and not known:
        st.warning(f"There is no user {wanted!r}; showing user {user_ids[0]} instead.")
    st.session_state[USER_KEY] = int(wanted) if known else user_ids[0]

for_user, cold = st.tabs([":material/person: For a user", ":material/ac_unit: New listener"])

with for_user:
    controls = st.columns([3, 2, 1], vertical_alignment="bottom")
    chosen_user = controls[0].selectbox(
        "User (type to search)", user_ids, key=USER_KEY, format_func=describe_user
    )
    user_id = chosen_user if chosen_user is not None else user_ids[0]
    k = controls[1].slider("Suggestions", 3, 30, 12, key="rec_k")
    controls[2].button(
        "Surprise me",
        icon=":material/casino:",
        on_click=pick_user,
        args=(random.choice(user_ids),),
        width="stretch",
    )
    st.query_params["user"] = str(user_id)

    stats = data.user_stats(user_id)
    if stats:
        facts = st.columns(4)
        facts[0].metric("Plays", compact(stats["plays"]), border=True)
        facts[1].metric("Artists", stats["artists"], border=True)
        facts[2].metric("Friends", stats["friends"], border=True)
        entropy = (stats.get("percentiles") or {}).get("entropy")
        facts[3].metric(
            "Variety percentile",
            "–" if entropy is None else f"{entropy:.0f}%",
            border=True,
            help="Share of users whose plays are spread less evenly over artists (entropy)",
        )

    suggested, taste = st.columns([2, 1], gap="large")
    with suggested:
        found = data.recommendations(user_id, k)
        hidden: set[int] = st.session_state.setdefault(HIDDEN_KEY, {}).setdefault(user_id, set())
        items = [item for item in found.get("items", []) if int(item["artist_id"]) not in hidden]
        st.caption(
            f"{len(items)} suggestions from the **{found.get('source', 'model')}** "
            f"(model {str(found.get('model_version') or '–')[:8]})"
        )

        def hide(card: ArtistCard) -> None:
            data.send_feedback(user_id, card.artist_id, "hide")
            hidden.add(card.artist_id)
            st.session_state["rec_flash"] = f"{card.name} will not be suggested to user {user_id}"
            st.rerun()

        card_grid(items, columns=3, key=f"user-{user_id}", on_hide=hide)

    with taste:
        st.markdown("**Their own top artists**")
        own = data.user_top_artists(user_id, 10)
        fig = px.bar(
            own.iloc[::-1],
            x="weight",
            y="name",
            orientation="h",
            labels={"weight": "plays", "name": ""},
            color_discrete_sequence=[charts.MUTED],
        )
        fig.update_layout(height=330, margin={"l": 0, "r": 0, "t": 10, "b": 0})
        st.plotly_chart(fig, key="own_top", config={"displayModeBar": False})
        st.markdown("**Listeners with a similar taste**")
        for _, twin in data.similar_users(user_id).iterrows():
            twin_id = int(twin["id"])
            st.button(
                f"User {twin_id} · similarity {twin['score']:.2f} · {twin['artists']:.0f} artists",
                key=f"twin-{twin_id}",
                on_click=pick_user,
                args=(twin_id,),
                icon=":material/person_search:",
                type="tertiary",
            )

with cold:
    st.caption(
        "Someone new? Pick a few artists and tags they like: suggestions come from listeners "
        "of similar taste, without any history."
    )
    popular = data.popular_artists()
    query = st.text_input("Find an artist by name", key="cold_query", placeholder="e.g. Björk")
    found_artists = data.find_artists(query) if query.strip() else popular.iloc[:0]
    names = {int(a): str(n) for a, n in zip(popular["id"], popular["name"], strict=True)}
    names.update(
        (int(aid), str(name))
        for aid, name in zip(found_artists["id"], found_artists["name"], strict=True)
    )
    chosen = st.session_state.get("cold_artists", [])
    options = list(
        dict.fromkeys([*chosen, *map(int, found_artists["id"]), *map(int, popular["id"])])
    )
    left, right = st.columns(2)
    seeds = left.multiselect(
        "Seed artists",
        options,
        key="cold_artists",
        format_func=lambda aid: names.get(aid, f"Artist {aid}"),
    )
    tag_ids = dict(zip(data.top_tags()["value"], data.top_tags()["id"], strict=True))
    tags = right.multiselect(
        "Seed tags", list(tag_ids), key="cold_tags", help="Each tag adds its most tagged artists"
    )
    k_cold = st.slider("Suggestions", 3, 30, 9, key="cold_k")
    if seeds or tags:
        cold_found = data.cold_start(
            tuple(int(s) for s in seeds), tuple(int(tag_ids[t]) for t in tags), k_cold
        )
        card_grid(cold_found.get("items", []), columns=3, key="cold")
    else:
        st.info("Choose at least one artist or tag to get suggestions.", icon=":material/info:")
