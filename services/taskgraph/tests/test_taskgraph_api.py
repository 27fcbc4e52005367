"""The jobs routes over the toy graphs: declarations, pictures, starting runs, bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from soundstream_common.errors import install_problem_handlers
from soundstream_common.strict import reject_undeclared_input
from soundstream_taskgraph import Jobs, jobs_router

from .conftest import ToyStack


@pytest.fixture
def api(toy_stack: ToyStack) -> Iterator[TestClient]:
    jobs = Jobs(graphs=toy_stack.graphs, history=lambda: toy_stack.history)

    def get_jobs(request: Request) -> Jobs:
        return jobs

    # As every service mounts them: the chassis refuses what a route does not declare.
    app = FastAPI(dependencies=[Depends(reject_undeclared_input)])
    install_problem_handlers(app)
    app.include_router(jobs_router(get_jobs))
    with TestClient(app) as client:
        yield client


def test_graphs_are_described_as_declared(api: TestClient) -> None:
    graphs = api.get("/jobs/graphs").json()
    assert [graph["name"] for graph in graphs] == ["toy.block", "toy.demo", "toy.retries"]

    demo = api.get("/jobs/graphs/toy.demo").json()
    assert demo["levels"] == [["start"], ["left", "right"], ["join"]]
    assert demo["edges"] == [
        ["start", "left"],
        ["start", "right"],
        ["left", "join"],
        ["right", "join"],
    ]
    start = demo["tasks"][0]
    assert start["celery_task"] == "toy.demo.start"
    assert start["ttl_seconds"] == 3600
    assert start["runs_on"] == "daily 03:15 UTC"
    assert start["has_inputs_version"] is True
    assert start["last"] is None
    [schedule] = demo["schedules"]
    assert schedule["label"] == "daily 03:15 UTC"
    assert schedule["tasks"] == ["start", "left", "right", "join"]
    join = demo["tasks"][3]
    assert (join["keeps_while_unchanged"], join["ttl_seconds"], join["idempotent"]) == (
        True,
        None,
        True,
    )
    assert "t_left --> t_join" in demo["mermaid"]


@pytest.mark.parametrize(
    ("fmt", "media_type", "start"),
    [
        ("dot", "text/vnd.graphviz; charset=utf-8", b'digraph "toy.demo"'),
        ("mermaid", "text/vnd.mermaid; charset=utf-8", b"flowchart LR"),
        ("svg", "image/svg+xml", b"<?xml"),
        ("png", "image/png", b"\x89PNG"),
    ],
)
def test_the_picture_in_each_format(
    api: TestClient, fmt: str, media_type: str, start: bytes
) -> None:
    response = api.get("/jobs/graphs/toy.demo/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content.startswith(start)


def test_starting_runs_one_at_a_time(api: TestClient, toy_stack: ToyStack) -> None:
    accepted = api.post("/jobs/graphs/toy.block/runs")
    assert accepted.status_code == 202
    run_id = accepted.json()["run_id"]
    assert accepted.json()["status_url"] == f"/jobs/runs/{run_id}"

    busy = api.post("/jobs/graphs/toy.block/runs", params={"force": True})
    assert busy.status_code == 409
    assert busy.json()["running"] == run_id

    run = api.get(f"/jobs/runs/{run_id}").json()
    assert (run["state"], run["trigger"], run["tasks"][0]["state"]) == ("queued", "api", "pending")
    page = api.get("/jobs/runs", params={"graph": "toy.block", "limit": 1}).json()
    assert [item["id"] for item in page["items"]] == [run_id]
    assert page["total"] == 1
    only = api.post("/jobs/graphs/toy.retries/runs", params=[("task", "flaky")])
    assert api.get(only.json()["status_url"]).json()["targets"] == ["flaky"]


@pytest.mark.parametrize(
    ("method", "path", "params", "status", "slug"),
    [
        ("get", "/jobs/graphs/nope", {}, 404, "graph-not-found"),
        ("get", "/jobs/graphs/nope/export", {}, 404, "graph-not-found"),
        ("get", "/jobs/runs/nope", {}, 404, "run-not-found"),
        ("get", "/jobs/runs", {"graph": "nope"}, 404, "graph-not-found"),
        ("get", "/jobs/graphs/toy.demo/export", {"format": "gif"}, 422, "validation-error"),
        ("get", "/jobs/graphs/toy.demo", {"verbose": 1}, 422, "validation-error"),
        ("get", "/jobs/runs", {"state": "sleeping"}, 422, "validation-error"),
        ("get", "/jobs/runs", {"limit": 0}, 422, "validation-error"),
        ("get", "/jobs/runs", {"cursor": "!!"}, 422, "invalid-cursor"),
        ("post", "/jobs/graphs/toy.demo/runs", {"task": "nope"}, 422, "validation-error"),
        ("post", "/jobs/graphs/toy.demo/runs", {"now": 1}, 422, "validation-error"),
    ],
)
def test_bad_requests_are_problems_and_change_nothing(
    api: TestClient,
    toy_stack: ToyStack,
    method: str,
    path: str,
    params: dict[str, object],
    status: int,
    slug: str,
) -> None:
    response = api.request(method, path, params=params)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(slug)
    assert api.get("/jobs/runs").json()["total"] == 0
