"""Recommendation cards: from the gateway's items to a grid of artist cards with reasons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard import data
from dashboard.markup import ArtistCard, artist_card

Record = dict[str, Any]
MAX_REASONS = 2


def _tag_names(tags: Any) -> tuple[str, ...]:
    """Tag values from either ``["rock", ...]`` or ``[{"value": "rock", ...}, ...]``."""
    names = [tag.get("value") if isinstance(tag, dict) else tag for tag in tags or []]
    return tuple(str(name) for name in names if name)


def card_from(item: Record, rank: int, best_score: float) -> ArtistCard:
    """A card for one recommended artist; what the gateway did not send is looked up."""
    artist_id = int(item["artist_id"])
    name = item.get("name") or item.get("artist_name")
    tags = _tag_names(item.get("top_tags") or item.get("tags"))
    picture = item.get("picture_url") or item.get("picture")
    url = item.get("url")
    if not name or not tags or not picture:
        found = data.artist(artist_id) or {}
        name = name or found.get("name") or f"Artist {artist_id}"
        tags = tags or _tag_names(found.get("top_tags"))
        picture = picture or found.get("picture_url")
        url = url or found.get("url")
    score = float(item.get("score", 0.0))
    return ArtistCard(
        artist_id=artist_id,
        name=str(name),
        score=score,
        relative=score / best_score if best_score > 0 else 0.0,
        rank=rank,
        url=url,
        picture_url=picture,
        tags=tags,
    )


def _names(ids: Sequence[int], limit: int = 3) -> str:
    shown = [data.artist_name(int(artist_id)) for artist_id in ids[:limit]]
    return ", ".join(shown)


def reason_lines(reasons: Sequence[Record] | None) -> list[str]:
    """Why an artist is suggested, in words, strongest reason first."""
    lines = []
    ordered = sorted(reasons or [], key=lambda reason: -float(reason.get("strength") or 0))
    for reason in ordered[:MAX_REASONS]:
        artists, users = reason.get("artists") or [], reason.get("users") or []
        kind = reason.get("kind")
        if kind == "listened" and artists:
            lines.append(f"because you listen to {_names(artists)}")
        elif kind == "friends" and users:
            lines.append(f"popular among your friends ({len(users)} of them)")
        elif reason.get("text"):
            lines.append(str(reason["text"]))
    return lines


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
