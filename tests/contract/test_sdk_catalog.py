"""The SDK's catalog methods against the live gateway and services, on the real HetRec data:
artists, tags, tag assignments, search and tag statistics.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from soundstream import (
    NotFoundError,
    SoundStream,
)

from .real_data import ARTIST, ROCK, USER, unique


@pytest.mark.covers(
    "artists.list", "artists.get", "artists.tags", "artists.page", "artists.similar"
)
def test_artist_reads(sdk: SoundStream) -> None:
    page = sdk.artists.list(sort="plays", limit=5)
    assert len(page.items) == 5
    assert page.total is not None
    assert page.total >= 17_632
    top = list(itertools.islice(page, 12))  # crosses two page boundaries
    assert len({a.id for a in top}) == 12
    assert [a.plays for a in top] == sorted((a.plays for a in top), reverse=True)

    found = sdk.artists.list(q=top[0].name, limit=5).items
    assert top[0].id in {a.id for a in found}

    artist = sdk.artists.get(ARTIST)
    assert (artist.id, artist.listeners > 0) == (ARTIST, True)
    tags = sdk.artists.tags(ARTIST, limit=3)
    assert [t.count for t in tags.items] == sorted((t.count for t in tags.items), reverse=True)
    artist_page = sdk.artists.page(ARTIST)
    assert artist_page.artist.name == artist.name
    assert artist_page.listeners == artist.listeners
    similar = sdk.artists.similar(ARTIST, k=5)
    assert similar.id == ARTIST
    assert 0 < len(similar.items) <= 5
    assert ARTIST not in {n.id for n in similar.items}


@pytest.mark.covers("artists.create", "artists.update", "artists.replace", "artists.delete")
def test_artist_writes(sdk: SoundStream) -> None:
    name = unique("Contract Band")
    created = sdk.artists.create(name=name, url="http://www.last.fm/music/Contract+Band")
    try:
        assert created.name == name
        assert created.plays == 0
        updated = sdk.artists.update(created.id, picture_url="http://example.com/p.jpg")
        assert (updated.name, updated.picture_url) == (name, "http://example.com/p.jpg")
        assert updated.url == "http://www.last.fm/music/Contract+Band"
        replaced = sdk.artists.replace(created.id, name=name + " II")
        assert (replaced.name, replaced.url, replaced.picture_url) == (name + " II", None, None)
        cleared = sdk.artists.update(created.id, url=None)
        assert cleared.url is None
    finally:
        sdk.artists.delete(created.id)
    with pytest.raises(NotFoundError) as caught:
        sdk.artists.get(created.id)
    assert caught.value.request_id


@pytest.mark.covers("tags.list", "tags.get", "tags.artists", "tags.timeline", "tags.similar")
def test_tag_reads(sdk: SoundStream) -> None:
    rock = next(t for t in sdk.tags.list(q=ROCK, limit=50) if t.value == ROCK)
    detail = sdk.tags.get(rock.id)
    assert (detail.value, detail.artists > 0, detail.users > 0) == (ROCK, True, True)
    most_used = sdk.tags.list(sort="usage", limit=3).items
    assert [t.assignments for t in most_used] == sorted(
        (t.assignments for t in most_used), reverse=True
    )
    artists = sdk.tags.artists(rock.id, limit=5).items
    assert artists
    assert [a.count for a in artists] == sorted((a.count for a in artists), reverse=True)
    timeline = sdk.tags.timeline(rock.id, granularity="year", from_=dt.date(2005, 1, 1))
    assert timeline.tag_id == rock.id
    assert timeline.points
    assert all(p.period >= "2005" for p in timeline.points)
    similar = sdk.tags.similar(rock.id, measure="jaccard", limit=5)
    assert similar.items
    assert rock.id not in {t.id for t in similar.items}
    assert similar.extras["tag_id"] == rock.id


@pytest.mark.covers(
    "tags.create",
    "tags.update",
    "tags.replace",
    "tags.assign",
    "tags.get_assignment",
    "tags.assignments",
    "tags.unassign",
    "tags.delete",
)
def test_tag_writes_and_assignments(sdk: SoundStream) -> None:
    existing = sdk.tags.assignments(user_id=USER, limit=1).items[0]
    value = unique("contract-tag")
    tag = sdk.tags.create(value=value)
    try:
        assert sdk.tags.update(tag.id, value=value + "-b").value == value + "-b"
        assert sdk.tags.replace(tag.id, value=value).value == value
        assigned = sdk.tags.assign(
            user_id=existing.user_id,
            artist_id=existing.artist_id,
            tag_id=tag.id,
            date=dt.date(2010, 5, 1),
        )
        assert assigned.date == dt.date(2010, 5, 1)
        key = {
            "user_id": assigned.user_id,
            "artist_id": assigned.artist_id,
            "tag_id": tag.id,
            "timestamp_ms": assigned.timestamp_ms,
        }
        assert sdk.tags.get_assignment(**key) == assigned
        listed = sdk.tags.assignments(tag_id=tag.id)
        assert [a.timestamp_ms for a in listed] == [assigned.timestamp_ms]
        sdk.tags.unassign(**key)
        with pytest.raises(NotFoundError):
            sdk.tags.get_assignment(**key)
    finally:
        sdk.tags.delete(tag.id, force=True)
    with pytest.raises(NotFoundError):
        sdk.tags.get(tag.id)


@pytest.mark.covers("search.artists", "stats.top_tags", "stats.tag_dominance", "stats.timeline")
def test_search_and_tag_statistics(sdk: SoundStream) -> None:
    hits = sdk.search.artists(tags=[ROCK, "no-such-tag-xyz"], match="any", limit=5)
    assert hits.items
    assert hits.extras["unknown_tags"] == ["no-such-tag-xyz"]
    assert all(ROCK in {m.value for m in hit.matched_tags} for hit in hits.items)
    none = sdk.search.artists(tags=[ROCK, "no-such-tag-xyz"], match="all")
    assert (none.items, none.total) == ([], 0)

    top = sdk.stats.top_tags(by="users", limit=5).items
    assert [t.rank for t in top] == [1, 2, 3, 4, 5]
    in_2008 = sdk.stats.top_tags(from_=dt.date(2008, 1, 1), to=dt.date(2008, 12, 31), limit=5)
    year = next(p for p in sdk.stats.timeline(granularity="year").points if p.period == "2008")
    assert in_2008.items[0].assignments <= year.count
    all_time = sdk.stats.top_tags(limit=1).total
    assert in_2008.total is not None
    assert all_time is not None
    assert in_2008.total <= all_time
    dominance = sdk.stats.tag_dominance(kind="dominant", limit=5)
    assert all(t.kind == "dominant" for t in dominance.items)
    assert "rule" in dominance.extras
    timeline = sdk.stats.timeline(granularity="year")
    assert timeline.total == sum(p.count for p in timeline.points)
