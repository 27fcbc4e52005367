"""``client.users``: users, similar users and the user profile."""

from __future__ import annotations

from typing import Literal

from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.artists import Similar
from soundstream.types.users import User, UserProfile, UserSummary

UserSort = Literal["id", "plays", "artists", "friends"]


class Users(SyncAPIResource):
    def list(
        self, *, sort: UserSort | None = None, limit: int | None = None, cursor: str | None = None
    ) -> SyncPage[UserSummary]:
        params = {"sort": sort, "limit": limit, "cursor": cursor}
        return self._page("/v1/users", UserSummary, params=params)

    def get(self, user_id: int) -> User:
        return self._model("GET", f"/v1/users/{user_id}", User)

    def create(self, *, id: int | None = None) -> UserSummary:
        """A new user; the id is assigned unless given."""
        body = {"id": id} if id is not None else {}
        return self._model("POST", "/v1/users", UserSummary, body=body)

    def delete(self, user_id: int) -> None:
        self._none("DELETE", f"/v1/users/{user_id}")

    def similar(self, user_id: int, *, k: int = 10) -> Similar:
        """Users with the most similar taste under the current model."""
        return self._model("GET", f"/v1/users/{user_id}/similar", Similar, params={"k": k})

    def profile(
        self, user_id: int, *, artists: int | None = None, friends: int | None = None
    ) -> UserProfile:
        """Summary, top artists, friends and recommendations in one call; ``artists`` and
        ``friends`` say how many of each (default 10 and 50, at most 200)."""
        params = {"artists": artists, "friends": friends}
        return self._model("GET", f"/v1/users/{user_id}/profile", UserProfile, params=params)


class AsyncUsers(AsyncAPIResource):
    def list(
        self, *, sort: UserSort | None = None, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[UserSummary]:
        params = {"sort": sort, "limit": limit, "cursor": cursor}
        return self._page("/v1/users", UserSummary, params=params)

    async def get(self, user_id: int) -> User:
        return await self._model("GET", f"/v1/users/{user_id}", User)

    async def create(self, *, id: int | None = None) -> UserSummary:
        """A new user; the id is assigned unless given."""
        body = {"id": id} if id is not None else {}
        return await self._model("POST", "/v1/users", UserSummary, body=body)

    async def delete(self, user_id: int) -> None:
        await self._none("DELETE", f"/v1/users/{user_id}")

    async def similar(self, user_id: int, *, k: int = 10) -> Similar:
        """Users with the most similar taste under the current model."""
        path = f"/v1/users/{user_id}/similar"
        return await self._model("GET", path, Similar, params={"k": k})

    async def profile(
        self, user_id: int, *, artists: int | None = None, friends: int | None = None
    ) -> UserProfile:
        """Summary, top artists, friends and recommendations in one call; ``artists`` and
        ``friends`` say how many of each (default 10 and 50, at most 200)."""
        params = {"artists": artists, "friends": friends}
        return await self._model("GET", f"/v1/users/{user_id}/profile", UserProfile, params=params)
