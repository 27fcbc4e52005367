"""Fixtures for the importer's tests: target databases, table dumps, small data sets."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from catalog.config import get_settings as catalog_settings
from listening.config import get_settings as listening_settings
from soundstream_admin.config import get_settings as admin_settings

REPO = Path(__file__).resolve().parents[3]

# A small, valid data set in the real formats. It holds one of each irregularity: a tag
# assignment naming an artist absent from artists.dat (9), an impossible date (1956), a user
# first seen in the tag assignments (5) and one first seen in the friendships (6), accents
# in a latin-1 tag, double quotes and a backslash in artist names.
SMALL_FILES: dict[str, str] = {
    "artists.dat": (
        "id\tname\turl\tpictureURL\n"
        "1\tMALICE MIZER\thttp://www.last.fm/music/MALICE+MIZER\thttp://img/1.jpg\n"
        "2\tBeyoncé\thttp://www.last.fm/music/Beyonc%C3%A9\t\n"
        '3\tThe "Quoted" Band\thttp://www.last.fm/music/Quoted\thttp://img/3.jpg\n'
        "4\t\\Eminem f_ Rihanna\thttp://www.last.fm/music/Eminem\thttp://img/4.jpg\n"
    ),
    "tags.dat": "tagID\ttagValue\n1\tmetal\n2\tmúsica brasileira\n3\trock\n",
    "user_artists.dat": (
        "userID\tartistID\tweight\n2\t1\t100\n2\t2\t50\n3\t1\t7\n3\t3\t1\n4\t4\t20\n"
    ),
    "user_taggedartists.dat": (
        "userID\tartistID\ttagID\tday\tmonth\tyear\n"
        "2\t1\t1\t1\t4\t2009\n"
        "2\t1\t2\t1\t5\t2009\n"
        "3\t9\t3\t1\t1\t2010\n"
        "3\t1\t1\t1\t6\t1956\n"
        "5\t2\t3\t1\t12\t2008\n"
    ),
    "user_friends.dat": "userID\tfriendID\n2\t3\n3\t2\n2\t4\n4\t2\n3\t6\n6\t3\n",
}


def write_dataset(directory: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write HetRec files (tags.dat in latin-1, the others in UTF-8) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, str):
            content = content.encode("latin-1" if name == "tags.dat" else "utf-8")
        (directory / name).write_bytes(content)
    return directory


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "small", SMALL_FILES)


@pytest.fixture
def import_targets(database_factory: Callable[[str], str]) -> dict[str, str]:
    """Empty catalog and listening databases on the test's back end."""
    return {"catalog": database_factory("catalog"), "listening": database_factory("listening")}


def dump_databases(targets: Mapping[str, str]) -> dict[str, Any]:
    """Every table's rows (sorted), indexes and foreign keys, per database."""
    dump: dict[str, Any] = {}
    for name, url in sorted(targets.items()):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                schema = inspect(conn)
                for table in sorted(schema.get_table_names()):
                    width = len(schema.get_columns(table))
                    order = ", ".join(str(position + 1) for position in range(width))
                    rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).all()
                    dump[f"{name}.{table}"] = [tuple(row) for row in rows]
                    dump[f"{name}.{table} indexes"] = sorted(
                        (str(index["name"]), tuple(index["column_names"]))
                        for index in schema.get_indexes(table)
                    )
                    dump[f"{name}.{table} foreign keys"] = sorted(
                        str(key["name"]) for key in schema.get_foreign_keys(table)
                    )
        finally:
            engine.dispose()
    return dump


def table_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql)).all()]
    finally:
        engine.dispose()


@pytest.fixture
def clear_settings() -> Iterator[None]:
    """Cached settings re-read from the environment inside the test, and forgotten after."""
    caches = (admin_settings, catalog_settings, listening_settings)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


# Helpers as fixtures: test modules are imported in importlib mode and cannot import this one.
@pytest.fixture
def small_files() -> dict[str, str]:
    return dict(SMALL_FILES)


@pytest.fixture
def dataset_writer() -> Callable[[Path, Mapping[str, str | bytes]], Path]:
    return write_dataset


@pytest.fixture
def dump() -> Callable[[Mapping[str, str]], dict[str, Any]]:
    return dump_databases


@pytest.fixture
def query() -> Callable[[str, str], list[tuple[Any, ...]]]:
    return table_rows
