"""The services' exports as the analytics service reads them: the real catalog's export,
read again only when it changed, and a cut stream refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from analytics.exceptions import SourceUnavailableError
from analytics.export_cache import ExportCache
from analytics.sources import read_export
from catalog.config import Settings as CatalogSettings
from catalog.db import MIGRATIONS, create_catalog_engine
from catalog.main import create_app
from catalog.models import Artist, Tag, TagAssignment, UserRef


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = create_catalog_engine(url)
    MIGRATIONS.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(UserRef), [{"id": 1}])
        conn.execute(
            insert(Artist),
            [
                {"id": 5, "name": "Björk", "search_name": "bjork", "is_placeholder": False},
                {"id": 6, "name": "[6]", "search_name": "6", "is_placeholder": True},
            ],
        )
        conn.execute(insert(Tag), [{"id": 3, "value": "hip hop"}])
        conn.execute(
            insert(TagAssignment),
            [
                {
                    "user_id": 1,
                    "artist_id": 5,
                    "tag_id": 3,
                    "timestamp_ms": 86_400_000,
                    "day": 2,
                    "month": 1,
                    "year": 1970,
                    "date_valid": True,
                },
                {
                    "user_id": 1,
                    "artist_id": 6,
                    "tag_id": 3,
                    "timestamp_ms": 0,
                    "day": 1,
                    "month": 1,
                    "year": 1956,
                    "date_valid": False,
                },
            ],
        )
    engine.dispose()
    settings = CatalogSettings(database_url=url, redis_url="", log_json=False)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_catalog_export_reads_into_typed_tables(catalog: TestClient) -> None:
    tables = read_export(catalog, "catalog")
    assert tables["artists"].to_pylist() == [
        {"id": 5, "name": "Björk", "is_placeholder": False},
        {"id": 6, "name": "[6]", "is_placeholder": True},
    ]
    assert tables["tags"].to_pylist() == [{"id": 3, "value": "hip hop"}]
    assert sorted(r["timestamp_ms"] for r in tables["tag_assignments"].to_pylist()) == [
        0,
        86_400_000,
    ]


def test_an_unchanged_export_is_not_read_again(catalog: TestClient, tmp_path: Path) -> None:
    statuses: list[int] = []
    catalog.event_hooks["response"] = [lambda response: statuses.append(response.status_code)]
    cache = ExportCache(tmp_path / "sources")
    first = read_export(catalog, "catalog", cache)
    again = read_export(catalog, "catalog", cache)
    assert statuses == [200, 304]
    assert {name: t.to_pylist() for name, t in again.items()} == {
        name: t.to_pylist() for name, t in first.items()
    }
    # A change gives a new version: the next read takes the whole export again.
    assert catalog.post("/tags", json={"value": "jazz"}).status_code == 201
    changed = read_export(catalog, "catalog", cache)
    assert statuses[-1] == 200
    assert {"id": 4, "value": "jazz"} in changed["tags"].to_pylist()
    statuses.clear()
    read_export(catalog, "catalog", cache)
    assert statuses == [304]


def test_an_unreadable_kept_export_is_read_in_full(catalog: TestClient, tmp_path: Path) -> None:
    cache = ExportCache(tmp_path / "sources")
    first = read_export(catalog, "catalog", cache)
    (kept,) = (tmp_path / "sources").glob("catalog-*/tags.arrow")
    kept.write_bytes(b"not arrow")
    again = read_export(catalog, "catalog", cache)
    assert again["tags"].to_pylist() == first["tags"].to_pylist()
    assert cache.etag("catalog") is not None


def _client(body: bytes, status: int = 200) -> httpx.Client:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    return httpx.Client(base_url="http://source", transport=httpx.MockTransport(handler))


def test_a_cut_stream_is_an_error_never_a_partial_read() -> None:
    body = (
        b'{"type":"export","format":1}\n'
        b'{"type":"section","name":"tags","columns":["id","value"]}\n'
        b'[1,"rock"]\n'
    )
    with pytest.raises(SourceUnavailableError, match="cut"):
        read_export(_client(body), "catalog")


def test_an_unavailable_source_is_an_error() -> None:
    with pytest.raises(SourceUnavailableError, match="HTTP 503"):
        read_export(_client(b"", status=503), "listening")
