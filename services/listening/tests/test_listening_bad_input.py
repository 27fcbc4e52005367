"""Bad input on every listening endpoint: the right problem+json, and nothing changes.

Each case runs against the seeded data set (see conftest) and proves the service's whole state
(users, artists, listens, friendships, data set version, unpublished events) is the same after
the request as before it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from .conftest import ListeningService


def cursor_of(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    status: int
    slug: str | None = None
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        body = f" {self.json!r}" if self.json is not None else ""
        raw = f" {self.content!r}" if self.content is not None else ""
        return f"{self.method} {self.path}{'?' + query if query else ''}{body}{raw}"


BAD_CURSORS = ["!!!", "bm90IGpzb24", cursor_of({"o": -1}), cursor_of({"x": 1}), cursor_of([1])]


def paginated(path: str) -> list[Case]:
    """The bad page parameters every list endpoint rejects."""
    limits = [Case("GET", path, 422, params={"limit": v}) for v in (0, -1, 201, "ten", 1.5)]
    cursors = [Case("GET", path, 422, "invalid-cursor", params={"cursor": c}) for c in BAD_CURSORS]
    return limits + cursors


def bad_user_ids(method: str, template: str, **kwargs: Any) -> list[Case]:
    """An unknown user is a 404; a user id that is not a positive 32-bit integer is a 422."""
    return [
        Case(method, template.format(user="999"), 404, "user-not-found", **kwargs),
        *[
            Case(method, template.format(user=bad), 422, **kwargs)
            for bad in ("abc", "0", "-1", "1.5", "2147483648", "1e3")
        ],
    ]


WEIGHT = {"weight": 5}
PLAYS = {"add_plays": 5}

CASES: list[Case] = [
    # GET /users
    *paginated("/users"),
    Case("GET", "/users", 422, params={"sort": "name"}),
    Case("GET", "/users", 422, params={"sort": "PLAYS"}),
    # GET /users/{id}
    *bad_user_ids("GET", "/users/{user}"),
    # GET /users/{id}/profile
    *bad_user_ids("GET", "/users/{user}/profile"),
    *[
        Case("GET", "/users/1/profile", 422, params={part: bad})
        for part in ("artists", "friends")
        for bad in (0, 201, "ten")
    ],
    # POST /users
    Case("POST", "/users", 409, "user-exists", json={"id": 1}),
    *[
        Case("POST", "/users", 422, json={"id": bad})
        for bad in (0, -5, "7", 1.5, True, 2147483648, [1])
    ],
    Case("POST", "/users", 422, json={"name": "x"}),
    Case("POST", "/users", 422, json=[1]),
    Case("POST", "/users", 422, content=b"{not json"),
    # DELETE /users/{id}
    *bad_user_ids("DELETE", "/users/{user}"),
    # GET /users/{id}/artists
    *bad_user_ids("GET", "/users/{user}/artists"),
    *paginated("/users/1/artists"),
    # PUT /users/{id}/artists/{artist_id}
    *bad_user_ids("PUT", "/users/{user}/artists/10", json=WEIGHT),
    Case("PUT", "/users/1/artists/999", 404, "artist-not-found", json=WEIGHT),
    Case("PUT", "/users/1/artists/abc", 422, json=WEIGHT),
    Case("PUT", "/users/1/artists/0", 422, json=WEIGHT),
    *[
        Case("PUT", "/users/1/artists/10", 422, json={"weight": bad})
        for bad in (0, -1, "5", 2.5, None, True, 10**13)
    ],
    Case("PUT", "/users/1/artists/10", 422, json={}),
    Case("PUT", "/users/1/artists/10", 422, json={"weight": 5, "extra": 1}),
    Case("PUT", "/users/1/artists/10", 422, json={"add_plays": 5}),
    Case("PUT", "/users/1/artists/10", 422),
    Case("PUT", "/users/1/artists/10", 422, content=b"weight=5"),
    # PATCH /users/{id}/artists/{artist_id}
    *bad_user_ids("PATCH", "/users/{user}/artists/10", json=PLAYS),
    Case("PATCH", "/users/4/artists/10", 404, "listen-not-found", json=PLAYS),
    Case("PATCH", "/users/1/artists/999", 404, "artist-not-found", json=PLAYS),
    Case("PATCH", "/users/1/artists/x", 422, json=PLAYS),
    *[
        Case("PATCH", "/users/1/artists/10", 422, json={"add_plays": bad})
        for bad in (0, -3, "2", 0.5, None, 10**10)
    ],
    Case("PATCH", "/users/1/artists/10", 422, json={"weight": 5}),
    # DELETE /users/{id}/artists/{artist_id}
    *bad_user_ids("DELETE", "/users/{user}/artists/10"),
    Case("DELETE", "/users/4/artists/10", 404, "listen-not-found"),
    Case("DELETE", "/users/1/artists/999", 404, "artist-not-found"),
    Case("DELETE", "/users/1/artists/-10", 422),
    # GET /users/{id}/friends
    *bad_user_ids("GET", "/users/{user}/friends"),
    *paginated("/users/1/friends"),
    # POST /users/{id}/friends
    *bad_user_ids("POST", "/users/{user}/friends", json={"friend_id": 2}),
    Case("POST", "/users/1/friends", 422, "self-friendship", json={"friend_id": 1}),
    Case("POST", "/users/1/friends", 409, "friendship-exists", json={"friend_id": 2}),
    Case("POST", "/users/2/friends", 409, "friendship-exists", json={"friend_id": 1}),
    Case("POST", "/users/1/friends", 404, "user-not-found", json={"friend_id": 999}),
    *[
        Case("POST", "/users/1/friends", 422, json={"friend_id": bad})
        for bad in (0, -2, "2", 2.0, None, 2147483648)
    ],
    Case("POST", "/users/1/friends", 422, json={}),
    Case("POST", "/users/1/friends", 422, json={"friend_id": 2, "mutual": True}),
    # DELETE /users/{id}/friends/{friend_id}
    *bad_user_ids("DELETE", "/users/{user}/friends/2"),
    Case("DELETE", "/users/2/friends/3", 404, "friendship-not-found"),
    Case("DELETE", "/users/4/friends/4", 404, "friendship-not-found"),
    Case("DELETE", "/users/1/friends/999", 404, "user-not-found"),
    # a friend segment that is not a number names no friendship (and "artists" is a route)
    Case("DELETE", "/users/1/friends/abc", 404),
    Case("DELETE", "/users/1/friends/0", 422),
    # GET /users/{id}/friends/artists
    *bad_user_ids("GET", "/users/{user}/friends/artists"),
    *paginated("/users/1/friends/artists"),
    # GET /stats/weights
    *[
        Case("GET", "/stats/weights", 422, params={"bins_per_decade": bad})
        for bad in (0, 21, "four")
    ],
    *[Case("GET", "/stats/weights", 422, params={"lorenz_points": bad}) for bad in (1, 1002, "x")],
    # GET /stats/artists/top
    *paginated("/stats/artists/top"),
    Case("GET", "/stats/artists/top", 422, params={"by": "name"}),
    Case("GET", "/stats/artists/top", 422, params={"by": ""}),
    # GET /stats/users/{id}
    *bad_user_ids("GET", "/stats/users/{user}"),
    # Unknown routes and methods
    Case("GET", "/stats/nothing", 404),
    Case("POST", "/stats/overview", 405),
    Case("PUT", "/users/1", 405),
    Case("POST", "/export/snapshot", 405),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_a_problem_and_changes_nothing(
    shared_api: ListeningService, case: Case
) -> None:
    before = shared_api.state()
    response = shared_api.client.request(
        case.method,
        case.path,
        params=case.params,
        json=case.json,
        content=case.content,
        headers={"content-type": "application/json"} if case.content is not None else None,
    )
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == case.status
    assert problem["instance"] == case.path
    assert problem["request_id"]
    if case.slug is not None:
        assert problem["type"].endswith(f"/{case.slug}")
    if case.status == 422 and case.slug is None:
        assert problem["errors"], "validation problems list the offending fields"
    assert shared_api.state() == before


def test_every_listening_endpoint_has_bad_input_cases(shared_api: ListeningService) -> None:
    """No endpoint of the API (but the health, export and operator ones) goes untested here."""
    schema = shared_api.app.openapi()
    covered = set()
    for case in CASES:
        covered |= {
            (case.method, template)
            for template in schema["paths"]
            if _matches(template, case.path) and case.method.lower() in schema["paths"][template]
        }
    endpoints = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if not path.startswith(("/health", "/ready", "/export", "/events"))
        and path not in ("/stats/overview", "/stats/social")  # no parameters to get wrong
    }
    assert len(endpoints) == 16
    assert endpoints - covered == set()


def _matches(template: str, path: str) -> bool:
    parts, actual = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(actual) and all(
        p.startswith("{") or p == a for p, a in zip(parts, actual, strict=True)
    )
