"""The hot read of ``GET /recommendations/users/{id}`` against a real worker's model: bad input
refused, equivalent input answered alike, feedback and deletions seen by another serving
process at once, and a shared validating read never older than the request."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from recommender.cache import bump_exclusions
from recommender.consumer import build_consumer
from recommender.main import create_app
from recommender.models import Feedback
from recommender.serving.keys_read import KeysRead
from recommender.state import RecommenderState
from soundstream_common.app import service_state
from soundstream_common.db import create_db_engine

from .conftest import REDIS_TEST_URL, Pipeline
from .events_helpers import consume, publish

FOR_USER = "/recommendations/users/{}"


async def not_general() -> bytes:
    raise AssertionError("a user the model knows took the general path")


def artists_of(body: dict[str, Any]) -> list[int]:
    return [item["artist_id"] for item in body["items"]]


def test_bad_input_is_a_problem_and_equivalent_input_the_same_answer(
    client: TestClient,
) -> None:
    for path, params in [
        (FOR_USER.format(0), {}),
        (FOR_USER.format(1), {"k": "0"}),
        (FOR_USER.format(1), {"k": "101"}),
        (FOR_USER.format(1), {"k": "ten"}),
        (FOR_USER.format(1), {"explain": "maybe"}),
        (FOR_USER.format(1), {"k": ["5", "10"]}),
        (FOR_USER.format(1), {"utm": "x"}),
        (FOR_USER.format(2**31), {}),
        (FOR_USER.format(2**64), {}),
    ]:
        answer = client.get(path, params=params)
        assert answer.status_code == 422, (path, params)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"]

    plain = client.get(FOR_USER.format(3), params={"k": 10, "explain": "true"})
    assert plain.headers["content-type"] == "application/json"
    for unusual in ["k=1%30&explain=true", "k=010&explain=yes", "explain=1"]:
        answer = client.get(f"{FOR_USER.format(3)}?{unusual}")
        assert answer.status_code == 200, unusual
        assert answer.content == plain.content, unusual
        assert answer.headers["content-type"] == "application/json"
    assert "/recommendations/users/{user_id}" in client.get("/openapi.json").json()["paths"]


def test_feedback_and_deletions_reach_another_serving_process_at_once(
    client: TestClient, trained: Pipeline
) -> None:
    user = 8
    with TestClient(create_app(trained.settings)) as other:
        first, second, *_ = artists_of(other.get(FOR_USER.format(user)).json())

        created = client.post(
            f"{FOR_USER.format(user)}/feedback", json={"artist_id": first, "kind": "dislike"}
        )
        assert created.status_code == 201
        assert first not in artists_of(other.get(FOR_USER.format(user)).json())
        assert first not in artists_of(client.get(FOR_USER.format(user)).json())

        engine = create_db_engine(trained.settings.database_url)
        consumer = build_consumer(
            trained.settings, engine=engine, client=trained.store.client, block_ms=50
        )
        publish(trained.store.client, "catalog", "artist.deleted", {"artist_id": second})
        consume(consumer, 1)
        engine.dispose()

        for serving in (other, client):
            after = serving.get(FOR_USER.format(user), params={"explain": True}).json()
            assert after["source"] == "model"
            assert not {first, second} & set(artists_of(after))
            cited = {a for item in after["items"] for r in item["reasons"] for a in r["artists"]}
            assert second not in cited
            assert len(after["items"]) == 10


def test_a_request_never_takes_a_validation_sent_before_it_began(trained: Pipeline) -> None:
    """A request whose validating read is in flight when another process records feedback,
    and a request begun after that: the later one must not share the earlier read."""
    user = 11
    app = create_app(trained.settings)

    async def scenario() -> tuple[int, bytes, bytes, int]:
        async with app.router.lifespan_context(app):
            hot = service_state(app, RecommenderState).hot
            before = await hot.answer(user, 10, True, False, not_general)
            hidden = artists_of(json.loads(before))[0]

            shared = hot.validation
            assert shared is not None, "the hot read validates through Redis"
            fetch = shared._fetch
            replied, release = asyncio.Event(), asyncio.Event()

            async def held_back() -> Any:
                reply = await fetch()  # sent and answered by Redis ...
                replied.set()
                await release.wait()  # ... but not yet handed to its requests
                return reply

            shared._fetch = held_back
            reads_before = shared.reads
            early = asyncio.create_task(hot.answer(user, 10, True, False, not_general))
            await replied.wait()
            shared._fetch = fetch
            await asyncio.to_thread(_hide_from_another_process, trained, user, hidden)
            late = asyncio.create_task(hot.answer(user, 10, True, False, not_general))
            await asyncio.sleep(0.05)
            release.set()
            return hidden, await early, await late, shared.reads - reads_before

    hidden, _, late, reads = asyncio.run(scenario())
    assert hidden not in artists_of(json.loads(late))
    assert len(artists_of(json.loads(late))) == 10
    assert reads == 2, "the later request shared a read sent before it began"


def _hide_from_another_process(trained: Pipeline, user: int, artist: int) -> None:
    """What another serving process's feedback endpoint does: commit, then set the stamp."""
    engine = create_db_engine(trained.settings.database_url)
    with Session(engine) as session:
        session.add(
            Feedback(user_id=user, artist_id=artist, kind="hide", created_at=datetime.now(UTC))
        )
        session.commit()
    engine.dispose()
    bump_exclusions(trained.store.client, trained.settings.key_prefix)


