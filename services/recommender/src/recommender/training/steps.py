"""The training pipeline's task functions (declared in :mod:`recommender.training.jobs`).

Each reads the files its dependencies made (their paths come in their outputs), writes its
own file under ``<data_dir>/recommender/results/<task>/<result key>/`` and returns its path
with a few numbers. The result key names what the file was made from (definition and inputs),
so a kept result's file is the one the tasks after it read; when a task makes a new result,
its older results' directories are removed.
"""

from __future__ import annotations

import shutil
import time
from contextlib import suppress
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import redis
from loguru import logger
from sqlalchemy import Engine

from recommender.config import Settings, get_settings
from recommender.serving.store import ModelStore
from recommender.training import compute
from recommender.training.catalog_tags import (
    CatalogTags,
    fetch_catalog_tags,
    fetch_catalog_version,
)
from recommender.training.publishing import publish_version, serving_meta
from recommender.training.snapshot_client import SnapshotError, fetch_snapshot, fetch_version
from soundstream_common.db import create_db_engine
from soundstream_taskgraph import TaskContext

RESULT_KEY_LENGTH = 16

SNAPSHOT, MATRICES, EVALUATE, PUBLISH = "snapshot", "matrices", "evaluate", "publish"
"""The steps' names: declared with them (:mod:`recommender.training.jobs`), read back here."""


def train_step(algorithm: str) -> str:
    """The name of the step that tunes ``algorithm``."""
    return f"train_{algorithm}"


@cache
def _engine() -> Engine:
    settings = get_settings()
    return create_db_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


@cache
def _store() -> ModelStore:
    settings = get_settings()
    return ModelStore(redis.Redis.from_url(settings.redis_url), settings.key_prefix)


def result_file(settings: Settings, ctx: TaskContext, name: str) -> Path:
    """Where this attempt writes its result (a fresh directory for the result key)."""
    directory = settings.artifacts_dir / "results" / ctx.task / ctx.result_key[:RESULT_KEY_LENGTH]
    directory.mkdir(parents=True, exist_ok=True)
    return directory / name


def drop_older_results(path: Path) -> None:
    """Remove the other result directories of the task that wrote ``path``."""
    for sibling in path.parent.parent.iterdir():
        if sibling != path.parent and sibling.is_dir():
            shutil.rmtree(sibling, ignore_errors=True)


def file_exists(output: Any) -> bool:
    """A result is still usable while its file is there (``available`` of every step)."""
    return isinstance(output, dict) and Path(str(output.get("path", ""))).is_file()


def dataset_version(_params: Any) -> str:
    """The snapshot's outside input: the listening data set's ETag and the catalog's (or
    ``none`` while the catalog is not configured or unreachable: when it comes back, the
    snapshot is taken again with its tags)."""
    settings = get_settings()
    listening = fetch_version(
        settings.listening_url,
        timeout=settings.upstream_timeout_seconds,
        token=settings.service_token_value(),
    )
    catalog = "none"  # not configured or unreadable: the snapshot step says why
    if settings.catalog_url:
        with suppress(SnapshotError):
            catalog = fetch_catalog_version(
                settings.catalog_url,
                timeout=settings.upstream_timeout_seconds,
                token=settings.service_token_value(),
            )
    return f"listening {listening}, catalog {catalog}"


def snapshot(ctx: TaskContext) -> dict[str, Any]:
    """Download the listening service's export and the catalog's tag assignments (without
    them when the catalog is not configured or cannot be read: the run goes on, and its
    output and the worker log say so)."""
    settings = get_settings()
    taken_at = time.time()  # before the download: every change seen earlier is in it
    dataset = fetch_snapshot(
        settings.listening_url,
        timeout=settings.snapshot_timeout_seconds,
        token=settings.service_token_value(),
    )
    catalog, tags_note = read_catalog_tags(settings)
    if catalog is not None:
        dataset = replace(dataset, snapshot=replace(dataset.snapshot, tags=catalog.assignments))
    target = result_file(settings, ctx, "snapshot.pkl")
    compute.write_pickle(target, dataset)
    drop_older_results(target)
    return {
        "path": str(target),
        "dataset_version": dataset.version,
        "etag": dataset.etag,
        "listens": len(dataset.snapshot.listens),
        "tag_assignments": len(catalog.assignments) if catalog is not None else 0,
        "catalog_version": catalog.version if catalog is not None else None,
        "tags": tags_note,
        "taken_at": taken_at,
    }


