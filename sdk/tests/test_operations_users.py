"""Users, listens, friends and statistics: each SDK method sends its operation's request, the
same from both clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from .operation_calls import (
    SIMILAR,
    TIMELINE,
    Call,
    check_async_call,
    check_sync_call,
    operations_of,
    page,
)

USER = {"id": 2, "plays": 10, "artists": 3, "friends": 1}
LISTEN = {"user_id": 2, "artist_id": 51, "weight": 13}
USER_STATS = {
    "user_id": 2,
    "plays": 1,
    "artists": 1,
    "entropy": 0.5,
    "friends": 1,
    "percentiles": {},
}
OVERVIEW_FIELDS = ["users", "listens", "artists", "artists_with_listens", "friendships"]
OVERVIEW_FIELDS += ["friendship_rows", "plays", "dataset_version"]

CALLS: dict[str, Call] = {
    "stats.top_tags": Call((), {"by": "users"}, {}, page(), {"by": "users"}),
    "stats.tag_dominance": Call(
        (),
        {"kind": "niche", "from_": dt.date(2007, 1, 1), "to": dt.date(2007, 12, 31)},
        {},
        page(rule="r"),
        {"kind": "niche", "from": "2007-01-01", "to": "2007-12-31"},
    ),
    "stats.timeline": Call((), {"to": dt.date(2010, 1, 1)}, {}, TIMELINE, {"to": "2010-01-01"}),
    "users.list": Call((), {"sort": "plays"}, {}, page(USER), {"sort": "plays"}),
    "users.create": Call((), {"id": 5000}, {}, USER, body={"id": 5000}, status=201),
    "users.get": Call((2,), {}, {"user_id": 2}, USER | {"entropy": 1.0}),
    "users.delete": Call((2,), {}, {"user_id": 2}, None, status=204),
    "users.similar": Call((2,), {}, {"user_id": 2}, SIMILAR),
    "users.profile": Call(
        (2,),
        {"artists": 5, "friends": 3},
        {"user_id": 2},
        {"user": USER | {"entropy": 1.0}, "friend_count": 0},
        {"artists": "5", "friends": "3"},
    ),
    "listens.list": Call((2,), {}, {"user_id": 2}, page(LISTEN)),
    "listens.set": Call(
        (2, 51), {"weight": 13}, {"user_id": 2, "artist_id": 51}, LISTEN, body={"weight": 13}
    ),
    "listens.add": Call(
        (2, 51), {"plays": 4}, {"user_id": 2, "artist_id": 51}, LISTEN, body={"add_plays": 4}
    ),
    "listens.delete": Call((2, 51), {}, {"user_id": 2, "artist_id": 51}, None, status=204),
    "friends.list": Call((2,), {}, {"user_id": 2}, page(USER)),
    "friends.add": Call(
        (2, 3),
        {},
        {"user_id": 2},
        {"user_id": 2, "friend_id": 3},
        body={"friend_id": 3},
        status=201,
    ),
    "friends.remove": Call((2, 3), {}, {"user_id": 2, "friend_id": 3}, None, status=204),
    "friends.artists": Call(
        (2,), {}, {"user_id": 2}, page({"artist_id": 1, "friends": 2, "plays": 3})
    ),
    "stats.overview": Call(
        (),
        {},
        {},
        dict.fromkeys(
            OVERVIEW_FIELDS,
            1,
        ),
    ),
    "stats.weights": Call(
        (),
        {"lorenz_points": 11},
        {},
        {"listens": 1, "plays": 2, "artists": 1},
        {"lorenz_points": "11"},
    ),
    "stats.social": Call((), {}, {}, {"users": 1}),
    "stats.top_artists": Call(
        (), {"by": "listeners", "limit": 3}, {}, page(), {"by": "listeners", "limit": "3"}
    ),
    "stats.user": Call((2,), {}, {"user_id": 2}, USER_STATS),
}


def test_every_users_operation_has_a_sample_call_and_vice_versa() -> None:
    assert set(CALLS) == operations_of("users")


@pytest.mark.parametrize("sdk_method", sorted(CALLS))
def test_sync_method_sends_its_operation(api: Any, sdk_method: str) -> None:
    check_sync_call(api, sdk_method, CALLS[sdk_method])


@pytest.mark.anyio
@pytest.mark.parametrize("sdk_method", sorted(CALLS))
async def test_async_method_sends_the_same_request(api: Any, sdk_method: str) -> None:
    await check_async_call(api, sdk_method, CALLS[sdk_method])
