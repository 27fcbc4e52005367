"""``client.tags``: tags, their artists, timelines, similar tags and tag assignments."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from soundstream._base_client import ParamValue
from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource, drop_unset
from soundstream.types.tags import (
    SimilarTag,
    Tag,
    TagArtist,
    TagAssignment,
    TagDetail,
    TagTimeline,
)

TagSort = Literal["name", "usage"]
Granularity = Literal["month", "year"]
SimilarityMeasure = Literal["jaccard", "cosine"]


def _assignment_path(user_id: int, artist_id: int, tag_id: int, timestamp_ms: int) -> str:
    return f"/v1/tag-assignments/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}"


def _assign_body(user_id: int, artist_id: int, tag_id: int, date: dt.date | None) -> object:
    return drop_unset(
        user_id=user_id, artist_id=artist_id, tag_id=tag_id, date=date and date.isoformat()
    )


class Tags(SyncAPIResource):
    def list(
        self,
        *,
        q: str | None = None,
        sort: TagSort | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[Tag]:
        params = {"q": q, "sort": sort, "limit": limit, "cursor": cursor}
        return self._page("/v1/tags", Tag, params=params)

    def get(self, tag_id: int) -> TagDetail:
        return self._model("GET", f"/v1/tags/{tag_id}", TagDetail)

    def create(self, *, value: str) -> Tag:
        return self._model("POST", "/v1/tags", Tag, body={"value": value})

    def update(self, tag_id: int, *, value: str) -> Tag:
        return self._model("PATCH", f"/v1/tags/{tag_id}", Tag, body={"value": value})

    def replace(self, tag_id: int, *, value: str) -> Tag:
        return self._model("PUT", f"/v1/tags/{tag_id}", Tag, body={"value": value})

    def delete(self, tag_id: int, *, force: bool = False) -> None:
        """Delete a tag; ``force=True`` also when it is applied (removing its assignments)."""
        self._none("DELETE", f"/v1/tags/{tag_id}", params={"force": force or None})

    def artists(
        self,
        tag_id: int,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[TagArtist]:
        """The tag's top artists; with ``from_``/``to`` (both included), only the
        assignments dated within those days count."""
        params = {"from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page(f"/v1/tags/{tag_id}/artists", TagArtist, params=params)

    def timeline(
        self,
        tag_id: int,
        *,
        granularity: Granularity = "month",
        from_: dt.date | None = None,
        to: dt.date | None = None,
    ) -> TagTimeline:
        params = {"granularity": granularity, "from": from_, "to": to}
        return self._model("GET", f"/v1/tags/{tag_id}/timeline", TagTimeline, params=params)

    def similar(
        self,
        tag_id: int,
        *,
        measure: SimilarityMeasure | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[SimilarTag]:
        """Tags sharing artists with the tag; with ``from_``/``to``, each tag is the set of
        artists it was assigned to within those days."""
        params = {"measure": measure, "from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page(f"/v1/tags/{tag_id}/similar", SimilarTag, params=params)

    def assignments(
        self,
        *,
        user_id: int | None = None,
        artist_id: int | None = None,
        tag_id: int | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[TagAssignment]:
        params: dict[str, ParamValue] = {"user_id": user_id, "artist_id": artist_id}
        params |= {"tag_id": tag_id, "from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page("/v1/tag-assignments", TagAssignment, params=params)

    def assign(
        self, *, user_id: int, artist_id: int, tag_id: int, date: dt.date | None = None
    ) -> TagAssignment:
        body = _assign_body(user_id, artist_id, tag_id, date)
        return self._model("POST", "/v1/tag-assignments", TagAssignment, body=body)

    def get_assignment(
        self, *, user_id: int, artist_id: int, tag_id: int, timestamp_ms: int
    ) -> TagAssignment:
        path = _assignment_path(user_id, artist_id, tag_id, timestamp_ms)
        return self._model("GET", path, TagAssignment)

    def unassign(self, *, user_id: int, artist_id: int, tag_id: int, timestamp_ms: int) -> None:
        self._none("DELETE", _assignment_path(user_id, artist_id, tag_id, timestamp_ms))


class AsyncTags(AsyncAPIResource):
    def list(
        self,
        *,
        q: str | None = None,
        sort: TagSort | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Tag]:
        params = {"q": q, "sort": sort, "limit": limit, "cursor": cursor}
        return self._page("/v1/tags", Tag, params=params)

    async def get(self, tag_id: int) -> TagDetail:
        return await self._model("GET", f"/v1/tags/{tag_id}", TagDetail)

    async def create(self, *, value: str) -> Tag:
        return await self._model("POST", "/v1/tags", Tag, body={"value": value})

    async def update(self, tag_id: int, *, value: str) -> Tag:
        return await self._model("PATCH", f"/v1/tags/{tag_id}", Tag, body={"value": value})

    async def replace(self, tag_id: int, *, value: str) -> Tag:
        return await self._model("PUT", f"/v1/tags/{tag_id}", Tag, body={"value": value})

    async def delete(self, tag_id: int, *, force: bool = False) -> None:
        """Delete a tag; ``force=True`` also when it is applied (removing its assignments)."""
        await self._none("DELETE", f"/v1/tags/{tag_id}", params={"force": force or None})

    def artists(
        self,
        tag_id: int,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[TagArtist]:
        """The tag's top artists; with ``from_``/``to`` (both included), only the
        assignments dated within those days count."""
        params = {"from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page(f"/v1/tags/{tag_id}/artists", TagArtist, params=params)

    async def timeline(
        self,
        tag_id: int,
        *,
        granularity: Granularity = "month",
        from_: dt.date | None = None,
        to: dt.date | None = None,
    ) -> TagTimeline:
        params = {"granularity": granularity, "from": from_, "to": to}
        return await self._model("GET", f"/v1/tags/{tag_id}/timeline", TagTimeline, params=params)

    def similar(
        self,
        tag_id: int,
        *,
        measure: SimilarityMeasure | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[SimilarTag]:
        """Tags sharing artists with the tag; with ``from_``/``to``, each tag is the set of
        artists it was assigned to within those days."""
        params = {"measure": measure, "from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page(f"/v1/tags/{tag_id}/similar", SimilarTag, params=params)

    def assignments(
        self,
        *,
        user_id: int | None = None,
        artist_id: int | None = None,
        tag_id: int | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[TagAssignment]:
        params: dict[str, ParamValue] = {"user_id": user_id, "artist_id": artist_id}
        params |= {"tag_id": tag_id, "from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page("/v1/tag-assignments", TagAssignment, params=params)

    async def assign(
        self, *, user_id: int, artist_id: int, tag_id: int, date: dt.date | None = None
    ) -> TagAssignment:
        body = _assign_body(user_id, artist_id, tag_id, date)
        return await self._model("POST", "/v1/tag-assignments", TagAssignment, body=body)

    async def get_assignment(
        self, *, user_id: int, artist_id: int, tag_id: int, timestamp_ms: int
    ) -> TagAssignment:
        path = _assignment_path(user_id, artist_id, tag_id, timestamp_ms)
        return await self._model("GET", path, TagAssignment)

    async def unassign(
        self, *, user_id: int, artist_id: int, tag_id: int, timestamp_ms: int
    ) -> None:
        await self._none("DELETE", _assignment_path(user_id, artist_id, tag_id, timestamp_ms))
