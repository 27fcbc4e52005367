"""Operator endpoint listing a consumer group's dead-lettered events."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from soundstream_common.app import ServiceState, service_state
from soundstream_common.errors import DependencyUnavailableError
from soundstream_common.events.consumer import list_dead_letters


class DeadLetterRead(BaseModel):
    id: str = Field(description="Entry id in the dead-letter stream.")
    stream: str = Field(description="Stream the event came from.")
    message_id: str
    error: str = Field(description="The last handler error.")
    failed_at: str
    deliveries: int
    event: dict[str, object]


def dead_letters_router(group: str) -> APIRouter:
    router = APIRouter(prefix="/events", tags=["events"])

    @router.get(
        "/dead-letters",
        response_model=list[DeadLetterRead],
        summary="Events this service failed to handle after every retry",
    )
    def dead_letters(
        request: Request, limit: int = Query(100, ge=1, le=1000)
    ) -> list[DeadLetterRead]:
        redis = service_state(request.app, ServiceState).redis
        letters = redis.call(lambda r: list_dead_letters(r, group, count=limit)) if redis else None
        if letters is None:
            raise DependencyUnavailableError("Redis is unavailable.", dependency="redis")
        return [DeadLetterRead(**letter.__dict__) for letter in letters]

    return router
