"""``/stats``: every answer worked out by hand from the seeded data set (see conftest)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from .conftest import ListeningService

H_1_3 = -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))  # user 2 plays 3 and 1: 0.811 bits


def p_value_four_pairs(r: float) -> float:
    """Two-sided p of a correlation over 4 pairs (t with 2 degrees of freedom, closed form)."""
    t = r * math.sqrt(2) / math.sqrt(1 - r * r)
    return 1 - abs(t) / math.sqrt(2 + t * t)


def test_overview(shared_api: ListeningService) -> None:
    assert shared_api.client.get("/stats/overview").json() == {
        "users": 4,
        "listens": 5,
        "artists": 5,
        "artists_with_listens": 4,
        "friendships": 2,
        "friendship_rows": 4,
        "plays": 12,
        "dataset_version": 1,
    }


def test_weights_distribution(shared_api: ListeningService) -> None:
    body = shared_api.client.get(
        "/stats/weights", params={"bins_per_decade": 2, "lorenz_points": 5}
    ).json()
    # Weights 1 1 1 3 6; artists' totals 10: 4, 20: 1, 30: 1, 40: 6 (of 12).
    assert (body["listens"], body["plays"], body["artists"]) == (5, 12, 4)
    assert body["mean"] == pytest.approx(2.4)
    quantiles = {q["p"]: q["value"] for q in body["quantiles"]}
    assert (quantiles[0.0], quantiles[0.25], quantiles[0.5], quantiles[0.75], quantiles[1.0]) == (
        1,
        1,
        1,
        3,
        6,
    )
    assert quantiles[0.9] == pytest.approx(3 + 0.6 * 3)  # between the 4th (3) and 5th (6)
    assert [b["count"] for b in body["histogram"]] == [4, 1]
    assert body["histogram"][0]["lower"] == 1.0
    assert body["histogram"][1]["lower"] == pytest.approx(math.sqrt(10))
    assert body["gini"] == pytest.approx(0.375)  # 2 * (1 + 2 + 12 + 24) / (4 * 12) - 5/4
    assert body["top_1_percent_share"] == pytest.approx(0.5)  # one artist: 6 of 12
    assert body["top_10_percent_share"] == pytest.approx(0.5)
    assert [p["plays_share"] for p in body["lorenz"]] == pytest.approx(
        [0, 1 / 12, 2 / 12, 6 / 12, 1]
    )
    assert [p["artists_share"] for p in body["lorenz"]] == pytest.approx([0, 0.25, 0.5, 0.75, 1])


def test_weights_on_an_empty_data_set(make_service: Callable[..., ListeningService]) -> None:
    body = make_service(seeded=False).client.get("/stats/weights").json()
    assert body["listens"] == 0
    assert body["mean"] is None
    assert body["quantiles"] == body["histogram"] == body["lorenz"] == []
    assert body["gini"] is body["top_1_percent_share"] is None


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("plays", [(40, 1, 6), (10, 2, 4), (20, 1, 1), (30, 1, 1)]),
        ("listeners", [(10, 2, 4), (40, 1, 6), (20, 1, 1), (30, 1, 1)]),
    ],
)
def test_top_artists(
    shared_api: ListeningService, by: str, expected: list[tuple[int, int, int]]
) -> None:
    body = shared_api.client.get("/stats/artists/top", params={"by": by}).json()
    assert [(a["artist_id"], a["listeners"], a["plays"]) for a in body["items"]] == expected
    assert [a["rank"] for a in body["items"]] == [1, 2, 3, 4]
    assert (body["total"], body["limit"]) == (4, 10)


def test_top_artists_default_and_pages(shared_api: ListeningService) -> None:
    first = shared_api.client.get("/stats/artists/top", params={"limit": 3}).json()
    assert [a["artist_id"] for a in first["items"]] == [40, 10, 20]
    rest = shared_api.client.get(
        "/stats/artists/top", params={"limit": 3, "cursor": first["next_cursor"]}
    ).json()
    assert [(a["rank"], a["artist_id"]) for a in rest["items"]] == [(4, 30)]


def test_social(shared_api: ListeningService) -> None:
    body = shared_api.client.get("/stats/social").json()
    # Users 1..4: friends 2 1 1 0, artists 2 2 1 0, entropy 1, H(3,1), 0, 0.
    assert body["users"] == 4
    assert (body["mean_friends"], body["median_friends"], body["max_friends"]) == (1.0, 1.0, 2)
    assert body["degree_distribution"] == [
        {"friends": 0, "users": 1},
        {"friends": 1, "users": 2},
        {"friends": 2, "users": 1},
    ]
    by_pair = {(c["x"], c["y"]): c for c in body["correlations"]}
    artists = by_pair["friends", "artists"]
    # dx = (1, 0, 0, -1), dy = (.75, .75, -.25, -1.25): r = 2 / sqrt(2 * 2.75).
    r = 2 / math.sqrt(5.5)
    assert artists["n"] == 4
    assert artists["pearson"]["coefficient"] == pytest.approx(r)
    assert artists["pearson"]["p_value"] == pytest.approx(p_value_four_pairs(r))
    # Ranks (4, 2.5, 2.5, 1) and (3.5, 3.5, 2, 1): rho = 3.75 / 4.5.
    assert artists["spearman"]["coefficient"] == pytest.approx(3.75 / 4.5)
    assert artists["spearman"]["p_value"] == pytest.approx(p_value_four_pairs(3.75 / 4.5))
    entropy = by_pair["friends", "entropy"]
    # sum dx*dy = 1 - 0; sum dy^2 = 1 + h^2 - (1 + h)^2 / 4.
    r_entropy = 1 / math.sqrt(2 * (1 + H_1_3**2 - (1 + H_1_3) ** 2 / 4))
    assert entropy["pearson"]["coefficient"] == pytest.approx(r_entropy)
    assert entropy["pearson"]["p_value"] == pytest.approx(p_value_four_pairs(r_entropy))
    # Entropy ranks (4, 3, 1.5, 1.5): rho = 3.75 / 4.5 again.
    assert entropy["spearman"]["coefficient"] == pytest.approx(3.75 / 4.5)


def test_social_undefined_below_three_users(make_service: Callable[..., ListeningService]) -> None:
    service = make_service(seeded=False)
    service.client.post("/users", json={"id": 1})
    body = service.client.get("/stats/social").json()
    assert body["users"] == 1
    assert body["correlations"][0]["pearson"] == {"coefficient": None, "p_value": None}


def test_user_statistics(shared_api: ListeningService) -> None:
    assert shared_api.client.get("/stats/users/2").json() == {
        "user_id": 2,
        "plays": 4,
        "artists": 2,
        "entropy": pytest.approx(H_1_3),
        "normalised_entropy": pytest.approx(H_1_3),
        "gini": pytest.approx(0.25),
        "top_artist_share": pytest.approx(0.75),
        "friends": 1,
        # Among plays 2 4 6 0, artists 2 2 1 0, friends 2 1 1 0, entropy 1 h 0 0.
        "percentiles": {"plays": 75.0, "artists": 100.0, "friends": 75.0, "entropy": 75.0},
    }


def test_user_statistics_of_a_user_without_listens(shared_api: ListeningService) -> None:
    body = shared_api.client.get("/stats/users/4").json()
    assert (body["plays"], body["artists"], body["entropy"]) == (0, 0, 0.0)
    assert body["gini"] is body["top_artist_share"] is body["normalised_entropy"] is None
    assert body["percentiles"] == {"plays": 25.0, "artists": 25.0, "friends": 25.0, "entropy": 50.0}
