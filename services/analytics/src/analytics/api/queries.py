"""Query templates: listed with their parameters, run by name (cached)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from analytics.api.responses import problems
from analytics.dependencies import SettingsDep, TemplateParamsDep
from analytics.schemas import QueryResult, QueryTemplateList
from analytics.services import queries
from soundstream_common.app import CacheDep

router = APIRouter(prefix="/analytics/queries", tags=["queries"])


@router.get(
    "",
    name="list",
    response_model=QueryTemplateList,
    summary="The query templates and their parameters",
)
def list_queries() -> QueryTemplateList:
    return queries.list_templates()


@router.get(
    "/{name}",
    name="run",
    response_model=QueryResult,
    summary="Run a query template",
    description="Takes the parameters the template lists (a parameter it does not take is a "
    "422). `from`/`to` include both days. Answers are cached until the next export run. "
    "Listens carry no dates in the data set: no template splits plays by period.",
    responses=problems(404, 422),
)
def run_query(
    settings: SettingsDep,
    cache: CacheDep,
    params: TemplateParamsDep,
    name: Annotated[str, Path(max_length=64, description="Template name.", examples=["top_tags"])],
) -> Response:
    body = queries.cached_json(cache, settings, name=name, given=params)
    return Response(content=body, media_type="application/json")