def test_the_validating_read_replaces_a_connection_the_server_closed(trained: Pipeline) -> None:
    prefix = trained.settings.key_prefix
    keys = [f"{prefix}:test:one", f"{prefix}:test:missing"]
    trained.store.client.set(keys[0], "1")

    async def scenario() -> list[list[Any]]:
        client = aioredis.Redis.from_url(REDIS_TEST_URL, socket_timeout=0.5)
        reader = KeysRead(client, keys)
        replies = [await reader.read()]
        (connection,) = reader._idle
        writer = getattr(connection, "_writer", None)
        assert writer is not None
        host, port = writer.get_extra_info("sockname")[:2]
        await asyncio.to_thread(trained.store.client.client_kill, f"{host}:{port}")
        trained.store.client.set(keys[0], "2")
        replies.append(await reader.read())
        await reader.aclose()
        await client.aclose()
        return replies

    assert asyncio.run(scenario()) == [[b"1", None], [b"2", None]]


def test_preloaded_users_are_answered_without_loading(
    trained: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the start-up preload, a user the model knows (one with hidden artists too) is
    answered from memory: no thread-pool call, and the hidden artist stays out."""
    user = 12
    app = create_app(trained.settings)

    async def scenario() -> tuple[int, int, bytes]:
        async with app.router.lifespan_context(app):
            hot = service_state(app, RecommenderState).hot
            before = await hot.answer(user, 10, True, False, not_general)
            hidden = artists_of(json.loads(before))[0]
            await asyncio.to_thread(_hide_from_another_process, trained, user, hidden)
            fresh = create_app(trained.settings)
            async with fresh.router.lifespan_context(fresh):
                fresh_hot = service_state(fresh, RecommenderState).hot
                loaded = await asyncio.to_thread(fresh_hot.preload)

                async def no_thread(*args: Any, **kwargs: Any) -> Any:
                    raise AssertionError("a preloaded user was loaded again")

                monkeypatch.setattr("recommender.serving.hot.run_in_threadpool", no_thread)
                after = await fresh_hot.answer(user, 10, True, False, not_general)
                monkeypatch.undo()
            return hidden, loaded, after

    hidden, loaded, after = asyncio.run(scenario())
    version = trained.store.current_version()
    assert version is not None
    assert loaded == trained.store.client.hlen(trained.store.key(version, "recs"))
    assert hidden not in artists_of(json.loads(after))
    assert len(artists_of(json.loads(after))) == 10
