"""``client.artists``: the catalog's artists, their tags, similar artists and artist pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from soundstream._base_client import NOT_GIVEN
from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource, drop_unset
from soundstream.types.artists import (
    Artist,
    ArtistBatch,
    ArtistDetail,
    ArtistPage,
    ArtistTag,
    Similar,
)

ArtistSort = Literal["relevance", "name", "listeners", "plays"]
BATCH = 200
"""Ids per batch request (the API's limit)."""


def _chunks(artist_ids: Iterable[int]) -> Iterator[str]:
    """``artist_ids`` without repeats, as comma-separated chunks of ``BATCH``."""
    distinct = list(dict.fromkeys(artist_ids))
    for start in range(0, len(distinct), BATCH):
        yield ",".join(str(artist_id) for artist_id in distinct[start : start + BATCH])


def _patch_body(name: str | None, url: str | None, picture_url: str | None) -> dict[str, object]:
    """Only the fields given; an explicit None clears ``url`` / ``picture_url``."""
    fields = {"name": name, "url": url, "picture_url": picture_url}
    return {key: value for key, value in fields.items() if value is not NOT_GIVEN}


class Artists(SyncAPIResource):
    def list(
        self,
        *,
        q: str | None = None,
        sort: ArtistSort | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[Artist]:
        """Artists, optionally matching ``q`` (anywhere in the name, accents ignored)."""
        params = {"q": q, "sort": sort, "limit": limit, "cursor": cursor}
        return self._page("/v1/artists", Artist, params=params)

    def get(self, artist_id: int) -> ArtistDetail:
        """An artist with listeners, plays and top tags."""
        return self._model("GET", f"/v1/artists/{artist_id}", ArtistDetail)

    def get_many(self, artist_ids: Iterable[int]) -> ArtistBatch:
        """The artists named by ``artist_ids``, in their order (repeats once), with the ids
        that name no artist in ``missing``: one request per 200 ids."""
        found: list[Artist] = []
        missing: list[int] = []
        for chunk in _chunks(artist_ids):
            batch = self._model("GET", "/v1/artists", ArtistBatch, params={"ids": chunk})
            found += batch.items
            missing += batch.missing
        return ArtistBatch(items=found, missing=missing)

    def create(
        self, *, name: str, url: str | None = None, picture_url: str | None = None
    ) -> Artist:
        body = drop_unset(name=name, url=url, picture_url=picture_url)
        return self._model("POST", "/v1/artists", Artist, body=body)

    def update(
        self,
        artist_id: int,
        *,
        name: str = NOT_GIVEN,
        url: str | None = NOT_GIVEN,
        picture_url: str | None = NOT_GIVEN,
    ) -> Artist:
        """Change only the fields given (None clears ``url`` or ``picture_url``)."""
        body = _patch_body(name, url, picture_url)
        return self._model("PATCH", f"/v1/artists/{artist_id}", Artist, body=body)

    def replace(
        self, artist_id: int, *, name: str, url: str | None = None, picture_url: str | None = None
    ) -> Artist:
        """Replace every field (links left out become null)."""
        body = {"name": name, "url": url, "picture_url": picture_url}
        return self._model("PUT", f"/v1/artists/{artist_id}", Artist, body=body)

    def delete(self, artist_id: int) -> None:
        self._none("DELETE", f"/v1/artists/{artist_id}")

    def tags(
        self, artist_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> SyncPage[ArtistTag]:
        """The artist's tags, most applied first."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/artists/{artist_id}/tags", ArtistTag, params=params)

    def similar(self, artist_id: int, *, k: int = 10) -> Similar:
        """Nearest artists under the current recommendation model."""
        return self._model("GET", f"/v1/artists/{artist_id}/similar", Similar, params={"k": k})

    def page(self, artist_id: int) -> ArtistPage:
        """Details, top tags, listeners and similar artists in one call."""
        return self._model("GET", f"/v1/artists/{artist_id}/page", ArtistPage)


class AsyncArtists(AsyncAPIResource):
    def list(
        self,
        *,
        q: str | None = None,
        sort: ArtistSort | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Artist]:
        """Artists, optionally matching ``q`` (anywhere in the name, accents ignored)."""
        params = {"q": q, "sort": sort, "limit": limit, "cursor": cursor}
        return self._page("/v1/artists", Artist, params=params)

    async def get(self, artist_id: int) -> ArtistDetail:
        """An artist with listeners, plays and top tags."""
        return await self._model("GET", f"/v1/artists/{artist_id}", ArtistDetail)

    async def get_many(self, artist_ids: Iterable[int]) -> ArtistBatch:
        """The artists named by ``artist_ids``, in their order (repeats once), with the ids
        that name no artist in ``missing``: one request per 200 ids."""
        found: list[Artist] = []
        missing: list[int] = []
        for chunk in _chunks(artist_ids):
            batch = await self._model("GET", "/v1/artists", ArtistBatch, params={"ids": chunk})
            found += batch.items
            missing += batch.missing
        return ArtistBatch(items=found, missing=missing)

    async def create(
        self, *, name: str, url: str | None = None, picture_url: str | None = None
    ) -> Artist:
        body = drop_unset(name=name, url=url, picture_url=picture_url)
        return await self._model("POST", "/v1/artists", Artist, body=body)

    async def update(
        self,
        artist_id: int,
        *,
        name: str = NOT_GIVEN,
        url: str | None = NOT_GIVEN,
        picture_url: str | None = NOT_GIVEN,
    ) -> Artist:
        """Change only the fields given (None clears ``url`` or ``picture_url``)."""
        body = _patch_body(name, url, picture_url)
        return await self._model("PATCH", f"/v1/artists/{artist_id}", Artist, body=body)

    async def replace(
        self, artist_id: int, *, name: str, url: str | None = None, picture_url: str | None = None
    ) -> Artist:
        """Replace every field (links left out become null)."""
        body = {"name": name, "url": url, "picture_url": picture_url}
        return await self._model("PUT", f"/v1/artists/{artist_id}", Artist, body=body)

    async def delete(self, artist_id: int) -> None:
        await self._none("DELETE", f"/v1/artists/{artist_id}")

    def tags(
        self, artist_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[ArtistTag]:
        """The artist's tags, most applied first."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/artists/{artist_id}/tags", ArtistTag, params=params)

    async def similar(self, artist_id: int, *, k: int = 10) -> Similar:
        """Nearest artists under the current recommendation model."""
        path = f"/v1/artists/{artist_id}/similar"
        return await self._model("GET", path, Similar, params={"k": k})

    async def page(self, artist_id: int) -> ArtistPage:
        """Details, top tags, listeners and similar artists in one call."""
        return await self._model("GET", f"/v1/artists/{artist_id}/page", ArtistPage)
