"""Deleted artists and users leave every answer as soon as their event is consumed, before
any retrain: a real worker trained the model, events go through real Redis streams."""

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


NEWCOMER = 99999
"""A user the listening service knows, who has no listens: answered by popularity."""


def artists_of(body: dict[str, Any]) -> set[int]:
    return {item["artist_id"] for item in body["items"]}


def cited_artists(body: dict[str, Any]) -> set[int]:
    return {a for item in body["items"] for r in item["reasons"] or [] for a in r["artists"]}


def test_a_deleted_artist_disappears_from_every_answer_at_once(
    client: TestClient, trained: Pipeline, consumer: RecommenderConsumer
) -> None:
    params = {"k": 30, "explain": True}
    before = {
        user: client.get(f"/recommendations/users/{user}", params=params).json()
        for user in range(1, 11)
    }
    # the artist recommended to most of these users, and cited as a reason somewhere
    counts: dict[int, int] = {}
    for body in before.values():
        for artist in artists_of(body):
            counts[artist] = counts.get(artist, 0) + 1
    gone = max(counts, key=lambda a: (counts[a], -a))
    neighbour = client.get(f"/artists/{gone}/similar", params={"k": 1}).json()["items"][0]["id"]
    assert gone in {i["id"] for i in client.get(f"/artists/{neighbour}/similar").json()["items"]}
    trained.server.users.others.add(NEWCOMER)  # known to the listening service, no listens
    popular = client.get(f"/recommendations/users/{NEWCOMER}", params={"k": 100}).json()
    assert gone in artists_of(popular)

    publish(trained.store.client, "catalog", "artist.deleted", {"artist_id": gone})
    consume(consumer, 1)

    for user in range(1, 11):
        body = client.get(f"/recommendations/users/{user}", params=params).json()
        assert body["source"] == "model"
        assert gone not in artists_of(body)
        assert gone not in cited_artists(body)
        assert len(body["items"]) == 30
    similar = client.get(f"/artists/{neighbour}/similar", params={"k": 50}).json()["items"]
    assert gone not in {i["id"] for i in similar}
    assert client.get(f"/artists/{gone}/similar").status_code == 404
    popular = client.get(f"/recommendations/users/{NEWCOMER}", params={"k": 100}).json()
    assert gone not in artists_of(popular)
    seeded = client.post("/recommendations", json={"seed_artists": [neighbour], "k": 30}).json()
    assert gone not in artists_of(seeded)
    assert trained.store.current_version() == before[1]["model_version"]


def test_a_deleted_user_is_no_longer_served_nor_similar_to_anyone(
    client: TestClient, trained: Pipeline, consumer: RecommenderConsumer
) -> None:
    gone = 5
    neighbour = client.get(f"/users/{gone}/similar", params={"k": 1}).json()["items"][0]["id"]
    assert gone in {i["id"] for i in client.get(f"/users/{neighbour}/similar").json()["items"]}
    others = [u for u in range(1, 31) if u != gone]

    def cited_users() -> set[int]:
        cited: set[int] = set()
        for user in others:
            body = client.get(f"/recommendations/users/{user}", params={"explain": True}).json()
            cited |= {
                u for item in body["items"] for r in item["reasons"] or [] for u in r["users"]
            }
        return cited

    assert gone in cited_users()

    publish(trained.store.client, "listening", "user.deleted", {"user_id": gone})
    publish(trained.store.client, "listening", "user.deleted", {"user_id": gone})  # redelivery
    consume(consumer, 2)

    answer = client.get(f"/recommendations/users/{gone}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.get(f"/users/{gone}/similar").status_code == 404
    similar = client.get(f"/users/{neighbour}/similar", params={"k": 50}).json()["items"]
    assert gone not in {i["id"] for i in similar}
    assert gone not in cited_users()


def test_a_malformed_event_is_dead_lettered_and_changes_nothing(
    client: TestClient, trained: Pipeline
) -> None:
    engine = create_db_engine(trained.settings.database_url)
    consumer = build_consumer(
        trained.settings,
        engine=engine,
        client=trained.store.client,
        block_ms=50,
        max_deliveries=1,
        retry_after_ms=1,
    )
    before = client.get("/recommendations/users/7").json()

    publish(trained.store.client, "catalog", "artist.deleted", {"artist_id": "seven"})
    for _ in range(3):
        consumer.run_once()

    assert client.get("/recommendations/users/7").json()["items"] == before["items"]
    assert trained.store.client.xlen("soundstream:dlq:recommender") == 1
    engine.dispose()
