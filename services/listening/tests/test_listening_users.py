"""``/users``: list and sort, summaries with diversity, creation and deletion with cascades."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from listening.main import create_app

from .conftest import ListeningService

H_1_3 = -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))  # user 2 plays 3 and 1: 0.811 bits


def ids(page: dict[str, object]) -> list[int]:
    return [item["id"] for item in page["items"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id", [1, 2, 3, 4]),
        ("plays", [3, 2, 1, 4]),  # 6, 4, 2, 0
        ("artists", [1, 2, 3, 4]),  # 2, 2 (tie by id), 1, 0
        ("friends", [1, 2, 3, 4]),  # 2, 1, 1 (tie by id), 0
    ],
)
def test_list_users_sorted(shared_api: ListeningService, sort: str, expected: list[int]) -> None:
    response = shared_api.client.get("/users", params={"sort": sort})
    assert response.status_code == 200
    body = response.json()
    assert ids(body) == expected
    assert body["total"] == 4
    assert body["next_cursor"] is None


def test_list_users_items_carry_counts(shared_api: ListeningService) -> None:
    items = shared_api.client.get("/users").json()["items"]
    assert items == [
        {"id": 1, "plays": 2, "artists": 2, "friends": 2},
        {"id": 2, "plays": 4, "artists": 2, "friends": 1},
        {"id": 3, "plays": 6, "artists": 1, "friends": 1},
        {"id": 4, "plays": 0, "artists": 0, "friends": 0},
    ]


def test_users_are_read_by_id_in_one_call(shared_api: ListeningService) -> None:
    body = shared_api.client.get("/users", params={"ids": "3,999,1,3"}).json()
    assert ids(body) == [3, 1]
    assert body["items"][0] == {"id": 3, "plays": 6, "artists": 1, "friends": 1}
    assert body["missing"] == [999]
    refused = shared_api.client.get("/users", params={"ids": "1", "sort": "plays"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["query", "sort"]


def test_list_users_pages_follow_the_cursor(shared_api: ListeningService) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, object] = {"sort": "plays", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = shared_api.client.get("/users", params=params).json()
        assert body["total"] == 4
        assert body["limit"] == 3
        seen += ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 2
    assert seen == [3, 2, 1, 4]


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        (1, {"plays": 2, "artists": 2, "friends": 2, "entropy": 1.0, "normalised_entropy": 1.0}),
        (
            2,
            {"plays": 4, "artists": 2, "friends": 1, "entropy": H_1_3, "normalised_entropy": H_1_3},
        ),
        (3, {"plays": 6, "artists": 1, "friends": 1, "entropy": 0.0, "normalised_entropy": None}),
        (4, {"plays": 0, "artists": 0, "friends": 0, "entropy": 0.0, "normalised_entropy": None}),
    ],
)
def test_get_user_summary(
    shared_api: ListeningService, user_id: int, expected: dict[str, float | None]
) -> None:
    response = shared_api.client.get(f"/users/{user_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user_id
    for name, value in expected.items():
        assert body[name] == (pytest.approx(value) if value is not None else None), name


@pytest.mark.parametrize(("user_id", "gini"), [(1, 0.0), (2, 0.25), (3, 0.0), (4, None)])
def test_get_user_gini(shared_api: ListeningService, user_id: int, gini: float | None) -> None:
    body = shared_api.client.get(f"/users/{user_id}").json()
    assert body["gini"] == (pytest.approx(gini) if gini is not None else None)


def test_create_user_with_explicit_id(api: ListeningService) -> None:
    response = api.client.post("/users", json={"id": 2100})
    assert response.status_code == 201
    assert response.headers["location"] == "/users/2100"
    assert response.json() == {"id": 2100, "plays": 0, "artists": 0, "friends": 0}
    assert api.client.get("/users/2100").status_code == 200
    assert ("user.created", {"user_id": 2100}) in api.outbox()


@pytest.mark.parametrize("body", [None, {}, {"id": None}])
def test_create_user_takes_the_next_free_id(api: ListeningService, body: object) -> None:
    api.client.post("/users", json={"id": 40})
    response = api.client.post("/users") if body is None else api.client.post("/users", json=body)
    assert response.status_code == 201
    assert response.json()["id"] == 41
    assert response.headers["location"] == "/users/41"


def test_create_user_on_an_empty_database(make_service: Callable[..., ListeningService]) -> None:
    empty = make_service(seeded=False)
    assert empty.client.post("/users").json()["id"] == 1


def test_create_taken_id_conflicts(api: ListeningService) -> None:
    before = api.state()
    response = api.client.post("/users", json={"id": 2})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/user-exists")
    assert api.state() == before


def test_delete_user_cascades_listens_and_friendships_both_ways(api: ListeningService) -> None:
    assert api.client.delete("/users/1").status_code == 204
    state = api.state()
    assert state["users"] == [2, 3, 4]
    assert state["listens"] == [(2, 10, 3), (2, 30, 1), (3, 40, 6)]
    assert state["friendships"] == []
    assert api.client.get("/users/1").status_code == 404
    assert api.client.get("/users/2").json()["friends"] == 0


def test_delete_user_publishes_user_deleted_and_new_popularity(api: ListeningService) -> None:
    recorded = len(api.outbox())
    api.client.delete("/users/1")
    assert api.outbox()[recorded:] == [
        ("user.deleted", {"user_id": 1}),
        (
            "listens.changed",
            {
                "artists": [
                    {"artist_id": 10, "listeners": 1, "plays": 3},
                    {"artist_id": 20, "listeners": 0, "plays": 0},
                ]
            },
        ),
    ]


def test_delete_user_without_listens_publishes_only_user_deleted(api: ListeningService) -> None:
    recorded = len(api.outbox())
    assert api.client.delete("/users/4").status_code == 204
    assert api.outbox()[recorded:] == [("user.deleted", {"user_id": 4})]


def test_a_profile_is_the_three_reads_it_replaces(api: ListeningService) -> None:
    client = api.client
    profile = client.get("/users/1/profile", params={"artists": 1, "friends": 1}).json()
    assert profile == {
        "user": client.get("/users/1").json(),
        "top_artists": client.get("/users/1/artists", params={"limit": 1}).json(),
        "friends": client.get("/users/1/friends", params={"limit": 1}).json(),
    }
    assert profile["top_artists"]["next_cursor"] is not None  # user 1 has two artists
    # a new friendship shows at once (the cached profile is dropped with the user's counts)
    assert client.post("/users/4/friends", json={"friend_id": 1}).status_code == 201
    again = client.get("/users/1/profile", params={"artists": 1, "friends": 1}).json()
    assert again["user"]["friends"] == profile["user"]["friends"] + 1
    assert again["friends"]["total"] == profile["friends"]["total"] + 1


def test_the_profile_of_an_unknown_user_is_a_404(shared_api: ListeningService) -> None:
    response = shared_api.client.get("/users/999/profile")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/user-not-found")
    assert shared_api.client.get("/users/1/profile", params={"artists": 0}).status_code == 422


def test_openapi_operation_ids(shared_api: ListeningService) -> None:
    schema = create_app(shared_api.settings).openapi()
    operation_ids = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }
    assert {
        "users-list",
        "users-get",
        "users-create",
        "users-delete",
        "users-profile",
        "listens-list",
        "listens-replace",
        "listens-update",
        "listens-delete",
        "friends-list",
        "friends-create",
        "friends-delete",
        "friends-artists",
        "stats-overview",
        "stats-weights",
        "stats-top-artists",
        "stats-social",
        "stats-user",
        "export-snapshot",
        "export-version",
    } <= operation_ids
    user_read = schema["components"]["schemas"]["UserRead"]["properties"]
    assert all("description" in field for field in user_read.values())
