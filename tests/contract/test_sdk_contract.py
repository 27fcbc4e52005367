"""Every SDK method against the live gateway and services, on the real HetRec data.

Tests that write create their own artists, tags, users and keys and remove them again; the
real data they read (user 2, artist 51, the tag "rock") comes from the data set itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

import pytest

from soundstream import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    SoundStream,
    ValidationError,
)
from soundstream._operations import OPERATIONS
from soundstream_testing.stack import LiveStack

USER = 2  # in the data: listens to artist 51, friend of 275, tagged artist 52 with tag 13
ARTIST = 51
ROCK = "rock"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(4)}"


@pytest.mark.covers(
    "models.list",
    "models.current",
    "models.pipeline",
    "models.retrain",
    "jobs.graphs",
    "jobs.graph",
    "jobs.export",
    "jobs.runs",
    "jobs.run",
    "jobs.start",
)
def test_models_retraining_and_its_jobs(sdk: SoundStream) -> None:
    """First in this module: before the tests that write, the data is unchanged since the
    stack's first training, so the run keeps every step's result and publishes nothing."""
    current = sdk.models.current()
    assert current.current
    assert current.quality is not None
    assert current.quality.ndcg_at_10 > 0
    assert current.quality.lift_over_als is not None
    assert current.quality.popular_share_at_10 is not None
    assert current.version in {m.version for m in sdk.models.list()}
    pipeline = sdk.models.pipeline()
    graph = sdk.jobs.graph(pipeline.graph)
    assert [step.id for step in pipeline.steps] == [task.name for task in graph.tasks]
    assert pipeline.mermaid
    assert [g.name for g in sdk.jobs.graphs()] == [pipeline.graph]
    accepted = sdk.models.retrain()
    assert sdk.jobs.run(accepted.run_id).id == accepted.run_id
    finished = sdk.models.wait(accepted.run_id, timeout=300, poll=1.0)
    assert finished.state == "succeeded", finished.error
    assert finished.task("snapshot").state == "kept"
    assert finished.task("publish").output == {
        "status": "unchanged",
        "version": current.version,
        "dataset_version": current.dataset_version,
        "algorithm": current.algorithm,
    }
    assert sdk.jobs.runs(graph=pipeline.graph, limit=1).items[0].id == accepted.run_id
    svg = sdk.jobs.export(pipeline.graph, format="svg")
    assert b"<svg" in svg
    assert b"snapshot" in svg
    dot = sdk.jobs.export(pipeline.graph, format="dot").decode()
    assert all(f'"{a}" -> "{b}";' in dot for a, b in graph.edges)
    only = sdk.jobs.start(pipeline.graph, tasks=["snapshot"])
    done = sdk.jobs.wait(only.run_id, timeout=300, poll=1.0)
    assert (done.state, done.targets) == ("succeeded", ["snapshot"])
    assert [task.task for task in done.tasks] == ["snapshot"]


@pytest.mark.covers(
    "artists.list", "artists.get", "artists.tags", "artists.page", "artists.similar"
)
def test_artist_reads(sdk: SoundStream) -> None:
    page = sdk.artists.list(sort="plays", limit=5)
    assert len(page.items) == 5
    assert page.total is not None
    assert page.total >= 17_632
    top = list(itertools.islice(page, 12))  # crosses two page boundaries
    assert len({a.id for a in top}) == 12
    assert [a.plays for a in top] == sorted((a.plays for a in top), reverse=True)

    found = sdk.artists.list(q=top[0].name, limit=5).items
    assert top[0].id in {a.id for a in found}

    artist = sdk.artists.get(ARTIST)
    assert (artist.id, artist.listeners > 0) == (ARTIST, True)
    tags = sdk.artists.tags(ARTIST, limit=3)
    assert [t.count for t in tags.items] == sorted((t.count for t in tags.items), reverse=True)
    artist_page = sdk.artists.page(ARTIST)
    assert artist_page.artist.name == artist.name
    assert artist_page.listeners == artist.listeners
    similar = sdk.artists.similar(ARTIST, k=5)
    assert similar.id == ARTIST
    assert 0 < len(similar.items) <= 5
    assert ARTIST not in {n.id for n in similar.items}


@pytest.mark.covers("artists.create", "artists.update", "artists.replace", "artists.delete")
def test_artist_writes(sdk: SoundStream) -> None:
    name = unique("Contract Band")
    created = sdk.artists.create(name=name, url="http://www.last.fm/music/Contract+Band")
    try:
        assert created.name == name
        assert created.plays == 0
        updated = sdk.artists.update(created.id, picture_url="http://example.com/p.jpg")
        assert (updated.name, updated.picture_url) == (name, "http://example.com/p.jpg")
        assert updated.url == "http://www.last.fm/music/Contract+Band"
        replaced = sdk.artists.replace(created.id, name=name + " II")
        assert (replaced.name, replaced.url, replaced.picture_url) == (name + " II", None, None)
        cleared = sdk.artists.update(created.id, url=None)
        assert cleared.url is None
    finally:
        sdk.artists.delete(created.id)
    with pytest.raises(NotFoundError) as caught:
        sdk.artists.get(created.id)
    assert caught.value.request_id


@pytest.mark.covers("tags.list", "tags.get", "tags.artists", "tags.timeline", "tags.similar")
def test_tag_reads(sdk: SoundStream) -> None:
    rock = next(t for t in sdk.tags.list(q=ROCK, limit=50) if t.value == ROCK)
    detail = sdk.tags.get(rock.id)
    assert (detail.value, detail.artists > 0, detail.users > 0) == (ROCK, True, True)
    most_used = sdk.tags.list(sort="usage", limit=3).items
    assert [t.assignments for t in most_used] == sorted(
        (t.assignments for t in most_used), reverse=True
    )
    artists = sdk.tags.artists(rock.id, limit=5).items
    assert artists
    assert [a.count for a in artists] == sorted((a.count for a in artists), reverse=True)
    timeline = sdk.tags.timeline(rock.id, granularity="year", from_=dt.date(2005, 1, 1))
    assert timeline.tag_id == rock.id
    assert timeline.points
    assert all(p.period >= "2005" for p in timeline.points)
    similar = sdk.tags.similar(rock.id, measure="jaccard", limit=5)
    assert similar.items
    assert rock.id not in {t.id for t in similar.items}
    assert similar.extras["tag_id"] == rock.id


@pytest.mark.covers(
    "tags.create",
    "tags.update",
    "tags.replace",
    "tags.assign",
    "tags.get_assignment",
    "tags.assignments",
    "tags.unassign",
    "tags.delete",
)
def test_tag_writes_and_assignments(sdk: SoundStream) -> None:
    existing = sdk.tags.assignments(user_id=USER, limit=1).items[0]
    value = unique("contract-tag")
    tag = sdk.tags.create(value=value)
    try:
        assert sdk.tags.update(tag.id, value=value + "-b").value == value + "-b"
        assert sdk.tags.replace(tag.id, value=value).value == value
        assigned = sdk.tags.assign(
            user_id=existing.user_id,
            artist_id=existing.artist_id,
            tag_id=tag.id,
            date=dt.date(2010, 5, 1),
        )
        assert assigned.date == dt.date(2010, 5, 1)
        key = {
            "user_id": assigned.user_id,
            "artist_id": assigned.artist_id,
            "tag_id": tag.id,
            "timestamp_ms": assigned.timestamp_ms,
        }
        assert sdk.tags.get_assignment(**key) == assigned
        listed = sdk.tags.assignments(tag_id=tag.id)
        assert [a.timestamp_ms for a in listed] == [assigned.timestamp_ms]
        sdk.tags.unassign(**key)
        with pytest.raises(NotFoundError):
            sdk.tags.get_assignment(**key)
    finally:
        sdk.tags.delete(tag.id, force=True)
    with pytest.raises(NotFoundError):
        sdk.tags.get(tag.id)


@pytest.mark.covers("search.artists", "stats.top_tags", "stats.tag_dominance", "stats.timeline")
def test_search_and_tag_statistics(sdk: SoundStream) -> None:
    hits = sdk.search.artists(tags=[ROCK, "no-such-tag-xyz"], match="any", limit=5)
    assert hits.items
    assert hits.extras["unknown_tags"] == ["no-such-tag-xyz"]
    assert all(ROCK in {m.value for m in hit.matched_tags} for hit in hits.items)
    none = sdk.search.artists(tags=[ROCK, "no-such-tag-xyz"], match="all")
    assert (none.items, none.total) == ([], 0)

    top = sdk.stats.top_tags(by="users", limit=5).items
    assert [t.rank for t in top] == [1, 2, 3, 4, 5]
    in_2008 = sdk.stats.top_tags(from_=dt.date(2008, 1, 1), to=dt.date(2008, 12, 31), limit=5)
    year = next(p for p in sdk.stats.timeline(granularity="year").points if p.period == "2008")
    assert in_2008.items[0].assignments <= year.count
    all_time = sdk.stats.top_tags(limit=1).total
    assert in_2008.total is not None
    assert all_time is not None
    assert in_2008.total <= all_time
    dominance = sdk.stats.tag_dominance(kind="dominant", limit=5)
    assert all(t.kind == "dominant" for t in dominance.items)
    assert "rule" in dominance.extras
    timeline = sdk.stats.timeline(granularity="year")
    assert timeline.total == sum(p.count for p in timeline.points)


@pytest.mark.covers(
    "users.list",
    "users.get",
    "users.similar",
    "users.profile",
    "stats.user",
    "listens.list",
    "friends.list",
    "friends.artists",
)
def test_user_reads(sdk: SoundStream) -> None:
    heavy = sdk.users.list(sort="plays", limit=3).items
    assert [u.plays for u in heavy] == sorted((u.plays for u in heavy), reverse=True)
    user = sdk.users.get(USER)
    assert user.id == USER
    assert user.artists > 0
    similar = sdk.users.similar(USER, k=3)
    assert 0 < len(similar.items) <= 3
    profile = sdk.users.profile(USER)
    assert profile.user.id == USER
    assert profile.top_artists
    assert profile.friend_count >= len(profile.friends) > 0
    stats = sdk.stats.user(USER)
    assert (stats.user_id, stats.plays) == (USER, user.plays)
    listens = sdk.listens.list(USER, limit=5).items
    assert ARTIST in {listen.artist_id for listen in sdk.listens.list(USER)}
    assert [x.weight for x in listens] == sorted((x.weight for x in listens), reverse=True)
    assert 275 in {f.id for f in sdk.friends.list(USER)}
    assert sdk.friends.artists(USER, limit=5).items


@pytest.mark.covers(
    "users.create",
    "listens.set",
    "listens.add",
    "listens.delete",
    "friends.add",
    "friends.remove",
    "users.delete",
)
def test_user_writes(sdk: SoundStream) -> None:
    user = sdk.users.create()
    try:
        assert (user.plays, user.artists, user.friends) == (0, 0, 0)
        assert sdk.listens.set(user.id, ARTIST, weight=10).weight == 10
        assert sdk.listens.add(user.id, ARTIST, plays=5).weight == 15
        assert [x.weight for x in sdk.listens.list(user.id)] == [15]
        sdk.listens.delete(user.id, ARTIST)
        assert list(sdk.listens.list(user.id)) == []
        friendship = sdk.friends.add(user.id, USER)
        assert (friendship.user_id, friendship.friend_id) == (user.id, USER)
        assert [f.id for f in sdk.friends.list(user.id)] == [USER]
        sdk.friends.remove(user.id, USER)
        assert list(sdk.friends.list(user.id)) == []
    finally:
        sdk.users.delete(user.id)
    with pytest.raises(NotFoundError):
        sdk.users.get(user.id)


@pytest.mark.covers("stats.overview", "stats.weights", "stats.social", "stats.top_artists")
def test_listening_statistics(sdk: SoundStream) -> None:
    overview = sdk.stats.overview()
    assert overview.users >= 1892
    assert overview.listens >= 92_000
    weights = sdk.stats.weights(lorenz_points=11)
    assert len(weights.lorenz) == 11
    assert weights.gini is not None
    assert 0 < weights.gini < 1
    social = sdk.stats.social()
    assert social.users >= 1892
    assert social.correlations
    top = sdk.stats.top_artists(by="listeners", limit=3).items
    assert [t.rank for t in top] == [1, 2, 3]
    assert [t.listeners for t in top] == sorted((t.listeners for t in top), reverse=True)


@pytest.mark.covers(
    "recommendations.for_user",
    "recommendations.cold_start",
    "recommendations.feedback",
    "recommendations.feedback_list",
    "recommendations.undo_feedback",
)
def test_recommendations(sdk: SoundStream) -> None:
    recs = sdk.recommendations.for_user(USER, k=5, explain=True)
    assert recs.user_id == USER
    assert 0 < len(recs.items) <= 5
    assert all(item.name for item in recs.items)  # enriched by the gateway
    assert all(item.reasons for item in recs.items)
    assert all(item.top_tags is not None for item in recs.items)
    listened = {x.artist_id for x in sdk.listens.list(USER)}
    assert not listened & {item.artist_id for item in recs.items}

    cold = sdk.recommendations.cold_start(seed_artists=[ARTIST], exclude=[289], k=5)
    assert 0 < len(cold.items) <= 5
    assert not {ARTIST, 289} & {item.artist_id for item in cold.items}
    named = sdk.recommendations.cold_start(
        seed_artists=[{"name": sdk.artists.get(ARTIST).name, "weight": 2}, "No Such Band Here"],
        seed_tags=[ROCK],
        k=5,
        explain=True,
    )
    assert named.source == "seeds"
    assert named.unknown_seeds is not None
    assert named.unknown_seeds.artists == ["No Such Band Here"]
    assert all(item.name and item.reasons for item in named.items)
    assert ARTIST not in {item.artist_id for item in named.items}

    hidden = recs.items[0].artist_id
    feedback = sdk.recommendations.feedback(USER, hidden, kind="hide")
    assert (feedback.user_id, feedback.artist_id, feedback.kind) == (USER, hidden, "hide")
    listed = sdk.recommendations.feedback_list(USER).items
    assert [(f.artist_id, f.kind) for f in listed][:1] == [(hidden, "hide")]
    assert listed[0].name == recs.items[0].name, "named by the gateway"
    assert hidden not in {i.artist_id for i in sdk.recommendations.for_user(USER, k=5).items}
    sdk.recommendations.undo_feedback(USER, hidden)
    assert hidden not in {f.artist_id for f in sdk.recommendations.feedback_list(USER).items}
    with pytest.raises(NotFoundError):
        sdk.recommendations.undo_feedback(USER, hidden)
    with pytest.raises(NotFoundError):
        sdk.recommendations.feedback(USER, 10**8, kind="dislike")


@pytest.mark.covers("keys.create", "keys.list", "keys.revoke")
def test_keys_and_scopes(sdk: SoundStream, trained_stack: LiveStack) -> None:
    created = sdk.keys.create(name=unique("contract"), scopes=["read"])
    assert created.key
    assert created.scopes == ["read"]
    listed = {k.id: k for k in sdk.keys.list()}
    assert created.id in listed
    assert "key" not in listed[created.id].model_dump()
    base_url = trained_stack.url("gateway")
    with SoundStream(base_url=base_url, api_key=created.key, max_retries=0) as reader:
        assert reader.stats.overview().users >= 1892
        with pytest.raises(PermissionDeniedError) as denied:
            reader.tags.create(value=unique("nope"))
        assert denied.value.status_code == 403
        sdk.keys.revoke(created.id)
        with pytest.raises(AuthenticationError):
            reader.stats.overview()
    with (
        SoundStream(base_url=base_url, api_key="", max_retries=0) as anonymous,
        pytest.raises(AuthenticationError),
    ):
        anonymous.tags.create(value=unique("nope"))
    revoked = next(k for k in sdk.keys.list() if k.id == created.id)
    assert revoked.revoked_at is not None


@pytest.mark.covers(
    "analytics.extractors",
    "analytics.run",
    "analytics.runs",
    "analytics.queries",
    "analytics.query",
    "analytics.create_quality_report",
    "analytics.quality_history",
    "analytics.latest_quality_report",
    "analytics.quality_report",
    "analytics.quality_report_html",
)
def test_analytics_exports_queries_and_data_quality(sdk: SoundStream) -> None:
    names = [e.name for e in sdk.analytics.extractors()]
    assert "tag_activity_daily" in names
    dry = sdk.analytics.run(dry_run=True, extractors=["tag_activity_daily"])
    assert dry.id is None
    assert dry.tables[0].preview
    sdk.analytics.run()  # the backfill, or the days since the last run
    again = sdk.analytics.run()
    assert again.rows == 0  # nothing new since: incremental
    assert sdk.analytics.runs(limit=1)[0].id == again.id
    assert "top_tags" in {q.name for q in sdk.analytics.queries()}
    top = sdk.analytics.query("top_tags", from_=dt.date(2008, 1, 1), to=dt.date(2008, 12, 31))
    frame = top.to_pandas()
    assert list(frame.columns) == top.columns
    assert len(frame) == 20
    with pytest.raises(ValidationError):
        sdk.analytics.query("growth", tag=ROCK)  # a parameter growth does not take
    report = sdk.analytics.create_quality_report()
    assert report.report["dates"]["impossible_source_dates"] > 0
    assert report.report["orphans"]["assignments_naming_placeholder_artists"] == 1538
    assert sdk.analytics.quality_history(limit=1)[0].id == report.id
    assert sdk.analytics.latest_quality_report().id == report.id
    assert sdk.analytics.quality_report(report.id).summary == report.summary
    assert "Tag variants" in sdk.analytics.quality_report_html(report.id)


def test_every_sdk_operation_method_is_exercised_here() -> None:
    exercised: set[str] = set()
    for name, test in globals().items():
        if name.startswith("test_"):
            for mark in getattr(test, "pytestmark", []):
                if mark.name == "covers":
                    exercised.update(mark.args)
    assert exercised == {op.sdk_method for op in OPERATIONS.values()}


def test_bad_input_is_a_validation_error_with_fields(sdk: SoundStream) -> None:
    with pytest.raises(ValidationError) as caught:
        sdk.artists.list(limit=500)
    assert caught.value.problem is not None
    assert caught.value.problem.errors
    assert caught.value.request_id


@pytest.mark.anyio
async def test_async_client_reads_the_same_as_the_sync_client(
    sdk: SoundStream, async_sdk: object
) -> None:
    from soundstream import AsyncSoundStream

    assert isinstance(async_sdk, AsyncSoundStream)
    async with async_sdk as client:
        first = await client.artists.list(sort="plays", limit=4)
        walked: list[int] = []
        async for artist in client.artists.list(sort="plays", limit=2):
            walked.append(artist.id)
            if len(walked) == 5:  # three pages: enough to show the walk, not all 17,632
                break
        overview = await client.stats.overview()
        recs = await client.recommendations.for_user(USER, k=3)
        with pytest.raises(NotFoundError):
            await client.artists.get(2_000_000_000)
    assert [a.id for a in first.items] == [
        a.id for a in sdk.artists.list(sort="plays", limit=4).items
    ]
    assert walked[:4] == [a.id for a in first.items]
    assert overview == sdk.stats.overview()
    assert recs.items == sdk.recommendations.for_user(USER, k=3).items
