"""Tag statistics: top tags by three measures, dominant vs niche, the global timeline."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        # (value, assignments, artists, users); ties broken by the other counts, then id.
        (
            "assignments",
            [
                ("pop", 6, 4, 5),
                ("rock", 5, 3, 3),
                ("80s", 2, 2, 2),
                ("electronic", 2, 2, 2),
                ("metal", 2, 1, 2),
            ],
        ),
        (
            "artists",
            [
                ("pop", 6, 4, 5),
                ("rock", 5, 3, 3),
                ("80s", 2, 2, 2),
                ("electronic", 2, 2, 2),
                ("metal", 2, 1, 2),
            ],
        ),
        (
            "users",
            [
                ("pop", 6, 4, 5),
                ("rock", 5, 3, 3),
                ("80s", 2, 2, 2),
                ("electronic", 2, 2, 2),
                ("metal", 2, 1, 2),
            ],
        ),
    ],
)
def test_top_tags(client: TestClient, by: str, expected: list[tuple[Any, ...]]) -> None:
    body = client.get("/stats/tags/top", params={"by": by}).json()
    assert body["total"] == 5  # used tags only
    got = [(t["value"], t["assignments"], t["artists"], t["users"]) for t in body["items"]]
    assert got == expected
    assert [t["rank"] for t in body["items"]] == [1, 2, 3, 4, 5]


def test_top_tags_paging_keeps_ranks(client: TestClient) -> None:
    first = client.get("/stats/tags/top", params={"limit": 2}).json()
    second = client.get(
        "/stats/tags/top", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [t["rank"] for t in second["items"]] == [3, 4]
    assert [t["value"] for t in second["items"]] == ["80s", "electronic"]


def test_top_by_users_differs_when_spread_differs(client: TestClient) -> None:
    for user in (3, 4, 5, 6):
        response = client.post(
            "/tag-assignments",
            json={"user_id": user, "artist_id": 4, "tag_id": 5, "date": "2010-10-10"},
        )
        assert response.status_code == 201
    by_users = client.get("/stats/tags/top", params={"by": "users", "limit": 2}).json()
    assert [t["value"] for t in by_users["items"]] == ["metal", "pop"]  # metal: 6 users
    by_artists = client.get("/stats/tags/top", params={"by": "artists", "limit": 1}).json()
    assert by_artists["items"][0]["value"] == "pop"


def test_dominance_rule(client: TestClient) -> None:
    """Tagged artists = 6 (1..6), taggers = 5 (users 1..5)."""
    body = client.get(
        "/stats/tags/dominance", params={"min_artist_share": 0.5, "min_user_share": 0.5}
    ).json()
    assert (body["tagged_artists"], body["taggers"]) == (6, 5)
    assert "at least 50.00% of the tagged artists" in body["rule"]
    kinds = {t["value"]: t["kind"] for t in body["items"]}
    # pop: 4/6 artists, 5/5 users; rock: 3/6 artists, 3/5 users; others below.
    assert kinds == {
        "pop": "dominant",
        "rock": "dominant",
        "80s": "niche",
        "electronic": "niche",
        "metal": "niche",
    }
    assert (body["dominant"], body["niche"], body["total"]) == (2, 3, 5)
    pop = body["items"][0]
    assert (pop["value"], pop["artist_share"], pop["user_share"]) == ("pop", round(4 / 6, 6), 1.0)
    niche = client.get(
        "/stats/tags/dominance",
        params={"min_artist_share": 0.5, "min_user_share": 0.5, "kind": "niche"},
    ).json()
    assert [t["value"] for t in niche["items"]] == ["80s", "electronic", "metal"]
    assert niche["total"] == 3


def test_dominance_defaults_are_documented(client: TestClient) -> None:
    body = client.get("/stats/tags/dominance").json()
    assert (body["min_artist_share"], body["min_user_share"]) == (0.02, 0.05)
    assert body["dominant"] == 5  # in a catalog this small every used tag is widespread


def test_global_timeline(client: TestClient, dataset: Any) -> None:
    body = client.get("/stats/timeline", params={"granularity": "year"}).json()
    expected = Counter(str(day.year) for *_, day in dataset.assignments if day is not None)
    assert body["points"] == [{"period": p, "count": expected[p]} for p in sorted(expected)]
    assert body["total"] == len(dataset.assignments) - 1  # the impossible date is left out
    monthly = client.get(
        "/stats/timeline", params={"from": "2008-01-01", "to": "2008-01-31"}
    ).json()
    assert monthly["points"] == [{"period": "2008-01", "count": 4}]


def test_top_tags_within_dates_count_only_the_assignments_dated_there(
    client: TestClient,
) -> None:
    body = client.get("/stats/tags/top", params={"from": "2008-01-01", "to": "2008-12-31"}).json()
    got = [(t["value"], t["assignments"], t["artists"], t["users"]) for t in body["items"]]
    # 2008: rock 2 (artist 3), pop 2 (artist 1), 80s 1, electronic 1; ties: lower id first.
    assert got == [("rock", 2, 1, 2), ("pop", 2, 1, 2), ("80s", 1, 1, 1), ("electronic", 1, 1, 1)]
    assert body["total"] == 4
    # The assignment with an impossible date (metal) never counts within dates.
    everything = client.get("/stats/tags/top", params={"from": "1900-01-01"}).json()
    metal = next(t for t in everything["items"] if t["value"] == "metal")
    assert metal["assignments"] == 1


def test_top_tags_refuse_a_range_ending_before_it_starts(client: TestClient) -> None:
    response = client.get("/stats/tags/top", params={"from": "2010-01-01", "to": "2009-01-01"})
    assert response.status_code == 422
