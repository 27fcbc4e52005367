"""``client.search``: find artists by their tags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from soundstream._base_client import ParamValue
from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.search import ArtistSearchHit

MatchMode = Literal["all", "any"]
SearchSort = Literal["relevance", "listeners", "plays"]


def _search_params(
    tags: Sequence[str],
    match: MatchMode,
    sort: SearchSort,
    bounds: dict[str, int | None],
    dates: tuple[dt.date | None, dt.date | None],
    limit: int | None,
    cursor: str | None,
) -> dict[str, ParamValue]:
    if isinstance(tags, str):
        tags = [tags]
    params: dict[str, ParamValue] = {"tag": list(tags), "match": match, "sort": sort}
    params |= {"from": dates[0], "to": dates[1]}
    return params | bounds | {"limit": limit, "cursor": cursor}


class Search(SyncAPIResource):
    def artists(
        self,
        *,
        tags: Sequence[str],
        match: MatchMode = "all",
        sort: SearchSort = "relevance",
        min_listeners: int | None = None,
        max_listeners: int | None = None,
        min_plays: int | None = None,
        max_plays: int | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[ArtistSearchHit]:
        """Artists carrying every tag (``match="all"``, the default) or any of them.

        ``page.extras["unknown_tags"]`` lists requested tags that name no tag. With
        ``from_``/``to`` (both included), only the tags assigned within those days count.
        """
        bounds = {"min_listeners": min_listeners, "max_listeners": max_listeners}
        bounds |= {"min_plays": min_plays, "max_plays": max_plays}
        params = _search_params(tags, match, sort, bounds, (from_, to), limit, cursor)
        return self._page("/v1/search/artists", ArtistSearchHit, params=params)


class AsyncSearch(AsyncAPIResource):
    def artists(
        self,
        *,
        tags: Sequence[str],
        match: MatchMode = "all",
        sort: SearchSort = "relevance",
        min_listeners: int | None = None,
        max_listeners: int | None = None,
        min_plays: int | None = None,
        max_plays: int | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[ArtistSearchHit]:
        """Artists carrying every tag (``match="all"``, the default) or any of them.

        ``page.extras["unknown_tags"]`` lists requested tags that name no tag. With
        ``from_``/``to`` (both included), only the tags assigned within those days count.
        """
        bounds = {"min_listeners": min_listeners, "max_listeners": max_listeners}
        bounds |= {"min_plays": min_plays, "max_plays": max_plays}
        params = _search_params(tags, match, sort, bounds, (from_, to), limit, cursor)
        return self._page("/v1/search/artists", ArtistSearchHit, params=params)
