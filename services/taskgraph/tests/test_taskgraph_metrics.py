"""A real worker's Prometheus metrics: tasks by state, failures, retries, durations and the
queue length, valid for ``promtool check metrics``, served to the metrics token only; and
the request id a task was sent under, current while it runs."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess

import httpx
import pytest

from soundstream_common.context import request_id_var
from soundstream_testing.stack import free_port

from .conftest import ToyStack

TOKEN = "toy-metrics-token-0123456789abcdef"


def scrape(url: str) -> str:
    response = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10.0)
    assert response.status_code == 200, response.text
    return response.text


def value(text: str, name: str, **labels: str) -> float:
    """The sample ``name`` whose labels include ``labels`` (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}", 1)[0]))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_worker_counts_and_times_its_tasks_for_prometheus(toy_stack: ToyStack) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    env = {"TOY_METRICS_PORT": str(port), "TOY_METRICS_TOKEN": TOKEN}
    toy_stack.redis.set(toy_stack.key("flaky-failures"), 2)
    with toy_stack.worker(env=env):
        demo = toy_stack.finished(toy_stack.start("toy.demo"))
        flaky = toy_stack.finished(toy_stack.start("toy.retries", targets=["flaky"]))
        strict = toy_stack.finished(toy_stack.start("toy.retries", targets=["strict"]))
        assert httpx.get(url, timeout=10.0).status_code == 401
        wrong = httpx.get(url, headers={"Authorization": "Bearer nope"}, timeout=10.0)
        assert wrong.status_code == 401
        text = scrape(url)

    assert (demo.state, flaky.state, strict.state) == ("succeeded", "succeeded", "failed")
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: install Debian's prometheus package (see .ci/run)")
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=text.encode(), capture_output=True, check=False
    )
    assert checked.returncode == 0, (checked.stdout + checked.stderr).decode()
    assert (checked.stdout + checked.stderr).decode().strip() == ""

    assert value(text, "celery_tasks_total", task="toy.demo.join", state="SUCCESS") == 1
    assert value(text, "celery_tasks_total", task="toy.retries.flaky", state="RETRY") == 2
    assert value(text, "celery_tasks_total", task="toy.retries.flaky", state="SUCCESS") == 1
    assert value(text, "celery_tasks_total", task="toy.retries.strict", state="FAILURE") == 1
    assert (
        value(text, "celery_task_failures_total", task="toy.retries.strict", exception="ValueError")
        == 1
    )
    assert value(text, "celery_task_retries_total", task="toy.retries.flaky") == 2
    assert value(text, "celery_task_duration_seconds_count", task="toy.demo.join") == 1
    assert f'celery_queue_length{{queue="{toy_stack.env["TOY_QUEUE"]}"}} 0.0' in text


def test_a_task_carries_the_request_id_it_was_sent_under(toy_stack: ToyStack) -> None:
    token = request_id_var.set("req-from-the-api")
    try:
        with toy_stack.worker():
            run = toy_stack.finished(toy_stack.start("toy.retries", targets=["strict"]))
    finally:
        request_id_var.reset(token)
    assert run.state == "failed"
    log = (toy_stack.tmp / "worker.log").read_text()
    started = [line for line in log.splitlines() if "task toy.retries.strict started" in line]
    assert started, log[-3000:]
    assert all("request req-from-the-api" in line for line in started), started


def test_a_taken_metrics_port_leaves_the_worker_working(toy_stack: ToyStack) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"TOY_METRICS_PORT": str(port), "TOY_METRICS_TOKEN": TOKEN}
        with toy_stack.worker(env=env):
            run = toy_stack.finished(toy_stack.start("toy.demo"))

    assert run.state == "succeeded"
    log = (toy_stack.tmp / "worker.log").read_text()
    assert f"worker metrics not served on 127.0.0.1:{port}" in log
