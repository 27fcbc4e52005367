"""``/export``: the versioned snapshot the recommender trains on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from listening.dependencies import EngineDep
from listening.schemas import DatasetVersionRead
from listening.services.dataset import Snapshot, current_version
from soundstream_common.app import SessionDep
from soundstream_common.versions import VERSION_HEADER, etag_matches

router = APIRouter(prefix="/export", tags=["export"])

NDJSON = "application/x-ndjson"

SNAPSHOT_DESCRIPTION = """\
The whole data set as NDJSON, read in one consistent snapshot and streamed from the database
cursor. Lines, in order:

- `{"type":"snapshot","format":1,"dataset_version":42,"etag":"\\"…-42\\""}`
- `{"type":"listen","user_id":2,"artist_id":51,"weight":13883}` for every listen
- `{"type":"friendship","user_id":2,"friend_id":275}` for every stored direction
  (each friendship appears twice)
- `{"type":"end","listens":92834,"friendships":25434}`: a stream without it is truncated.

`ETag` and `X-Dataset-Version` name the version; send the ETag back in `If-None-Match` to
get `304 Not Modified` while nothing has changed.
"""


@router.get(
    "/snapshot",
    name="snapshot",
    summary="Stream every listen and friendship with the data set version",
    description=SNAPSHOT_DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {"content": {NDJSON: {}}, "description": "The snapshot (NDJSON)."},
        304: {"description": "Unchanged since the ETag in If-None-Match."},
    },
)
def snapshot(
    engine: EngineDep,
    if_none_match: Annotated[str | None, Header(description="A previous ETag.")] = None,
) -> Response:
    snap = Snapshot(engine)
    headers = {
        "ETag": snap.version.etag,
        VERSION_HEADER: str(snap.version.version),
        "Cache-Control": "no-cache",
    }
    if etag_matches(if_none_match, snap.version.etag):
        snap.close()
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return StreamingResponse(
        snap.lines(), media_type=NDJSON, headers=headers, background=BackgroundTask(snap.close)
    )


@router.get(
    "/version",
    name="version",
    response_model=DatasetVersionRead,
    summary="The current data set version and the snapshot's ETag (cheap)",
)
def version(session: SessionDep, response: Response) -> DatasetVersionRead:
    info = current_version(session)
    response.headers["ETag"] = info.etag
    response.headers[VERSION_HEADER] = str(info.version)
    return DatasetVersionRead(version=info.version, etag=info.etag)
