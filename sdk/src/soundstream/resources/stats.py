"""``client.stats``: listening, social and tagging statistics.

Lists here are pages like any other: ``stats.top_artists(limit=10).items`` is the top ten;
iterating the result walks on through every artist.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from soundstream._base_client import ParamValue
from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.stats import (
    Overview,
    SocialStats,
    TagDominance,
    TagStat,
    TopArtist,
    UserStats,
    WeightsStats,
)
from soundstream.types.tags import Timeline

TopArtistsBy = Literal["plays", "listeners"]
TopTagsBy = Literal["assignments", "artists", "users"]
TagKind = Literal["dominant", "niche"]
Granularity = Literal["month", "year"]


class Stats(SyncAPIResource):
    def overview(self) -> Overview:
        """Counts of users, artists, listens, friendships and plays."""
        return self._model("GET", "/v1/stats/overview", Overview)

    def weights(
        self, *, bins_per_decade: int | None = None, lorenz_points: int | None = None
    ) -> WeightsStats:
        """The distribution of play counts."""
        params = {"bins_per_decade": bins_per_decade, "lorenz_points": lorenz_points}
        return self._model("GET", "/v1/stats/weights", WeightsStats, params=params)

    def top_artists(
        self, *, by: TopArtistsBy = "plays", limit: int = 10, cursor: str | None = None
    ) -> SyncPage[TopArtist]:
        """Most played or most listened-to artists, all-time: listens carry no dates in the
        data set, so listening statistics take no ``from_``/``to`` (tag statistics do)."""
        params = {"by": by, "limit": limit, "cursor": cursor}
        return self._page("/v1/stats/artists/top", TopArtist, params=params)

    def social(self) -> SocialStats:
        """Friend counts and how they correlate with listening."""
        return self._model("GET", "/v1/stats/social", SocialStats)

    def user(self, user_id: int) -> UserStats:
        """One user's listening measures and their percentile ranks."""
        return self._model("GET", f"/v1/stats/users/{user_id}", UserStats)

    def top_tags(
        self,
        *,
        by: TopTagsBy | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[TagStat]:
        """Most used tags; with ``from_``/``to`` (both included), only the assignments dated
        within those days count."""
        params = {"by": by, "from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page("/v1/stats/tags/top", TagStat, params=params)

    def tag_dominance(
        self,
        *,
        kind: TagKind | None = None,
        min_artist_share: float | None = None,
        min_user_share: float | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SyncPage[TagDominance]:
        """Tags classified dominant or niche; the rule and totals are in ``page.extras``.
        With ``from_``/``to``, tags, tagged artists and taggers are counted on the
        assignments dated within those days."""
        params: dict[str, ParamValue] = {"kind": kind, "min_artist_share": min_artist_share}
        params |= {"min_user_share": min_user_share, "from": from_, "to": to}
        params |= {"limit": limit, "cursor": cursor}
        return self._page("/v1/stats/tags/dominance", TagDominance, params=params)

    def timeline(
        self,
        *,
        granularity: Granularity = "month",
        from_: dt.date | None = None,
        to: dt.date | None = None,
    ) -> Timeline:
        """Tag assignments per month or year."""
        params = {"granularity": granularity, "from": from_, "to": to}
        return self._model("GET", "/v1/stats/timeline", Timeline, params=params)


class AsyncStats(AsyncAPIResource):
    async def overview(self) -> Overview:
        """Counts of users, artists, listens, friendships and plays."""
        return await self._model("GET", "/v1/stats/overview", Overview)

    async def weights(
        self, *, bins_per_decade: int | None = None, lorenz_points: int | None = None
    ) -> WeightsStats:
        """The distribution of play counts."""
        params = {"bins_per_decade": bins_per_decade, "lorenz_points": lorenz_points}
        return await self._model("GET", "/v1/stats/weights", WeightsStats, params=params)

    def top_artists(
        self, *, by: TopArtistsBy = "plays", limit: int = 10, cursor: str | None = None
    ) -> AsyncPaginator[TopArtist]:
        """Most played or most listened-to artists, all-time: listens carry no dates in the
        data set, so listening statistics take no ``from_``/``to`` (tag statistics do)."""
        params = {"by": by, "limit": limit, "cursor": cursor}
        return self._page("/v1/stats/artists/top", TopArtist, params=params)

    async def social(self) -> SocialStats:
        """Friend counts and how they correlate with listening."""
        return await self._model("GET", "/v1/stats/social", SocialStats)

    async def user(self, user_id: int) -> UserStats:
        """One user's listening measures and their percentile ranks."""
        return await self._model("GET", f"/v1/stats/users/{user_id}", UserStats)

    def top_tags(
        self,
        *,
        by: TopTagsBy | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[TagStat]:
        """Most used tags; with ``from_``/``to``, only the assignments dated within them."""
        params = {"by": by, "from": from_, "to": to, "limit": limit, "cursor": cursor}
        return self._page("/v1/stats/tags/top", TagStat, params=params)

    def tag_dominance(
        self,
        *,
        kind: TagKind | None = None,
        min_artist_share: float | None = None,
        min_user_share: float | None = None,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[TagDominance]:
        """Tags classified dominant or niche; the rule and totals are in ``page.extras``.
        With ``from_``/``to``, tags, tagged artists and taggers are counted on the
        assignments dated within those days."""
        params: dict[str, ParamValue] = {"kind": kind, "min_artist_share": min_artist_share}
        params |= {"min_user_share": min_user_share, "from": from_, "to": to}
        params |= {"limit": limit, "cursor": cursor}
        return self._page("/v1/stats/tags/dominance", TagDominance, params=params)

    async def timeline(
        self,
        *,
        granularity: Granularity = "month",
        from_: dt.date | None = None,
        to: dt.date | None = None,
    ) -> Timeline:
        """Tag assignments per month or year."""
        params = {"granularity": granularity, "from": from_, "to": to}
        return await self._model("GET", "/v1/stats/timeline", Timeline, params=params)
