"""The dashboard's way to the data: one SDK client, loaders cached with a TTL.

Every loader returns plain data (dicts, lists, DataFrames) so Streamlit can cache it; SDK
errors propagate to the page, where :func:`dashboard.ui.gateway_errors` turns them into a
message with a retry button. The analytics warehouse's loaders are in
:mod:`dashboard.warehouse`.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any, Literal

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from dashboard.config import get_settings
from soundstream import NotFoundError, SoundStream

STATS_TTL = 600  # dataset-wide statistics change only when the data does
DETAIL_TTL = 120  # one user's or one artist's data
LIVE_TTL = 15  # models and tasks: the operator wants to see changes soon
TAG_SEEDS = 5  # artists that stand for a seed tag in a cold start

Record = dict[str, Any]
ArtistRanking = Literal["listeners", "plays"]
TagRanking = Literal["assignments", "artists", "users"]
MatchMode = Literal["all", "any"]
SearchSort = Literal["relevance", "listeners", "plays"]
TagKind = Literal["dominant", "niche"]
Granularity = Literal["month", "year"]
SimilarityMeasure = Literal["jaccard", "cosine"]
FeedbackKind = Literal["hide", "dislike"]


@st.cache_resource(show_spinner=False)
def _client(base_url: str, api_key: str | None, timeout: float) -> SoundStream:
    return SoundStream(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=1)


def client(api_key: str | None = None) -> SoundStream:
    """The SDK client for the configured gateway (created once per URL and key)."""
    settings = get_settings()
    key = api_key or settings.api_key_value()
    return _client(settings.gateway_url, key, settings.request_timeout_seconds)


def plain(value: Any) -> Any:
    """An SDK model (or a list of them) as JSON-ready Python data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def records(items: Iterable[Any], limit: int | None = None) -> list[Record]:
    """The first ``limit`` items of an SDK list (following pages as needed) as dicts."""
    return [plain(item) for item in islice(items, limit)]


# --- Overview ---------------------------------------------------------------------------


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the overview…")
def overview() -> Record:
    """Dataset counts (users, artists, listens, plays, friendships) plus the number of tags."""
    result: Record = plain(client().stats.overview())
    result["tags"] = client().tags.list(limit=1).total
    return result


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def current_model() -> Record | None:
    """The model serving recommendations, or ``None`` before the first training."""
    try:
        return plain(client().models.current())  # type: ignore[no-any-return]
    except NotFoundError:
        return None


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the top artists…")
def top_artists(by: ArtistRanking, limit: int = 10) -> pd.DataFrame:
    """The most played (or most listened-to) artists with their names."""
    rows = records(client().artists.list(sort=by, limit=limit), limit)
    frame = pd.DataFrame(rows, columns=["id", "name", "listeners", "plays", "picture_url", "url"])
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the weight distribution…")
def weights() -> Record:
    """Histogram (log bins), quantiles, Lorenz curve and Gini of the listening weights."""
    return plain(client().stats.weights())  # type: ignore[no-any-return]


# --- Users and recommendations ------------------------------------------------------------


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the users…")
def users() -> pd.DataFrame:
    """Every user with plays, distinct artists and friends."""
    rows = records(client().users.list(sort="id", limit=200))
    return pd.DataFrame(rows, columns=["id", "plays", "artists", "friends"])


@st.cache_data(ttl=DETAIL_TTL, show_spinner=False)
def user_stats(user_id: int) -> Record | None:
    """A user's listening statistics and percentile ranks, or ``None`` if there is no such user."""
    try:
        return plain(client().stats.user(user_id))  # type: ignore[no-any-return]
    except NotFoundError:
        return None


@st.cache_data(ttl=DETAIL_TTL, show_spinner=False)
def user_top_artists(user_id: int, limit: int = 15) -> pd.DataFrame:
    """A user's most played artists (by their own play counts), with names."""
    rows = records(client().listens.list(user_id, limit=limit), limit)
    return pd.DataFrame(rows, columns=["artist_id", "name", "weight"])


@st.cache_data(ttl=DETAIL_TTL, show_spinner=False)
def similar_users(user_id: int, k: int = 6) -> pd.DataFrame:
    """The users whose taste is closest to this user's, with their activity."""
    found = plain(client().users.similar(user_id, k=k))
    return pd.DataFrame(
        found.get("items", []), columns=["id", "score", "plays", "artists", "friends"]
    )


