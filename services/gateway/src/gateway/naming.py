"""Names for the artists an answer lists, in one catalog call per answer, never one per artist;
the same for the users it lists, described by the listening service.

The listening and recommender services list artists by id; the catalog owns their names,
links, pictures and tags. Before such an answer leaves the gateway, every artist it lists
(and every artist its reasons cite) is read from the catalog in one batch
(``GET /artists?ids=``, :data:`BATCH` ids per call), each listed artist gets its ``name``,
and a reason citing artists says their names. Users have no names in this data set: a
listed user gets their headline counts (``plays``, ``artists``, ``friends``) from one
``GET /users?ids=`` of the listening service.

:data:`NAMED_OPERATIONS` declares which forwarded operations list artists or users and where;
the route generator reads it both to have those routes name their answers and to add the
fields to the models it documents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.clients import CATALOG, LISTENING, UpstreamResponse, Upstreams

BATCH = 200
"""Ids per catalog batch read (the catalog's page limit)."""

Summaries = Mapping[int, Mapping[str, Any]]
"""An upstream's list item of each thing found, by id."""


class UpstreamAnswerError(Exception):
    """An upstream answered a gateway-composed call with an error: passed to the client."""

    def __init__(self, response: UpstreamResponse) -> None:
        super().__init__(f"upstream answered {response.status_code}")
        self.response = response


@dataclass(frozen=True)
class Naming:
    """Where an answer lists artists: the objects of ``listed`` (the answer itself when
    None), each naming its artist in ``id_field``."""

    id_field: str = "artist_id"
    listed: str | None = "items"
    users: bool = False
    """The objects list users (described by the listening service), not artists."""

    def objects(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        if self.listed is None:
            return [answer]
        found: list[dict[str, Any]] = answer.get(self.listed) or []
        return found


NAMED_OPERATIONS: dict[tuple[str, str], Naming] = {
    ("listening", "listens-list"): Naming(),
    ("listening", "listens-replace"): Naming(listed=None),
    ("listening", "listens-update"): Naming(listed=None),
    ("listening", "friends-artists"): Naming(),
    ("listening", "stats-top-artists"): Naming(),
    ("recommender", "similar-artists"): Naming(id_field="id"),
    ("recommender", "similar-users"): Naming(id_field="id", users=True),
    ("recommender", "recommendations-cold-start"): Naming(),
    ("recommender", "recommendations-feedback"): Naming(listed=None),
    ("recommender", "recommendations-feedback-list"): Naming(),
}
"""(service, operation id) of each forwarded operation whose answer lists artists or users."""

USER_FIELDS = ("plays", "artists", "friends")
"""What a listed user gets from the listening service's summary."""


async def get_json(
    upstreams: Upstreams, upstream: str, path: str, query: dict[str, Any] | None = None
) -> Any:
    """The JSON of a 200 answer to ``GET path`` (any other answer raises
    :class:`UpstreamAnswerError`)."""
    response = await upstreams[upstream].request("GET", path, query=query)
    if response.status_code != 200:
        raise UpstreamAnswerError(response)
    return orjson.loads(response.content)


async def _batch(upstreams: Upstreams, upstream: str, path: str, ids: Iterable[int]) -> Summaries:
    """The list items of ``ids`` (absent ids left out) from ``upstream``'s batch read, in
    one call per :data:`BATCH` distinct ids, the calls made concurrently."""
    distinct = list(dict.fromkeys(ids))
    if not distinct:
        return {}
    chunks = [distinct[start : start + BATCH] for start in range(0, len(distinct), BATCH)]
    pages = await asyncio.gather(
        *(
            get_json(upstreams, upstream, path, {"ids": ",".join(map(str, chunk))})
            for chunk in chunks
        )
    )
    return {item["id"]: item for page in pages for item in page["items"]}


async def artist_summaries(upstreams: Upstreams, artist_ids: Iterable[int]) -> Summaries:
    """The catalog's list items (name, links, popularity, top tags) of ``artist_ids``."""
    return await _batch(upstreams, CATALOG, "/artists", artist_ids)


def cited_artists(items: Iterable[Mapping[str, Any]]) -> list[int]:
    """The artists the reasons of ``items`` cite."""
    return [
        artist
        for item in items
        for reason in item.get("reasons") or ()
        for artist in reason.get("artists", ())
    ]


def listened_text(names: list[str]) -> str:
    return "because you listen to " + ", ".join(names)


def name_reasons(items: Iterable[dict[str, Any]], summaries: Summaries) -> None:
    """Have each reason citing artists say their names (artists the catalog no longer has
    are left out of the text)."""
    for item in items:
        for reason in item.get("reasons") or ():
            cited = [summaries[a]["name"] for a in reason.get("artists", ()) if a in summaries]
            if reason.get("kind") == "listened" and cited:
                reason["text"] = listened_text(cited)


def artist_name(summaries: Summaries, artist_id: int) -> str | None:
    summary = summaries.get(artist_id)
    return None if summary is None else str(summary["name"])


async def name_answer(upstreams: Upstreams, naming: Naming, content: bytes) -> bytes:
    """``content`` (an upstream's JSON answer) with a ``name`` on each artist it lists, or
    the counts of each user."""
    answer = orjson.loads(content)
    objects = naming.objects(answer)
    listed = [int(obj[naming.id_field]) for obj in objects]
    if naming.users:
        users = await _batch(upstreams, LISTENING, "/users", listed)
        for obj, user_id in zip(objects, listed, strict=True):
            found = users.get(user_id, {})
            obj.update({field: found.get(field) for field in USER_FIELDS})
        return orjson.dumps(answer)
    summaries = await artist_summaries(upstreams, [*listed, *cited_artists(objects)])
    for obj, artist_id in zip(objects, listed, strict=True):
        obj["name"] = artist_name(summaries, artist_id)
    name_reasons(objects, summaries)
    return orjson.dumps(answer)
