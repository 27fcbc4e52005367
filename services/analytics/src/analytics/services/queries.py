"""Running query templates against the warehouse."""

from __future__ import annotations

from collections.abc import Mapping

from analytics.config import Settings
from analytics.queries import TEMPLATES, ParamValue, bind, run_query, template
from analytics.schemas import QueryParamRead, QueryResult, QueryTemplateList, QueryTemplateRead
from analytics.warehouse import open_warehouse
from soundstream_common.cache import ResponseCache

QUERIES = "queries"
"""The cache group of query template answers (every export run invalidates it)."""


def list_templates() -> QueryTemplateList:
    return QueryTemplateList(
        items=[
            QueryTemplateRead(
                name=q.name,
                description=q.description,
                params=[
                    QueryParamRead(
                        name=p.name,
                        type=p.type_name,
                        required=p.required,
                        default=p.default,
                        description=p.description,
                    )
                    for p in q.params
                ],
            )
            for q in TEMPLATES.values()
        ]
    )


def run(settings: Settings, *, name: str, given: Mapping[str, ParamValue | None]) -> QueryResult:
    query = template(name)
    params = bind(query, given)
    with open_warehouse(settings.warehouse_url) as warehouse:
        columns, rows = run_query(warehouse, query, params)
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items()}
    return QueryResult(query=name, params=shown, columns=columns, rows=rows)


def cache_key(name: str, given: Mapping[str, ParamValue | None]) -> str:
    """The response-cache key of a template's answer for ``given`` (unset ones left out)."""
    shown = sorted((k, str(v)) for k, v in given.items() if v is not None)
    return f"/analytics/queries/{name}?{shown}"


def cached_json(
    cache: ResponseCache, settings: Settings, *, name: str, given: Mapping[str, ParamValue | None]
) -> bytes:
    """A template's answer as JSON, from the cache (group ``queries``) or computed."""
    return cache.get_or_compute(
        QUERIES,
        cache_key(name, given),
        lambda: run(settings, name=name, given=given).model_dump_json().encode(),
    )
