"""Query templates: named, parameterised analyses over the warehouse, written once with Ibis.

Each template declares its parameters (name, type, whether required); ``from``/``to`` (both
days included) bound every template whose rows have dates. Listens carry no dates in the
data set, so no template splits plays by period: the platform's growth shows them per day
observed only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from analytics.exceptions import QueryNotFoundError, QueryParameterError
from analytics.warehouse import Warehouse

ParamValue = datetime.date | int | str


@dataclass(frozen=True)
class Param:
    name: str
    kind: type[datetime.date] | type[int] | type[str]
    description: str
    required: bool = False
    default: ParamValue | None = None

    @property
    def type_name(self) -> str:
        return {datetime.date: "date", int: "integer", str: "string"}[self.kind]


@dataclass(frozen=True)
class Bounds:
    """The query's days: ``start`` included, ``end`` excluded (``None``: unbounded)."""

    start: datetime.date | None
    end: datetime.date | None

    def days(self, column: ir.Value) -> ir.BooleanValue:
        condition = ibis.literal(True)
        if self.start is not None:
            condition &= column >= self.start
        if self.end is not None:
            condition &= column < self.end
        return condition


FROM = Param("from", datetime.date, "First day included (YYYY-MM-DD).")
TO = Param("to", datetime.date, "Last day included (YYYY-MM-DD).")
LIMIT = Param("limit", int, "Rows at most (1..200).", default=20)
TAG = Param("tag", str, "A tag's value (letter case ignored).", required=True)

Build = Callable[[Warehouse, Bounds, Mapping[str, Any]], ir.Table]


@dataclass(frozen=True)
class QueryTemplate:
    name: str
    description: str
    params: tuple[Param, ...]
    tables: tuple[str, ...]
    build: Build


def _day(t: ir.Table) -> ir.Value:
    return t.day if "day" in t.columns else t.timestamp.date()


def _daily_activity(w: Warehouse, b: Bounds, _p: Mapping[str, Any]) -> ir.Table:
    t = w.read("tag_activity_daily")
    d = w.read("tag_activity_daily_delta").select(
        "day", assignments_added="total_assignments", taggers_added="total_taggers"
    )
    t = t.filter(b.days(t.day))
    return (
        t.join(d, "day")
        .select(
            "day",
            "assignments",
            "taggers",
            "new_tags",
            "new_artists",
            "new_taggers",
            "total_assignments",
            "total_taggers",
        )
        .order_by("day")
    )


def _growth(w: Warehouse, b: Bounds, _p: Mapping[str, Any]) -> ir.Table:
    t = w.read("platform_state_daily")
    d = w.read("platform_state_daily_delta")
    deltas = {f"{c}_added": d[c] for c in d.columns if c != "day"}
    joined = t.join(d.select("day", **deltas), "day")
    return joined.filter(b.days(joined.day)).order_by("day")


def _top_tags(w: Warehouse, b: Bounds, p: Mapping[str, Any]) -> ir.Table:
    t = w.read("tag_usage_daily")
    t = t.filter(b.days(t.timestamp.date()))
    top = t.group_by("tag").aggregate(
        assignments=t.assignments.sum(), days=t.count(), last_used=t.timestamp.max().date()
    )
    return top.order_by([ibis.desc("assignments"), "tag"]).limit(int(p["limit"]))


def _tag_trend(w: Warehouse, b: Bounds, p: Mapping[str, Any]) -> ir.Table:
    t = w.read("tag_usage_daily")
    t = t.filter(b.days(t.timestamp.date()) & (t.tag.lower() == str(p["tag"]).lower()))
    month = t.timestamp.truncate("M").date()
    return (
        t.group_by(month=month)
        .aggregate(assignments=t.assignments.sum(), days=t.count())
        .order_by("month")
    )


def _tag_top_artists(w: Warehouse, b: Bounds, p: Mapping[str, Any]) -> ir.Table:
    t = w.read("tag_assignment_events")
    t = t.filter(b.days(t.timestamp.date()) & (t.tag.lower() == str(p["tag"]).lower()))
    top = t.group_by("artist_id", "artist").aggregate(assignments=t.count())
    return top.order_by([ibis.desc("assignments"), "artist_id"]).limit(int(p["limit"]))


