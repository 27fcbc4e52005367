"""API keys: create (the key is shown once), list and revoke. Administrators only."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from gateway.api.responses import problems
from gateway.auth import requires
from gateway.keys import Scope, create_key, list_keys, revoke_key
from gateway.models import ApiKey
from gateway.schemas.gateway import KeyCreate, KeyCreated, KeyRead
from gateway.state import gateway_state
from soundstream_common.app import SessionDep

router = APIRouter(prefix="/v1/keys", tags=["keys"])

KeyIdPath = Annotated[
    str,
    Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$", description="The key's id."),
]


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """SQLite hands timestamps back without their zone: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.UTC)


def _read(row: ApiKey) -> KeyRead:
    return KeyRead(
        id=row.id,
        name=row.name,
        scopes=[Scope(scope) for scope in row.scopes.split()],
        created_at=_utc(row.created_at) or row.created_at,
        revoked_at=_utc(row.revoked_at),
    )


@router.post(
    "",
    name="create",
    response_model=KeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key",
    description="The answer holds the key itself, shown this once: only a keyed hash of it is "
    "stored.",
    responses=problems(422),
    **requires("admin"),
)
def create(request: Request, body: KeyCreate, session: SessionDep) -> KeyCreated:
    secret = gateway_state(request).settings.key_hash_secret.get_secret_value()
    row, key = create_key(session, name=body.name, scopes=body.scopes, hash_secret=secret)
    return KeyCreated(**_read(row).model_dump(), key=key)


@router.get(
    "",
    name="list",
    response_model=list[KeyRead],
    summary="List API keys (without their secrets)",
    description="Revoked keys are listed with `revoked_at`.",
    responses=problems(),
    **requires("admin"),
)
def list_all(session: SessionDep) -> list[KeyRead]:
    return [_read(row) for row in list_keys(session)]


@router.delete(
    "/{key_id}",
    name="revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    description="Refused at once by this gateway process, within `GATEWAY_KEY_CACHE_SECONDS` "
    "by the others.",
    responses=problems(404),
    **requires("admin"),
)
def revoke(request: Request, key_id: KeyIdPath, session: SessionDep) -> Response:
    revoke_key(session, key_id=key_id)
    gateway_state(request).key_verifier.forget(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
