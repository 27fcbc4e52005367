"""Synthetic artist names with their Last.fm URLs, picture URLs, and tag values.

Names follow the shapes found in artists.dat (bands, people, made-up words, DJs, a share of
accented and non-Latin names, a few nicknames in double quotes); every name and every tag
value is unique. Names are assembled from word lists as numpy object arrays, with each
word's URL form alongside, so no per-name Python work is needed beyond the uniqueness check.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from urllib.parse import quote_plus

import numpy as np
import numpy.typing as npt

from soundstream_admin.synthetic import vocab

ObjectArray = npt.NDArray[np.object_]
Int64Array = npt.NDArray[np.int64]

ARTIST_URL_PREFIX = "http://www.last.fm/music/"
PICTURE_URL_PREFIX = "http://userserve-ak.last.fm/serve/252/"
PICTURE_EXTENSIONS = ("jpg", "png", "gif")
PICTURE_EXTENSION_SHARES = (0.80, 0.185, 0.015)
EMPTY_PICTURE_SHARE = 444 / 17632
QUOTED_NAME_SHARE = 16 / 17632
MIN_QUOTED_NAMES = 2
ACCENTED_TAG_SHARE = 0.003
MIN_ACCENTED_TAGS = 3

# Syllables of Cyrillic, Japanese, Korean and Hebrew names (about 5% of real artists).
SCRIPT_SYLLABLES: tuple[tuple[str, ...], ...] = tuple(
    tuple(syllables.split())
    for syllables in (
        "ка ло ми ра зе то ве ан дра ко ша ри му но",  # noqa: RUF001
        "カ ロ ミ ラ ゼ ト ア ド コ シャ リ ム ノ サ",  # noqa: RUF001
        "김 종 국 백 지 영 빅 뱅 소 녀 시 대 하 늘",
        "אב יב גפ לי דר עב רי נו של מה תן כה זי בו",
    )
)

# Artist name shapes and how often each occurs (quoted nicknames are added separately).
_SHAPES = ("made_up", "the_band", "band", "person", "and_the", "dj", "accented", "script")
_SHAPE_SHARES = (0.49, 0.06, 0.05, 0.24, 0.04, 0.03, 0.04, 0.05)


class Words:
    """A word list with each word's URL-encoded form, picked by (wrapping) index."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.text: ObjectArray = np.array(texts, dtype=object)
        self.url: ObjectArray = np.array([quote_plus(t) for t in texts], dtype=object)

    def pick(self, index: Int64Array) -> tuple[ObjectArray, ObjectArray]:
        chosen = index % self.text.shape[0]
        return self.text[chosen], self.url[chosen]


def _syllable_words(syllables: tuple[str, ...], counts: tuple[int, ...]) -> list[str]:
    return ["".join(parts) for n in counts for parts in itertools.product(syllables, repeat=n)]


_LATIN = _syllable_words(vocab.SYLLABLES, (2, 3))
_SHORT = _syllable_words(vocab.SYLLABLES, (2,))
MADE_UP = Words(_LATIN)
MADE_UP_CAPITALISED = Words([w.capitalize() for w in _LATIN])
SHORT_CAPITALISED = Words([w.capitalize() for w in _SHORT])
LONG_ENDINGS = Words(_LATIN)
SCRIPT_WORDS = tuple(Words(_syllable_words(s, (2, 3))) for s in SCRIPT_SYLLABLES)
ADJECTIVES = Words(vocab.ADJECTIVES)
NOUNS = Words(vocab.NOUNS)
FIRST_NAMES = Words(vocab.FIRST_NAMES)
LAST_NAMES = Words(vocab.LAST_NAMES)
ACCENTED_NAME_WORDS = Words(vocab.ACCENTED_NAME_WORDS)
QUOTED_NICKNAMES = Words(vocab.QUOTED_NICKNAMES)


def _made_up_word(r1: Int64Array, r2: Int64Array) -> tuple[ObjectArray, ObjectArray]:
    """Capitalised invented words of 2 to 5 syllables (tens of millions of them)."""
    is_short = r2 % 4 == 0
    return _either(
        is_short,
        lambda: MADE_UP_CAPITALISED.pick(r1[is_short]),
        lambda: _join(SHORT_CAPITALISED.pick(r1[~is_short]), LONG_ENDINGS.pick(r2[~is_short])),
    )


