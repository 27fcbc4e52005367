"""The aggregated views, over scripted upstreams: enrichment, profile, artist page; each names
the artists it lists with one catalog call, never one per artist."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from gateway.schemas.gateway import ArtistPage, EnrichedRecommendations, UserProfile

JSON = "application/json"


def _artist_fields(artist_id: int, name: str, tags: int) -> dict[str, Any]:
    return {
        "id": artist_id,
        "name": name,
        "url": f"http://www.last.fm/music/{name}",
        "picture_url": f"http://pictures/{artist_id}.jpg",
        "is_placeholder": False,
        "listeners": 10 * artist_id,
        "plays": 100 * artist_id,
        "top_tags": [{"id": t, "value": f"tag{t}", "count": 10 - t} for t in range(tags)],
    }


def _artist(artist_id: int, name: str, tags: int = 7) -> bytes:
    """The catalog's detail of an artist (up to 10 top tags)."""
    return json.dumps({**_artist_fields(artist_id, name, tags), "tag_assignments": tags}).encode()


def catalog_knows(upstreams: Any, artists: dict[int, str], tags: int = 7) -> None:
    """The fake catalog answers batch reads with these artists (5 top tags each at most)."""
    items = [_artist_fields(a, name, min(tags, 5)) for a, name in artists.items()]
    page = {"items": items, "total": len(items), "limit": 200, "next_cursor": None}
    upstreams.catalog.answer(
        "GET", "/artists", 200, json.dumps(page | {"missing": []}).encode(), JSON
    )


def batch_reads(upstreams: Any) -> list[str]:
    """The ids of every catalog batch read the gateway made."""
    return [r.query for r in upstreams.catalog.requests if r.path == "/artists"]


def _recommendations(user_id: int, artist_ids: list[int]) -> bytes:
    return json.dumps(
        {
            "user_id": user_id,
            "source": "model",
            "model_version": "v1",
            "generated_at": "2026-11-26T12:00:00Z",
            "items": [
                {"artist_id": a, "score": 1.0 / (i + 1), "listened": False, "reasons": None}
                for i, a in enumerate(artist_ids)
            ],
        }
    ).encode()


def test_recommendations_are_enriched_with_catalog_details(
    gateway: TestClient, upstreams: Any
) -> None:
    upstreams.recommender.answer(
        "GET", "/recommendations/users/2", 200, _recommendations(2, [5, 6, 404]), JSON
    )
    catalog_knows(upstreams, {5: "Air"})
    items = [_artist_fields(5, "Air", 5), _artist_fields(6, "Moby", 2)]
    page = {"items": items, "total": 2, "limit": 3, "next_cursor": None, "missing": [404]}
    upstreams.catalog.answer("GET", "/artists", 200, json.dumps(page).encode(), JSON)
    response = gateway.get("/v1/recommendations/users/2?k=3&explain=true")
    assert response.status_code == 200
    body = response.json()
    EnrichedRecommendations.model_validate(body)  # the documented shape
    assert (body["source"], body["model_version"], body["user_id"]) == ("model", "v1", 2)
    air, moby, unknown = body["items"]
    assert air["artist_id"] == 5
    assert air["name"] == "Air"
    assert air["url"] == "http://www.last.fm/music/Air"
    assert air["picture_url"] == "http://pictures/5.jpg"
    assert [t["value"] for t in air["top_tags"]] == ["tag0", "tag1", "tag2", "tag3", "tag4"]
    assert air["score"] == 1.0
    assert len(moby["top_tags"]) == 2
    assert unknown == {
        "artist_id": 404,
        "score": 1 / 3,
        "listened": False,
        "reasons": None,
        "name": None,
        "url": None,
        "picture_url": None,
        "top_tags": [],
    }
    (asked,) = upstreams.recommender.requests
    assert asked.query == "k=3&exclude_listened=true&explain=true"
    assert batch_reads(upstreams) == ["ids=5%2C6%2C404"]
    assert [r.path for r in upstreams.catalog.requests] == ["/artists"]
    assert "etag" in response.headers


def test_reasons_name_the_artists_they_cite(gateway: TestClient, upstreams: Any) -> None:
    raw = json.loads(_recommendations(2, [5]))
    raw["items"][0]["reasons"] = [
        {
            "kind": "listened",
            "strength": 0.8,
            "text": "because you listen to similar artists",
            "artists": [51, 52, 999],
            "users": [],
            "tags": [],
        },
        {
            "kind": "friends",
            "strength": 0.5,
            "text": "popular among your friends",
            "artists": [],
            "users": [3],
            "tags": [],
        },
    ]
    upstreams.recommender.answer(
        "GET", "/recommendations/users/2", 200, json.dumps(raw).encode(), JSON
    )
    catalog_knows(upstreams, {5: "Air", 51: "Duran Duran", 52: "Depeche Mode"})
    body = gateway.get("/v1/recommendations/users/2?explain=true").json()
    listened, friends = body["items"][0]["reasons"]
    assert listened["text"] == "because you listen to Duran Duran, Depeche Mode"
    assert listened["artists"] == [51, 52, 999]
    assert friends["text"] == "popular among your friends"
    assert batch_reads(upstreams) == ["ids=5%2C51%2C52%2C999"]


