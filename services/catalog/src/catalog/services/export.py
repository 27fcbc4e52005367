"""The catalog's export: artists, tags and tag assignments streamed as NDJSON sections.

The analytics service (and any other reader of the whole catalog) pulls this instead of the
catalog's tables. One read transaction covers the whole stream, so the sections agree with
each other (no assignment names an artist the ``artists`` section lacks), and with the data
set version it names (the ETag: a reader holding it gets ``304 Not Modified`` while nothing
changed, see :mod:`catalog.services.dataset`). Rows come straight
from a driver cursor (server-side on PostgreSQL), ``CHUNK_ROWS`` at a time: nothing is
materialised.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import orjson
from sqlalchemy import Boolean, Engine, Select, select

from catalog.models import Artist, Tag, TagAssignment
from catalog.services.dataset import read_version
from soundstream_common.exports import ConsistentRead, json_line

EXPORT_FORMAT = 1

SECTIONS: tuple[tuple[str, Select[*tuple[Any, ...]]], ...] = (
    ("artists", select(Artist.id, Artist.name, Artist.is_placeholder).order_by(Artist.id)),
    ("tags", select(Tag.id, Tag.value).order_by(Tag.id)),
    (
        "tag_assignments",
        select(
            TagAssignment.user_id,
            TagAssignment.artist_id,
            TagAssignment.tag_id,
            TagAssignment.timestamp_ms,
            TagAssignment.date_valid,
        ),
    ),
)
"""Each section's name and its query; the columns are the query's column names."""


def section_columns() -> dict[str, list[str]]:
    """Each section's columns, in the order of the arrays that follow its header."""
    return {name: [column.name for column in query.selected_columns] for name, query in SECTIONS}


class CatalogExport(ConsistentRead):
    """A consistent read of the catalog on one connection, streamed as NDJSON sections.

    Lines (each one JSON value):

    - ``{"type":"export","format":1,"dataset_version":42,"etag":"..."}``
    - ``{"type":"section","name":"artists","columns":["id","name","is_placeholder"]}``, then
      one array per artist, e.g. ``[89,"Lady Gaga",false]``
    - the same for ``tags`` (``id``, ``value``) and ``tag_assignments`` (``user_id``,
      ``artist_id``, ``tag_id``, ``timestamp_ms``, ``date_valid``)
    - ``{"type":"end","artists":17632,"tags":11946,"tag_assignments":186479}``: a stream
      without it was cut.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, read_version, cursor_name="catalog_export")

    def lines(self) -> Generator[bytes, None, None]:
        """The NDJSON body, chunk by chunk; closes the export when exhausted or closed."""
        try:
            yield json_line(
                type="export",
                format=EXPORT_FORMAT,
                dataset_version=self.version.version,
                etag=self.version.etag,
            )
            counts: dict[str, int] = {}
            columns = section_columns()
            for name, statement in SECTIONS:
                yield json_line(type="section", name=name, columns=columns[name])
                flags = [isinstance(c.type, Boolean) for c in statement.selected_columns]
                count = 0
                for rows in self.chunks(statement):
                    count += len(rows)
                    yield _rows(rows, flags)
                counts[name] = count
            yield json_line(type="end", **counts)
        finally:
            self.close()


_BOOL = ("false", "true")


def _rows(rows: list[Any], flags: list[bool]) -> bytes:
    """Rows as NDJSON arrays. SQLite hands booleans back as 0/1: the export says true/false
    on both back ends. Rows of integers and flags (the assignments, the bulk of the export)
    are formatted directly, the others through orjson."""
    if rows and all(flag or isinstance(v, int) for v, flag in zip(rows[0], flags, strict=True)):
        return "".join(
            "["
            + ",".join(_BOOL[v] if flag else str(v) for v, flag in zip(row, flags, strict=True))
            + "]\n"
            for row in rows
        ).encode()
    if any(flags):
        rows = [
            [bool(v) if flag else v for v, flag in zip(row, flags, strict=True)] for row in rows
        ]
    return b"\n".join(map(orjson.dumps, rows)) + b"\n"
