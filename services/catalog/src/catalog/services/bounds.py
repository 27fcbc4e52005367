"""Popularity bounds of the tag search, as SQL filters (the database path) and as an array
mask (the tag index's path): one definition of what each bound keeps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.sql.elements import ColumnElement

from catalog.services.queries import listeners_col, plays_col
from catalog.services.tag_ranking import Ints


@dataclass(frozen=True)
class PopularityBounds:
    """Inclusive bounds on listeners and plays; ``None`` is open."""

    min_listeners: int | None = None
    max_listeners: int | None = None
    min_plays: int | None = None
    max_plays: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """Filters on the outer-joined popularity (artists without data count as 0)."""
        listeners, plays = listeners_col(), plays_col()
        bounds: list[ColumnElement[bool]] = []
        if self.min_listeners is not None:
            bounds.append(listeners >= self.min_listeners)
        if self.max_listeners is not None:
            bounds.append(listeners <= self.max_listeners)
        if self.min_plays is not None:
            bounds.append(plays >= self.min_plays)
        if self.max_plays is not None:
            bounds.append(plays <= self.max_plays)
        return bounds

    def is_open(self) -> bool:
        """No bound at all."""
        return (
            self.min_listeners is None
            and self.max_listeners is None
            and self.min_plays is None
            and self.max_plays is None
        )

    def mask(self, listeners: Ints, plays: Ints) -> npt.NDArray[np.bool_]:
        """The same bounds as :meth:`conditions`, on arrays of known values."""
        kept = np.ones(len(listeners), dtype=np.bool_)
        for values, low, high in (
            (listeners, self.min_listeners, self.max_listeners),
            (plays, self.min_plays, self.max_plays),
        ):
            if low is not None:
                kept &= values >= low
            if high is not None:
                kept &= values <= high
        return kept
