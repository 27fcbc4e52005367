"""The services' exports, read over HTTP and loaded into the warehouse for one run.

The analytics service never reads another service's tables: it streams the catalog's
``/export/snapshot`` (artists, tags, tag assignments) and the listening service's
``/export/snapshot`` (listens, friendships), checks each stream ended (a cut stream is an
error, never a partial run), parsing each a batch of rows at a time into Arrow columns, and
loads them as *temporary* tables of the warehouse's connection. Extractors query those with
Ibis; nothing of them outlives the run.

Reads are conditional: with an :class:`~analytics.export_cache.ExportCache`, an export whose
ETag has not changed since the last run answers ``304 Not Modified`` and its kept sections
are used; only an export that changed is read and parsed.

Beside the exports, a run reads the domain events the service itself recorded
(:func:`read_event_log`, its own ``event_log`` table) as the temporary table of
:attr:`Sources.events`.
"""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends.sql import SQLBackend
from sqlalchemy import Engine, inspect, select

from analytics.exceptions import SourceUnavailableError
from analytics.export_cache import ExportCache
from analytics.models import EventRecord
from soundstream_common.exports import ExportFormatError, ExportReader, export_lines

DAY_MS = 86_400_000

SCHEMAS: dict[str, pa.Schema] = {
    "artists": pa.schema(
        [("id", pa.int64()), ("name", pa.string()), ("is_placeholder", pa.bool_())]
    ),
    "tags": pa.schema([("id", pa.int64()), ("value", pa.string())]),
    "tag_assignments": pa.schema(
        [
            ("user_id", pa.int64()),
            ("artist_id", pa.int64()),
            ("tag_id", pa.int64()),
            ("timestamp_ms", pa.int64()),
            ("date_valid", pa.bool_()),
        ]
    ),
    "listens": pa.schema(
        [("user_id", pa.int64()), ("artist_id", pa.int64()), ("weight", pa.int64())]
    ),
    "friendships": pa.schema([("user_id", pa.int64()), ("friend_id", pa.int64())]),
}
"""The sections read from the exports, with their column types."""

EVENT_LOG = pa.schema(
    [
        ("id", pa.string()),
        ("type", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("artist_id", pa.int64()),
        ("user_id", pa.int64()),
        ("artists", pa.int64()),
    ]
)
"""The recorded domain events (:class:`~analytics.models.EventRecord`) as a run reads them."""


@dataclass(frozen=True)
class Snapshot:
    """Every section of both exports as Arrow tables, the day it was taken, and the domain
    events recorded by then."""

    tables: dict[str, pa.Table]
    taken: datetime.datetime
    events: pa.Table = field(default_factory=EVENT_LOG.empty_table)

    @property
    def as_of(self) -> datetime.date:
        """The last complete day the snapshot describes (the day before it was taken)."""
        return self.taken.date() - datetime.timedelta(days=1)


EXPORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "catalog": ("export", ("artists", "tags", "tag_assignments")),
    "listening": ("snapshot", ("listens", "friendships")),
}
"""Each source's export: the type of its header line and the sections read from it."""
EXPORT_FORMAT = 1


def read_export(
    client: httpx.Client, source: str, cache: ExportCache | None = None
) -> dict[str, pa.Table]:
    """One service's ``/export/snapshot`` as Arrow tables (only the known sections); with
    ``cache``, read only when it changed since the kept copy (see the module).

    The body is parsed as it arrives, a batch of rows at a time, each batch turned into Arrow
    columns at once: memory holds the columns, never the body or its rows as Python objects.
    """
    kept = cache.etag(source) if cache is not None else None
    headers = {"If-None-Match": kept} if kept else {}
    try:
        with client.stream("GET", "/export/snapshot", headers=headers) as response:
            if response.status_code == 304 and cache is not None and kept:
                tables = cache.load(source, kept)
                if tables is not None:
                    return tables
                cache.forget(source)  # unreadable: read the whole export again
                return read_export(client, source, cache)
            if response.status_code != 200:
                raise SourceUnavailableError(source, f"HTTP {response.status_code}")
            header_type, keep = EXPORTS[source]
            reader = ExportReader(
                export_lines(response.iter_bytes()),
                header_type=header_type,
                export_format=EXPORT_FORMAT,
                keep=keep,
            )
            batches: dict[str, list[pa.RecordBatch]] = {name: [] for name in keep}
            for name, rows in reader.batches():
                batches[name].append(_record_batch(SCHEMAS[name], rows))
            etag = response.headers.get("ETag")
    except ExportFormatError as exc:
        raise SourceUnavailableError(source, str(exc)) from exc
    except httpx.HTTPError as exc:
        raise SourceUnavailableError(source, str(exc)) from exc
    tables = {
        name: pa.Table.from_batches(parts, schema=SCHEMAS[name]) for name, parts in batches.items()
    }
    if cache is not None and etag:
        cache.store(source, etag, tables)
    return tables


