"""The plain routes (search, artist detail): what they take, what they leave to validation,
the same answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from catalog.api.artists_plain import PlainArtistRoute
from catalog.api.search_plain import PlainSearchRoute, plain_key, plain_search
from catalog.cache import canonical_key
from catalog.schemas.search import MatchMode, SearchSort
from catalog.services.search import PopularityBounds
from soundstream_common.pagination import PageParams, encode_cursor

CURSOR = encode_cursor(40).encode()


@pytest.mark.parametrize(
    ("query", "tags", "match", "sort", "page", "bounds"),
    [
        (b"tag=rock", ["rock"], "all", "relevance", (20, 0), PopularityBounds()),
        (
            b"tag=rock&tag=80s&match=any&sort=plays&limit=200&cursor=" + CURSOR + b"&utm=x",
            ["rock", "80s"],
            "any",
            "plays",
            (200, 40),
            PopularityBounds(),
        ),
        (
            b"min_listeners=0&max_listeners=7&min_plays=5&max_plays=5&tag=Hip-Hop",
            ["Hip-Hop"],
            "all",
            "relevance",
            (20, 0),
            PopularityBounds(0, 7, 5, 5),
        ),
        (
            b"&".join(b"tag=t%d" % i for i in range(10)),
            [f"t{i}" for i in range(10)],
            "all",
            "relevance",
            (20, 0),
            PopularityBounds(),
        ),
    ],
)
def test_the_plain_route_takes_canonical_queries(
    query: bytes,
    tags: list[str],
    match: str,
    sort: str,
    page: tuple[int, int],
    bounds: PopularityBounds,
) -> None:
    found = plain_search(query)
    assert found is not None
    assert (found.tags, found.match, found.sort) == (tags, MatchMode(match), SearchSort(sort))
    assert found.page == PageParams(*page)
    assert found.bounds == bounds


@pytest.mark.parametrize(
    "query",
    [
        b"",
        b"match=all",
        b"tag=",
        b"tag=hip+hop",
        b"tag=hip%20hop",
        "tag=métal".encode(),
        b"&".join(b"tag=t%d" % i for i in range(11)),
        b"tag=" + b"x" * 256,
        b"tag=rock&match=some",
        b"tag=rock&match=all&match=any",
        b"tag=rock&sort=name",
        b"tag=rock&limit=0",
        b"tag=rock&limit=201",
        b"tag=rock&limit=020",
        b"tag=rock&limit=",
        b"tag=rock&cursor=",
        b"tag=rock&cursor=nonsense",
        b"tag=rock&min_listeners=-1",
        b"tag=rock&max_plays=lots",
        b"tag=rock&min_plays=9&max_plays=8",
        b"tag=rock&min_listeners=9223372036854775808",
    ],
)
def test_the_plain_route_leaves_the_rest_to_validation(query: bytes) -> None:
    assert plain_search(query) is None


def test_the_plain_route_shares_the_cache_key_of_the_documented_one() -> None:
    key = plain_key(b"tag=rock&tag=80s&match=any&limit=5&x=")
    documented = [("tag", "rock"), ("tag", "80s"), ("match", "any"), ("limit", "5"), ("x", "")]
    assert key == canonical_key("/search/artists", documented)


def test_plain_and_unusual_forms_give_the_same_answer(client: TestClient) -> None:
    routes = client.app.router.routes  # type: ignore[attr-defined]
    assert isinstance(routes[0], PlainSearchRoute)  # it answers the plain request below
    plain = client.get("/search/artists?tag=rock&tag=80s&match=any&limit=2")
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/json"
    assert plain.headers["x-request-id"]
    assert plain.json()["total"] > 2
    for unusual in [
        "tag=rock&tag=8%30s&match=any&limit=2",
        "tag=rock&tag=80s&match=all&match=any&limit=2",
        "tag=rock&tag=80s&match=any&limit=02",
        "tag=+rock&tag=80s&match=any&limit=2",
    ]:
        answer = client.get(f"/search/artists?{unusual}")
        assert answer.status_code == 200, unusual
        assert answer.content == plain.content, unusual
    following = client.get(
        f"/search/artists?tag=rock&tag=80s&match=any&limit=2&cursor={plain.json()['next_cursor']}"
    )
    assert following.json()["items"][0]["id"] not in [hit["id"] for hit in plain.json()["items"]]


def test_bad_input_reaching_the_documented_route_is_a_problem(client: TestClient) -> None:
    for query in [
        "tag=rock&limit=0",
        "tag=rock&cursor=nonsense",
        "tag=rock&min_plays=9&max_plays=8",
    ]:
        answer = client.get(f"/search/artists?{query}")
        assert answer.status_code == 422, query
        assert answer.headers["content-type"] == "application/problem+json"
    assert "/search/artists" in client.get("/openapi.json").json()["paths"]


def test_an_artist_answers_alike_on_both_routes(client: TestClient) -> None:
    plain = client.get("/artists/3")
    assert plain.status_code == 200
    assert plain.json()["name"] == "Depeche Mode"
    routes = client.app.router.routes  # type: ignore[attr-defined]
    assert any(isinstance(route, PlainArtistRoute) for route in routes[:2])
    for unusual in ["/artists/03", "/artists/%33", "/artists/3?utm=x"]:
        answer = client.get(unusual)
        assert answer.status_code == 200, unusual
        assert answer.content == plain.content, unusual
    for bad, status in [("/artists/0", 422), ("/artists/x", 422), ("/artists/99999", 404)]:
        answer = client.get(bad)
        assert answer.status_code == status, bad
        assert answer.headers["content-type"] == "application/problem+json", bad
