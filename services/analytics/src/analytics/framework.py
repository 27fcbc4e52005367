"""The extractor micro-framework: typed row classes, two kinds of extractor, one registry.

An extractor is a small class: its ``row`` (a frozen dataclass whose field types map to the
warehouse's types, ``X | None`` fields nullable) and ``extract(start, end)`` (``start``
included, ``end`` excluded) returning an Ibis table with exactly the row's columns. The
framework does everything around it: creating the table from the row type, replacing the
days of a run, the ``<table>_delta`` views, the Parquet export, the dry run.

- :class:`DailyExtractor` (date-aggregated): one row per day; the framework supplies the
  days (:meth:`DailyExtractor.calendar`) and the row's first field is ``day: date``.
- :class:`RowExtractor` (individual rows): each row carries its own ``timestamp``.

A field declared with :func:`differentiated` holds a cumulative metric; the table then gets a
``<table>_delta`` view with its per-day differences (10, 20, 35 -> 10, 10, 15).

Schema rule: a table's columns never change once created. A changed row type is a new
table version (``version = 2`` -> ``tags_daily_v2``); the old table stays until dropped on
purpose.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from analytics.sources import Sources

DIFFERENTIATE = "differentiate"

_TYPES: dict[Any, dt.DataType] = {
    int: dt.int64,
    float: dt.float64,
    str: dt.string,
    bool: dt.boolean,
    datetime.date: dt.date,
    datetime.datetime: dt.Timestamp(timezone="UTC"),
}


def differentiated() -> Any:
    """A field holding a cumulative metric: the table gets a ``<table>_delta`` view."""
    return dataclasses.field(metadata={DIFFERENTIATE: True})


def _field_type(annotation: Any) -> dt.DataType:
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported row field type {annotation!r}")
        annotation, nullable = args[0], True
    if annotation not in _TYPES:
        raise TypeError(f"unsupported row field type {annotation!r}")
    return _TYPES[annotation].copy(nullable=nullable)


def row_schema(row: type[Any]) -> ibis.Schema:
    """The warehouse schema of a row dataclass (``X | None`` fields nullable)."""
    hints = typing.get_type_hints(row)
    return ibis.schema({f.name: _field_type(hints[f.name]) for f in dataclasses.fields(row)})


def differentiated_fields(row: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(row) if f.metadata.get(DIFFERENTIATE)]


class Extractor(ABC):
    """What every extractor declares; subclass :class:`DailyExtractor` or :class:`RowExtractor`."""

    name: ClassVar[str]
    """The table's base name (``tag_activity_daily``)."""
    version: ClassVar[int] = 1
    """Bumped when the row type changes: version 2 writes ``<name>_v2``."""
    row: ClassVar[type[Any]]
    """The row dataclass."""
    description: ClassVar[str]
    kind: ClassVar[str]
    time_column: ClassVar[str]
    observes_present: ClassVar[bool] = False
    """True when the extractor can only see the present state (a snapshot's counts): it
    writes the last day of a run reaching yesterday, and leaves earlier days alone."""
    personal: ClassVar[bool] = False
    """True when its rows identify a person: registered only where a setting allows it."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    @classmethod
    def table(cls) -> str:
        return cls.name if cls.version == 1 else f"{cls.name}_v{cls.version}"

    @classmethod
    def schema(cls) -> ibis.Schema:
        return row_schema(cls.row)

    @classmethod
    def delta_view(cls) -> str | None:
        return f"{cls.table()}_delta" if differentiated_fields(cls.row) else None

    @abstractmethod
    def extract(self, start: datetime.date, end: datetime.date) -> ir.Table:
        """The rows of the days ``start`` (included) to ``end`` (excluded)."""


class DailyExtractor(Extractor):
    """Date-aggregated: one row per day, whose first field is ``day: date``."""

    kind = "daily"
    time_column = "day"

    @staticmethod
    def calendar(start: datetime.date, end: datetime.date) -> ir.Table:
        """Every day from ``start`` (included) to ``end`` (excluded), one ``day`` column."""
        days = [start + datetime.timedelta(days=i) for i in range((end - start).days)]
        return ibis.memtable({"day": days}, schema=ibis.schema({"day": dt.Date(nullable=False)}))


class RowExtractor(Extractor):
    """Individual rows: each carries its own ``timestamp`` (UTC)."""

    kind = "rows"
    time_column = "timestamp"
