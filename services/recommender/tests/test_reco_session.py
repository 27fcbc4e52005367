"""Session recommendations: seed artists and tags by id or by name, with weights, scored by
the published models as one listening row (real worker, real Redis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from .conftest import Pipeline


def ids(body: dict[str, Any]) -> list[int]:
    return [item["artist_id"] for item in body["items"]]


@pytest.fixture
def named(trained: Pipeline) -> Pipeline:
    trained.server.users.names.update({3: "Daft Punk", 45: "Miles Davis", 50: "Beyoncé"})
    trained.server.users.tag_values.update({100: "electronic", 101: "rock", 102: "jazz"})
    return trained


def session(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/recommendations", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_seeds_by_name_answer_as_by_id_and_unknown_names_are_listed_apart(
    client: TestClient, named: Pipeline
) -> None:
    by_id = session(client, seed_artists=[3], k=10)
    by_name = session(client, seed_artists=["daft punk", "Nobody Here"], seed_tags=["polka"], k=10)

    assert by_name["source"] == "seeds"
    assert ids(by_name) == ids(by_id)
    assert 3 not in ids(by_name)
    assert sum(1 <= a <= 20 for a in ids(by_name)) >= 7, "the seed's taste group"
    assert by_name["unknown_seeds"] == {"artists": ["Nobody Here"], "tags": ["polka"]}
    assert by_id["unknown_seeds"] is None
    accents = session(client, seed_artists=["BEYONCE"], k=3)
    assert accents["unknown_seeds"] is None
    assert 50 not in ids(accents)


def test_a_session_is_scored_by_the_published_models_as_a_listening_row(
    client: TestClient, named: Pipeline
) -> None:
    """The same artists as a new user listening to the seeds (the median play count each)
    gets from the published blend: not only the seeds' similar artists."""
    typical = int(np.median(named.server.snapshot.listens.weights))
    named.server.users.listens[900] = {3: typical, 45: typical}
    as_user = client.get("/recommendations/users/900", params={"k": 10}).json()

    answer = session(client, seed_artists=[3, "Miles Davis"], k=10, explain=True)

    assert as_user["source"] == "fold-in"
    assert ids(answer) == ids(as_user)
    cited = {a for item in answer["items"] for r in item["reasons"] for a in r["artists"]}
    assert cited <= {3, 45}
    assert cited


def test_weights_lean_the_answer_towards_the_heavier_seed(
    client: TestClient, named: Pipeline
) -> None:
    first_group = session(
        client, seed_artists=[{"id": 3, "weight": 5}, {"name": "Miles Davis", "weight": 0.2}]
    )
    third_group = session(
        client, seed_artists=[{"id": 3, "weight": 0.2}, {"name": "Miles Davis", "weight": 5}]
    )

    assert sum(a <= 20 for a in ids(first_group)) > sum(a <= 20 for a in ids(third_group))
    assert sum(a > 40 for a in ids(third_group)) > sum(a > 40 for a in ids(first_group))


def test_tags_by_value_and_bad_seeds(client: TestClient, named: Pipeline) -> None:
    tags = named.server.snapshot.tags
    assert tags is not None
    tagged = set(tags.artist_ids[tags.tag_ids == 102].tolist())
    jazz = session(client, seed_tags=["Jazz"], k=len(tagged), explain=True)
    assert set(ids(jazz)) == tagged
    assert all(item["reasons"][0]["tags"] == [102] for item in jazz["items"])

    for bad in ([{"id": 3, "name": "Daft Punk"}], [{"weight": 2}], [{"id": 3, "weight": 0}], [""]):
        response = client.post("/recommendations", json={"seed_artists": bad})
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"


def test_a_tag_seed_ranks_the_artists_the_tag_is_most_on(
    client: TestClient, named: Pipeline
) -> None:
    """Artist 5 is tagged "bebop" more often than 47, but it is mostly tagged something else:
    47 is the bebop artist. Scores are real, never a tie on a constant."""
    users = named.server.users
    users.tag_values[300] = "bebop"
    users.tagged[300] = [5] * 4 + [47] * 3
    users.tagged[100] = users.tagged.get(100, []) + [5] * 40

    answer = session(client, seed_tags=["bebop"], k=2, explain=True)

    assert ids(answer) == [47, 5]
    scores = [item["score"] for item in answer["items"]]
    assert scores[0] > scores[1] > 0
    assert all(item["reasons"][0]["tags"] == [300] for item in answer["items"])