def read_catalog_tags(settings: Settings) -> tuple[CatalogTags | None, str]:
    """The catalog's tag assignments, or None and why not (logged as a warning)."""
    if not settings.catalog_url:
        reason = "no catalog configured (RECOMMENDER_CATALOG_URL is empty)"
    else:
        try:
            catalog = fetch_catalog_tags(
                settings.catalog_url,
                timeout=settings.snapshot_timeout_seconds,
                token=settings.service_token_value(),
            )
        except SnapshotError as exc:
            reason = f"the catalog's export could not be read: {exc}"
        else:
            return catalog, (
                f"{len(catalog.assignments)} tag assignments from the catalog "
                f"(data set version {catalog.version})"
            )
    note = f"training without tags: {reason}"
    logger.warning("{}", note)
    return None, note


def matrices(ctx: TaskContext) -> dict[str, Any]:
    """Sparse user x artist matrix, seeded test and validation holdouts."""
    settings = get_settings()
    target = result_file(settings, ctx, "matrices.pkl")
    counts = compute.build_matrices(
        Path(ctx.output_of(SNAPSHOT)["path"]),
        target,
        seed=ctx.params["seed"],
        max_artists=ctx.params["max_artists"],
        max_eval_users=ctx.params["max_eval_users"],
    )
    drop_older_results(target)
    return {"path": str(target), **counts}


def train(ctx: TaskContext) -> dict[str, Any]:
    """Tune one candidate algorithm on the validation split."""
    settings = get_settings()
    target = result_file(settings, ctx, "tuned.pkl")
    summary = compute.train_candidate(
        Path(ctx.output_of(MATRICES)["path"]),
        target,
        ctx.params["algorithm"],
        seed=ctx.params["seed"],
    )
    drop_older_results(target)
    return {"path": str(target), **summary}


def evaluate(ctx: TaskContext) -> dict[str, Any]:
    """Blend weights, test metrics, refit on all data, precompute what serving reads."""
    settings = get_settings()
    target = result_file(settings, ctx, "serving.pkl")
    tuned = {
        name: Path(ctx.output_of(train_step(name))["path"]) for name in ctx.params["candidates"]
    }
    result = compute.evaluate_and_blend(
        Path(ctx.output_of(MATRICES)["path"]),
        tuned,
        target,
        top_n=ctx.params["top_n"],
        similar_n=ctx.params["similar_n"],
        explain_top=ctx.params["explain_top"],
    )
    drop_older_results(target)
    return {"path": str(target), "result_key": ctx.result_key, **result}


def publish(ctx: TaskContext) -> dict[str, Any]:
    """Make the evaluated model the serving one, unless it already is (and not forced)."""
    settings = get_settings()
    store = _store()
    evaluated = ctx.output_of(EVALUATE)
    current = store.current_version()
    meta = serving_meta(store, current)
    if not ctx.force and current is not None and meta.get("source") == evaluated["result_key"]:
        return {"status": "unchanged", "version": current, **_identity(meta)}
    return publish_version(
        settings,
        store,
        _engine(),
        ctx,
        snapshot=ctx.output_of(SNAPSHOT),
        evaluated=evaluated,
    )


def _identity(meta: dict[str, Any]) -> dict[str, Any]:
    return {key: meta[key] for key in ("dataset_version", "algorithm") if key in meta}
