"""The recommender's domain errors; the chassis turns each into a problem+json response."""

from __future__ import annotations

from soundstream_common.errors import NotFoundError


class NoModelError(NotFoundError):
    slug, title = "no-model", "No model has been published yet"


class NotInModelError(NotFoundError):
    slug, title = "not-in-model", "Unknown to the current model"


class ModelNotFoundError(NotFoundError):
    slug, title = "model-not-found", "No such model"


class DeletedError(NotFoundError):
    """The user or artist was deleted upstream (recorded from its event)."""

    slug, title = "deleted", "Deleted"


class UnknownUserError(NotFoundError):
    """The listening service, which owns users, does not know the user."""

    slug, title = "user-not-found", "User not found"


class UnknownArtistError(NotFoundError):
    """The catalog, which owns artists, does not know the artist."""

    slug, title = "artist-not-found", "Artist not found"


class FeedbackNotFoundError(NotFoundError):
    slug, title = "feedback-not-found", "No such feedback"