def test_a_user_profile_in_one_call(gateway: TestClient, upstreams: Any) -> None:
    user = {"id": 2, "plays": 30, "artists": 2, "friends": 1, "entropy": 1.0}
    user |= {"normalised_entropy": 1.0, "gini": 0.0}
    listens = {
        "items": [
            {"user_id": 2, "artist_id": 5, "weight": 20},
            {"user_id": 2, "artist_id": 6, "weight": 10},
        ],
        "total": 2,
        "limit": 10,
        "next_cursor": None,
    }
    friends = {
        "items": [{"id": 3, "plays": 5, "artists": 1, "friends": 1}],
        "total": 1,
        "limit": 50,
        "next_cursor": None,
    }
    profile = {"user": user, "top_artists": listens, "friends": friends}
    upstreams.listening.answer("GET", "/users/2/profile", 200, json.dumps(profile).encode(), JSON)
    upstreams.recommender.answer(
        "GET", "/recommendations/users/2", 200, _recommendations(2, [7]), JSON
    )
    catalog_knows(upstreams, {5: "Air", 6: "Moby", 7: "Justice"})

    response = gateway.get("/v1/users/2/profile")
    assert response.status_code == 200
    body = response.json()
    UserProfile.model_validate(body)
    assert body["user"] == user
    assert [(a["id"], a["name"], a["weight"]) for a in body["top_artists"]] == [
        (5, "Air", 20),
        (6, "Moby", 10),
    ]
    assert body["friends"] == friends["items"]
    assert body["friend_count"] == 1
    assert body["recommendations"]["items"][0]["name"] == "Justice"
    assert body["unavailable"] == []
    assert batch_reads(upstreams) == ["ids=5%2C6%2C7"]
    assert [r.path for r in upstreams.recommender.requests] == ["/recommendations/users/2"]
    (asked,) = upstreams.listening.requests  # one listening call for the whole profile
    assert (asked.path, asked.query) == ("/users/2/profile", "artists=10&friends=50")


def test_a_missing_user_is_the_listening_services_404(gateway: TestClient, upstreams: Any) -> None:
    problem = {"type": "x/user-not-found", "title": "User not found", "status": 404}
    upstreams.listening.answer(
        "GET", "/users/9/profile", 404, json.dumps(problem).encode(), "application/problem+json"
    )
    response = gateway.get("/v1/users/9/profile")
    assert response.status_code == 404
    assert response.json()["title"] == "User not found"
    assert response.json()["instance"] == "/v1/users/9/profile"


def test_an_artist_page_names_similar_artists(gateway: TestClient, upstreams: Any) -> None:
    upstreams.catalog.answer("GET", "/artists/5", 200, _artist(5, "Air"), JSON)
    catalog_knows(upstreams, {6: "Moby"})
    similar = {"id": 5, "model_version": "v1", "items": [{"id": 6, "score": 0.5}]}
    upstreams.recommender.answer(
        "GET", "/artists/5/similar", 200, json.dumps(similar).encode(), JSON
    )
    body = gateway.get("/v1/artists/5/page").json()
    ArtistPage.model_validate(body)
    assert body["artist"]["name"] == "Air"
    assert len(body["top_tags"]) == 7
    assert (body["listeners"], body["plays"]) == (50, 500)
    assert body["similar"] == [
        {
            "id": 6,
            "name": "Moby",
            "url": "http://www.last.fm/music/Moby",
            "picture_url": "http://pictures/6.jpg",
            "score": 0.5,
        }
    ]
    assert body["unavailable"] == []
    assert batch_reads(upstreams) == ["ids=6"]


def test_an_artist_unknown_to_the_model_has_no_similar_artists(
    gateway: TestClient, upstreams: Any
) -> None:
    upstreams.catalog.answer("GET", "/artists/5", 200, _artist(5, "Air"), JSON)
    upstreams.recommender.answer(
        "GET", "/artists/5/similar", 404, b'{"status": 404}', "application/problem+json"
    )
    body = gateway.get("/v1/artists/5/page").json()
    assert body["similar"] == []
    assert body["unavailable"] == []
