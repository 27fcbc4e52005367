"""Artist cards and tag clouds: data is escaped, pictures fall back, sizes follow weights."""

from __future__ import annotations

import re

from dashboard.markup import ArtistCard, CloudWord, artist_card, initials_picture, tag_cloud


def card(**changes: object) -> ArtistCard:
    fields: dict[str, object] = {
        "artist_id": 1,
        "name": "Nine Inch Nails",
        "score": 0.5,
        "relative": 0.5,
        "rank": 2,
    }
    fields.update(changes)
    return ArtistCard(**fields)  # type: ignore[arg-type]


def test_names_and_tags_from_the_data_are_escaped() -> None:
    html = artist_card(card(name="<script>alert(1)</script>", tags=("<b>rock</b>",)))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>rock</b>" not in html
    assert "&lt;b&gt;rock&lt;/b&gt;" in html


def test_the_picture_is_drawn_over_the_initials_fallback() -> None:
    html = artist_card(card(picture_url="http://img.example/nin.png"))
    layers = re.search(r"background-image: (.*?)\"", html)
    assert layers is not None
    first, second = layers.group(1).split(", url(")
    assert first == "url('http://img.example/nin.png')"
    assert second.startswith("'data:image/svg+xml")


def test_without_a_picture_only_the_initials_are_shown() -> None:
    html = artist_card(card(picture_url=None))
    assert html.count("url(") == 1
    assert "NI" in initials_picture("Nine Inch Nails").replace("%20", " ")


def test_the_match_bar_is_clamped_to_the_card() -> None:
    assert "width: 100%" in artist_card(card(relative=1.7))
    assert "width: 0%" in artist_card(card(relative=-0.2))


def test_the_heaviest_tag_is_the_largest_and_every_tag_links_to_its_timeline() -> None:
    words = [
        CloudWord("rock", 900, "rock"),
        CloudWord("dub", 4, "dub"),
        CloudWord("k-pop", 100, ""),
    ]
    html = tag_cloud(words)
    sizes = {
        word: float(size)
        for size, word in re.findall(r"font-size: ([\d.]+)em[^>]*>([^<]+)</a>", html)
    }
    assert sizes["rock"] > sizes["k-pop"] > sizes["dub"]
    assert 'href="tags?tag=k-pop"' in html


def test_the_cloud_order_does_not_depend_on_the_input_order() -> None:
    words = [CloudWord(value, 1.0, value) for value in ("jazz", "blues", "soul", "funk")]

    def order(html: str) -> list[str]:
        return re.findall(r">([^<]+)</a>", html)

    assert order(tag_cloud(words)) == order(tag_cloud(list(reversed(words))))
    assert sorted(order(tag_cloud(words))) == ["blues", "funk", "jazz", "soul"]
