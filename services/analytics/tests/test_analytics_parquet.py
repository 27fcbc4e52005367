"""Parquet export: Hive-partitioned by date, reads back equal, re-export replaces days."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds

from analytics.extractors import registered
from analytics.parquet import export_parquet, read_parquet
from analytics.runner import run_extractors
from analytics.sources import Snapshot
from analytics.warehouse import open_warehouse

from .conftest import D

EXTRACTORS = registered(personal_rows=False)


def test_parquet_export_reads_back_equal(
    tmp_path: Path, warehouse_url: str, snapshot: Snapshot
) -> None:
    out = tmp_path / "parquet"
    with open_warehouse(warehouse_url) as warehouse:
        run_extractors(warehouse, snapshot, EXTRACTORS, first_date=D("2009-12-31"))
        written = {t.table: t for t in export_parquet(warehouse, EXTRACTORS, out)}
        for extractor in EXTRACTORS:
            table = extractor.table()
            expected = warehouse.read(table).order_by(extractor.time_column).to_pyarrow()
            back = read_parquet(out / table).sort_by(extractor.time_column)
            key = [(c, "ascending") for c in expected.column_names]
            assert back.sort_by(key).to_pylist() == expected.sort_by(key).to_pylist(), table
            assert written[table].rows == expected.num_rows
    assert written["tag_activity_daily"].partitions == 8
    assert (out / "tag_activity_daily" / "date=2010-01-03" / "part-0.parquet").is_file()


def test_parquet_partitions_load_with_hive_partitioning(
    tmp_path: Path, warehouse_url: str, snapshot: Snapshot
) -> None:
    out = tmp_path / "parquet"
    with open_warehouse(warehouse_url) as warehouse:
        run_extractors(warehouse, snapshot, EXTRACTORS, first_date=D("2009-12-31"))
        export_parquet(warehouse, EXTRACTORS, out)
        # A re-export of one day replaces that partition and leaves the others.
        export_parquet(warehouse, EXTRACTORS, out, start=D("2010-01-03"), end=D("2010-01-04"))
    dataset = ds.dataset(str(out / "tag_usage_daily"), format="parquet", partitioning="hive")
    dates = sorted({str(d) for d in dataset.to_table().column("date").to_pylist()})
    assert dates == ["2010-01-01", "2010-01-03", "2010-01-04", "2010-01-06"]
    assert dataset.to_table().num_rows == 5
