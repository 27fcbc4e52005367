"""The training snapshot's tags: the catalog's tag assignments read through its export (the
real catalog app on SQLite, with the service token), and training without a catalog."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert

from catalog.config import Settings as CatalogSettings
from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from catalog.db import create_catalog_engine
from catalog.main import create_app as create_catalog_app
from catalog.models import Artist, Tag, TagAssignment, UserRef
from recommender.algorithms.snapshot import Snapshot, TagAssignments
from recommender.config import Settings
from recommender.training import compute
from recommender.training.catalog_tags import (
    fetch_catalog_tags,
    fetch_catalog_version,
    parse_catalog_export,
)
from recommender.training.snapshot_client import SnapshotError
from recommender.training.steps import read_catalog_tags

from .conftest import (
    RESULT_TIMEOUT,
    Pipeline,
    SnapshotServer,
    published,
    running_pipeline,
    serve,
    synthetic_snapshot,
)

TOKEN = secrets.token_hex(32)


def catalog_app(tmp: Path, snapshot: Snapshot) -> CatalogSettings:
    """A migrated SQLite catalog holding the artists, users and tag assignments of
    ``snapshot`` (tag ``t`` is named ``genre t``)."""
    url = f"sqlite:///{tmp / 'catalog.db'}"
    engine = create_catalog_engine(url)
    CATALOG_MIGRATIONS.upgrade(engine)
    tags = snapshot.tags
    assert tags is not None
    with engine.begin() as conn:
        artists = np.unique(snapshot.listens.artist_ids).tolist()
        conn.execute(
            insert(Artist), [{"id": a, "name": f"a{a}", "search_name": f"a{a}"} for a in artists]
        )
        conn.execute(
            insert(Tag),
            [{"id": t, "value": f"genre {t}"} for t in np.unique(tags.tag_ids).tolist()],
        )
        users = np.unique(snapshot.listens.user_ids).tolist()
        conn.execute(insert(UserRef), [{"id": u} for u in users])
        conn.execute(
            insert(TagAssignment),
            [
                {"user_id": u, "artist_id": a, "tag_id": t, "timestamp_ms": 0, "date_valid": False}
                for u, a, t in triples(tags)
            ],
        )
    engine.dispose()
    return CatalogSettings(database_url=url, redis_url="", service_token=TOKEN)


@pytest.fixture(scope="module")
def synthetic() -> Snapshot:
    return synthetic_snapshot()


@pytest.fixture(scope="module")
def catalog_url(tmp_path_factory: pytest.TempPathFactory, synthetic: Snapshot) -> Iterator[str]:
    settings = catalog_app(tmp_path_factory.mktemp("catalog"), synthetic)
    with serve(create_catalog_app(settings)) as url:
        yield url


def triples(tags: TagAssignments) -> set[tuple[int, int, int]]:
    rows = zip(tags.user_ids, tags.artist_ids, tags.tag_ids, strict=True)
    return {(int(u), int(a), int(t)) for u, a, t in rows}


def snapshot_output(pipeline: Pipeline, run_id: str) -> dict[str, Any]:
    """What the run's ``snapshot`` step returned, as its run history records it."""
    [task] = [task for task in pipeline.run(run_id).tasks if task.task == "snapshot"]
    assert task.output is not None
    return task.output


def test_the_catalog_export_gives_every_tag_assignment(
    catalog_url: str, synthetic: Snapshot
) -> None:
    read = fetch_catalog_tags(catalog_url, token=TOKEN)

    expected = synthetic.tags
    assert expected is not None
    assert triples(read.assignments) == triples(expected)
    assert fetch_catalog_version(catalog_url, token=TOKEN) == read.etag
    with pytest.raises(SnapshotError):  # the export is internal: the service token is required
        fetch_catalog_tags(catalog_url)


def test_without_a_catalog_the_snapshot_has_no_tags_and_says_why() -> None:
    tags, note = read_catalog_tags(Settings(catalog_url=""))
    assert tags is None
    assert note.startswith("training without tags: no catalog configured")

    tags, note = read_catalog_tags(Settings(catalog_url="http://127.0.0.1:9"))
    assert tags is None
    assert "could not be read" in note


def test_the_pipeline_trains_the_tag_model_on_the_catalogs_tags(
    tmp_path: Path, catalog_url: str, synthetic: Snapshot
) -> None:
    server = SnapshotServer(synthetic)
    with running_pipeline(
        tmp_path, server, catalog_url=catalog_url, service_token=TOKEN
    ) as pipeline:
        run = pipeline.retrain(force=True)
        result = run.get(timeout=RESULT_TIMEOUT)
        taken = snapshot_output(pipeline, run.id)

    assert published(result)["status"] == "published"
    assert synthetic.tags is not None
    assert taken["tag_assignments"] == len(synthetic.tags)
    assert taken["tags"].startswith(f"{len(synthetic.tags)} tag assignments from the catalog")
    dataset = compute.read_pickle(Path(taken["path"]))
    assert dataset.snapshot.tags is not None
    assert len(dataset.snapshot.tags) == len(synthetic.tags)
    [version] = [v for v in pipeline.versions() if v.version == run.id]
    tags_row = version.summary["algorithms"]["tags"]
    assert tags_row["test"]["ndcg@10"] > 0, "the tag model scores from the catalog's tags"


def test_training_without_a_reachable_catalog_still_publishes(
    tmp_path: Path, synthetic: Snapshot
) -> None:
    server = SnapshotServer(synthetic)
    with running_pipeline(tmp_path, server, catalog_url="http://127.0.0.1:9") as pipeline:
        run = pipeline.retrain(force=True)
        result = run.get(timeout=RESULT_TIMEOUT)
        assert pipeline.store.current_version() == run.id
        taken = snapshot_output(pipeline, run.id)

    assert published(result)["status"] == "published"
    assert taken["tag_assignments"] == 0
    assert taken["tags"].startswith("training without tags: the catalog's export could not")
    [version] = [v for v in pipeline.versions() if v.version == run.id]
    assert version.summary["weights"].get("tags", 0) == 0


def test_a_cut_or_foreign_catalog_export_is_refused() -> None:
    lines = [
        '{"type":"export","format":1,"dataset_version":3,"etag":"\\"c-3\\""}',
        '{"type":"section","name":"artists","columns":["id","name","is_placeholder"]}',
        '[1,"a1",false]',
        '{"type":"section","name":"tags","columns":["id","value"]}',
        '[7,"rock"]',
        '{"type":"section","name":"tag_assignments","columns":["user_id","artist_id","tag_id",'
        '"timestamp_ms","date_valid"]}',
        "[5,1,7,0,false]",
        '{"type":"end","artists":1,"tags":1,"tag_assignments":1}',
    ]
    read = parse_catalog_export(lines)
    assert (read.version, read.etag) == (3, '"c-3"')
    assert triples(read.assignments) == {(5, 1, 7)}
    with pytest.raises(SnapshotError, match="truncated"):
        parse_catalog_export(lines[:-1])
    with pytest.raises(SnapshotError, match="unexpected line type"):  # the listening export
        parse_catalog_export(['{"type":"snapshot","format":1,"dataset_version":1,"etag":"e"}'])
