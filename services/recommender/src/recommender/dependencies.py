"""Request dependencies: path and query parameters, the process's serving objects, and
validating dependencies (a path id that must name a user or artist not deleted upstream)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from recommender.config import Settings
from recommender.services.checks import ensure_known_user, ensure_not_deleted
from recommender.serving.rules import K_MAX, K_MIN
from recommender.serving.views import Serving
from recommender.state import RecommenderState
from recommender.upstream import Upstream
from soundstream_common.app import SessionDep, service_state
from soundstream_common.ids import MAX_ID
from soundstream_taskgraph import Jobs

UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="User id.", examples=[2])]
ArtistIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Artist id.", examples=[89])]
KQuery = Annotated[int, Query(ge=K_MIN, le=K_MAX, description="Number of artists.")]


def get_state(request: Request) -> RecommenderState:
    return service_state(request.app, RecommenderState)


async def get_settings_dep(request: Request) -> Settings:
    return get_state(request).settings


def get_jobs(request: Request) -> Jobs:
    """The training graph bound to the Celery app, and the run history."""
    return get_state(request).jobs


async def get_serving(request: Request) -> Serving:
    return get_state(request).serving


async def get_upstream(request: Request) -> Upstream:
    return get_state(request).upstream


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]
ServingDep = Annotated[Serving, Depends(get_serving)]
UpstreamDep = Annotated[Upstream, Depends(get_upstream)]


def live_user(session: SessionDep, user_id: UserIdPath) -> int:
    """The path's user id (404 ``deleted`` for a user deleted upstream)."""
    ensure_not_deleted(session, kind="user", entity_id=user_id)
    return user_id


def known_user(user_id: Annotated[int, Depends(live_user)], upstream: UpstreamDep) -> int:
    """The path's user id, not deleted and known to the listening service (404 otherwise)."""
    ensure_known_user(upstream, user_id=user_id)
    return user_id


def live_artist(session: SessionDep, artist_id: ArtistIdPath) -> int:
    """The path's artist id (404 ``deleted`` for an artist deleted upstream)."""
    ensure_not_deleted(session, kind="artist", entity_id=artist_id)
    return artist_id


LiveUserDep = Annotated[int, Depends(live_user)]
KnownUserDep = Annotated[int, Depends(known_user)]
LiveArtistDep = Annotated[int, Depends(live_artist)]
