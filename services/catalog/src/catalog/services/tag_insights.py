"""What a tag says about the catalog: its top artists and the tags that co-occur with it."""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.models import Artist, ArtistPopularity, Tag, TagAssignment
from catalog.schemas.tags import SimilarityMeasure, SimilarTag, SimilarTagsPage, TagArtist
from catalog.services.queries import DateRange, listeners_col, plays_col, within
from soundstream_common.pagination import Page, PageParams


def tag_artists(
    session: Session, *, tag: Tag, page: PageParams, dates: DateRange | None = None
) -> Page[TagArtist]:
    """Artists carrying the tag, most often tagged so first (then most listened); with
    ``dates``, only the assignments dated inside them count."""
    tag_id = tag.id
    dated = within(dates)
    counts = (
        select(TagAssignment.artist_id, func.count().label("n"))
        .where(TagAssignment.tag_id == tag_id, *dated)
        .group_by(TagAssignment.artist_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Artist.id, Artist.name, Artist.is_placeholder, counts.c.n, listeners_col(), plays_col()
        )
        .join(counts, counts.c.artist_id == Artist.id)
        .outerjoin(ArtistPopularity, ArtistPopularity.artist_id == Artist.id)
        .order_by(counts.c.n.desc(), listeners_col().desc(), Artist.id)
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    total = session.execute(
        select(func.count(TagAssignment.artist_id.distinct())).where(
            TagAssignment.tag_id == tag_id, *dated
        )
    ).scalar_one()
    items = [
        TagArtist(id=i, name=name, is_placeholder=ph, count=n, listeners=ls, plays=ps)
        for i, name, ph, n, ls, ps in rows
    ]
    return page.page(items, total)


def score(shared: int, size_a: int, size_b: int, measure: SimilarityMeasure) -> float:
    """Similarity of two tags' artist sets A and B, with ``shared`` artists in both.

    - Jaccard: shared / |A union B| = shared / (|A| + |B| - shared).
    - Cosine (Ochiai): shared / sqrt(|A| |B|), the cosine of the two binary artist
      vectors; kinder than Jaccard to a small tag contained in a large one.
    """
    if measure is SimilarityMeasure.jaccard:
        return shared / (size_a + size_b - shared)
    return shared / math.sqrt(size_a * size_b)


def similar_tags(
    session: Session,
    *,
    tag: Tag,
    measure: SimilarityMeasure,
    page: PageParams,
    dates: DateRange | None = None,
) -> SimilarTagsPage:
    """Tags sharing artists with the tag, most similar first (ties: more shared artists,
    then lower id). The tag itself is excluded. With ``dates``, each tag is the set of
    artists it was assigned to within them."""
    tag_id = tag.id
    dated = within(dates)
    own_artists = select(TagAssignment.artist_id).where(TagAssignment.tag_id == tag_id, *dated)
    size = session.execute(
        select(func.count(TagAssignment.artist_id.distinct())).where(
            TagAssignment.tag_id == tag_id, *dated
        )
    ).scalar_one()
    shared = (
        select(
            TagAssignment.tag_id.label("tag_id"),
            func.count(TagAssignment.artist_id.distinct()).label("shared"),
        )
        .where(TagAssignment.artist_id.in_(own_artists), TagAssignment.tag_id != tag_id, *dated)
        .group_by(TagAssignment.tag_id)
        .subquery()
    )
    sizes = (
        select(
            TagAssignment.tag_id.label("tag_id"),
            func.count(TagAssignment.artist_id.distinct()).label("artists"),
        )
        .where(TagAssignment.tag_id.in_(select(shared.c.tag_id)), *dated)
        .group_by(TagAssignment.tag_id)
        .subquery()
    )
    rows = session.execute(
        select(shared.c.tag_id, shared.c.shared, sizes.c.artists).join(
            sizes, sizes.c.tag_id == shared.c.tag_id
        )
    ).all()
    ranked = sorted(
        ((score(s, size, n, measure), s, n, other) for other, s, n in rows),
        key=lambda item: (-item[0], -item[1], item[3]),
    )
    window = ranked[page.offset : page.offset + page.limit]
    values = dict(
        session.execute(
            select(Tag.id, Tag.value).where(Tag.id.in_([other for *_, other in window]))
        ).all()
    )
    items = [
        SimilarTag(
            id=other, value=values[other], shared_artists=s, artists=n, score=round(value, 6)
        )
        for value, s, n, other in window
    ]
    page_ = page.page(items, len(ranked))
    return SimilarTagsPage(**page_.model_dump(), tag_id=tag_id, measure=measure, artists=size)
