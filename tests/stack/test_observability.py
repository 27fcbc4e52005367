"""Operators' view of the running stack: metrics of every service and of the Celery worker,
valid for Prometheus (``promtool check metrics``), never public; one request id from the
gateway through the recommender to the worker's log lines."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from soundstream_taskgraph.metrics import TaskMetrics
from soundstream_testing import wait_until
from soundstream_testing.stack import LiveStack

DASHBOARD = Path(__file__).resolve().parents[2] / "infra/grafana/dashboards/soundstream.json"
API_SERVICES = ("catalog", "listening", "recommender", "gateway")
DEADLINE_SECONDS = 240.0


def promtool_check(text: str) -> str:
    """``promtool check metrics`` on an exposition; its complaints ('' when none)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: install Debian's prometheus package (see .ci/run)")
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=text.encode(), capture_output=True, check=False
    )
    complaints = (checked.stdout + checked.stderr).decode().strip()
    return complaints if checked.returncode != 0 or complaints else ""


def scrape(client: httpx.Client, url: str, token: str) -> str:
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, (url, response.text)
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@dataclass(frozen=True)
class Retrained:
    stack: LiveStack
    request_id: str


@pytest.fixture(scope="module")
def retrained(live_stack: LiveStack) -> Retrained:
    """A training run asked through the gateway under a known request id, once it is over
    (succeeded or failed: either way the worker ran tasks)."""
    request_id = f"retrain-{uuid.uuid4().hex}"
    with httpx.Client(base_url=live_stack.url("gateway"), timeout=30.0) as client:
        started = client.post(
            "/v1/models/retrain",
            headers={"X-API-Key": live_stack.admin_key, "X-Request-ID": request_id},
        )
    assert started.status_code == 202, started.text
    assert started.headers["x-request-id"] == request_id
    status_url = live_stack.url("recommender", f"/jobs/runs/{started.json()['run_id']}")
    states: list[str] = []

    def over() -> bool:
        answer = httpx.get(status_url, headers=live_stack.service_headers, timeout=10.0)
        states.append(answer.json()["state"])
        return states[-1] in ("succeeded", "failed")

    wait_until(
        over,
        timeout=DEADLINE_SECONDS,
        what=lambda: f"the run to end (last: {states[-1:]})",
        poll=0.5,
    )
    return Retrained(live_stack, request_id)


def test_every_service_and_the_worker_serve_valid_metrics_to_the_token_only(
    retrained: Retrained,
) -> None:
    stack = retrained.stack
    token = stack.metrics_token
    scraped: list[str] = []
    with httpx.Client(timeout=10.0) as client:
        client.get(stack.url("gateway", "/v1/artists/289"))
        for name in API_SERVICES:
            url = stack.url(name, "/metrics")
            assert client.get(url).status_code == 401, name
            assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401

            text = scrape(client, url, token)

            assert promtool_check(text) == "", name
            assert "soundstream_http_requests_total{" in text, name
            assert "soundstream_http_request_duration_seconds_bucket{" in text, name
            assert "soundstream_cache_lookups_total{" in text, name
            scraped.append(text)
        gateway = scrape(client, stack.url("gateway", "/metrics"), token)
        assert "gateway_requests_total{" in gateway

        (worker,) = stack.worker_metrics.values()
        assert client.get(worker).status_code == 401
        text = scrape(client, worker, token)

    assert promtool_check(text) == ""
    assert re.search(r"^celery_tasks_total\{[^}]*\} [1-9]", text, re.M), text
    assert "celery_task_duration_seconds_bucket{" in text
    assert 'celery_queue_length{queue="recommender"}' in text

    # Every series the Grafana dashboard draws exists. A multiprocess worker exports a series
    # only once it has a sample (no task failed yet: no failure series), so the worker's are
    # also taken from its declarations.
    exposed = worker_declared()
    for line in "\n".join([*scraped, text]).splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            exposed |= {name, f"{name}_bucket"} if kind == "histogram" else {name}
        elif line and not line.startswith("#"):
            exposed.add(line.split("{")[0].split(" ")[0])
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for metric in re.findall(r"\b((?:soundstream|gateway|celery)_[a-z_]+)", target["expr"]):
                assert metric in exposed, (panel["title"], metric)


def worker_declared() -> set[str]:
    registry = CollectorRegistry()
    TaskMetrics(registry)
    names = set()
    for family in registry.collect():
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
        names |= {family.name + suffix for suffix in suffixes.get(family.type, [""])}
    return names


def log_lines(stack: LiveStack, service: str) -> list[dict[str, object]]:
    """A service's JSON log lines from the runner's output."""
    lines = []
    for line in stack.output().splitlines():
        source, _, rest = line.partition(" | ")
        if source.strip() == service and rest.startswith("{"):
            try:
                lines.append(json.loads(rest))
            except ValueError:
                continue
    return lines


def test_one_request_id_from_the_gateway_to_the_worker(retrained: Retrained) -> None:
    for service in ("gateway", "recommender", "recommender-worker"):
        tagged = [
            line
            for line in log_lines(retrained.stack, service)
            if line.get("request_id") == retrained.request_id
        ]
        assert tagged, f"no {service} log line carries the request id"
    assert any("task recommender.training." in str(line.get("message")) for line in tagged)
