"""Celery workers, observed: Prometheus metrics of their tasks, and the request id carried.

**Metrics.** :func:`enable_worker_metrics` (before the worker starts: it acts in the
worker's main process, before the pool forks) counts every task by name and final state,
its failures by exception, its retries, and times it. The pool's processes write their
samples to files in a shared directory (prometheus_client's multiprocess mode); the main
process serves them all, with the length of each queue read from the broker at scrape time,
on a port of its own (``serve_worker_metrics``), to the holder of the metrics token only.

**Request id.** :func:`carry_request_id` makes every task sent from a request (or from a
task) carry that request's id in its message headers; the worker sets it as the current
request id while the task runs and logs each task's start and end with it, so the worker's
log lines name the request that asked for the work: gateway -> service -> worker share one
id.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import Token
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from celery import signals
from loguru import logger
from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from pydantic import SecretStr

from soundstream_common.context import request_id_var
from soundstream_common.metrics import token_matches

REQUEST_ID_HEADER = "request_id"
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def carry_request_id() -> None:
    """Connect the signals that carry the request id from sender to task (idempotent)."""
    signals.before_task_publish.connect(_add_request_id, weak=False, dispatch_uid="ss-rid-out")
    signals.task_prerun.connect(_enter_request, weak=False, dispatch_uid="ss-rid-in")
    signals.task_postrun.connect(_leave_request, weak=False, dispatch_uid="ss-rid-done")


def _add_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


_tokens: dict[str, Token[str | None]] = {}


def _enter_request(task_id: str = "", task: Any = None, **_: Any) -> None:
    request_id = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    _tokens[task_id] = request_id_var.set(str(request_id) if request_id else task_id)
    name = getattr(task, "name", "?")
    logger.info("task {} started ({}, request {})", name, task_id, request_id_var.get())


def _leave_request(task_id: str = "", task: Any = None, state: str | None = None, **_: Any) -> None:
    name = getattr(task, "name", "?")
    logger.info("task {} {} ({}, request {})", name, state, task_id, request_id_var.get())
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


class TaskMetrics:
    """The task metrics of one worker (created once per process tree, before the fork)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.tasks = Counter(
            "celery_tasks",
            "Tasks finished, by task name and final state (SUCCESS, FAILURE, RETRY, ...).",
            ["task", "state"],
            registry=registry,
        )
        self.failures = Counter(
            "celery_task_failures",
            "Tasks that raised, by task name and exception type.",
            ["task", "exception"],
            registry=registry,
        )
        self.retries = Counter(
            "celery_task_retries",
            "Retries scheduled, by task name.",
            ["task"],
            registry=registry,
        )
        self.duration = Histogram(
            "celery_task_duration_seconds",
            "Run time of a task, by task name.",
            ["task"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self._started: dict[str, float] = {}

    def connect(self) -> None:
        signals.task_prerun.connect(self._prerun, weak=False, dispatch_uid="ss-metrics-pre")
        signals.task_postrun.connect(self._postrun, weak=False, dispatch_uid="ss-metrics-post")
        signals.task_failure.connect(self._failure, weak=False, dispatch_uid="ss-metrics-fail")
        signals.task_retry.connect(self._retry, weak=False, dispatch_uid="ss-metrics-retry")

    def _prerun(self, task_id: str = "", **_: Any) -> None:
        self._started[task_id] = time.perf_counter()

    def _postrun(
        self, task_id: str = "", task: Any = None, state: str | None = None, **_: Any
    ) -> None:
        name = getattr(task, "name", "?")
        started = self._started.pop(task_id, None)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        self.duration.labels(name).observe(elapsed)
        self.tasks.labels(name, state or "UNKNOWN").inc()

    def _failure(
        self, sender: Any = None, exception: BaseException | None = None, **_: Any
    ) -> None:
        self.failures.labels(getattr(sender, "name", "?"), type(exception).__name__).inc()

    def _retry(self, sender: Any = None, **_: Any) -> None:
        self.retries.labels(getattr(sender, "name", "?")).inc()


class QueueLengthCollector(Collector):
    """Messages waiting in each queue of a Redis broker, read when scraped."""

    def __init__(self, broker_url: str, queues: Sequence[str]) -> None:
        self.broker_url = broker_url
        self.queues = tuple(queues)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        import redis

        family = GaugeMetricFamily(
            "celery_queue_length", "Messages waiting in a queue of the broker.", labels=["queue"]
        )
        client = redis.Redis.from_url(self.broker_url, socket_timeout=2, socket_connect_timeout=2)
        try:
            for queue in self.queues:
                family.add_metric([queue], float(client.llen(queue)))
        except redis.RedisError as exc:
            logger.warning("queue length unavailable: {}", exc)
            return
        finally:
            client.close()
        yield family

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def install_worker_metrics(directory: Path) -> TaskMetrics:
    """Task metrics shared by the worker's pool processes through ``directory`` (emptied).

    Call in the worker's main process before the pool starts, and before any other metric
    is made in the process.
    """
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    metrics = TaskMetrics()
    metrics.connect()
    return metrics


def serve_worker_metrics(
    *,
    host: str,
    port: int,
    token: SecretStr,
    directory: Path,
    broker_url: str,
    queues: Sequence[str],
) -> Callable[[], None]:
    """Serve the pool's task metrics and the queue lengths at ``http://host:port/metrics``
    to ``Authorization: Bearer <token>``; returns a function that stops the server."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    registry.register(QueueLengthCollector(broker_url, queues))
    exposition = make_wsgi_app(registry)

    def guarded(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: the metrics are at /metrics\n"]
        if not token_matches(environ.get("HTTP_AUTHORIZATION"), token):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")],
            )
            return [b"send Authorization: Bearer <the metrics token>\n"]
        return list(exposition(environ, start_response))

    server = make_server(host, port, guarded, _Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True)
    thread.start()
    logger.info("worker metrics at http://{}:{}/metrics", host, server.server_port)

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop


def enable_worker_metrics(
    *, host: str, port: int, token: SecretStr, broker_url: str, queues: Sequence[str]
) -> None:
    """Task metrics for the worker this process is about to start, served on ``port``.

    Acts on the worker's ``worker_init`` signal (main process, before its pool forks) and
    stops the server on ``worker_shutdown``; the pool's processes share a fresh temporary
    directory.
    """
    import tempfile

    stop: list[Callable[[], None]] = []

    def start(**_: Any) -> None:
        directory = Path(tempfile.mkdtemp(prefix="celery-worker-metrics-"))
        stop.append(lambda: shutil.rmtree(directory, ignore_errors=True))
        install_worker_metrics(directory)
        try:
            served = serve_worker_metrics(
                host=host,
                port=port,
                token=token,
                directory=directory,
                broker_url=broker_url,
                queues=queues,
            )
        except OSError as exc:  # the port is taken: the worker still works, unobserved
            logger.error("worker metrics not served on {}:{}: {}", host, port, exc)
            return
        stop.insert(0, served)

    def shutdown(**_: Any) -> None:
        while stop:
            stop.pop(0)()

    signals.worker_init.connect(start, weak=False, dispatch_uid="ss-worker-metrics")
    signals.worker_shutdown.connect(shutdown, weak=False, dispatch_uid="ss-worker-metrics-stop")
