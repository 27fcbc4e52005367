"""Answers for listeners the model has no listens for, with known answers computed from the
synthetic snapshot: the fallback chain (friends -> tags the user used -> popularity, each
item labelled) and cold start from seed artists and seed tags."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.algorithms.snapshot import Snapshot
from recommender.serving.answers import TAG_EVIDENCE

from .conftest import Pipeline


def listened(snapshot: Snapshot, user: int) -> set[int]:
    return set(snapshot.listens.artist_ids[snapshot.listens.user_ids == user].tolist())


def tag_counts(snapshot: Snapshot, tag: int) -> Counter[int]:
    assert snapshot.tags is not None
    return Counter(snapshot.tags.artist_ids[snapshot.tags.tag_ids == tag].tolist())


def kinds(body: dict[str, Any]) -> list[str]:
    return [item["reasons"][0]["kind"] for item in body["items"]]


def ids(body: dict[str, Any]) -> list[int]:
    return [item["artist_id"] for item in body["items"]]


def test_a_new_user_gets_what_their_friends_play_first(
    client: TestClient, trained: Pipeline
) -> None:
    snapshot = trained.server.snapshot
    trained.server.users.friends[500] = [1, 2]
    both = listened(snapshot, 1) & listened(snapshot, 2)
    either = listened(snapshot, 1) | listened(snapshot, 2)

    body = client.get("/recommendations/users/500", params={"k": len(either) + 5}).json()

    assert body["source"] == "fallback"
    assert set(ids(body)[: len(both)]) == both, "artists both friends play come first"
    assert set(ids(body)[: len(either)]) == either
    assert kinds(body) == ["friends"] * len(either) + ["popular"] * 5
    assert body["items"][0]["reasons"][0]["text"] == "popular among your friends"
    assert len(set(ids(body))) == len(ids(body))
    friends = [item["score"] for item in body["items"][: len(either)]]
    assert friends == sorted(friends, reverse=True)
    assert len(set(friends)) > 2, "ties broken by how much the friends play, not a constant"


def test_a_new_user_without_friends_gets_the_top_of_the_tags_they_use(
    client: TestClient, trained: Pipeline
) -> None:
    snapshot = trained.server.snapshot
    trained.server.users.friends[600] = []
    trained.server.users.tags[600] = [102, 102, 101]
    # tag 102 used twice (weight 1), tag 101 once (weight 0.5). Each artist of the snapshot
    # carries one tag (its group's): the tag's share on it is 1, damped by the evidence
    first, second = tag_counts(snapshot, 102), tag_counts(snapshot, 101)
    expected: dict[int, float] = defaultdict(float)
    assignments: dict[int, float] = defaultdict(float)
    for counts, weight in ((first, 1.0), (second, 0.5)):
        for artist, count in counts.items():
            expected[artist] += weight * count / (count + TAG_EVIDENCE)
            assignments[artist] += weight * count
    ranking = sorted(expected, key=lambda a: (-expected[a], -assignments[a], a))

    body = client.get("/recommendations/users/600", params={"k": 10}).json()

    assert body["source"] == "fallback"
    assert ids(body) == ranking[:10]
    assert kinds(body) == ["tags"] * 10
    assert body["items"][0]["reasons"][0]["tags"] == [102, 101]


def test_the_chain_goes_friends_then_tags_then_popularity_and_respects_feedback(
    client: TestClient, trained: Pipeline
) -> None:
    trained.server.users.friends[700] = [1]
    trained.server.users.tags[700] = [101]
    hidden = sorted(listened(trained.server.snapshot, 1))[0]
    client.post("/recommendations/users/700/feedback", json={"artist_id": hidden, "kind": "hide"})

    body = client.get("/recommendations/users/700", params={"k": 50}).json()

    order = kinds(body)
    assert len(order) == 50
    assert order == sorted(order, key=["friends", "tags", "popular"].index)
    assert {"friends", "tags", "popular"} == set(order)
    assert hidden not in ids(body)
    assert len(set(ids(body))) == 50
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_a_fallback_answer_is_reused_until_its_time_or_feedback(
    client: TestClient, trained: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot, friends = trained.server.snapshot, trained.server.users.friends
    friends[900] = [1]
    first = client.get("/recommendations/users/900", params={"k": 5}).json()
    assert first["source"] == "fallback"
    assert set(ids(first)) <= listened(snapshot, 1)
    assert set(ids(first)) - listened(snapshot, 2), "friend 2 must answer differently"
    friends[900] = [2]  # the listening service changed; this process keeps its answer a while
    assert client.get("/recommendations/users/900", params={"k": 5}).json() == first

    later = time.monotonic() + trained.settings.general_answer_seconds + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    expired = client.get("/recommendations/users/900", params={"k": 5}).json()
    assert set(ids(expired)) <= listened(snapshot, 2)

    hidden = ids(expired)[0]
    client.post("/recommendations/users/900/feedback", json={"artist_id": hidden, "kind": "hide"})
    after_feedback = client.get("/recommendations/users/900", params={"k": 5}).json()
    assert hidden not in ids(after_feedback), "feedback shows at once"
    assert len(ids(after_feedback)) == 5


def test_a_user_without_friends_or_tags_gets_popular_artists(
    client: TestClient, trained: Pipeline
) -> None:
    trained.server.users.others.add(800)
    body = client.get("/recommendations/users/800", params={"k": 7}).json()

    assert body["source"] == "popularity"
    assert len(body["items"]) == 7
    assert kinds(body) == ["popular"] * 7


def test_a_user_nobody_knows_is_a_404(client: TestClient, trained: Pipeline) -> None:
    answer = client.get("/recommendations/users/801")
    assert answer.status_code == 404
    assert answer.json()["type"].endswith("/user-not-found")


def test_cold_start_from_a_seed_tag_gives_its_most_tagged_artists(
    client: TestClient, trained: Pipeline
) -> None:
    counts = tag_counts(trained.server.snapshot, 101)
    expected = sorted(counts, key=lambda a: (-counts[a], a))[:5]

    body = client.post(
        "/recommendations", json={"seed_tags": [101], "k": 5, "explain": True}
    ).json()

    assert body["source"] == "seeds"
    assert ids(body) == expected
    assert kinds(body) == ["tags"] * 5
    assert body["items"][0]["reasons"][0]["text"] == "top in the tags you gave"


def test_cold_start_blends_seed_artists_and_seed_tags(
    client: TestClient, trained: Pipeline
) -> None:
    neighbours = {
        item["id"] for item in client.get("/artists/1/similar", params={"k": 50}).json()["items"]
    }
    tagged = set(tag_counts(trained.server.snapshot, 102))

    body = client.post(
        "/recommendations", json={"seed_artists": [1], "seed_tags": [102], "k": 10}
    ).json()

    assert body["source"] == "seeds"
    assert len(body["items"]) == 10
    assert 1 not in ids(body)
    assert set(ids(body)) <= neighbours | tagged
    assert set(ids(body)) & neighbours - tagged, "the seed artist's neighbours are there"
    assert set(ids(body)) & tagged - neighbours, "the seed tag's artists are there"
    assert body["items"][0]["reasons"] is None


def test_cold_start_needs_a_seed_and_unknown_seeds_fall_back_to_popularity(
    client: TestClient,
) -> None:
    empty = client.post("/recommendations", json={"k": 5})
    unknown = client.post("/recommendations", json={"seed_tags": [9999], "k": 5}).json()

    assert empty.status_code == 422
    assert empty.headers["content-type"] == "application/problem+json"
    assert unknown["source"] == "popularity"
    assert len(unknown["items"]) == 5
