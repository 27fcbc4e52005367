"""The base images, pinned by digest: ``infra/base-images.toml`` and ``soundstream-admin images``.

The file names each image's tag and the digest built and run; the Dockerfile's base images
and the Compose file's PostgreSQL and Redis are written from it (a test fails when they
differ). ``--update`` asks each registry, through the OCI distribution API every registry
speaks (Docker Hub, ghcr.io), for the digest the tag points to now.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

BASE_IMAGES_FILE = Path("infra") / "base-images.toml"
DOCKER_HUB = "registry-1.docker.io"
# An image index first (one digest for every platform), a single manifest otherwise.
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# Where the Dockerfile names each image it builds on.
DOCKERFILE_LINES = {
    "python": (re.compile(r"^ARG PYTHON_IMAGE=\S+$", re.MULTILINE), "ARG PYTHON_IMAGE={}"),
    "uv": (re.compile(r"^FROM \S+ AS uv$", re.MULTILINE), "FROM {} AS uv"),
}


class BaseImageError(Exception):
    """A digest could not be resolved or the file is invalid; the message says which."""


@dataclass(frozen=True)
class BaseImage:
    name: str
    reference: str
    digest: str = ""

    @property
    def pinned(self) -> str:
        """What the deployment uses: ``reference@digest``, or the tag alone when unpinned."""
        return f"{self.reference}@{self.digest}" if self.digest else self.reference


def load(path: Path) -> dict[str, BaseImage]:
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8"))["images"]
        images = {
            name: BaseImage(name, str(entry["reference"]), str(entry.get("digest", "")))
            for name, entry in entries.items()
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise BaseImageError(f"invalid {path}: {exc!r}") from exc
    for image in images.values():
        if image.digest and not DIGEST.match(image.digest):
            raise BaseImageError(f"{path}: {image.name}'s digest is not a sha256 digest")
    return images


def default_images() -> dict[str, BaseImage]:
    """The checkout's ``infra/base-images.toml`` (found beside the stack file)."""
    from soundstream_admin.stack import find_stack_file

    return load(find_stack_file().parent.parent / BASE_IMAGES_FILE)


def location(reference: str) -> tuple[str, str, str]:
    """(registry host, repository, tag) of ``name:tag``; Docker Hub when no host is named."""
    name, _, tag = reference.rpartition(":")
    if not name or "/" in tag:
        raise BaseImageError(f"{reference!r} names no tag")
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first, rest, tag
    return DOCKER_HUB, name if "/" in name else f"library/{name}", tag


def _token(challenge: str, client: httpx.Client) -> str:
    """An anonymous pull token from the ``WWW-Authenticate: Bearer realm=...`` challenge."""
    scheme, _, params = challenge.partition(" ")
    fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
    if scheme.lower() != "bearer" or "realm" not in fields:
        raise BaseImageError(f"unsupported registry authentication: {challenge!r}")
    query = {key: value for key, value in fields.items() if key in ("service", "scope")}
    answer = client.get(fields["realm"], params=query)
    answer.raise_for_status()
    body = answer.json()
    return str(body.get("token") or body["access_token"])


def resolve_digest(reference: str, client: httpx.Client) -> str:
    """The digest ``reference``'s tag points to now (its image index when it has one)."""
    host, repository, tag = location(reference)
    url = f"https://{host}/v2/{repository}/manifests/{tag}"
    headers = {"Accept": MANIFEST_TYPES}
    try:
        answer = client.head(url, headers=headers)
        if answer.status_code == 401:
            token = _token(answer.headers.get("www-authenticate", ""), client)
            answer = client.head(url, headers=headers | {"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise BaseImageError(f"{reference}: {exc}") from exc
    digest = str(answer.headers.get("docker-content-digest", ""))
    if not DIGEST.match(digest):
        raise BaseImageError(f"{reference}: the registry gave no sha256 digest ({digest!r})")
    return digest


def with_digests(text: str, digests: Mapping[str, str]) -> str:
    """``base-images.toml``'s text with the given images' digests replaced (comments kept)."""
    for name, digest in digests.items():
        section = re.compile(
            rf'(^\[images\.{re.escape(name)}\]\n(?:(?!\[).*\n)*?digest = )"[^"]*"', re.MULTILINE
        )
        text, found = section.subn(rf'\g<1>"{digest}"', text)
        if not found:
            raise BaseImageError(f"no digest line for {name} in {BASE_IMAGES_FILE}")
    return text


def dockerfile_with(text: str, images: Mapping[str, BaseImage]) -> str:
    """The Dockerfile's text naming each base image as ``images`` pin it."""
    for name, (line, template) in DOCKERFILE_LINES.items():
        text, found = line.subn(template.format(images[name].pinned), text)
        if found != 1:
            raise BaseImageError(f"the Dockerfile has no single line naming the {name} image")
    return text


def update(root: Path, client: httpx.Client) -> dict[str, BaseImage]:
    """Resolve every image's digest; rewrite base-images.toml and the Dockerfile."""
    path = root / BASE_IMAGES_FILE
    images = load(path)
    digests = {name: resolve_digest(image.reference, client) for name, image in images.items()}
    path.write_text(with_digests(path.read_text(encoding="utf-8"), digests), encoding="utf-8")
    images = load(path)
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(
        dockerfile_with(dockerfile.read_text(encoding="utf-8"), images), encoding="utf-8"
    )
    return images
