"""Artists' absolute popularity (listeners, plays): the payload of :class:`ListensChanged`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from listening.models import Listen
from soundstream_common.events.contract import ArtistPopularity

IN_CHUNK = 500


def artist_popularity(session: Session, *, artist_ids: Iterable[int]) -> list[ArtistPopularity]:
    """The popularity of each artist (zeros when nobody listens), by ascending id."""
    wanted = sorted(set(artist_ids))
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        rows = session.execute(
            select(Listen.artist_id, func.count(), func.sum(Listen.weight))
            .where(Listen.artist_id.in_(chunk))
            .group_by(Listen.artist_id)
        ).all()
        found.update({int(a): (int(n), int(p)) for a, n, p in rows})
    return [
        ArtistPopularity(
            artist_id=artist_id,
            listeners=found.get(artist_id, (0, 0))[0],
            plays=found.get(artist_id, (0, 0))[1],
        )
        for artist_id in wanted
    ]
