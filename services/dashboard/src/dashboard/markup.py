"""Small HTML pieces Streamlit has no widget for: artist cards and tag clouds.

Every value that comes from the data is escaped; pictures fall back to the artist's initials
when the image cannot be loaded (many of the data set's picture links are long gone).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from dashboard.charts import PALETTE

STYLE = """
<style>
.ss-head { display: flex; gap: 0.7rem; align-items: center; }
.ss-pic { flex: 0 0 56px; height: 56px; border-radius: 10px; background-size: cover;
  background-position: center; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.ss-title { min-width: 0; flex: 1; }
.ss-name { font-weight: 700; font-size: 1.02rem; line-height: 1.25; overflow: hidden;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
.ss-name a { color: inherit; text-decoration: none; }
.ss-name a:hover { text-decoration: underline; }
.ss-meta { color: #5f6368; font-size: 0.8rem; margin-top: 0.1rem; }
.ss-bar { height: 6px; background: #eceff1; border-radius: 3px; overflow: hidden;
  margin-top: 0.6rem; }
.ss-bar > div { height: 100%; background: #d51007; border-radius: 3px; }
.ss-tags { margin-top: 0.45rem; display: flex; flex-wrap: wrap; gap: 0.25rem; }
.ss-tag { background: #f1f3f4; color: #3c4043; border-radius: 10px; padding: 0 0.5rem;
  font-size: 0.74rem; white-space: nowrap; }
.ss-cloud { line-height: 2.1; text-align: center; padding: 0.5rem 0.25rem; }
.ss-cloud a { text-decoration: none; margin: 0 0.35rem; display: inline-block;
  transition: transform .1s; }
.ss-cloud a:hover { transform: scale(1.08); text-decoration: underline; }
</style>
"""


@dataclass(frozen=True)
class ArtistCard:
    """What a recommendation card shows."""

    artist_id: int
    name: str
    score: float
    relative: float  # score divided by the best score on screen, 0..1
    rank: int
    url: str | None = None
    picture_url: str | None = None
    tags: tuple[str, ...] = ()


def initials_picture(name: str) -> str:
    """A data URI with the artist's initials on a colour picked from the name."""
    letters = "".join(word[0] for word in name.split()[:2] if word[:1].isalnum()).upper() or "♪"
    colour = PALETTE[int(hashlib.sha1(name.encode()).hexdigest(), 16) % len(PALETTE)]
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 76 76'>"
        f"<rect width='76' height='76' fill='{colour}'/>"
        "<text x='50%' y='54%' text-anchor='middle' dominant-baseline='middle' "
        f"font-family='sans-serif' font-size='30' fill='white'>{escape(letters)}</text></svg>"
    )
    return "data:image/svg+xml;utf8," + quote(svg)


def artist_card(card: ArtistCard) -> str:
    """An artist's picture (or initials), linked name, match bar and top tags."""
    layers = [f"url('{quote(card.picture_url, safe=':/?&=%#+')}')"] if card.picture_url else []
    layers.append(f"url('{initials_picture(card.name)}')")
    name = escape(card.name)
    if card.url:
        name = f'<a href="{escape(card.url)}" target="_blank" rel="noopener">{name}</a>'
    tags = "".join(f'<span class="ss-tag">{escape(tag)}</span>' for tag in card.tags[:5])
    width = max(0.0, min(1.0, card.relative)) * 100
    return (
        '<div class="ss-card"><div class="ss-head">'
        f'<div class="ss-pic" style="background-image: {", ".join(layers)}"></div>'
        '<div class="ss-title">'
        f'<div class="ss-name" title="{escape(card.name)}">{name}</div>'
        f'<div class="ss-meta">#{card.rank} · score {card.score:.3f}</div>'
        "</div></div>"
        f'<div class="ss-bar" title="match {width:.0f}% of the best suggestion">'
        f'<div style="width: {width:.0f}%"></div></div>'
        f'<div class="ss-tags">{tags}</div>'
        "</div>"
    )


@dataclass(frozen=True)
class CloudWord:
    value: str
    weight: float
    hint: str


def _stable_order(value: str) -> str:
    return hashlib.md5(value.encode()).hexdigest()


def tag_cloud(words: Sequence[CloudWord], link: str = "tags", palette_start: int = 0) -> str:
    """Words sized by the square root of their weight, in a stable shuffled order.

    Each word links to ``<link>?tag=<word>`` (the Tags page shows its timeline).
    """
    if not words:
        return '<div class="ss-cloud">No tags.</div>'
    roots = [math.sqrt(max(word.weight, 0.0)) for word in words]
    low, high = min(roots), max(roots)
    spread = (high - low) or 1.0
    ranked = {word.value: rank for rank, word in enumerate(words)}
    parts = []
    for word, root in sorted(
        zip(words, roots, strict=True), key=lambda pair: _stable_order(pair[0].value)
    ):
        size = 0.85 + 1.9 * (root - low) / spread
        colour = PALETTE[(palette_start + ranked[word.value] % 5) % len(PALETTE)]
        parts.append(
            f'<a href="{link}?tag={quote(word.value)}" target="_self" title="{escape(word.hint)}"'
            f' style="font-size: {size:.2f}em; color: {colour}; '
            f'font-weight: {700 if size > 1.8 else 500}">{escape(word.value)}</a>'
        )
    return f'<div class="ss-cloud">{" ".join(parts)}</div>'
