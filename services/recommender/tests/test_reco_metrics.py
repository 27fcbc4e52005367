"""Precision, recall, NDCG, coverage and popular share on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.metrics import evaluate_top_k, hit_matrix


def relevance(rows: list[list[int]], n_items: int = 20) -> sp.csr_matrix:
    data = np.zeros((len(rows), n_items))
    for row, items in enumerate(rows):
        data[row, items] = 1
    return sp.csr_matrix(data)


def test_hand_computed_metrics() -> None:
    recommended = np.array([[5, 2, 9], [1, 3, -1], [4, 6, 8]])
    relevant = relevance([[2, 7], [1], []])
    metrics = evaluate_top_k(recommended, relevant, n_items=20, k=3)
    # User 0: one hit at rank 2 of 2 relevant; user 1: a hit at rank 1 of 1; user 2 skipped.
    ndcg_0 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert metrics.users == 2
    assert metrics.precision == pytest.approx((1 / 3 + 1 / 3) / 2)
    assert metrics.recall == pytest.approx((1 / 2 + 1) / 2)
    assert metrics.ndcg == pytest.approx((ndcg_0 + 1.0) / 2)
    # Items shown to evaluated users: 5, 2, 9, 1, 3 of 20.
    assert metrics.coverage == pytest.approx(5 / 20)
    popular = evaluate_top_k(recommended, relevant, n_items=20, k=3, popular=np.array([2, 3, 4]))
    # Of the five items shown to evaluated users, 2 and 3 are popular (4 went to user 2).
    assert popular.popular_share == pytest.approx(2 / 5)
    assert popular.as_dict()["popular_share@3"] == pytest.approx(2 / 5)


def test_ideal_dcg_is_truncated_at_k() -> None:
    # Four relevant items, two slots, both hits: a perfect list.
    metrics = evaluate_top_k(np.array([[0, 1]]), relevance([[0, 1, 2, 3]]), n_items=20, k=2)
    assert metrics.ndcg == pytest.approx(1.0)
    assert metrics.precision == pytest.approx(1.0)
    assert metrics.recall == pytest.approx(0.5)


def test_a_miss_scores_zero_and_padding_never_hits() -> None:
    metrics = evaluate_top_k(np.array([[-1, -1, 3]]), relevance([[19]]), n_items=20, k=3)
    assert (metrics.precision, metrics.recall, metrics.ndcg) == (0.0, 0.0, 0.0)
    # -1 next to a row boundary must not match the previous row's last column.
    hits = hit_matrix(np.array([[0], [-1]]), relevance([[19], [0]]))
    assert hits.tolist() == [[False], [False]]


def test_no_evaluated_users() -> None:
    metrics = evaluate_top_k(np.array([[1, 2]]), relevance([[]]), n_items=20, k=2)
    assert metrics.users == 0
    assert metrics.ndcg == 0.0


def test_as_dict_names_metrics_at_k() -> None:
    metrics = evaluate_top_k(np.array([[1]]), relevance([[1]]), n_items=4, k=1)
    assert metrics.as_dict() == {
        "users": 1,
        "precision@1": 1.0,
        "recall@1": 1.0,
        "ndcg@1": 1.0,
        "coverage": 0.25,
        "popular_share@1": 0.0,
    }
