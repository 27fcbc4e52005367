"""Text normalisation shared by the catalog's writes and searches."""

from __future__ import annotations

import unicodedata


def search_name(name: str) -> str:
    """``name`` case-folded with its accents stripped: "Beyoncé" -> "beyonce".

    NFKD splits accented letters into a base letter and combining marks (and folds
    compatibility forms such as full-width letters); the marks are dropped. Stored in
    ``artists.search_name`` and applied to every name query, so both sides match.
    """
    if name.isascii():
        return name.lower()
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold()


def like_pattern(text: str) -> str:
    """A ``LIKE`` pattern matching ``text`` anywhere (``\\`` escapes the wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