def _record_batch(schema: pa.Schema, rows: list[list[object]]) -> pa.RecordBatch:
    """Rows of one section as an Arrow batch of its declared column types."""
    columns = list(zip(*rows, strict=True))
    return pa.record_batch(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def fetch_snapshot(
    catalog: httpx.Client, listening: httpx.Client, cache: ExportCache | None = None
) -> Snapshot:
    """Read both exports now, at the same time (each service streams while the other does);
    with ``cache``, only those that changed since the last read."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        from_catalog = pool.submit(read_export, catalog, "catalog", cache)
        from_listening = pool.submit(read_export, listening, "listening", cache)
        tables = {**from_catalog.result(), **from_listening.result()}
    missing = sorted(set(SCHEMAS) - set(tables))
    if missing:
        raise SourceUnavailableError("exports", f"sections missing: {', '.join(missing)}")
    return Snapshot(tables=tables, taken=datetime.datetime.now(datetime.UTC))


def read_event_log(engine: Engine) -> pa.Table:
    """The domain events recorded in the service's database (none before its migrations ran)."""
    if not inspect(engine).has_table(EventRecord.__tablename__):
        return EVENT_LOG.empty_table()
    columns = [getattr(EventRecord, name) for name in EVENT_LOG.names]
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).order_by(EventRecord.occurred_at)).all()
    return pa.table(
        [pa.array([row[i] for row in rows], type=f.type) for i, f in enumerate(EVENT_LOG)],
        schema=EVENT_LOG,
    )


def _with_days(assignments: pa.Table) -> pa.Table:
    """Assignments with ``timestamp`` (UTC) and ``day`` (null where the date is invalid)."""
    valid = assignments["date_valid"]
    stamps = pc.cast(assignments["timestamp_ms"], pa.timestamp("ms", tz="UTC"))
    stamps = pc.if_else(valid, stamps, pa.scalar(None, pa.timestamp("ms", tz="UTC")))
    days = pc.cast(
        pc.floor(pc.divide(pc.cast(assignments["timestamp_ms"], pa.float64()), DAY_MS)), pa.int32()
    )
    days = pc.if_else(valid, pc.cast(days, pa.date32()), pa.scalar(None, pa.date32()))
    return assignments.append_column("timestamp", stamps).append_column("day", days)


@dataclass(frozen=True)
class Sources:
    """The snapshot's sections as Ibis tables on the warehouse's connection."""

    artists: ir.Table
    tags: ir.Table
    tag_assignments: ir.Table
    """``user_id``, ``artist_id``, ``tag_id``, ``timestamp_ms``, ``date_valid``,
    ``timestamp`` and ``day`` (both null where the source date was impossible)."""
    listens: ir.Table
    friendships: ir.Table
    events: ir.Table
    """The recorded domain events: ``id``, ``type``, ``occurred_at`` (UTC), ``artist_id``,
    ``user_id``, ``artists`` (see :class:`~analytics.models.EventRecord`)."""
    as_of: datetime.date


def load_sources(backend: SQLBackend, snapshot: Snapshot) -> Sources:
    """Load ``snapshot`` as temporary tables of ``backend``'s connection (on DuckDB, within
    its memory limit: what exceeds it spills to disk)."""
    loaded: dict[str, ir.Table] = {}
    for name, table in snapshot.tables.items():
        data = _with_days(table) if name == "tag_assignments" else table
        loaded[name] = backend.create_table(f"src_{name}", data, temp=True, overwrite=True)
    loaded["events"] = backend.create_table(
        "src_event_log", snapshot.events, temp=True, overwrite=True
    )
    return Sources(as_of=snapshot.as_of, **loaded)


__all__ = [
    "Snapshot",
    "Sources",
    "fetch_snapshot",
    "ibis",
    "load_sources",
    "read_event_log",
    "read_export",
]
