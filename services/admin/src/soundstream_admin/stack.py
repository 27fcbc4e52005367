"""The stack file, ``infra/stack.toml``: the one definition of each service's command, port
and environment, read by the local runner, the Compose generator, the deployment blueprint
and the settings documentation."""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soundstream_common.settings import env_prefix

STACK_FILE = Path("infra") / "stack.toml"


class StackError(Exception):
    """The stack could not be started or kept running; the message says which service."""


@dataclass(frozen=True)
class ServiceSpec:
    """One ``[services.<name>]`` entry of the stack file. No port means a background worker."""

    name: str
    command: tuple[str, ...]
    port: int | None = None
    health: str = "/health"
    ready: str = "/ready"
    docs: str = "/docs"
    env: Mapping[str, str] = field(default_factory=dict)
    # Used by the container deployment (see infra/stack.toml); the runner reads only `redis`.
    package: str | None = None
    # The package's extra its image installs too (the listening service's `server`: SciPy).
    extra: str | None = None
    settings: str | None = None
    database: str | None = None
    migrations: str | None = None
    redis: bool = False
    secrets: tuple[str, ...] = ()
    healthcheck: str | None = None
    # A worker's Prometheus port (its setting: <env_prefix>WORKER_METRICS_PORT).
    metrics_port: int | None = None

    @property
    def env_prefix(self) -> str:
        """The prefix of its settings' variables: its settings' service (``catalog.config:
        Settings``: ``CATALOG_``), else its own name."""
        return env_prefix(self.settings.partition(".")[0] if self.settings else self.name)

    def settings_class(self) -> type[Any]:
        """Its Settings class (imported: the process's package must be installed)."""
        if not self.settings:
            raise StackError(f"{self.name}: the stack names no Settings class")
        module, _, name = self.settings.partition(":")
        cls: type[Any] = getattr(importlib.import_module(module), name)
        return cls


def find_stack_file(explicit: Path | None = None) -> Path:
    """``explicit``, else ``infra/stack.toml`` above the working directory or this package."""
    if explicit is not None:
        if not explicit.is_file():
            raise StackError(f"stack file {explicit} does not exist")
        return explicit
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / STACK_FILE).is_file():
                return folder / STACK_FILE
    raise StackError(f"no {STACK_FILE} found above {Path.cwd()}; pass --stack")


def load_stack(path: Path) -> list[ServiceSpec]:
    """The services of a stack file, in the order they are defined."""
    try:
        services = tomllib.loads(path.read_text(encoding="utf-8")).get("services", {})
        specs = [
            ServiceSpec(
                name=name,
                command=tuple(entry["command"]),
                port=entry.get("port"),
                health=entry.get("health", "/health"),
                ready=entry.get("ready", "/ready"),
                docs=entry.get("docs", "/docs"),
                env={k: str(v) for k, v in entry.get("env", {}).items()},
                package=entry.get("package"),
                extra=entry.get("extra"),
                settings=entry.get("settings"),
                database=entry.get("database"),
                migrations=entry.get("migrations"),
                redis=bool(entry.get("redis", False)),
                secrets=tuple(entry.get("secrets", ())),
                healthcheck=entry.get("healthcheck"),
                metrics_port=entry.get("metrics_port"),
            )
            for name, entry in services.items()
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise StackError(f"invalid stack file {path}: {exc!r}") from exc
    if not specs:
        raise StackError(f"stack file {path} defines no [services.*]")
    return specs


SERVICE_URL = re.compile(r"\{([a-z][a-z0-9-]*)\.url\}")


def resolve_urls(value: str, urls: Mapping[str, str]) -> str:
    """``{listening.url}`` in a stack-file setting becomes that service's base URL."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in urls:
            raise StackError(f"setting {value!r} refers to {name!r}, not an HTTP service")
        return urls[name]

    return SERVICE_URL.sub(replace, value)
