"""A user's profile in one read: their summary, most played artists and friends."""

from __future__ import annotations

from typing import cast

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from listening.services.friends import list_friends
from listening.services.listens import user_artists_json
from listening.services.users import get_user
from soundstream_common.pagination import PageParams


def user_profile_json(session: Session, *, user_id: int, artists: int, friends: int) -> bytes:
    """The ``UserProfile`` JSON: what ``GET /users/{id}``, the first page of
    ``/users/{id}/artists`` and of ``/users/{id}/friends`` answer, read together."""
    user = get_user(session, user_id=user_id)
    top = user_artists_json(
        cast(Engine, session.get_bind()),
        user_id=user_id,
        params=PageParams(limit=artists, offset=0),
    )
    friends_params = PageParams(limit=friends, offset=0)
    items, total = list_friends(session, user_id=user_id, params=friends_params)
    friend_page = friends_params.page(items, total).model_dump_json().encode()
    parts = (b'{"user":', orjson.dumps(user.model_dump()), b',"top_artists":', top)
    return b"".join((*parts, b',"friends":', friend_page, b"}"))
