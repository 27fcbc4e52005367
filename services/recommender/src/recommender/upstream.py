"""The serving path's short calls to the listening and catalog services.

Used only where the model has nothing to say: a user it does not know (what their friends
play, which tags they use), seed tags, and the popularity list before any model exists. Each
call has a short timeout; a failure or a 404 answers ``None`` so the caller moves on to the
next source, except for :meth:`Upstream.top_artists`, the last resort.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from loguru import logger

from recommender.config import Settings
from soundstream_common.errors import DependencyUnavailableError

USER_TAGS_SCANNED = 200


class Upstream:
    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.listening_url = settings.listening_url.rstrip("/")
        self.catalog_url = settings.catalog_url.rstrip("/")
        self.client = client or httpx.Client(timeout=settings.upstream_timeout_seconds)

    def close(self) -> None:
        self.client.close()

    def _items(self, base: str, path: str, params: dict[str, Any]) -> list[dict[str, Any]] | None:
        if not base:
            return None
        try:
            response = self.client.get(base + path, params=params)
        except httpx.HTTPError as exc:
            logger.warning("{}{} unavailable: {}", base, path, exc)
            return None
        if response.status_code != 200:
            if response.status_code != 404:
                logger.warning("{}{} answered {}", base, path, response.status_code)
            return None
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def friends_artists(self, user_id: int, limit: int) -> list[tuple[int, int]] | None:
        """Artists the user's friends play and the user does not: ``(artist, friends)``,
        most friends first (the listening service's ranking)."""
        items = self._items(
            self.listening_url, f"/users/{user_id}/friends/artists", {"limit": min(limit, 200)}
        )
        if items is None:
            return None
        return [(int(i["artist_id"]), int(i["friends"])) for i in items]

    def user_tags(self, user_id: int) -> list[tuple[int, int]] | None:
        """Tags the user applied (among their first 200 assignments): ``(tag, uses)``, most
        used first (ties: smaller id)."""
        items = self._items(
            self.catalog_url, "/tag-assignments", {"user_id": user_id, "limit": USER_TAGS_SCANNED}
        )
        if items is None:
            return None
        uses = Counter(int(i["tag_id"]) for i in items)
        return sorted(uses.items(), key=lambda item: (-item[1], item[0]))

    def tag_artists(self, tag_id: int, limit: int) -> list[tuple[int, int]] | None:
        """Artists carrying the tag: ``(artist, assignments)``, most tagged first."""
        items = self._items(self.catalog_url, f"/tags/{tag_id}/artists", {"limit": min(limit, 200)})
        if items is None:
            return None
        return [(int(i["id"]), int(i["count"])) for i in items]

    def top_artists(self, limit: int) -> list[list[float]]:
        """The most listened artists (``[artist, listeners]``); the answer before any model is
        published, so an unavailable listening service is a 503."""
        url = self.listening_url + "/stats/artists/top"
        try:
            response = self.client.get(url, params={"by": "listeners", "limit": min(200, limit)})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise DependencyUnavailableError(
                f"no model is published and the listening service is unavailable: {exc}"
            ) from exc
        return [[item["artist_id"], float(item["listeners"])] for item in response.json()["items"]]