def _tagger_cohorts(w: Warehouse, b: Bounds, _p: Mapping[str, Any]) -> ir.Table:
    t = w.read("tag_activity_daily")
    t = t.filter(b.days(t.day))
    month = t.day.truncate("M")
    cohorts = t.group_by(month=month).aggregate(
        new_taggers=t.new_taggers.sum(), taggers_by_end=t.total_taggers.max()
    )
    return cohorts.filter(cohorts.new_taggers > 0).order_by("month")


def _artist_statistics(w: Warehouse, b: Bounds, p: Mapping[str, Any]) -> ir.Table:
    t = w.read("tag_assignment_events")
    t = t.filter(b.days(t.timestamp.date()))
    stats = t.group_by("artist_id", "artist").aggregate(
        assignments=t.count(),
        tags=t.tag_id.nunique(),
        first_tagged=t.timestamp.min().date(),
        last_tagged=t.timestamp.max().date(),
    )
    return stats.order_by([ibis.desc("assignments"), "artist_id"]).limit(int(p["limit"]))


TEMPLATES: dict[str, QueryTemplate] = {
    q.name: q
    for q in (
        QueryTemplate(
            "daily_activity",
            "Per day: tag assignments, taggers, first-time tags, artists and taggers, and "
            "the running totals.",
            (FROM, TO),
            ("tag_activity_daily",),
            _daily_activity,
        ),
        QueryTemplate(
            "growth",
            "The platform's counts per day observed, with the change since the day before "
            "(listens carry no dates in the data set: plays show only as observed).",
            (FROM, TO),
            ("platform_state_daily",),
            _growth,
        ),
        QueryTemplate(
            "top_tags",
            "The most used tags in the period: assignments and days used.",
            (FROM, TO, LIMIT),
            ("tag_usage_daily",),
            _top_tags,
        ),
        QueryTemplate(
            "tag_trend",
            "A tag's assignments per month.",
            (TAG, FROM, TO),
            ("tag_usage_daily",),
            _tag_trend,
        ),
        QueryTemplate(
            "tag_top_artists",
            "The artists most tagged with a tag in the period.",
            (TAG, FROM, TO, LIMIT),
            ("tag_assignment_events",),
            _tag_top_artists,
        ),
        QueryTemplate(
            "tagger_cohorts",
            "Cohorts of taggers by the month they first tagged: their size, and how many "
            "taggers there were by the month's end.",
            (FROM, TO),
            ("tag_activity_daily",),
            _tagger_cohorts,
        ),
        QueryTemplate(
            "artist_statistics",
            "The most tagged artists in the period: assignments, distinct tags, first and "
            "last day tagged.",
            (FROM, TO, LIMIT),
            ("tag_assignment_events",),
            _artist_statistics,
        ),
    )
}

ALL_PARAMS: tuple[str, ...] = tuple(
    dict.fromkeys(p.name for q in TEMPLATES.values() for p in q.params)
)
"""Every parameter some template takes (what the route declares)."""


def template(name: str) -> QueryTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise QueryNotFoundError(name) from None


def bind(query: QueryTemplate, given: Mapping[str, ParamValue | None]) -> dict[str, Any]:
    """The template's parameters from ``given`` (``None`` = not given), checked."""
    taken = {p.name: p for p in query.params}
    for name, value in given.items():
        if value is not None and name not in taken:
            raise QueryParameterError(
                name, f"{query.name} takes {', '.join(taken) or 'no parameters'}"
            )
    bound: dict[str, Any] = {}
    for param in query.params:
        value = given.get(param.name)
        if value is None:
            if param.required:
                raise QueryParameterError(param.name, "required by this query")
            value = param.default
        bound[param.name] = value
    start, end = bound.get("from"), bound.get("to")
    if start is not None and end is not None and start > end:
        raise QueryParameterError("from", "must not be after to")
    return bound


def run_query(
    warehouse: Warehouse, query: QueryTemplate, params: Mapping[str, Any]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The template's columns and rows (JSON-ready values) for bound ``params``; no rows
    before the first export."""
    for table in query.tables:
        if not warehouse.has(table):
            return [], []
    end = params.get("to")
    bounds = Bounds(params.get("from"), end + datetime.timedelta(days=1) if end else None)
    expr = query.build(warehouse, bounds, params)
    rows: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    return list(expr.columns), [{k: _json(v) for k, v in row.items()} for row in rows]


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
