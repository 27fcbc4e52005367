"""Which SDK method calls which gateway operation (by the operationId of /openapi.json).

Kept by hand on purpose: a test compares it with the gateway's OpenAPI both ways (every
operation has a method, every method names a real operation) and checks that each entry
resolves on both clients.
"""

from __future__ import annotations

from typing import NamedTuple


class Operation(NamedTuple):
    method: str
    path: str
    sdk_method: str
    """``resource.method`` on :class:`~soundstream.SoundStream` and ``AsyncSoundStream``."""


OPERATIONS: dict[str, Operation] = {
    # catalog: artists
    "artists-list": Operation("GET", "/v1/artists", "artists.list"),
    "artists-create": Operation("POST", "/v1/artists", "artists.create"),
    "artists-get": Operation("GET", "/v1/artists/{artist_id}", "artists.get"),
    "artists-update": Operation("PATCH", "/v1/artists/{artist_id}", "artists.update"),
    "artists-replace": Operation("PUT", "/v1/artists/{artist_id}", "artists.replace"),
    "artists-delete": Operation("DELETE", "/v1/artists/{artist_id}", "artists.delete"),
    "artists-tags": Operation("GET", "/v1/artists/{artist_id}/tags", "artists.tags"),
    # catalog: tags
    "tags-list": Operation("GET", "/v1/tags", "tags.list"),
    "tags-create": Operation("POST", "/v1/tags", "tags.create"),
    "tags-get": Operation("GET", "/v1/tags/{tag_id}", "tags.get"),
    "tags-update": Operation("PATCH", "/v1/tags/{tag_id}", "tags.update"),
    "tags-replace": Operation("PUT", "/v1/tags/{tag_id}", "tags.replace"),
    "tags-delete": Operation("DELETE", "/v1/tags/{tag_id}", "tags.delete"),
    "tags-artists": Operation("GET", "/v1/tags/{tag_id}/artists", "tags.artists"),
    "tags-timeline": Operation("GET", "/v1/tags/{tag_id}/timeline", "tags.timeline"),
    "tags-similar": Operation("GET", "/v1/tags/{tag_id}/similar", "tags.similar"),
    # catalog: tag assignments
    "tag-assignments-list": Operation("GET", "/v1/tag-assignments", "tags.assignments"),
    "tag-assignments-create": Operation("POST", "/v1/tag-assignments", "tags.assign"),
    "tag-assignments-get": Operation(
        "GET",
        "/v1/tag-assignments/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}",
        "tags.get_assignment",
    ),
    "tag-assignments-delete": Operation(
        "DELETE",
        "/v1/tag-assignments/{user_id}/{artist_id}/{tag_id}/{timestamp_ms}",
        "tags.unassign",
    ),
    # catalog: search and tag statistics
    "search-artists": Operation("GET", "/v1/search/artists", "search.artists"),
    "stats-top-tags": Operation("GET", "/v1/stats/tags/top", "stats.top_tags"),
    "stats-dominance": Operation("GET", "/v1/stats/tags/dominance", "stats.tag_dominance"),
    "stats-timeline": Operation("GET", "/v1/stats/timeline", "stats.timeline"),
    # listening: users, listens, friends
    "users-list": Operation("GET", "/v1/users", "users.list"),
    "users-create": Operation("POST", "/v1/users", "users.create"),
    "users-get": Operation("GET", "/v1/users/{user_id}", "users.get"),
    "users-delete": Operation("DELETE", "/v1/users/{user_id}", "users.delete"),
    "listens-list": Operation("GET", "/v1/users/{user_id}/artists", "listens.list"),
    "listens-replace": Operation("PUT", "/v1/users/{user_id}/artists/{artist_id}", "listens.set"),
    "listens-update": Operation("PATCH", "/v1/users/{user_id}/artists/{artist_id}", "listens.add"),
    "listens-delete": Operation(
        "DELETE", "/v1/users/{user_id}/artists/{artist_id}", "listens.delete"
    ),
    "friends-list": Operation("GET", "/v1/users/{user_id}/friends", "friends.list"),
    "friends-create": Operation("POST", "/v1/users/{user_id}/friends", "friends.add"),
    "friends-delete": Operation(
        "DELETE", "/v1/users/{user_id}/friends/{friend_id}", "friends.remove"
    ),
    "friends-artists": Operation("GET", "/v1/users/{user_id}/friends/artists", "friends.artists"),
    # listening: statistics
    "stats-overview": Operation("GET", "/v1/stats/overview", "stats.overview"),
    "stats-weights": Operation("GET", "/v1/stats/weights", "stats.weights"),
    "stats-social": Operation("GET", "/v1/stats/social", "stats.social"),
    "stats-top-artists": Operation("GET", "/v1/stats/artists/top", "stats.top_artists"),
    "stats-user": Operation("GET", "/v1/stats/users/{user_id}", "stats.user"),
    # recommender
    "recommendations-for-user": Operation(
        "GET", "/v1/recommendations/users/{user_id}", "recommendations.for_user"
    ),
    "recommendations-feedback": Operation(
        "POST", "/v1/recommendations/users/{user_id}/feedback", "recommendations.feedback"
    ),
    "recommendations-feedback-list": Operation(
        "GET", "/v1/recommendations/users/{user_id}/feedback", "recommendations.feedback_list"
    ),
    "recommendations-feedback-undo": Operation(
        "DELETE",
        "/v1/recommendations/users/{user_id}/feedback/{artist_id}",
        "recommendations.undo_feedback",
    ),
    "recommendations-cold-start": Operation(
        "POST", "/v1/recommendations", "recommendations.cold_start"
    ),
    "similar-artists": Operation("GET", "/v1/artists/{artist_id}/similar", "artists.similar"),
    "similar-users": Operation("GET", "/v1/users/{user_id}/similar", "users.similar"),
    "models-retrain": Operation("POST", "/v1/models/retrain", "models.retrain"),
    "models-list": Operation("GET", "/v1/models", "models.list"),
    "models-current": Operation("GET", "/v1/models/current", "models.current"),
    "models-pipeline": Operation("GET", "/v1/pipeline", "models.pipeline"),
    # scheduled work (the recommender's task graphs and their runs)
    "jobs-graphs": Operation("GET", "/v1/jobs/graphs", "jobs.graphs"),
    "jobs-graph": Operation("GET", "/v1/jobs/graphs/{graph}", "jobs.graph"),
    "jobs-export": Operation("GET", "/v1/jobs/graphs/{graph}/export", "jobs.export"),
    "jobs-start": Operation("POST", "/v1/jobs/graphs/{graph}/runs", "jobs.start"),
    "jobs-runs": Operation("GET", "/v1/jobs/runs", "jobs.runs"),
    "jobs-run": Operation("GET", "/v1/jobs/runs/{run_id}", "jobs.run"),
    # analytics: the warehouse, query templates, data quality
    "warehouse-extractors": Operation("GET", "/v1/analytics/extractors", "analytics.extractors"),
    "warehouse-run": Operation("POST", "/v1/analytics/runs", "analytics.run"),
    "warehouse-runs": Operation("GET", "/v1/analytics/runs", "analytics.runs"),
    "queries-list": Operation("GET", "/v1/analytics/queries", "analytics.queries"),
    "queries-run": Operation("GET", "/v1/analytics/queries/{name}", "analytics.query"),
    "quality-create": Operation("POST", "/v1/analytics/quality", "analytics.create_quality_report"),
    "quality-history": Operation("GET", "/v1/analytics/quality", "analytics.quality_history"),
    "quality-latest": Operation(
        "GET", "/v1/analytics/quality/latest", "analytics.latest_quality_report"
    ),
    "quality-get": Operation(
        "GET", "/v1/analytics/quality/{report_id}", "analytics.quality_report"
    ),
    "quality-html": Operation(
        "GET", "/v1/analytics/quality/{report_id}/html", "analytics.quality_report_html"
    ),
    # gateway only: aggregates and API keys
    "users-profile": Operation("GET", "/v1/users/{user_id}/profile", "users.profile"),
    "artists-page": Operation("GET", "/v1/artists/{artist_id}/page", "artists.page"),
    "keys-create": Operation("POST", "/v1/keys", "keys.create"),
    "keys-list": Operation("GET", "/v1/keys", "keys.list"),
    "keys-revoke": Operation("DELETE", "/v1/keys/{key_id}", "keys.revoke"),
}

HELPER_METHODS = frozenset({"models.wait", "jobs.wait", "artists.get_many"})
"""Public methods built on other operations (no operation of their own)."""
