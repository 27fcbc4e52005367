"""The catalog's domain errors; the chassis turns each into a problem+json response."""

from __future__ import annotations

from soundstream_common.errors import ConflictError, InvalidInputError, NotFoundError


class ArtistNotFoundError(NotFoundError):
    slug, title = "artist-not-found", "Artist not found"


class TagNotFoundError(NotFoundError):
    slug, title = "tag-not-found", "Tag not found"


class UnknownUserError(NotFoundError):
    """The user id is not known to the catalog (users are replicated from listening)."""

    slug, title = "user-not-found", "User not found"


class TagAssignmentNotFoundError(NotFoundError):
    slug, title = "tag-assignment-not-found", "Tag assignment not found"


class DuplicateTagError(ConflictError):
    slug, title = "duplicate-tag", "Tag already exists"


class TagInUseError(ConflictError):
    slug, title = "tag-in-use", "Tag is in use"


class DuplicateTagAssignmentError(ConflictError):
    slug, title = "duplicate-tag-assignment", "Tag assignment already exists"


class InvalidRangeError(InvalidInputError):
    """A lower bound above its upper bound (``from`` after ``to``, ``min_*`` above ``max_*``)."""

    slug, title = "invalid-range", "Invalid range"

    def __init__(self, low_name: str, high_name: str, location: str = "query") -> None:
        super().__init__(
            f"{low_name} must not be greater than {high_name}.",
            errors=[
                {
                    "loc": [location, low_name],
                    "msg": f"must not be greater than {high_name}",
                    "type": "range_order",
                }
            ],
        )