def _either(
    mask: npt.NDArray[np.bool_],
    where_true: Callable[[], tuple[ObjectArray, ObjectArray]],
    where_false: Callable[[], tuple[ObjectArray, ObjectArray]],
) -> tuple[ObjectArray, ObjectArray]:
    """Texts and URLs built by ``where_true`` where ``mask`` holds, else by ``where_false``.

    Each builder receives nothing and must produce values for its own positions only.
    """
    text = np.empty(mask.shape[0], dtype=object)
    url = np.empty(mask.shape[0], dtype=object)
    text[mask], url[mask] = where_true()
    text[~mask], url[~mask] = where_false()
    return text, url


def _join(*parts: tuple[ObjectArray, ObjectArray] | str) -> tuple[ObjectArray, ObjectArray]:
    """Concatenate text parts (strings are literal, URL-encoded for the URL side)."""
    text: ObjectArray | str = ""
    url: ObjectArray | str = ""
    for part in parts:
        if isinstance(part, str):
            text, url = text + part, url + quote_plus(part)
        else:
            text, url = text + part[0], url + part[1]
    assert not isinstance(text, str)
    assert not isinstance(url, str)
    return text, url


def _shape(shape: str, r: Int64Array) -> tuple[ObjectArray, ObjectArray]:
    """Names of one shape; ``r`` holds random integers, one row per draw."""
    if shape == "the_band":
        return _join("The ", ADJECTIVES.pick(r[0]), " ", NOUNS.pick(r[1]))
    if shape == "band":
        return _join(ADJECTIVES.pick(r[0]), " ", NOUNS.pick(r[1]))
    if shape == "person":
        first = FIRST_NAMES.pick(r[0])
        usual = r[3] % 3 == 0
        last = _either(
            usual,
            lambda: LAST_NAMES.pick(r[1][usual]),
            lambda: _made_up_word(r[2][~usual], r[4][~usual]),
        )
        return _join(first, " ", last)
    if shape == "and_the":
        return _join(FIRST_NAMES.pick(r[0]), " & the ", NOUNS.pick(r[1]))
    if shape == "dj":
        return _join("DJ ", _made_up_word(r[2], r[4]))
    if shape == "accented":
        return _join(ACCENTED_NAME_WORDS.pick(r[0]), " ", _made_up_word(r[2], r[4]))
    if shape == "script":
        text = np.empty(r.shape[1], dtype=object)
        url = np.empty(r.shape[1], dtype=object)
        script = r[0] % len(SCRIPT_WORDS)
        for s, words in enumerate(SCRIPT_WORDS):
            mask = script == s
            text[mask], url[mask] = _join(words.pick(r[2][mask]), " ", words.pick(r[3][mask]))
        return text, url
    if shape == "quoted":
        return _join(
            FIRST_NAMES.pick(r[0]),
            ' "',
            QUOTED_NICKNAMES.pick(r[1]),
            '" ',
            LAST_NAMES.pick(r[2]),
        )
    single = r[1] % 4 != 0
    return _either(
        single,
        lambda: _made_up_word(r[2][single], r[4][single]),
        lambda: _join(
            _made_up_word(r[2][~single], r[4][~single]),
            " ",
            MADE_UP_CAPITALISED.pick(r[3][~single]),
        ),
    )


def _make_unique(
    rng: np.random.Generator, text: ObjectArray, url: ObjectArray, words: Words
) -> None:
    """Widen repeated values (in place) with a made-up word until every value is distinct.

    The first of equal values is kept; the dictionary work runs in C, not a Python loop.
    """
    values = text.tolist()
    while True:
        count = len(values)
        first = dict(zip(reversed(values), range(count - 1, -1, -1), strict=True))
        if len(first) == count:
            return
        kept = np.fromiter(map(first.__getitem__, values), dtype=np.int64, count=count)
        index = np.flatnonzero(kept != np.arange(count))
        extra: Int64Array = np.asarray(rng.integers(0, 1 << 30, size=len(index)), np.int64)
        extra_text, extra_url = words.pick(extra)
        text[index] = text[index] + " " + extra_text
        url[index] = url[index] + "+" + extra_url
        values = text.tolist()


