"""The serving path's short calls to the listening and catalog services.

Used where the precomputed lists have nothing to say: a user's current listens (folded into
the published model, and never recommended back to them), a user the model cannot score
(what their friends play, which tags they use), seed tags, and the popularity list before
any model exists. Each
call has a short timeout; a failure or a 404 answers ``None`` so the caller moves on to the
next source, except for :meth:`Upstream.top_artists`, the last resort.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

import httpx
from loguru import logger

from recommender.config import Settings
from soundstream_common.errors import DependencyUnavailableError
from soundstream_common.service_token import service_headers

USER_TAGS_SCANNED = 200
USER_LISTENS_READ = 1000
"""At most this many of a user's artists (most played first) are read to fold them in."""
PAGE = 200


def folded(text: str) -> str:
    """``text`` without letter case and accents (how names are matched)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Upstream:
    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.listening_url = settings.listening_url.rstrip("/")
        self.catalog_url = settings.catalog_url.rstrip("/")
        self.client = client or httpx.Client(timeout=settings.upstream_timeout_seconds)
        # Every call carries the deployment's service token: the upstreams are internal.
        self.client.headers.update(service_headers(settings.service_token_value()))

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

    def user_exists(self, user_id: int) -> bool | None:
        """Whether the listening service knows the user (None when it cannot say)."""
        try:
            response = self.client.get(f"{self.listening_url}/users/{user_id}")
        except httpx.HTTPError as exc:
            logger.warning("listening unavailable to check user {}: {}", user_id, exc)
            return None
        if response.status_code in (200, 404):
            return response.status_code == 200
        logger.warning("listening answered {} for user {}", response.status_code, user_id)
        return None

    def artist_exists(self, artist_id: int) -> bool | None:
        """Whether the catalog knows the artist (None when it cannot say)."""
        if not self.catalog_url:
            return None
        try:
            response = self.client.get(f"{self.catalog_url}/artists/{artist_id}")
        except httpx.HTTPError as exc:
            logger.warning("catalog unavailable to check artist {}: {}", artist_id, exc)
            return None
        if response.status_code in (200, 404):
            return response.status_code == 200
        logger.warning("catalog answered {} for artist {}", response.status_code, artist_id)
        return None

    def artist_named(self, name: str) -> int | None:
        """The artist whose name is ``name`` (letter case and accents aside), ``None`` when
        the catalog has none or cannot say."""
        items = self._items(self.catalog_url, "/artists", {"q": name.strip(), "limit": 20})
        wanted = folded(name)
        return next((int(i["id"]) for i in items or [] if folded(i["name"]) == wanted), None)

    def tag_named(self, name: str) -> int | None:
        """The tag whose value is ``name`` (letter case and accents aside)."""
        items = self._items(self.catalog_url, "/tags", {"q": name.strip(), "limit": 50})
        wanted = folded(name)
        return next((int(i["id"]) for i in items or [] if folded(i["value"]) == wanted), None)

    def user_listens(self, user_id: int) -> dict[int, int] | None:
        """The user's current listens, ``artist -> plays`` (their most played
        :data:`USER_LISTENS_READ`); ``None`` when the listening service cannot say."""
        if not self.listening_url:
            return None
        listens: dict[int, int] = {}
        cursor: str | None = None
        while len(listens) < USER_LISTENS_READ:
            params: dict[str, Any] = {"limit": PAGE}
            if cursor:
                params["cursor"] = cursor
            try:
                response = self.client.get(
                    f"{self.listening_url}/users/{user_id}/artists", params=params
                )
            except httpx.HTTPError as exc:
                logger.warning("listening unavailable for user {}'s listens: {}", user_id, exc)
                return None
            if response.status_code != 200:
                if response.status_code != 404:
                    logger.warning(
                        "listening answered {} for user {}", response.status_code, user_id
                    )
                return None
            page = response.json()
            listens.update((int(i["artist_id"]), int(i["weight"])) for i in page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return listens

    def friends_artists(self, user_id: int, limit: int) -> list[tuple[int, int, int]] | None:
        """Artists the user's friends play and the user does not: ``(artist, friends, their
        plays)``, most friends first (the listening service's ranking)."""
        items = self._items(
            self.listening_url, f"/users/{user_id}/friends/artists", {"limit": min(limit, 200)}
        )
        if items is None:
            return None
        return [(int(i["artist_id"]), int(i["friends"]), int(i.get("plays", 0))) for i in items]

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

    def artists_tags(self, artist_ids: list[int]) -> dict[int, dict[int, int]]:
        """Each artist's most applied tags (the catalog's batch read: up to five per artist,
        ``tag -> assignments``); artists the catalog cannot describe are left out."""
        found: dict[int, dict[int, int]] = {}
        for start in range(0, len(artist_ids), PAGE):
            chunk = artist_ids[start : start + PAGE]
            items = self._items(
                self.catalog_url, "/artists", {"ids": ",".join(str(a) for a in chunk)}
            )
            for item in items or []:
                tags = item.get("top_tags") or []
                found[int(item["id"])] = {int(t["id"]): int(t["count"]) for t in tags}
        return found

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
