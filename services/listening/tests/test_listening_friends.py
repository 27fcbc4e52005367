"""``/users/{id}/friends``: the symmetric friendship graph and what friends listen to."""

from __future__ import annotations

from .conftest import ListeningService


def test_friends_with_their_counts(shared_api: ListeningService) -> None:
    body = shared_api.client.get("/users/1/friends").json()
    assert body["items"] == [
        {"id": 2, "plays": 4, "artists": 2, "friends": 1},
        {"id": 3, "plays": 6, "artists": 1, "friends": 1},
    ]
    assert body["total"] == 2
    assert [f["id"] for f in shared_api.client.get("/users/3/friends").json()["items"]] == [1]
    assert shared_api.client.get("/users/4/friends").json()["total"] == 0


def test_friends_pages(shared_api: ListeningService) -> None:
    first = shared_api.client.get("/users/1/friends", params={"limit": 1}).json()
    second = shared_api.client.get(
        "/users/1/friends", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert [f["id"] for f in first["items"] + second["items"]] == [2, 3]
    assert second["next_cursor"] is None


def test_friends_artists_exclude_the_users_own(shared_api: ListeningService) -> None:
    # User 1's friends: 2 (10:3, 30:1) and 3 (40:6); user 1 already plays 10.
    body = shared_api.client.get("/users/1/friends/artists").json()
    assert body["items"] == [
        {"artist_id": 40, "friends": 1, "plays": 6},
        {"artist_id": 30, "friends": 1, "plays": 1},
    ]
    assert body["total"] == 2
    # User 2's only friend is 1 (10:1, 20:1); user 2 plays 10.
    assert shared_api.client.get("/users/2/friends/artists").json()["items"] == [
        {"artist_id": 20, "friends": 1, "plays": 1}
    ]
    assert shared_api.client.get("/users/4/friends/artists").json()["total"] == 0


def test_friends_artists_rank_by_friends_then_plays(api: ListeningService) -> None:
    api.client.post("/users/1/friends", json={"friend_id": 4})
    api.client.put("/users/4/artists/30", json={"weight": 2})
    api.client.put("/users/4/artists/50", json={"weight": 9})
    body = api.client.get("/users/1/friends/artists", params={"limit": 2}).json()
    # 30: friends 2 and 4 (1 + 2 plays); 50: friend 4 (9); 40: friend 3 (6).
    assert body["items"] == [
        {"artist_id": 30, "friends": 2, "plays": 3},
        {"artist_id": 50, "friends": 1, "plays": 9},
    ]
    assert body["total"] == 3
    rest = api.client.get(
        "/users/1/friends/artists", params={"limit": 2, "cursor": body["next_cursor"]}
    ).json()
    assert rest["items"] == [{"artist_id": 40, "friends": 1, "plays": 6}]


def test_befriending_stores_both_directions(api: ListeningService) -> None:
    response = api.client.post("/users/2/friends", json={"friend_id": 3})
    assert response.status_code == 201
    assert response.headers["location"] == "/users/2/friends/3"
    assert response.json() == {"user_id": 2, "friend_id": 3}
    assert {(2, 3), (3, 2)} <= set(api.state()["friendships"])
    assert [f["id"] for f in api.client.get("/users/3/friends").json()["items"]] == [1, 2]


def test_befriending_twice_conflicts_in_either_direction(api: ListeningService) -> None:
    before = api.state()
    for user_id, friend_id in ((1, 2), (2, 1)):
        response = api.client.post(f"/users/{user_id}/friends", json={"friend_id": friend_id})
        assert response.status_code == 409
        assert response.json()["type"].endswith("/friendship-exists")
    assert api.state() == before


def test_self_friendship_is_invalid(api: ListeningService) -> None:
    before = api.state()
    response = api.client.post("/users/2/friends", json={"friend_id": 2})
    assert response.status_code == 422
    assert response.json()["type"].endswith("/self-friendship")
    assert api.state() == before


def test_unfriending_removes_both_directions(api: ListeningService) -> None:
    assert api.client.delete("/users/2/friends/1").status_code == 204
    assert api.state()["friendships"] == [(1, 3), (3, 1)]
    assert api.client.delete("/users/1/friends/2").status_code == 404


def test_friendship_writes_publish_no_events(api: ListeningService) -> None:
    api.client.post("/users/2/friends", json={"friend_id": 3})
    api.client.delete("/users/2/friends/3")
    assert api.outbox() == []


def test_friends_artists_is_not_a_friend_id(shared_api: ListeningService) -> None:
    """``artists`` is a route of its own: deleting it is a method it does not take."""
    answer = shared_api.client.delete("/users/1/friends/artists")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"
