"""Feedback users can manage: validated against the owners of users and artists, listed,
undone; ``hide`` and ``dislike`` differ (a dislike demotes the artist's nearest neighbours);
a deleted user id created again starts clean. Real worker, real Redis streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.consumer import RecommenderConsumer, build_consumer
from soundstream_common.db import create_db_engine

from .conftest import Pipeline
from .events_helpers import consume, publish


@pytest.fixture
def consumer(trained: Pipeline) -> Iterator[RecommenderConsumer]:
    engine = create_db_engine(trained.settings.database_url)
    yield build_consumer(trained.settings, engine=engine, client=trained.store.client, block_ms=50)
    engine.dispose()


def ids(body: dict[str, Any]) -> list[int]:
    return [item["artist_id"] for item in body["items"]]


def give(client: TestClient, user: int, artist: int, kind: str) -> Any:
    return client.post(
        f"/recommendations/users/{user}/feedback", json={"artist_id": artist, "kind": kind}
    )


def test_feedback_on_unknown_or_deleted_users_and_artists_is_404(
    client: TestClient, trained: Pipeline, consumer: RecommenderConsumer
) -> None:
    unknown_user = give(client, 99_990, 1, "hide")
    unknown_artist = give(client, 3, 5_555, "hide")
    publish(trained.store.client, "catalog", "artist.deleted", {"artist_id": 59})
    publish(trained.store.client, "listening", "user.deleted", {"user_id": 88})
    consume(consumer, 2)
    deleted_artist = give(client, 3, 59, "dislike")
    deleted_user = give(client, 88, 1, "hide")

    for response, slug in (
        (unknown_user, "user-not-found"),
        (unknown_artist, "artist-not-found"),
        (deleted_artist, "deleted"),
        (deleted_user, "deleted"),
    ):
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith(f"/{slug}")
    assert client.get("/recommendations/users/3/feedback").json()["items"] == []
    assert client.get("/recommendations/users/99990/feedback").status_code == 404


def test_feedback_is_listed_newest_first_and_undone(client: TestClient) -> None:
    user = 5
    first = ids(client.get(f"/recommendations/users/{user}", params={"k": 3}).json())[0]
    assert give(client, user, first, "hide").status_code == 201
    assert give(client, user, 44, "dislike").status_code == 201

    listed = client.get(f"/recommendations/users/{user}/feedback").json()

    assert listed["user_id"] == user
    assert [(i["artist_id"], i["kind"]) for i in listed["items"]] == [
        (44, "dislike"),
        (first, "hide"),
    ]
    assert first not in ids(client.get(f"/recommendations/users/{user}", params={"k": 3}).json())

    undone = client.delete(f"/recommendations/users/{user}/feedback/{first}")

    assert undone.status_code == 204
    assert [
        i["artist_id"]
        for i in client.get(f"/recommendations/users/{user}/feedback").json()["items"]
    ] == [44]
    assert ids(client.get(f"/recommendations/users/{user}", params={"k": 3}).json())[0] == first
    again = client.delete(f"/recommendations/users/{user}/feedback/{first}")
    assert again.status_code == 404
    assert again.json()["type"].endswith("/feedback-not-found")


def test_a_dislike_also_demotes_the_artists_nearest_neighbours_a_hide_does_not(
    client: TestClient,
) -> None:
    user, k = 6, 30
    before = ids(client.get(f"/recommendations/users/{user}", params={"k": k}).json())
    top = before[0]
    neighbours = {
        i["id"] for i in client.get(f"/artists/{top}/similar", params={"k": 5}).json()["items"]
    }

    give(client, user, top, "hide")
    hidden = ids(client.get(f"/recommendations/users/{user}", params={"k": k}).json())
    give(client, user, top, "dislike")  # replaces the hide
    disliked = ids(client.get(f"/recommendations/users/{user}", params={"k": k}).json())

    assert top not in hidden
    assert top not in disliked
    assert hidden[: k - 1] == [a for a in before if a != top], "a hide only removes"
    near_in_hidden = [i for i, a in enumerate(hidden) if a in neighbours]
    assert near_in_hidden
    assert min(near_in_hidden) < len(hidden) - len(near_in_hidden), "neighbours ranked high"
    positions = [i for i, a in enumerate(disliked) if a in neighbours]
    others = [i for i, a in enumerate(disliked) if a not in neighbours]
    assert len(disliked) == k
    assert not positions or min(positions) > max(others), "every neighbour after the rest"
    client.delete(f"/recommendations/users/{user}/feedback/{top}")


def test_a_deleted_user_created_again_starts_clean(
    client: TestClient, trained: Pipeline, consumer: RecommenderConsumer
) -> None:
    user = 7
    favourite = ids(client.get(f"/recommendations/users/{user}", params={"k": 1}).json())[0]
    assert give(client, user, favourite, "hide").status_code == 201
    publish(trained.store.client, "listening", "user.deleted", {"user_id": user})
    consume(consumer, 1)
    gone = client.get(f"/recommendations/users/{user}")
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/deleted")

    trained.server.users.listens[user] = {}  # the new user 7 has no listens yet
    publish(trained.store.client, "listening", "user.created", {"user_id": user})
    consume(consumer, 1)

    again = client.get(f"/recommendations/users/{user}", params={"k": 5})
    assert again.status_code == 200, again.text
    assert again.json()["source"] in ("fallback", "popularity"), "not the former user's list"
    assert client.get(f"/recommendations/users/{user}/feedback").json()["items"] == []
    trained.server.users.listens[user] = {45: 30}
    publish(
        trained.store.client,
        "listening",
        "listens.changed",
        {"artists": [{"artist_id": 45, "listeners": 9, "plays": 300}], "user_id": user},
    )
    consume(consumer, 1)
    folded = client.get(f"/recommendations/users/{user}", params={"k": 5}).json()
    assert folded["source"] == "fold-in"
    assert 45 not in ids(folded)
