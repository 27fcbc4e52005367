"""Statistics over a period: a tag's top artists, similar tags, dominant vs niche (tags,
tagged artists and taggers) and the granular search count only the tag assignments dated
within ``from``/``to`` (days included), on every back end.

Worked out by hand from the test data set (see ``conftest.DATASET``).
"""

from __future__ import annotations

from typing import Any

import pytest

ROCK, METAL = 1, 5


def tag_artists(shared_catalog: Any, tag_id: int, **params: str) -> list[tuple[int, int]]:
    body = shared_catalog.client.get(f"/tags/{tag_id}/artists", params=params).json()
    assert body["total"] == len(body["items"])
    return [(a["id"], a["count"]) for a in body["items"]]


def test_a_tags_top_artists_within_a_period(shared_catalog: Any) -> None:
    # Rock: artist 3 twice in 2008, artist 4 once in 2009, artist 5 twice in 2010.
    assert tag_artists(shared_catalog, ROCK) == [(3, 2), (5, 2), (4, 1)]
    assert tag_artists(shared_catalog, ROCK, **{"from": "2010-01-01"}) == [(5, 2)]
    assert tag_artists(shared_catalog, ROCK, **{"from": "2008-01-01", "to": "2009-12-31"}) == [
        (3, 2),
        (4, 1),
    ]
    assert tag_artists(shared_catalog, ROCK, to="2007-12-31") == []
    # Metal's second assignment has an impossible source date: never within a period.
    assert tag_artists(shared_catalog, METAL) == [(4, 2)]
    assert tag_artists(shared_catalog, METAL, **{"from": "1900-01-01"}) == [(4, 1)]


def test_similar_tags_within_a_period(shared_catalog: Any) -> None:
    all_time = shared_catalog.client.get(f"/tags/{ROCK}/similar").json()
    # Rock's artists {3, 4, 5}; 80s {3, 5}, metal {4}, electronic {2, 3}, pop {1, 2, 3, 6}.
    assert all_time["artists"] == 3
    assert [(t["value"], t["shared_artists"], t["artists"]) for t in all_time["items"]] == [
        ("80s", 2, 2),
        ("metal", 1, 1),
        ("electronic", 1, 2),
        ("pop", 1, 4),
    ]
    # In 2008 rock was assigned to artist 3 only; of the others only 80s shares it then.
    in_2008 = shared_catalog.client.get(
        f"/tags/{ROCK}/similar", params={"from": "2008-01-01", "to": "2008-12-31"}
    ).json()
    assert in_2008["artists"] == 1
    assert in_2008["total"] == 1
    assert [
        (t["value"], t["shared_artists"], t["artists"], t["score"]) for t in in_2008["items"]
    ] == [("80s", 1, 1, 1.0)]


def test_dominance_counts_tags_artists_and_taggers_within_a_period(shared_catalog: Any) -> None:
    params = {"min_user_share": "0.6", "limit": "200"}
    all_time = shared_catalog.client.get("/stats/tags/dominance", params=params).json()
    assert (all_time["tagged_artists"], all_time["taggers"]) == (6, 5)
    assert all_time["total"] == 5
    in_2008 = shared_catalog.client.get(
        "/stats/tags/dominance", params=params | {"from": "2008-01-01", "to": "2008-12-31"}
    ).json()
    # 2008: users 1 and 2 tagged artists 1, 2 and 3; rock and pop by both, 80s and
    # electronic by one of them; metal was not used.
    assert (in_2008["tagged_artists"], in_2008["taggers"]) == (3, 2)
    kinds = {t["value"]: (t["artists"], t["users"], t["kind"]) for t in in_2008["items"]}
    assert kinds == {
        "rock": (1, 2, "dominant"),
        "pop": (1, 2, "dominant"),
        "80s": (1, 1, "niche"),
        "electronic": (1, 1, "niche"),
    }
    assert (in_2008["dominant"], in_2008["niche"]) == (2, 2)


def search(shared_catalog: Any, **params: Any) -> list[tuple[int, dict[str, int]]]:
    body = shared_catalog.client.get("/search/artists", params=params).json()
    return [
        (hit["id"], {m["value"]: m["count"] for m in hit["matched_tags"]}) for hit in body["items"]
    ]


def test_search_counts_only_the_tags_assigned_within_the_period(shared_catalog: Any) -> None:
    both = {"tag": ["rock", "80s"]}
    assert search(shared_catalog, **both) == [
        (3, {"rock": 2, "80s": 1}),
        (5, {"rock": 2, "80s": 1}),
    ]
    in_2008 = {"from": "2008-01-01", "to": "2008-12-31"}
    assert search(shared_catalog, **both, **in_2008) == [(3, {"rock": 2, "80s": 1})]
    # Artist 5 was tagged 80s on 2009-12-31: in 2010 only its rock assignments count.
    since_2010 = {"from": "2010-01-01"}
    assert search(shared_catalog, **both, **since_2010) == []
    assert search(shared_catalog, **both, **since_2010, match="any") == [(5, {"rock": 2})]
    # The same search without dates is answered as before (the tag index holds no dates).
    assert search(shared_catalog, **both) == [
        (3, {"rock": 2, "80s": 1}),
        (5, {"rock": 2, "80s": 1}),
    ]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (f"/tags/{ROCK}/artists", {}),
        (f"/tags/{ROCK}/similar", {}),
        ("/stats/tags/dominance", {}),
        ("/search/artists", {"tag": "rock"}),
    ],
)
@pytest.mark.parametrize(
    ("dates", "problem"),
    [
        ({"from": "2010-01-01", "to": "2009-12-31"}, "invalid-range"),
        ({"from": "1700000000"}, "validation-error"),
        ({"to": "2009-1-1"}, "validation-error"),
    ],
)
def test_a_period_is_two_days_in_order(
    shared_catalog: Any, path: str, params: dict[str, str], dates: dict[str, str], problem: str
) -> None:
    response = shared_catalog.client.get(path, params=params | dates)
    assert response.status_code == 422
    assert response.json()["type"].endswith(problem)
