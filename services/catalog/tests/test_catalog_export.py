"""``/export/snapshot``: every artist, tag and assignment, as the analytics service reads it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.services import replication
from catalog.services.queries import midnight_ms

from .conftest import DATASET, SharedCatalog


def parse(body: bytes) -> dict[str, Any]:
    """The export's lines, gathered per section."""
    lines = [json.loads(line) for line in body.decode().splitlines()]
    sections: dict[str, Any] = {"header": lines[0], "end": lines[-1], "columns": {}}
    current: list[tuple[Any, ...]] | None = None
    for line in lines[1:-1]:
        if isinstance(line, dict):
            assert line["type"] == "section"
            sections["columns"][line["name"]] = line["columns"]
            current = sections.setdefault(line["name"], [])
        else:
            assert current is not None
            current.append(tuple(line))
    return sections


def test_export_streams_every_artist_tag_and_assignment(shared_catalog: SharedCatalog) -> None:
    response = shared_catalog.client.get("/export/snapshot")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    export = parse(response.content)
    etag = response.headers["etag"]
    assert export["header"] == {
        "type": "export",
        "format": 1,
        "dataset_version": int(response.headers["x-dataset-version"]),
        "etag": etag,
    }
    assert export["artists"] == [
        (i, name, i in DATASET.placeholders) for i, name in sorted(DATASET.artists.items())
    ]
    assert export["tags"] == sorted(DATASET.tags.items())
    expected = sorted(
        (
            user,
            artist,
            DATASET.tag_id(value),
            midnight_ms(day) if day is not None else 0,
            day is not None,
        )
        for user, artist, value, day in DATASET.assignments
    )
    assert sorted(export["tag_assignments"]) == expected
    assert export["end"] == {
        "type": "end",
        "artists": len(DATASET.artists),
        "tags": len(DATASET.tags),
        "tag_assignments": len(DATASET.assignments),
    }


def test_export_sections_name_their_columns(shared_catalog: SharedCatalog) -> None:
    export = parse(shared_catalog.client.get("/export/snapshot").content)
    assert export["columns"] == {
        "artists": ["id", "name", "is_placeholder"],
        "tags": ["id", "value"],
        "tag_assignments": ["user_id", "artist_id", "tag_id", "timestamp_ms", "date_valid"],
    }


def test_export_takes_no_query_parameters(shared_catalog: SharedCatalog) -> None:
    response = shared_catalog.client.get("/export/snapshot", params={"limit": 5})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unchanged_export_answers_not_modified(shared_catalog: SharedCatalog) -> None:
    etag = shared_catalog.client.get("/export/snapshot").headers["etag"]
    again = shared_catalog.client.get("/export/snapshot", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = shared_catalog.client.get("/export/snapshot", headers={"If-None-Match": '"x-1"'})
    assert other.status_code == 200


def test_every_write_to_what_is_exported_gives_a_new_version(
    client: TestClient, engine: Engine
) -> None:
    def etag() -> str:
        return str(client.get("/export/snapshot").headers["etag"])

    seen = [etag()]
    assert client.post("/tags", json={"value": "jazz"}).status_code == 201
    seen.append(etag())
    assert client.patch("/artists/2", json={"name": "Bjork"}).status_code == 200
    seen.append(etag())
    assert client.delete("/artists/4").status_code == 204  # its assignments go with it
    seen.append(etag())
    # A user deleted in the listening service: their tag assignments go by cascade.
    with Session(engine) as session:
        assert replication.remove_user(session, user_id=5) == 1
        session.commit()
    seen.append(etag())
    assert len(set(seen)) == len(seen)
    # A read changes nothing.
    assert client.get("/tags/1/artists").status_code == 200
    assert etag() == seen[-1]
