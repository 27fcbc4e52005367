"""Liveness (``/health``) and readiness (``/ready``) endpoints with named checks."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from soundstream_common.db import Migrations

CheckStatus = Literal["ok", "fail"]


class CheckResult(BaseModel):
    status: CheckStatus
    critical: bool = Field(description="A failing critical check makes the service unavailable.")
    latency_ms: float
    detail: str | None = None


class Readiness(BaseModel):
    status: Literal["ready", "degraded", "unavailable"]
    service: str
    checks: dict[str, CheckResult]


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"
    service: str
    version: str


@dataclass(frozen=True)
class ReadinessCheck:
    """``probe`` returns a detail string on success and raises on failure."""

    name: str
    probe: Callable[[], str | None]
    critical: bool = True


def database_check(engine: Engine) -> ReadinessCheck:
    def probe() -> str:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return engine.dialect.name

    return ReadinessCheck("database", probe)


def migrations_check(engine: Engine, migrations: Migrations) -> ReadinessCheck:
    def probe() -> str:
        current, head = migrations.current(engine), migrations.head()
        if current != head:
            raise RuntimeError(f"schema at {current or 'nothing'}, head is {head}")
        return f"at head {head}"

    return ReadinessCheck("migrations", probe)


def _run(check: ReadinessCheck) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, status = check.probe(), "ok"
    except Exception as exc:
        detail, status = f"{type(exc).__name__}: {exc}".splitlines()[0][:300], "fail"
    latency = round((time.perf_counter() - started) * 1000, 2)
    return CheckResult(status=status, critical=check.critical, latency_ms=latency, detail=detail)


def evaluate(service: str, checks: Sequence[ReadinessCheck]) -> Readiness:
    results = {check.name: _run(check) for check in checks}
    failed = [r for r in results.values() if r.status == "fail"]
    if any(r.critical for r in failed):
        overall: Literal["ready", "degraded", "unavailable"] = "unavailable"
    elif failed:
        overall = "degraded"
    else:
        overall = "ready"
    return Readiness(status=overall, service=service, checks=results)


def health_router(
    service: str, version: str, checks_of: Callable[[Request], Sequence[ReadinessCheck]]
) -> APIRouter:
    """``/health`` and ``/ready``; ``checks_of(request)``: the running app's readiness checks."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/health",
        response_model=Liveness,
        operation_id="health-liveness",
        summary="Liveness: the process is up",
    )
    async def health() -> Liveness:
        return Liveness(service=service, version=version)

    @router.get(
        "/ready",
        response_model=Readiness,
        operation_id="health-readiness",
        summary="Readiness: dependencies reachable and schema migrated",
        responses={503: {"model": Readiness, "description": "A critical check failed."}},
    )
    async def ready(request: Request, response: Response) -> Readiness:
        result = await run_in_threadpool(evaluate, service, checks_of(request))
        if result.status == "unavailable":
            response.status_code = 503
        return result

    return router
