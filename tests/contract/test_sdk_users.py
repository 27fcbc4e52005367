"""The SDK's listening and recommendation methods against the live gateway and services, on
the real HetRec data: users, listens, friends, listening statistics, recommendations.
"""

from __future__ import annotations

import pytest

from soundstream import (
    NotFoundError,
    SoundStream,
)

from .real_data import ARTIST, ROCK, USER


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
