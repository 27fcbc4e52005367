"""Recommendation cards: from the gateway's items to a grid of artist cards with reasons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard.markup import ArtistCard, artist_card

Record = dict[str, Any]
MAX_REASONS = 2


def _tag_names(tags: Any) -> tuple[str, ...]:
    """Tag values from either ``["rock", ...]`` or ``[{"value": "rock", ...}, ...]``."""
    names = [tag.get("value") if isinstance(tag, dict) else tag for tag in tags or []]
    return tuple(str(name) for name in names if name)


def card_from(item: Record, rank: int, best_score: float) -> ArtistCard:
    """A card for one recommended artist, named and pictured by the gateway."""
    artist_id = int(item["artist_id"])
    score = float(item.get("score", 0.0))
    return ArtistCard(
        artist_id=artist_id,
        name=str(item.get("name") or f"Artist {artist_id} (no longer in the catalog)"),
        score=score,
        relative=score / best_score if best_score > 0 else 0.0,
        rank=rank,
        url=item.get("url"),
        picture_url=item.get("picture_url"),
        tags=_tag_names(item.get("top_tags")),
    )


def reason_lines(reasons: Sequence[Record] | None) -> list[str]:
    """Why an artist is suggested, in the gateway's words (naming the artists cited),
    strongest reason first."""
    ordered = sorted(reasons or [], key=lambda reason: -float(reason.get("strength") or 0))
    return [str(reason["text"]) for reason in ordered[:MAX_REASONS] if reason.get("text")]


def card_grid(
    items: Sequence[Record],
    *,
    columns: int = 3,
    key: str,
    on_hide: Callable[[ArtistCard], None] | None = None,
) -> None:
    """Cards in rows of ``columns``; with ``on_hide``, each card has a Hide button."""
    if not items:
        st.info("No suggestions to show.", icon=":material/info:")
        return
    best = max(float(item.get("score", 0.0)) for item in items)
    for start in range(0, len(items), columns):
        row = st.columns(columns)
        for offset, item in enumerate(items[start : start + columns]):
            card = card_from(item, start + offset + 1, best)
            with row[offset].container(border=True):
                st.html(artist_card(card))
                for line in reason_lines(item.get("reasons")):
                    st.caption(f":material/arrow_right: {line}")
                if on_hide is not None and st.button(
                    "Hide",
                    key=f"{key}-hide-{card.artist_id}",
                    icon=":material/visibility_off:",
                    type="tertiary",
                    help="Never suggest this artist to this user again",
                ):
                    on_hide(card)
