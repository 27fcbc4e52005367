"""``/users/{id}/artists``: the user's artists, and upserting, adding to and removing plays."""

from __future__ import annotations

import threading

from sqlalchemy import insert

from listening.models import User
from listening.services.listens import put_listen

from .conftest import ListeningService


def test_user_artists_most_played_first(shared_api: ListeningService) -> None:
    body = shared_api.client.get("/users/2/artists").json()
    assert body["items"] == [
        {"user_id": 2, "artist_id": 10, "weight": 3},
        {"user_id": 2, "artist_id": 30, "weight": 1},
    ]
    assert body["total"] == 2


def test_user_artists_ties_by_artist_id_and_pages(shared_api: ListeningService) -> None:
    first = shared_api.client.get("/users/1/artists", params={"limit": 1}).json()
    assert [i["artist_id"] for i in first["items"]] == [10]
    assert first["total"] == 2
    second = shared_api.client.get(
        "/users/1/artists", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert [i["artist_id"] for i in second["items"]] == [20]
    assert second["next_cursor"] is None


def test_user_without_listens_has_an_empty_page(shared_api: ListeningService) -> None:
    body = shared_api.client.get("/users/4/artists").json()
    assert body == {"items": [], "total": 0, "limit": 20, "next_cursor": None}


def test_put_creates_a_listen(api: ListeningService) -> None:
    response = api.client.put("/users/4/artists/10", json={"weight": 250})
    assert response.status_code == 201
    assert response.headers["location"] == "/users/4/artists/10"
    assert response.json() == {"user_id": 4, "artist_id": 10, "weight": 250}
    assert (4, 10, 250) in api.state()["listens"]


def test_put_replaces_a_listen(api: ListeningService) -> None:
    response = api.client.put("/users/2/artists/10", json={"weight": 7})
    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.json()["weight"] == 7
    listens = api.state()["listens"]
    assert (2, 10, 7) in listens
    assert (2, 10, 3) not in listens


def test_put_of_the_same_weight_changes_nothing(api: ListeningService) -> None:
    before = api.state()
    response = api.client.put("/users/2/artists/10", json={"weight": 3})
    assert response.status_code == 200
    assert response.json() == {"user_id": 2, "artist_id": 10, "weight": 3}
    assert api.state() == before


def test_patch_adds_plays(api: ListeningService) -> None:
    response = api.client.patch("/users/2/artists/10", json={"add_plays": 5})
    assert response.status_code == 200
    assert response.json() == {"user_id": 2, "artist_id": 10, "weight": 8}
    assert (2, 10, 8) in api.state()["listens"]


def test_delete_removes_a_listen(api: ListeningService) -> None:
    assert api.client.delete("/users/2/artists/30").status_code == 204
    assert api.state()["listens"] == [(1, 10, 1), (1, 20, 1), (2, 10, 3), (3, 40, 6)]
    assert api.client.delete("/users/2/artists/30").status_code == 404


def test_listen_for_an_artist_unknown_to_the_catalog_is_a_404_naming_it(
    api: ListeningService,
) -> None:
    before = api.state()
    response = api.client.put("/users/1/artists/999", json={"weight": 3})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/artist-not-found")
    assert problem["artist_id"] == 999
    assert "999" in problem["detail"]
    assert api.state() == before


def test_every_listen_change_publishes_absolute_popularity(api: ListeningService) -> None:
    """Each event names the user whose listen changed (their recommendations follow)."""

    def changed(method: str, path: str, body: dict[str, int] | None = None) -> object:
        recorded = len(api.outbox())
        response = api.client.request(method, path, json=body)
        assert response.status_code < 300
        events = api.outbox()[recorded:]
        assert [event_type for event_type, _ in events] == ["listens.changed"]
        return events[0][1]

    # Artist 10: user 1 plays 1, user 2 plays 3.
    assert changed("PUT", "/users/4/artists/10", {"weight": 5}) == {
        "artists": [{"artist_id": 10, "listeners": 3, "plays": 9}],
        "user_id": 4,
    }
    assert changed("PUT", "/users/4/artists/10", {"weight": 2}) == {
        "artists": [{"artist_id": 10, "listeners": 3, "plays": 6}],
        "user_id": 4,
    }
    assert changed("PATCH", "/users/4/artists/10", {"add_plays": 10}) == {
        "artists": [{"artist_id": 10, "listeners": 3, "plays": 16}],
        "user_id": 4,
    }
    assert changed("DELETE", "/users/4/artists/10") == {
        "artists": [{"artist_id": 10, "listeners": 2, "plays": 4}],
        "user_id": 4,
    }
    assert changed("DELETE", "/users/3/artists/40") == {
        "artists": [{"artist_id": 40, "listeners": 0, "plays": 0}],
        "user_id": 3,
    }


def test_listen_changes_show_in_the_user_summary(api: ListeningService) -> None:
    api.client.put("/users/4/artists/50", json={"weight": 2})
    api.client.put("/users/4/artists/10", json={"weight": 2})
    summary = api.client.get("/users/4").json()
    assert (summary["plays"], summary["artists"]) == (4, 2)
    assert summary["entropy"] == 1.0


def test_concurrent_writes_publish_popularity_in_commit_order(api: ListeningService) -> None:
    """Writers are serialised by the data set lock: each event sees every earlier commit."""
    writers = list(range(100, 108))
    with api.engine.begin() as conn:
        conn.execute(insert(User), [{"id": u} for u in writers])
    state = api.app_state
    start = threading.Barrier(len(writers))
    errors: list[BaseException] = []

    def write(user_id: int) -> None:
        start.wait()
        try:
            with state.sessions() as session:
                put_listen(
                    session,
                    user_id=user_id,
                    artist_id=50,
                    weight=user_id,
                    events=state.events,
                    cache=state.cache,
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(u,)) for u in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    popularity = [payload["artists"][0] for _, payload in api.outbox()]
    assert [p["listeners"] for p in popularity] == list(range(1, len(writers) + 1))
    plays = [p["plays"] for p in popularity]
    assert plays == sorted(plays)
    assert plays[-1] == sum(writers)
    assert api.version() == 1 + len(writers)


def test_equivalent_requests_for_a_users_artists_answer_alike(
    shared_api: ListeningService,
) -> None:
    """Equivalent spellings of one request give the same bytes; bad input is a 422 or 404
    problem."""
    first = shared_api.client.get("/users/1/artists?limit=1")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    for unusual in ["limit=01", "limit=%31", "limit=1&cursor="]:
        answer = shared_api.client.get(f"/users/1/artists?{unusual}")
        assert answer.status_code == 200, unusual
        assert answer.content == first.content, unusual
    cursor = first.json()["next_cursor"]
    second = shared_api.client.get(f"/users/1/artists?limit=1&cursor={cursor}").json()
    assert [i["artist_id"] for i in second["items"]] == [20]
    for bad, status in [
        ("/users/0/artists", 422),
        ("/users/1/artists?limit=0", 422),
        ("/users/1/artists?cursor=nonsense", 422),
        ("/users/1/artists?limit=2&limit=1", 422),
        ("/users/1/artists?from=2009-01-01", 422),
        ("/users/999/artists", 404),
    ]:
        answer = shared_api.client.get(bad)
        assert answer.status_code == status, bad
        assert answer.headers["content-type"] == "application/problem+json", bad
