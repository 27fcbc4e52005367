"""The listening service's domain errors (each becomes a problem+json response)."""

from __future__ import annotations

from soundstream_common.errors import ConflictError, InvalidInputError, NotFoundError


class UserNotFoundError(NotFoundError):
    slug, title = "user-not-found", "User not found"

    def __init__(self, user_id: int) -> None:
        super().__init__(f"User {user_id} does not exist.", user_id=user_id)


class ArtistNotFoundError(NotFoundError):
    slug, title = "artist-not-found", "Artist not found"

    def __init__(self, artist_id: int) -> None:
        super().__init__(f"Artist {artist_id} does not exist in the catalog.", artist_id=artist_id)


class ListenNotFoundError(NotFoundError):
    slug, title = "listen-not-found", "Listen not found"

    def __init__(self, user_id: int, artist_id: int) -> None:
        super().__init__(
            f"User {user_id} has no plays of artist {artist_id}.",
            user_id=user_id,
            artist_id=artist_id,
        )


class FriendshipNotFoundError(NotFoundError):
    slug, title = "friendship-not-found", "Friendship not found"

    def __init__(self, user_id: int, friend_id: int) -> None:
        super().__init__(
            f"Users {user_id} and {friend_id} are not friends.",
            user_id=user_id,
            friend_id=friend_id,
        )


class UserAlreadyExistsError(ConflictError):
    slug, title = "user-exists", "User already exists"

    def __init__(self, user_id: int) -> None:
        super().__init__(f"User {user_id} already exists.", user_id=user_id)


class FriendshipAlreadyExistsError(ConflictError):
    slug, title = "friendship-exists", "Friendship already exists"

    def __init__(self, user_id: int, friend_id: int) -> None:
        super().__init__(
            f"Users {user_id} and {friend_id} are already friends.",
            user_id=user_id,
            friend_id=friend_id,
        )


class SelfFriendshipError(InvalidInputError):
    slug, title = "self-friendship", "A user cannot befriend themselves"

    def __init__(self, user_id: int) -> None:
        super().__init__(f"User {user_id} cannot be their own friend.", user_id=user_id)
