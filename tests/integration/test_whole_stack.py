"""The whole stack through its public entry points (gateway and dashboard), run two ways with
the same test body: ``docker compose up`` (testcontainers' ``DockerCompose``: images built
from this repository, PostgreSQL, Redis, migrations, the data loader) when a Docker engine
answers, and ``make dev``'s local runner always."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from soundstream_admin.local_redis import free_port
from soundstream_common.secret_rules import PLACEHOLDER_SECRETS
from soundstream_testing import wait_until
from soundstream_testing.stores import docker_engine_reachable

REPO = Path(__file__).resolve().parents[2]
COMPOSE_TIMEOUT_SECONDS = 900.0
NO_ENGINE = (
    "no Docker engine is reachable (the docker client alone cannot run containers): the "
    "compose whole-stack test needs one; the same checks run on the local runner"
)


@dataclass(frozen=True)
class PublicStack:
    how: str
    gateway: str
    dashboard: str
    admin_key: str


def compose_env_file(directory: Path, admin_key: str, ports: dict[str, int]) -> Path:
    """.env.example as an operator fills it (every placeholder replaced by a generated
    secret; the services refuse the placeholders) with a fresh admin key and free host ports."""
    lines = []
    for line in (REPO / ".env.example").read_text().splitlines():
        key, _, value = line.partition("=")
        if value in PLACEHOLDER_SECRETS:
            line = f"{key}={secrets.token_hex(32)}"
        if key == "GATEWAY_ADMIN_API_KEY":
            line = f"{key}={admin_key}"
        elif key == "SOUNDSTREAM_GATEWAY_PORT":
            line = f"{key}={ports['gateway']}"
        elif key == "SOUNDSTREAM_DASHBOARD_PORT":
            line = f"{key}={ports['dashboard']}"
        lines.append(line)
    path = directory / "compose.env"
    path.write_text("\n".join(lines) + "\n")
    return path


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5.0).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def compose_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublicStack]:
    if not docker_engine_reachable():
        pytest.skip(NO_ENGINE)
    from testcontainers.compose import DockerCompose

    admin_key = "ss_admin_" + secrets.token_urlsafe(24)
    ports = {"gateway": free_port(), "dashboard": free_port()}
    env_file = compose_env_file(tmp_path_factory.mktemp("compose"), admin_key, ports)
    # Detached, then polled: `up --wait` would treat the one-shot jobs' exit as a failure.
    compose = DockerCompose(
        REPO,
        compose_file_name="docker-compose.yml",
        env_file=str(env_file),
        build=True,
        wait=False,
    )
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    dashboard = f"http://127.0.0.1:{ports['dashboard']}"
    with compose:

        def loader_exited() -> Any:
            loader = compose.get_container("load-data", include_all=True)
            return loader if loader.State == "exited" else None

        # The one-shot loader must have finished, successfully.
        loader = wait_until(
            loader_exited,
            timeout=COMPOSE_TIMEOUT_SECONDS,
            what="the data loader to finish",
            poll=2.0,
        )
        assert loader.ExitCode == 0, compose.get_logs("load-data")
        for url in (f"{gateway}/ready", f"{dashboard}/_stcore/health"):
            wait_until(
                partial(answers, url),
                timeout=COMPOSE_TIMEOUT_SECONDS,
                what=f"{url} to answer",
                poll=2.0,
            )
        yield PublicStack("docker compose", gateway, dashboard, admin_key)


@pytest.fixture(params=["docker-compose", "local-runner"])
def public_stack(request: pytest.FixtureRequest) -> PublicStack:
    if request.param == "docker-compose":
        stack: PublicStack = request.getfixturevalue("compose_stack")
        return stack
    live = request.getfixturevalue("live_stack")
    return PublicStack("make dev", live.url("gateway"), live.url("dashboard"), live.admin_key)


@pytest.mark.timeout(1500)  # building the images from scratch dominates
def test_the_public_entry_points_serve_the_loaded_data(public_stack: PublicStack) -> None:
    with httpx.Client(timeout=15.0) as client:
        ready = client.get(f"{public_stack.gateway}/ready")
        artists = client.get(f"{public_stack.gateway}/v1/artists", params={"limit": 5})
        dashboard = client.get(f"{public_stack.dashboard}/_stcore/health")

    assert ready.status_code == 200, (public_stack.how, ready.text)
    assert artists.status_code == 200, (public_stack.how, artists.text)
    assert len(artists.json()["items"]) == 5
    assert dashboard.status_code == 200, public_stack.how
