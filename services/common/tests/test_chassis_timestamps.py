"""Points in time come back from either database with their time zone, in UTC."""

from __future__ import annotations

import datetime

from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from soundstream_common.db import UtcDateTime, create_db_engine

PARIS = datetime.timezone(datetime.timedelta(hours=1))


def test_times_are_read_back_aware_in_utc(database_url: str) -> None:
    table = Table(
        "moments", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime)
    )
    engine = create_db_engine(database_url)
    try:
        table.metadata.create_all(engine)
        naive = datetime.datetime(2026, 12, 7, 4, 55, 27)
        paris = datetime.datetime(2026, 12, 7, 5, 55, 27, tzinfo=PARIS)
        with engine.begin() as conn:
            conn.execute(
                insert(table),
                [{"id": 1, "at": naive}, {"id": 2, "at": paris}, {"id": 3, "at": None}],
            )
        with engine.connect() as conn:
            found = dict(conn.execute(select(table.c.id, table.c.at)).all())
    finally:
        engine.dispose()
    expected = datetime.datetime(2026, 12, 7, 4, 55, 27, tzinfo=datetime.UTC)
    assert found[1] == expected
    assert found[1].utcoffset() == datetime.timedelta(0)
    assert found[2] == expected
    assert found[2].utcoffset() == datetime.timedelta(0)
    assert found[3] is None
