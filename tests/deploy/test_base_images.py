"""Base images: infra/base-images.toml is what the Dockerfile and Compose use, and
``soundstream-admin images --update`` pins them by the digest the registry gives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
import yaml

from soundstream_admin.base_images import (
    BASE_IMAGES_FILE,
    DOCKER_HUB,
    BaseImageError,
    load,
    location,
    resolve_digest,
    update,
)

REPO = Path(__file__).resolve().parents[2]
IMAGES = load(REPO / BASE_IMAGES_FILE)
DIGEST = "sha256:" + "ab12" * 16


def test_the_dockerfile_builds_on_exactly_the_listed_images() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"ARG PYTHON_IMAGE={IMAGES['python'].pinned}\n" in dockerfile
    assert f"FROM {IMAGES['uv'].pinned} AS uv\n" in dockerfile
    named = set(re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE))
    assert named == {IMAGES["uv"].pinned, "${PYTHON_IMAGE}"}


def test_compose_runs_exactly_the_listed_images() -> None:
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    used = {service["image"] for service in services.values() if "image" in service}
    runs = ("postgres", "redis", "prometheus", "grafana", "flower")
    assert used == {IMAGES[name].pinned for name in runs}


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("python:3.11-slim", (DOCKER_HUB, "library/python", "3.11-slim")),
        ("bitnami/redis:7", (DOCKER_HUB, "bitnami/redis", "7")),
        ("ghcr.io/astral-sh/uv:0.13.9", ("ghcr.io", "astral-sh/uv", "0.13.9")),
        ("localhost:5000/team/app:1", ("localhost:5000", "team/app", "1")),
    ],
)
def test_references_name_their_registry_repository_and_tag(
    reference: str, expected: tuple[str, str, str]
) -> None:
    assert location(reference) == expected


def registry(seen: list[httpx.Request]) -> httpx.MockTransport:
    """A registry that wants an anonymous bearer token, as Docker Hub and ghcr.io do."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "auth.example":
            assert request.url.params["scope"] == "repository:library/python:pull"
            return httpx.Response(200, json={"token": "t0k3n"})
        if request.headers.get("authorization") != "Bearer t0k3n":
            challenge = (
                'Bearer realm="https://auth.example/token",service="registry.docker.io",'
                'scope="repository:library/python:pull"'
            )
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        assert "application/vnd.oci.image.index.v1+json" in request.headers["accept"]
        return httpx.Response(200, headers={"Docker-Content-Digest": DIGEST})

    return httpx.MockTransport(answer)


def test_a_digest_is_resolved_through_the_registry_token_dance() -> None:
    seen: list[httpx.Request] = []
    with httpx.Client(transport=registry(seen)) as client:
        digest = resolve_digest("python:3.11-slim-trixie", client)

    assert digest == DIGEST
    assert [r.method for r in seen] == ["HEAD", "GET", "HEAD"]
    assert str(seen[-1].url) == f"https://{DOCKER_HUB}/v2/library/python/manifests/3.11-slim-trixie"


def test_a_registry_without_a_digest_is_an_error() -> None:
    transport = httpx.MockTransport(lambda _request: httpx.Response(200))
    with httpx.Client(transport=transport) as client, pytest.raises(BaseImageError):
        resolve_digest("redis:7-alpine", client)


def test_update_pins_every_image_and_rewrites_the_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    shutil.copy(REPO / BASE_IMAGES_FILE, tmp_path / BASE_IMAGES_FILE)
    shutil.copy(REPO / "Dockerfile", tmp_path / "Dockerfile")
    transport = httpx.MockTransport(
        lambda _request: httpx.Response(200, headers={"Docker-Content-Digest": DIGEST})
    )

    with httpx.Client(transport=transport) as client:
        pinned = update(tmp_path, client)

    assert {image.digest for image in pinned.values()} == {DIGEST}
    assert load(tmp_path / BASE_IMAGES_FILE) == pinned
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert f"ARG PYTHON_IMAGE=python:3.11-slim-trixie@{DIGEST}\n" in dockerfile
    assert f"FROM ghcr.io/astral-sh/uv:0.13.9@{DIGEST} AS uv\n" in dockerfile
    assert "# An empty digest means" in (tmp_path / BASE_IMAGES_FILE).read_text()  # kept
