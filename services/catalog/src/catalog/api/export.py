"""``/export``: the whole catalog as NDJSON sections, for the analytics service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from catalog.dependencies import EngineDep
from catalog.services.export import CatalogExport
from soundstream_common.versions import VERSION_HEADER, etag_matches

router = APIRouter(prefix="/export", tags=["export"])

NDJSON = "application/x-ndjson"

EXPORT_DESCRIPTION = """\
Artists, tags and tag assignments as NDJSON, read in one consistent snapshot and streamed
from the database cursor. Lines, in order:

- `{"type":"export","format":1,"dataset_version":42,"etag":"\\"…-42\\""}`
- `{"type":"section","name":"artists","columns":["id","name","is_placeholder"]}`, then one
  array per artist, e.g. `[89,"Lady Gaga",false]`
- `{"type":"section","name":"tags","columns":["id","value"]}`, then one array per tag
- `{"type":"section","name":"tag_assignments","columns":["user_id","artist_id","tag_id",
  "timestamp_ms","date_valid"]}`, then one array per assignment (`timestamp_ms` is 0 and
  `date_valid` false where the source date was impossible)
- `{"type":"end","artists":17632,"tags":11946,"tag_assignments":186479}`: a stream without
  it is truncated.

`ETag` and `X-Dataset-Version` name the version of the data set (every write to artists,
tags or tag assignments advances it); send the ETag back in `If-None-Match` to get
`304 Not Modified` while nothing has changed.
"""


@router.get(
    "/snapshot",
    name="snapshot",
    summary="Stream every artist, tag and tag assignment",
    description=EXPORT_DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {"content": {NDJSON: {}}, "description": "The export (NDJSON)."},
        304: {"description": "Unchanged since the ETag in If-None-Match."},
    },
)
def snapshot(
    engine: EngineDep,
    if_none_match: Annotated[str | None, Header(description="A previous ETag.")] = None,
) -> Response:
    export = CatalogExport(engine)
    headers = {
        "ETag": export.version.etag,
        VERSION_HEADER: str(export.version.version),
        "Cache-Control": "no-cache",
    }
    if etag_matches(if_none_match, export.version.etag):
        export.close()
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return StreamingResponse(
        export.lines(), media_type=NDJSON, headers=headers, background=BackgroundTask(export.close)
    )
