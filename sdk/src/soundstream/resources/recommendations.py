"""``client.recommendations``: personal and cold-start recommendations, and feedback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.recommendations import Feedback, FeedbackList, Recommendations

FeedbackKind = Literal["hide", "dislike"]
SeedRef = int | str | Mapping[str, Any]
"""A seed: an id, a name, or ``{"id" or "name": ..., "weight": ...}``."""


def _seeds(seeds: Sequence[SeedRef]) -> list[Any]:
    return [dict(seed) if isinstance(seed, Mapping) else seed for seed in seeds]


def _cold_start_body(
    seed_artists: Sequence[SeedRef],
    seed_tags: Sequence[SeedRef],
    exclude: Sequence[int] | None,
    k: int,
    explain: bool,
) -> dict[str, Any]:
    """The request; optional parts only when used (older APIs know only artists)."""
    if not seed_artists and not seed_tags:
        raise ValueError("give at least one seed artist or seed tag")
    body: dict[str, Any] = {"seed_artists": _seeds(seed_artists), "k": k}
    if seed_tags:
        body["seed_tags"] = _seeds(seed_tags)
    if exclude:
        body["exclude"] = list(exclude)
    if explain:
        body["explain"] = True
    return body


class RecommendationsResource(SyncAPIResource):
    def for_user(
        self,
        user_id: int,
        *,
        k: int = 10,
        exclude_listened: bool = True,
        explain: bool = True,
    ) -> Recommendations:
        """Artists for a user, with name, url, picture and top tags (and reasons if
        ``explain``)."""
        params = {"k": k, "exclude_listened": exclude_listened, "explain": explain}
        path = f"/v1/recommendations/users/{user_id}"
        return self._model("GET", path, Recommendations, params=params)

    def cold_start(
        self,
        *,
        seed_artists: Sequence[SeedRef] = (),
        seed_tags: Sequence[SeedRef] = (),
        exclude: Sequence[int] | None = None,
        k: int = 10,
        explain: bool = False,
    ) -> Recommendations:
        """Session recommendations: artists for someone from artists and/or tags they like
        (at least one seed), each an id, a name, or ``{"id"|"name": ..., "weight": w}``,
        scored by the published models. Names that match nothing come back in
        ``unknown_seeds``. A POST that changes nothing, so it is retried like a GET."""
        body = _cold_start_body(seed_artists, seed_tags, exclude, k, explain)
        return self._model(
            "POST", "/v1/recommendations", Recommendations, body=body, idempotent=True
        )

    def feedback(self, user_id: int, artist_id: int, *, kind: FeedbackKind = "hide") -> Feedback:
        """Hide an artist from the user's recommendations, or mark it disliked."""
        path = f"/v1/recommendations/users/{user_id}/feedback"
        body = {"artist_id": artist_id, "kind": kind}
        return self._model("POST", path, Feedback, body=body)

    def feedback_list(self, user_id: int) -> FeedbackList:
        """The user's feedback, newest first, each artist named."""
        path = f"/v1/recommendations/users/{user_id}/feedback"
        return self._model("GET", path, FeedbackList)

    def undo_feedback(self, user_id: int, artist_id: int) -> None:
        """Remove the user's feedback on the artist (it may be recommended again)."""
        self._none("DELETE", f"/v1/recommendations/users/{user_id}/feedback/{artist_id}")


class AsyncRecommendationsResource(AsyncAPIResource):
    async def for_user(
        self,
        user_id: int,
        *,
        k: int = 10,
        exclude_listened: bool = True,
        explain: bool = True,
    ) -> Recommendations:
        """Artists for a user, with name, url, picture and top tags (and reasons if
        ``explain``)."""
        params = {"k": k, "exclude_listened": exclude_listened, "explain": explain}
        path = f"/v1/recommendations/users/{user_id}"
        return await self._model("GET", path, Recommendations, params=params)

    async def cold_start(
        self,
        *,
        seed_artists: Sequence[SeedRef] = (),
        seed_tags: Sequence[SeedRef] = (),
        exclude: Sequence[int] | None = None,
        k: int = 10,
        explain: bool = False,
    ) -> Recommendations:
        """Session recommendations: artists for someone from artists and/or tags they like
        (at least one seed), each an id, a name, or ``{"id"|"name": ..., "weight": w}``,
        scored by the published models. Names that match nothing come back in
        ``unknown_seeds``. A POST that changes nothing, so it is retried like a GET."""
        body = _cold_start_body(seed_artists, seed_tags, exclude, k, explain)
        return await self._model(
            "POST", "/v1/recommendations", Recommendations, body=body, idempotent=True
        )

    async def feedback(
        self, user_id: int, artist_id: int, *, kind: FeedbackKind = "hide"
    ) -> Feedback:
        """Hide an artist from the user's recommendations, or mark it disliked."""
        path = f"/v1/recommendations/users/{user_id}/feedback"
        body = {"artist_id": artist_id, "kind": kind}
        return await self._model("POST", path, Feedback, body=body)

    async def feedback_list(self, user_id: int) -> FeedbackList:
        """The user's feedback, newest first, each artist named."""
        path = f"/v1/recommendations/users/{user_id}/feedback"
        return await self._model("GET", path, FeedbackList)

    async def undo_feedback(self, user_id: int, artist_id: int) -> None:
        """Remove the user's feedback on the artist (it may be recommended again)."""
        await self._none("DELETE", f"/v1/recommendations/users/{user_id}/feedback/{artist_id}")
