"""The warehouse's tables as Parquet files, Hive-partitioned by date.

``<dir>/<table>/date=YYYY-MM-DD/part-0.parquet``: BigQuery (external tables with Hive
partitioning), Spark, Trino and DuckDB (``read_parquet('<dir>/<table>/**/*.parquet',
hive_partitioning=true)``) load the directories as they are. Exporting a range replaces the
partitions of its days and leaves the others alone, so a re-export is idempotent.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from analytics.framework import Extractor
from analytics.warehouse import Warehouse

PARTITION = "date"


@dataclass(frozen=True)
class ParquetTable:
    table: str
    path: Path
    rows: int
    partitions: int


def _in_range(
    warehouse: Warehouse,
    extractor: type[Extractor],
    start: datetime.date | None,
    end: datetime.date | None,
) -> pa.Table:
    t = warehouse.read(extractor.table())
    column = t[extractor.time_column]
    day = column if extractor.time_column == "day" else column.date()
    if start is not None:
        t = t.filter(day >= start)
    if end is not None:
        t = t.filter(day < end)
    return t.order_by(extractor.time_column).to_pyarrow()


def export_parquet(
    warehouse: Warehouse,
    extractors: Sequence[type[Extractor]],
    directory: Path,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[ParquetTable]:
    """Write each extractor's rows of ``[start, end)`` (all by default) under ``directory``."""
    written = []
    for extractor in extractors:
        if not warehouse.has(extractor.table()):
            continue
        rows = _in_range(warehouse, extractor, start, end)
        target = directory / extractor.table()
        column = rows[extractor.time_column]
        if extractor.time_column != "day":
            column = pc.cast(column, pa.date32())
        dates = pc.strftime(pc.cast(column, pa.timestamp("s")), format="%Y-%m-%d")
        data = rows.append_column(PARTITION, dates)
        partitions = len(pc.unique(dates)) if len(data) else 0
        if len(data):
            pq.write_to_dataset(
                data,
                root_path=str(target),
                partition_cols=[PARTITION],
                existing_data_behavior="delete_matching",
                basename_template="part-{i}.parquet",
            )
        written.append(ParquetTable(extractor.table(), target, len(data), partitions))
    return written


def read_parquet(path: Path) -> pa.Table:
    """A table exported by :func:`export_parquet`, without its partition column."""
    dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
    return dataset.to_table().drop_columns([PARTITION])
