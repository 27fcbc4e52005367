"""``client.friends``: the social graph and what friends listen to."""

from __future__ import annotations

from soundstream._pagination import AsyncPaginator, SyncPage
from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.friends import FriendArtist, Friendship
from soundstream.types.users import UserSummary


class Friends(SyncAPIResource):
    def list(
        self, user_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> SyncPage[UserSummary]:
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/users/{user_id}/friends", UserSummary, params=params)

    def add(self, user_id: int, friend_id: int) -> Friendship:
        """Make two users friends (friendship is mutual)."""
        path = f"/v1/users/{user_id}/friends"
        return self._model("POST", path, Friendship, body={"friend_id": friend_id})

    def remove(self, user_id: int, friend_id: int) -> None:
        self._none("DELETE", f"/v1/users/{user_id}/friends/{friend_id}")

    def artists(
        self, user_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> SyncPage[FriendArtist]:
        """Artists the user's friends listen to, by number of friends."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/users/{user_id}/friends/artists", FriendArtist, params=params)


class AsyncFriends(AsyncAPIResource):
    def list(
        self, user_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[UserSummary]:
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/users/{user_id}/friends", UserSummary, params=params)

    async def add(self, user_id: int, friend_id: int) -> Friendship:
        """Make two users friends (friendship is mutual)."""
        path = f"/v1/users/{user_id}/friends"
        return await self._model("POST", path, Friendship, body={"friend_id": friend_id})

    async def remove(self, user_id: int, friend_id: int) -> None:
        await self._none("DELETE", f"/v1/users/{user_id}/friends/{friend_id}")

    def artists(
        self, user_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[FriendArtist]:
        """Artists the user's friends listen to, by number of friends."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(f"/v1/users/{user_id}/friends/artists", FriendArtist, params=params)