def artists(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    """``count`` distinct artist names and their Last.fm URLs."""
    shapes = rng.choice(len(_SHAPES), size=count, p=np.array(_SHAPE_SHARES) / sum(_SHAPE_SHARES))
    quoted = rng.random(count) < QUOTED_NAME_SHARE
    quoted[rng.choice(count, size=min(count, MIN_QUOTED_NAMES), replace=False)] = True
    draws = rng.integers(0, 1 << 30, size=(5, count), dtype=np.int64)
    text = np.empty(count, dtype=object)
    url = np.empty(count, dtype=object)
    for s, shape in enumerate((*_SHAPES, "quoted")):
        mask = quoted if shape == "quoted" else (shapes == s) & ~quoted
        if mask.any():
            text[mask], url[mask] = _shape(shape, draws[:, mask])
    _make_unique(rng, text, url, MADE_UP_CAPITALISED)
    return text.tolist(), (ARTIST_URL_PREFIX + url).tolist()


def picture_urls(rng: np.random.Generator, count: int) -> list[str]:
    """Picture URLs, some of them empty as in artists.dat."""
    numbers = rng.integers(1000, 60_000_000, size=count).astype(str).astype(object)
    extensions = np.array(PICTURE_EXTENSIONS, dtype=object)[
        rng.choice(len(PICTURE_EXTENSIONS), size=count, p=PICTURE_EXTENSION_SHARES)
    ]
    urls = PICTURE_URL_PREFIX + numbers + "." + extensions
    urls[rng.random(count) < EMPTY_PICTURE_SHARE] = ""
    result: list[str] = urls.tolist()
    return result


def tag_pool_values(
    rng: np.random.Generator, pool_sizes: list[int], pool_heads: list[list[str]]
) -> list[list[str]]:
    """Distinct tag values for each pool, most used first: the pool's head tags, then a tail.

    Pool 0 holds the general tags, pool ``g + 1`` the tags of genre ``g``. A share of tail
    tags carry Latin-1 accented words.
    """
    tails = [max(0, size - len(heads)) for size, heads in zip(pool_sizes, pool_heads, strict=True)]
    total = sum(tails)
    kinds = rng.choice(4, size=total, p=[0.3, 0.25, 0.25, 0.2])
    accented = rng.random(total) < ACCENTED_TAG_SHARE
    accented[rng.choice(total, size=min(total, MIN_ACCENTED_TAGS), replace=False)] = True
    kinds[accented] = 4
    r = rng.integers(0, 1 << 30, size=(4, total), dtype=np.int64)
    modifiers = np.array(vocab.TAG_MODIFIERS, dtype=object)
    suffixes = np.array(vocab.TAG_SUFFIXES, dtype=object)
    accents = np.array(vocab.ACCENTED_TAG_WORDS, dtype=object)
    made_up = MADE_UP.text[r[3] % MADE_UP.text.shape[0]]
    values = np.empty(sum(pool_sizes), dtype=object)
    position, start = 0, 0
    for size, heads, tail in zip(pool_sizes, pool_heads, tails, strict=True):
        values[start : start + min(size, len(heads))] = heads[:size]
        part = slice(position, position + tail)
        head = np.array(heads, dtype=object)[r[0][part] % len(heads)]
        modifier = modifiers[r[1][part] % modifiers.shape[0]]
        choices = [
            modifier + " " + head,
            head + " " + suffixes[r[2][part] % suffixes.shape[0]],
            modifiers[r[2][part] % modifiers.shape[0]] + " " + modifier + " " + head,
            made_up[part],
            accents[r[2][part] % accents.shape[0]] + " " + head,
        ]
        values[start + size - tail : start + size] = np.choose(kinds[part], choices)
        position, start = position + tail, start + size
    _make_unique(rng, values, values.copy(), MADE_UP)
    pools: list[list[str]] = []
    start = 0
    for size in pool_sizes:
        pools.append(values[start : start + size].tolist())
        start += size
    return pools
