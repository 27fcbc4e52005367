"""Readiness checks of the upstreams: not critical (the gateway answers what it can)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from gateway.config import Settings
from soundstream_common.health import ReadinessCheck

PROBE_TIMEOUT_SECONDS = 1.0


def _probe(url: str) -> Callable[[], str]:
    def probe() -> str:
        response = httpx.get(f"{url}/health", timeout=PROBE_TIMEOUT_SECONDS)
        response.raise_for_status()
        return f"{url} up"

    return probe


def upstream_checks(settings: Settings) -> list[ReadinessCheck]:
    return [
        ReadinessCheck(f"upstream:{name}", _probe(url), critical=False)
        for name, url in settings.upstream_urls().items()
    ]