@st.cache_data(ttl=DETAIL_TTL, show_spinner="Asking the recommender…")
def recommendations(user_id: int, k: int) -> Record:
    """Suggested artists for a user, with scores, reasons, names, pictures and tags."""
    found = client().recommendations.for_user(user_id, k=k, exclude_listened=True, explain=True)
    return plain(found)  # type: ignore[no-any-return]


@st.cache_data(ttl=DETAIL_TTL, show_spinner="Asking the recommender…")
def cold_start(artist_ids: tuple[int, ...], tag_ids: tuple[int, ...], k: int) -> Record:
    """Suggestions for a listener the model has never seen, from seed artists and tags.

    A seed tag stands for the artists it is applied to most often.
    """
    seeds = list(artist_ids)
    for tag_id in tag_ids:
        seeds.extend(int(a) for a in tag_top_artists(tag_id, TAG_SEEDS)["id"] if a not in seeds)
    found = client().recommendations.cold_start(seed_artists=seeds, exclude=seeds, k=k)
    return plain(found)  # type: ignore[no-any-return]


def send_feedback(user_id: int, artist_id: int, kind: FeedbackKind = "hide") -> None:
    """Tell the recommender not to suggest this artist to this user again."""
    client().recommendations.feedback(user_id, artist_id, kind=kind)
    recommendations.clear()


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def popular_artists(limit: int = 400) -> pd.DataFrame:
    """The artists with the most listeners: the default choices for seed pickers."""
    rows = records(client().artists.list(sort="listeners", limit=200), limit)
    return pd.DataFrame(rows, columns=["id", "name", "listeners"])


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def find_artists(query: str, limit: int = 20) -> pd.DataFrame:
    """Artists whose name matches ``query``."""
    rows = records(client().artists.list(q=query, sort="listeners", limit=limit), limit)
    return pd.DataFrame(rows, columns=["id", "name", "listeners"])


# --- Tags and search ----------------------------------------------------------------------


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def top_tags(by: TagRanking = "assignments", limit: int = 300) -> pd.DataFrame:
    """The most used tags (by assignments, artists or users)."""
    rows = records(client().stats.top_tags(by=by, limit=200), limit)
    return pd.DataFrame(rows, columns=["rank", "id", "value", "assignments", "artists", "users"])


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def find_tag(value: str) -> Record | None:
    """The tag spelled exactly ``value`` (any case), or ``None``."""
    for tag in records(client().tags.list(q=value, limit=50), 50):
        if str(tag["value"]).casefold() == value.casefold():
            return tag
    return None


@st.cache_data(ttl=STATS_TTL, show_spinner="Searching…")
def search_artists(
    tags: tuple[str, ...],
    match: MatchMode,
    listeners: tuple[int | None, int | None],
    plays: tuple[int | None, int | None],
    sort: SearchSort,
    limit: int = 500,
) -> tuple[pd.DataFrame, Record]:
    """Artists carrying the tags (all or any) within the popularity ranges, and the search facts."""
    found = client().search.artists(
        tags=list(tags),
        match=match,
        min_listeners=listeners[0],
        max_listeners=listeners[1],
        min_plays=plays[0],
        max_plays=plays[1],
        sort=sort,
        limit=200,
    )
    rows = records(found, limit)
    frame = pd.DataFrame(
        rows, columns=["id", "name", "listeners", "plays", "relevance", "matched_tags"]
    )
    frame["matched_tags"] = [
        ", ".join(f"{tag['value']} ({tag['count']})" for tag in matched or [])
        for matched in frame["matched_tags"]
    ]
    facts: Record = {
        "total": found.total if found.total is not None else len(frame),
        "unknown_tags": list(found.extras.get("unknown_tags") or []),
    }
    return frame, facts


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the tag cloud…")
def tag_dominance(kind: TagKind, limit: int = 60) -> tuple[pd.DataFrame, Record]:
    """Dominant or niche tags with their reach, and the rule that tells them apart."""
    found = client().stats.tag_dominance(kind=kind, limit=min(limit, 200))
    rows = records(found, limit)
    columns = ["id", "value", "artists", "users", "artist_share", "user_share", "kind"]
    facts = {key: found.extras.get(key) for key in ("rule", "dominant", "niche")}
    return pd.DataFrame(rows, columns=columns), facts


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def tag_timeline(tag_id: int, granularity: Granularity) -> pd.DataFrame:
    """Tag assignments per month or year for one tag."""
    found = plain(client().tags.timeline(tag_id, granularity=granularity))
    return pd.DataFrame(found.get("points", []), columns=["period", "count"])


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def overall_timeline(granularity: Granularity) -> pd.DataFrame:
    """All tag assignments per month or year: the denominator of a tag's share."""
    found = plain(client().stats.timeline(granularity=granularity))
    return pd.DataFrame(found.get("points", []), columns=["period", "count"])


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def similar_tags(tag_id: int, measure: SimilarityMeasure, limit: int = 15) -> pd.DataFrame:
    """Tags applied to the same artists as this one, by Jaccard or cosine similarity."""
    rows = records(client().tags.similar(tag_id, measure=measure, limit=limit), limit)
    return pd.DataFrame(rows, columns=["id", "value", "shared_artists", "artists", "score"])


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def tag_top_artists(tag_id: int, limit: int = 10) -> pd.DataFrame:
    """The artists tagged most often with this tag."""
    rows = records(client().tags.artists(tag_id, limit=limit), limit)
    return pd.DataFrame(rows, columns=["id", "name", "count", "listeners", "plays"])


