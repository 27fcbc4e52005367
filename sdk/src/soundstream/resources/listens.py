"""``client.listens``: how often each user played each artist."""

from __future__ import annotations

from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.listens import Listen


def _path(user_id: int, artist_id: int) -> str:
    return f"/v1/users/{user_id}/artists/{artist_id}"


class Listens(SyncAPIResource):
    def list(
        self, user_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> SyncPage[Listen]:
        """The user's artists, most played first."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/users/{user_id}/artists", Listen, params=params)

    def set(self, user_id: int, artist_id: int, *, weight: int) -> Listen:
        """Set the play count (creates the listen if needed)."""
        return self._model("PUT", _path(user_id, artist_id), Listen, body={"weight": weight})

    def add(self, user_id: int, artist_id: int, *, plays: int) -> Listen:
        """Add plays to an existing listen. Not idempotent: never retried after sending."""
        return self._model("PATCH", _path(user_id, artist_id), Listen, body={"add_plays": plays})

    def delete(self, user_id: int, artist_id: int) -> None:
        self._none("DELETE", _path(user_id, artist_id))


class AsyncListens(AsyncAPIResource):
    def list(
        self, user_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[Listen]:
        """The user's artists, most played first."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/users/{user_id}/artists", Listen, params=params)

    async def set(self, user_id: int, artist_id: int, *, weight: int) -> Listen:
        """Set the play count (creates the listen if needed)."""
        body = {"weight": weight}
        return await self._model("PUT", _path(user_id, artist_id), Listen, body=body)

    async def add(self, user_id: int, artist_id: int, *, plays: int) -> Listen:
        """Add plays to an existing listen. Not idempotent: never retried after sending."""
        body = {"add_plays": plays}
        return await self._model("PATCH", _path(user_id, artist_id), Listen, body=body)

    async def delete(self, user_id: int, artist_id: int) -> None:
        await self._none("DELETE", _path(user_id, artist_id))
