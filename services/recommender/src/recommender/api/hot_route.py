"""``GET /recommendations/users/{id}`` with plain parameters, without FastAPI's request work.

The documented route (:func:`recommender.api.recommendations.for_user`) resolves and
validates its path and query parameters through FastAPI's dependency machinery on every
request, which costs about as much as answering from memory. This route stands before every
other one and takes only requests whose parameters need no validation to be understood: a
``GET`` of a canonical user id (``1``-``999999999999999999``, no leading zero) with at most
``k`` (``1``-``100``), ``exclude_listened`` and ``explain`` (``true``/``false``/``1``/``0``),
each at most once and without percent-encoding; other parameters are ignored, as FastAPI
ignores them. Everything else — a bad or unusual value, a repeated parameter, ``HEAD`` — is
not matched here and reaches the documented route, which validates it (a 422 problem+json
for bad input). Both answer through the same function, so they give the same bytes.
"""

from __future__ import annotations

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from recommender.api.recommendations import answer_for_user

PREFIX = "/recommendations/users/"
PARAMS_KEY = "recommender.for_user"
_FLAGS = {b"true": True, b"false": False, b"1": True, b"0": False}
_NAMES = (b"k", b"exclude_listened", b"explain")
_JSON = (b"content-type", b"application/json")


def plain_query(query: bytes) -> tuple[int, bool, bool] | None:
    """``(k, exclude_listened, explain)`` of a plain query string, or None when the request
    must be validated the normal way."""
    if not query:
        return 10, True, False
    if b"%" in query or b"+" in query:
        return None
    given: dict[bytes, bytes] = {}
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name in _NAMES:
            if name in given:
                return None
            given[name] = value
    k = given.get(b"k", b"10")
    if not (k.isdigit() and 0 < len(k) <= 3 and k[:1] != b"0" and int(k) <= 100):
        return None
    exclude_listened = _FLAGS.get(given.get(b"exclude_listened", b"true"))
    explain = _FLAGS.get(given.get(b"explain", b"false"))
    if exclude_listened is None or explain is None:
        return None
    return int(k), exclude_listened, explain


def plain_user_id(path: str) -> int | None:
    if not path.startswith(PREFIX):
        return None
    user = path[len(PREFIX) :]
    if 0 < len(user) <= 18 and user.isascii() and user.isdigit() and user[0] != "0":
        return int(user)
    return None


class PlainForUserRoute(BaseRoute):
    """Answers plain ``GET /recommendations/users/{id}`` requests (not in the OpenAPI)."""

    path = path_format = PREFIX + "{user_id}"
    name = "for-user-plain"
    include_in_schema = False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            return Match.NONE, {}
        user_id = plain_user_id(scope["path"])
        if user_id is None:
            return Match.NONE, {}
        params = plain_query(scope["query_string"])
        if params is None:
            return Match.NONE, {}
        child = {"path_params": {"user_id": str(user_id)}, PARAMS_KEY: (user_id, *params)}
        return Match.FULL, child

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        raise NoMatchFound(name, path_params)  # URLs are built from the documented route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        user_id, k, exclude_listened, explain = scope[PARAMS_KEY]
        body = await answer_for_user(scope["app"].state, user_id, k, exclude_listened, explain)
        headers = [(b"content-length", b"%d" % len(body)), _JSON]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
