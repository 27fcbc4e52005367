"""Bad requests to every catalog endpoint: the right problem+json status, and no change.

Unknown ids are 404; invalid parameters (limits, sorts, cursors, ranges, blank names, more
than 10 tags, ids out of range) are 422; duplicates and deleting a used tag are 409. After
each, every table holds exactly what it held before.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

PROBLEM_JSON = "application/problem+json"


def cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def case(method: str, path: str, status: int, *, slug: str | None = None, **kwargs: Any) -> Any:
    label = f"{method} {path} {kwargs.get('params') or kwargs.get('json') or ''}".strip()
    return pytest.param(method, path, status, slug, kwargs, id=label[:90])


PAGING: list[tuple[dict[str, Any], str]] = [
    ({"limit": 0}, "validation-error"),
    ({"limit": 201}, "validation-error"),
    ({"limit": "ten"}, "validation-error"),
    ({"cursor": "!!not-base64!!"}, "invalid-cursor"),
    ({"cursor": cursor({"o": -1})}, "invalid-cursor"),
    ({"cursor": cursor({"o": 10**20})}, "invalid-cursor"),
    ({"cursor": cursor({"offset": 3})}, "invalid-cursor"),
    ({"cursor": cursor([1, 2])}, "invalid-cursor"),
]
LISTS = [
    "/artists",
    "/artists/3/tags",
    "/tags",
    "/tags/1/artists",
    "/tags/1/similar",
    "/tag-assignments",
    "/stats/tags/top",
    "/stats/tags/dominance",
]

CASES = [
    *(
        case("GET", path, 422, slug=slug, params=params)
        for path in LISTS
        for params, slug in PAGING
    ),
    *(
        case("GET", "/search/artists", 422, slug=slug, params={"tag": "rock", **params})
        for params, slug in PAGING
    ),
    # Artists
    case("GET", "/artists", 422, params={"sort": "popularity"}),
    case("GET", "/artists", 422, params={"q": ""}),
    case("GET", "/artists", 422, params={"q": "x" * 201}),
    case("GET", "/artists/999", 404, slug="artist-not-found"),
    case("GET", "/artists/abc", 422),
    case("GET", "/artists/0", 422),
    case("GET", "/artists/99999999999", 422),
    case("POST", "/artists", 422, json={}),
    case("POST", "/artists", 422, json={"name": ""}),
    case("POST", "/artists", 422, json={"name": "   "}),
    case("POST", "/artists", 422, json={"name": None}),
    case("POST", "/artists", 422, json={"name": "x" * 501}),
    case("POST", "/artists", 422, json={"name": "Air", "genre": "french"}),
    case("POST", "/artists", 422, json={"name": "Air", "url": 5}),
    case("POST", "/artists", 422, json=["Air"]),
    case(
        "POST", "/artists", 422, content=b"{not json", headers={"content-type": "application/json"}
    ),
    case("PATCH", "/artists/999", 404, slug="artist-not-found", json={"name": "x"}),
    case("PATCH", "/artists/1", 422, json={"name": ""}),
    case("PATCH", "/artists/1", 422, json={"name": None}),
    case("PATCH", "/artists/1", 422, json={"is_placeholder": True}),
    case("PATCH", "/artists/1", 422, json={"id": 5}),
    case("PUT", "/artists/1", 422, json={"url": "http://x"}),
    case("PUT", "/artists/999", 404, slug="artist-not-found", json={"name": "x"}),
    case("DELETE", "/artists/999", 404, slug="artist-not-found"),
    case("DELETE", "/artists/abc", 422),
    case("GET", "/artists/999/tags", 404, slug="artist-not-found"),
    # Tags
    case("GET", "/tags", 422, params={"sort": "popularity"}),
    case("GET", "/tags", 422, params={"q": ""}),
    case("GET", "/tags/999", 404, slug="tag-not-found"),
    case("GET", "/tags/-1", 422),
    case("POST", "/tags", 422, json={}),
    case("POST", "/tags", 422, json={"value": ""}),
    case("POST", "/tags", 422, json={"value": " \t "}),
    case("POST", "/tags", 422, json={"value": "x" * 256}),
    case("POST", "/tags", 409, slug="duplicate-tag", json={"value": "rock"}),
    case("POST", "/tags", 409, slug="duplicate-tag", json={"value": " ROCK "}),
    case("POST", "/tags", 409, slug="duplicate-tag", json={"value": "DIE ÄRZTE"}),
    case("PATCH", "/tags/999", 404, slug="tag-not-found", json={"value": "x"}),
    case("PATCH", "/tags/2", 409, slug="duplicate-tag", json={"value": "Rock"}),
    case("PATCH", "/tags/2", 422, json={"value": None}),
    case("PATCH", "/tags/2", 422, json={"value": "  "}),
    case("PUT", "/tags/2", 422, json={}),
    case("PUT", "/tags/2", 409, slug="duplicate-tag", json={"value": "80S"}),
    case("PUT", "/tags/999", 404, slug="tag-not-found", json={"value": "x"}),
    case("DELETE", "/tags/1", 409, slug="tag-in-use"),
    case("DELETE", "/tags/1", 409, slug="tag-in-use", params={"force": "false"}),
    case("DELETE", "/tags/1", 422, params={"force": "maybe"}),
    case("DELETE", "/tags/999", 404, slug="tag-not-found", params={"force": "true"}),
    case("GET", "/tags/999/artists", 404, slug="tag-not-found"),
    case("GET", "/tags/999/timeline", 404, slug="tag-not-found"),
    case("GET", "/tags/1/timeline", 422, params={"granularity": "week"}),
    case("GET", "/tags/1/timeline", 422, params={"from": "2010-13-01"}),
    case("GET", "/tags/1/timeline", 422, params={"to": "yesterday"}),
    case(
        "GET",
        "/tags/1/timeline",
        422,
        slug="invalid-range",
        params={"from": "2010-01-02", "to": "2010-01-01"},
    ),
    case("GET", "/tags/999/similar", 404, slug="tag-not-found"),
    case("GET", "/tags/1/similar", 422, params={"measure": "pearson"}),
    # Tag assignments
    case("GET", "/tag-assignments", 422, params={"user_id": "abc"}),
    case("GET", "/tag-assignments", 422, params={"artist_id": 0}),
    case("GET", "/tag-assignments", 422, params={"tag_id": 2**40}),
    case("GET", "/tag-assignments", 422, params={"from": "2010-02-30"}),
    case(
        "GET",
        "/tag-assignments",
        422,
        slug="invalid-range",
        params={"from": "2011-01-01", "to": "2010-01-01"},
    ),
    case("GET", "/tag-assignments/1/3/1/0", 404, slug="tag-assignment-not-found"),
    case("GET", "/tag-assignments/1/3/1/soon", 422),
    case("GET", "/tag-assignments/1/3/1/99999999999999999999", 422),
    case(
        "POST",
        "/tag-assignments",
        404,
        slug="user-not-found",
        json={"user_id": 99, "artist_id": 1, "tag_id": 1},
    ),
    case(
        "POST",
        "/tag-assignments",
        404,
        slug="artist-not-found",
        json={"user_id": 1, "artist_id": 99, "tag_id": 1},
    ),
    case(
        "POST",
        "/tag-assignments",
        404,
        slug="tag-not-found",
        json={"user_id": 1, "artist_id": 1, "tag_id": 99},
    ),
    case(
        "POST",
        "/tag-assignments",
        409,
        slug="duplicate-tag-assignment",
        json={"user_id": 1, "artist_id": 3, "tag_id": 1, "date": "2008-01-05"},
    ),
    case("POST", "/tag-assignments", 422, json={"user_id": 1, "artist_id": 3}),
    case("POST", "/tag-assignments", 422, json={"user_id": "x", "artist_id": 3, "tag_id": 1}),
    case("POST", "/tag-assignments", 422, json={"user_id": 0, "artist_id": 3, "tag_id": 1}),
    case(
        "POST",
        "/tag-assignments",
        422,
        json={"user_id": 1, "artist_id": 3, "tag_id": 1, "date": "1999-12-31"},
    ),
    case(
        "POST",
        "/tag-assignments",
        422,
        json={"user_id": 1, "artist_id": 3, "tag_id": 1, "date": "2999-01-01"},
    ),
    case(
        "POST",
        "/tag-assignments",
        422,
        json={"user_id": 1, "artist_id": 3, "tag_id": 1, "timestamp_ms": 0},
    ),
    case("DELETE", "/tag-assignments/1/3/1/0", 404, slug="tag-assignment-not-found"),
    case("DELETE", "/tag-assignments/1/3/x/0", 422),
    case("DELETE", "/tag-assignments/1/3/1", 404),
    # Granular search
    case("GET", "/search/artists", 422),
    case("GET", "/search/artists", 422, params={"tag": ""}),
    case("GET", "/search/artists", 422, params={"tag": "  "}),
    case("GET", "/search/artists", 422, params={"tag": [f"t{i}" for i in range(11)]}),
    case("GET", "/search/artists", 422, params={"tag": "rock", "match": "some"}),
    case("GET", "/search/artists", 422, params={"tag": "rock", "sort": "name"}),
    case("GET", "/search/artists", 422, params={"tag": "rock", "min_listeners": -1}),
    case("GET", "/search/artists", 422, params={"tag": "rock", "max_plays": "lots"}),
    case(
        "GET",
        "/search/artists",
        422,
        slug="invalid-range",
        params={"tag": "rock", "min_listeners": 10, "max_listeners": 9},
    ),
    case(
        "GET",
        "/search/artists",
        422,
        slug="invalid-range",
        params={"tag": "rock", "min_plays": 10, "max_plays": 9},
    ),
    # Statistics
    case("GET", "/stats/tags/top", 422, params={"by": "plays"}),
    case("GET", "/stats/tags/dominance", 422, params={"min_artist_share": 2}),
    case("GET", "/stats/tags/dominance", 422, params={"min_user_share": -0.1}),
    case("GET", "/stats/tags/dominance", 422, params={"kind": "big"}),
    case("GET", "/stats/timeline", 422, params={"granularity": "day"}),
    case("GET", "/stats/timeline", 422, params={"to": "31/12/2010"}),
    case(
        "GET",
        "/stats/timeline",
        422,
        slug="invalid-range",
        params={"from": "2010-06-01", "to": "2010-05-31"},
    ),
    # What no route declares, NUL characters (PostgreSQL cannot store them)
    case("GET", "/artists", 422, params={"artist": "3"}),
    case("GET", "/stats/tags/top", 422, params={"since": "2009-01-01"}),
    case("GET", "/artists/3", 422, params={"limit": "5"}),
    case("GET", "/artists", 422, params={"q": "be\x00"}),
    case("GET", "/stats/timeline", 422, params={"to": "0"}),
    case("GET", "/stats/timeline", 422, params={"from": "2009-1-2"}),
    case("GET", "/tags/1/timeline", 422, params={"from": "1700000000"}),
    case(
        "POST", "/tag-assignments", 422, json={"user_id": 1, "artist_id": 1, "tag_id": 1, "date": 0}
    ),
    case("POST", "/tags", 422, json={"value": "rock\x00"}),
    case("POST", "/artists", 422, json={"name": "A\x00B"}),
    case("PATCH", "/artists/3", 422, json={"url": "http://x/\x00"}),
    # Events and unknown routes
    case("GET", "/events/dead-letters", 422, params={"limit": 0}),
    case("GET", "/playlists", 404),
]


@pytest.mark.parametrize(("method", "path", "status", "slug", "kwargs"), CASES)
def test_bad_request_is_a_problem_and_changes_nothing(
    shared_catalog: Any,
    state: Callable[[Engine], Any],
    method: str,
    path: str,
    status: int,
    slug: str | None,
    kwargs: dict[str, Any],
) -> None:
    before = state(shared_catalog.engine)
    response = shared_catalog.client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status
    assert problem["instance"] == path
    assert problem["request_id"] == response.headers["x-request-id"]
    if status == 422 and slug is None:
        assert problem["errors"], problem
    if slug is not None:
        assert problem["type"].endswith(f"/{slug}")
    assert state(shared_catalog.engine) == before