# --- Social -------------------------------------------------------------------------------


@st.cache_data(ttl=STATS_TTL, show_spinner="Loading the social statistics…")
def social() -> Record:
    """Friend counts, the degree distribution and friends-vs-diversity correlations."""
    return plain(client().stats.social())  # type: ignore[no-any-return]


@st.cache_data(ttl=DETAIL_TTL, show_spinner=False)
def friends(user_id: int) -> list[int]:
    """The ids of a user's friends."""
    return [int(friend["id"]) for friend in records(client().friends.list(user_id, limit=200))]


@st.cache_data(ttl=DETAIL_TTL, show_spinner="Drawing the ego network…")
def ego_network(user_id: int, max_friends: int = 40) -> tuple[list[int], list[tuple[int, int]]]:
    """A user, their friends (the most active ``max_friends``) and the friendships among them."""
    activity = users().set_index("id")["plays"]
    circle = sorted(friends(user_id), key=lambda uid: -int(activity.get(uid, 0)))[:max_friends]
    members = {user_id, *circle}
    edges = [(user_id, friend) for friend in circle]
    for friend in circle:
        edges.extend(
            (friend, other) for other in friends(friend) if other in members and friend < other
        )
    return [user_id, *circle], edges


# --- Models -------------------------------------------------------------------------------


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def models() -> list[Record]:
    """Every trained model version, newest first, with per-algorithm metrics."""
    return [plain(model) for model in client().models.list()]


@st.cache_data(ttl=STATS_TTL, show_spinner=False)
def pipeline() -> Record:
    """The training pipeline's steps and their dependencies."""
    return plain(client().models.pipeline())  # type: ignore[no-any-return]


def start_retrain(api_key: str | None) -> str:
    """Start a forced run of the training graph (admin key needed); the run id to follow."""
    accepted = plain(client(api_key).models.retrain(force=True))
    return str(accepted["run_id"])


# --- Jobs ---------------------------------------------------------------------------------


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def job_graphs() -> list[Record]:
    """Every task graph as declared, with each task's last state."""
    return [plain(graph) for graph in client().jobs.graphs()]


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def job_picture(graph: str) -> str:
    """The graph in DOT, each task coloured by its last state (for Graphviz in the page)."""
    return client().jobs.export(graph, format="dot").decode()


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def job_runs(graph: str, limit: int) -> list[Record]:
    """The graph's last ``limit`` runs, newest first, each with its tasks."""
    return records(client().jobs.runs(graph=graph, limit=min(limit, 200)), limit)


def job_run(run_id: str, api_key: str | None = None) -> Record:
    """One run and its tasks, fresh (a page following a run polls it)."""
    return plain(client(api_key).jobs.run(run_id))  # type: ignore[no-any-return]


def start_job(graph: str, api_key: str | None, *, force: bool) -> str:
    """Start a run of ``graph`` (admin key needed); the run id to follow."""
    accepted = plain(client(api_key).jobs.start(graph, force=force))
    return str(accepted["run_id"])


def clear_jobs() -> None:
    """Forget the cached graphs, pictures and runs (a run just ended)."""
    for loader in (job_graphs, job_picture, job_runs, models, pipeline):
        loader.clear()
