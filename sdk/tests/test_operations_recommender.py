"""Recommendations, models and jobs: each SDK method sends its operation's request, the same
from both clients."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .operation_calls import Call, check_async_call, check_sync_call, operations_of, page

RECS = {"user_id": 2, "source": "model", "items": [{"artist_id": 90, "score": 0.5}]}
MODEL = {
    "version": "v1",
    "current": True,
    "algorithm": "als",
    "dataset_version": 1,
    "dataset_etag": "e",
    "n_users": 1,
    "n_artists": 1,
    "training_seconds": 1.0,
    "trained_at": "2026-11-26T00:00:00Z",
    "metrics": [],
}
RUN = {
    "id": "r-1",
    "graph": "recommender.training",
    "state": "succeeded",
    "trigger": "api",
    "force": False,
    "counts": {},
    "created_at": "2026-11-26T00:00:00Z",
    "tasks": [{"task": "snapshot", "state": "kept", "attempts": 0}],
}
GRAPH = {
    "name": "recommender.training",
    "description": "",
    "tasks": [
        {
            "name": "snapshot",
            "celery_task": "t",
            "description": "",
            "depends_on": [],
            "retries": "none",
            "keeps_while_unchanged": False,
            "has_inputs_version": False,
            "idempotent": True,
            "fingerprint": "f",
            "level": 0,
        }
    ],
    "edges": [],
    "levels": [["snapshot"]],
    "mermaid": "flowchart LR",
}
ACCEPTED = {"run_id": "r-1", "graph": "recommender.training", "status_url": "/jobs/runs/r-1"}

CALLS: dict[str, Call] = {
    "recommendations.for_user": Call(
        (2,), {"k": 5, "explain": True}, {"user_id": 2}, RECS, {"k": "5", "explain": "true"}
    ),
    "recommendations.feedback": Call(
        (2, 90),
        {"kind": "dislike"},
        {"user_id": 2},
        {"user_id": 2, "artist_id": 90, "kind": "dislike", "created_at": "2026-11-26T00:00:00Z"},
        body={"artist_id": 90, "kind": "dislike"},
        status=201,
    ),
    "recommendations.feedback_list": Call(
        (2,),
        {},
        {"user_id": 2},
        {
            "user_id": 2,
            "items": [
                {
                    "user_id": 2,
                    "artist_id": 90,
                    "kind": "hide",
                    "created_at": "2026-11-26T00:00:00Z",
                }
            ],
        },
    ),
    "recommendations.undo_feedback": Call(
        (2, 90), {}, {"user_id": 2, "artist_id": 90}, None, status=204
    ),
    "recommendations.cold_start": Call(
        (),
        {"seed_artists": [1, "Air", {"name": "Moby", "weight": 2}], "seed_tags": ["jazz"], "k": 5},
        {},
        RECS | {"unknown_seeds": {"artists": ["Moby"], "tags": []}},
        body={
            "seed_artists": [1, "Air", {"name": "Moby", "weight": 2}],
            "seed_tags": ["jazz"],
            "k": 5,
        },
    ),
    "models.retrain": Call((), {"force": True}, {}, ACCEPTED, {"force": "true"}, status=202),
    "jobs.graphs": Call((), {}, {}, [GRAPH]),
    "jobs.graph": Call(("recommender.training",), {}, {"graph": "recommender.training"}, GRAPH),
    "jobs.export": Call(
        ("recommender.training",),
        {"format": "dot"},
        {"graph": "recommender.training"},
        "digraph",
        {"format": "dot"},
    ),
    "jobs.start": Call(
        ("recommender.training",),
        {"tasks": ["train_als"]},
        {"graph": "recommender.training"},
        ACCEPTED,
        {"task": ["train_als"]},
        status=202,
    ),
    "jobs.runs": Call((), {"graph": "g.x", "state": "failed"}, {}, page(RUN), {"state": "failed"}),
    "jobs.run": Call(("r-1",), {}, {"run_id": "r-1"}, RUN),
    "models.list": Call((), {}, {}, [MODEL]),
    "models.current": Call((), {}, {}, MODEL),
    "models.pipeline": Call(
        (), {}, {}, {"graph": "recommender.training", "steps": [], "edges": [], "mermaid": "graph"}
    ),
}


def test_every_recommender_operation_has_a_sample_call_and_vice_versa() -> None:
    assert set(CALLS) == operations_of("recommender")


@pytest.mark.parametrize("sdk_method", sorted(CALLS))
def test_sync_method_sends_its_operation(api: Any, sdk_method: str) -> None:
    check_sync_call(api, sdk_method, CALLS[sdk_method])


@pytest.mark.anyio
@pytest.mark.parametrize("sdk_method", sorted(CALLS))
async def test_async_method_sends_the_same_request(api: Any, sdk_method: str) -> None:
    await check_async_call(api, sdk_method, CALLS[sdk_method])


def test_cold_start_needs_a_seed_and_sends_only_what_is_used(api: Any) -> None:
    with pytest.raises(ValueError, match="seed"):
        api.client().recommendations.cold_start()
    assert api.requests == []
    api.answer(httpx.Response(200, json=RECS))
    api.client().recommendations.cold_start(seed_tags=[7], exclude=[3], explain=True)
    sent = json.loads(api.requests[0].content)
    assert sent == {"seed_artists": [], "seed_tags": [7], "exclude": [3], "k": 10, "explain": True}
