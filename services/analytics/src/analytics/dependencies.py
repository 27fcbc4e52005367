"""Dependencies of the analytics routes: settings, and validated query parameters."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from analytics.config import Settings
from analytics.state import AnalyticsState
from soundstream_common.app import service_state
from soundstream_common.fields import IsoDay


async def get_settings_dep(request: Request) -> Settings:
    return service_state(request.app, AnalyticsState).settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ReportIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="Report id.", examples=[1])]
HistoryLimit = Annotated[int, Query(ge=1, le=200, description="Entries at most (newest first).")]


async def template_params(
    start: Annotated[
        IsoDay | None, Query(alias="from", description="First day included (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        IsoDay | None, Query(alias="to", description="Last day included (YYYY-MM-DD).")
    ] = None,
    tag: Annotated[
        str | None, Query(min_length=1, max_length=255, description="A tag's value.")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=200, description="Rows at most.")] = None,
) -> dict[str, datetime.date | int | str | None]:
    """Every parameter some query template takes; each template refuses those it does not."""
    return {"from": start, "to": end, "tag": tag, "limit": limit}


TemplateParamsDep = Annotated[dict[str, datetime.date | int | str | None], Depends(template_params)]
