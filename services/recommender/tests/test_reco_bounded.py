"""The pieces that keep a large data set within memory and time: scoring blocks sized by a
memory budget, the capped catalogue, the sampled evaluated users, all users' neighbours in
blocks, and the precomputed artefact. Each gives the same answer as the plain computation."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.algorithms import ALS, EASE, Blend, ItemKNN, Popularity, Social, base, similarity
from recommender.algorithms.base import block_rows, top_k
from recommender.algorithms.blend import normalise_scores
from recommender.algorithms.ease import cholesky_inverse, ease_weights, regularised_inverse
from recommender.algorithms.explain import Explainer
from recommender.algorithms.matrix import IdIndex, SideInfo, build_interactions, most_listened
from recommender.algorithms.similarity import cosine_similarity, nearest_rows, top_of_dense
from recommender.algorithms.snapshot import Friendships, Listens, Snapshot
from recommender.evaluation import blending
from recommender.evaluation.blending import build_pool
from recommender.evaluation.metrics import evaluate_top_k
from recommender.evaluation.protocol import evaluate_model, make_eval_split, sample_users
from recommender.serving.views import ArtefactView
from recommender.training.precompute import precompute


def random_plays(n_users: int, n_items: int, seed: int, density: float = 0.2) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    plays = sp.random(n_users, n_items, density=density, random_state=rng, format="csr")
    plays.data = np.ceil(plays.data * 20).astype(np.float32)
    return sp.csr_matrix(plays, dtype=np.float32)


def friends_of(n_users: int, seed: int) -> SideInfo:
    pairs = random_plays(n_users, n_users, seed, density=0.1)
    pairs = sp.csr_matrix(pairs + pairs.T)
    pairs.setdiag(0)
    pairs.eliminate_zeros()
    pairs.data[:] = 1.0
    return SideInfo(friends=pairs)


# -- scoring blocks ----------------------------------------------------------------------


def test_block_rows_follow_the_memory_budget() -> None:
    # The real data's 17,632 artists keep the old 512-user blocks; 50,000 artists get fewer.
    assert block_rows(17_632) == 512
    assert block_rows(50_000) == 335
    assert block_rows(10**9) == 1
    assert block_rows(100, limit=256, cells=3) == 256


def test_scores_in_small_blocks_equal_the_unblocked_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plays = random_plays(40, 30, seed=1)
    side = friends_of(40, seed=2)
    models = {
        "knn": ItemKNN(shrink=2.0).fit(plays, side),
        "ease": EASE(l2=5.0, min_listeners=3, solver="primal").fit(plays, side),
        "social": Social().fit(plays, side),
    }
    blend = Blend.of_fitted([(models["knn"], 1.0), (models["ease"], 0.5), (models["social"], 0.25)])
    users = np.arange(40)
    expected = {name: m.recommend_batch(users, 7, exclude=plays) for name, m in models.items()}
    expected["blend"] = blend.recommend_batch(users, 7, exclude=plays)
    whole = blend.score(users)
    # A budget of 3 columns' worth of cells per block: 30 artists -> blocks of one user.
    monkeypatch.setattr(base, "BLOCK_BUDGET_BYTES", 8 * 30)
    assert block_rows(30) == 1
    for name, model in models.items():
        blocked = model.recommend_batch(users, 7, exclude=plays)
        np.testing.assert_array_equal(blocked, expected[name])
    blocks = list(blend.masked_scores(users))
    assert len(blocks) == 40
    np.testing.assert_array_equal(np.vstack(blocks), whole)
    np.testing.assert_array_equal(blend.recommend_batch(users, 7, exclude=plays), expected["blend"])


def test_candidate_pool_is_the_same_in_small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = synthetic(60, 25, seed=3)
    full = build_interactions(snapshot)
    split = make_eval_split(snapshot, seed=1, users=full.users, items=full.items)
    train = split.train
    models = {
        "popularity": Popularity().fit(train.plays, train.side),
        "item_knn": ItemKNN().fit(train.plays, train.side),
    }
    whole = build_pool(models, split, per_model=5)
    monkeypatch.setattr(blending, "block_rows", lambda *_a, **_k: 2)
    blocked = build_pool(models, split, per_model=5)
    for field in ("scores", "valid", "relevant", "n_relevant"):
        np.testing.assert_array_equal(getattr(blocked, field), getattr(whole, field))


def reference_normalise(scores: np.ndarray) -> np.ndarray:
    """The plain definition: finite scores over the row's max |score|, others the row min."""
    out = np.array(scores, dtype=np.float32, copy=True)
    missing = ~np.isfinite(out)
    out[missing] = 0.0
    magnitude = np.abs(out).max(axis=1)
    scale = np.divide(1.0, magnitude, out=np.zeros_like(magnitude), where=magnitude > 0)
    out *= scale[:, None]
    floor = np.where(missing, np.inf, out).min(axis=1)
    floor[~np.isfinite(floor)] = 0.0
    rows, cols = np.nonzero(missing)
    out[rows, cols] = floor[rows]
    return out


def test_normalise_in_place_equals_the_plain_definition() -> None:
    rng = np.random.default_rng(4)
    for case in range(60):
        scores = (rng.standard_normal((7, 11)) * 10.0 ** rng.integers(-3, 4)).astype(np.float32)
        if case % 3:
            scores[rng.random(scores.shape) < 0.4] = -np.inf
        if case % 5 == 0:
            scores[0] = -np.inf
            scores[1] = 0.0
        expected = reference_normalise(scores)
        np.testing.assert_array_equal(normalise_scores(scores), expected)
        np.testing.assert_array_equal(normalise_scores(scores.copy(), in_place=True), expected)


def reference_cosine(vectors: sp.csr_matrix, shrink: float) -> sp.csr_matrix:
    """Cosine through a COO copy of the Gram matrix (the plain way)."""
    vectors = sp.csr_matrix(vectors, dtype=np.float32)
    gram = sp.csr_matrix(vectors @ vectors.T)
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    gram.setdiag(0.0)
    gram.eliminate_zeros()
    coo = gram.tocoo()
    values = (coo.data / (norms[coo.row] * norms[coo.col] + shrink)).astype(np.float32)
    return sp.csr_matrix((values, (coo.row, coo.col)), shape=gram.shape)


def test_cosine_normalised_by_bands_of_rows_equals_the_coo_computation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vectors = random_plays(50, 20, seed=5).T.tocsr()
    monkeypatch.setattr(similarity, "COSINE_ROWS", 3)
    result = cosine_similarity(vectors, shrink=4.0)
    expected = reference_cosine(vectors, 4.0)
    expected.sort_indices()
    np.testing.assert_array_equal(result.indptr, expected.indptr)
    np.testing.assert_array_equal(result.indices, expected.indices)
    np.testing.assert_array_equal(result.data, expected.data)


def test_cholesky_inverse_equals_the_general_inverse() -> None:
    rng = np.random.default_rng(6)
    a = rng.standard_normal((40, 25))
    gram = np.ascontiguousarray(a @ a.T)
    np.testing.assert_allclose(
        cholesky_inverse(gram.copy(), 3.0), regularised_inverse(gram.copy(), 3.0), atol=1e-12
    )
    weights = ease_weights(gram.copy(), 3.0)
    assert weights.flags["C_CONTIGUOUS"]
    assert not np.diag(weights).any()
    with pytest.raises(np.linalg.LinAlgError):
        cholesky_inverse(-np.eye(3), 1.0)


# -- catalogue cap and evaluated users -------------------------------------------------


def synthetic(n_users: int, n_artists: int, seed: int) -> Snapshot:
    plays = random_plays(n_users, n_artists, seed, density=0.3).tocoo()
    listens = Listens.from_arrays(plays.row + 1, plays.col + 100, plays.data)
    empty = np.zeros(0, dtype=np.int64)
    return Snapshot(listens=listens, friendships=Friendships.from_arrays(empty, empty))


def test_catalogue_is_complete_under_the_cap_and_the_most_listened_above_it() -> None:
    artists = np.array([5, 5, 5, 7, 7, 9, 9, 3])
    assert most_listened(artists, artists, None).ids.tolist() == [3, 5, 7, 9]
    assert most_listened(artists, artists, 4).ids.tolist() == [3, 5, 7, 9]
    # 5 has three listeners, 7 and 9 two each (tie: the lower id), 3 one.
    assert most_listened(artists, artists, 2).ids.tolist() == [5, 7]
    # Ranked by the training listens only; every artist stays known to the full index.
    assert most_listened(artists, np.array([3, 3, 9]), 2).ids.tolist() == [3, 9]


def test_held_out_artists_outside_the_catalogue_count_as_misses() -> None:
    snapshot = synthetic(50, 30, seed=7)
    everyone = build_interactions(snapshot)
    whole = make_eval_split(snapshot, seed=2, users=everyone.users, items=everyone.items)
    capped_items = most_listened(
        snapshot.listens.artist_ids, whole.train_snapshot.listens.artist_ids, 10
    )
    capped = make_eval_split(snapshot, seed=2, users=everyone.users, items=capped_items)
    assert len(capped_items) == 10
    # The same users, each with all their held-out artists counted.
    np.testing.assert_array_equal(capped.users, whole.users)
    np.testing.assert_array_equal(capped.n_held_out, whole.n_held_out)
    assert capped.relevant.nnz < whole.relevant.nnz
    model = Popularity().fit(capped.train.plays)
    metrics = evaluate_model(model, capped)
    # Recall over all held-out artists: at most the share of them inside the catalogue.
    inside = capped.relevant[capped.users].sum(axis=1).A1 / capped.n_held_out[capped.users]
    assert metrics.users == len(whole.users)
    assert metrics.recall <= float(np.mean(inside)) < 1.0


def test_metrics_count_relevant_items_beyond_the_matrix() -> None:
    relevant = sp.csr_matrix(np.array([[1, 0, 0]], dtype=np.float32))
    recommended = np.array([[0, 1]])
    plain = evaluate_top_k(recommended, relevant, n_items=3, k=2)
    assert plain.recall == 1.0
    assert plain.ndcg == 1.0
    # One more held-out artist the catalogue does not hold: a miss.
    wider = evaluate_top_k(recommended, relevant, n_items=3, k=2, n_relevant=np.array([2]))
    assert wider.recall == 0.5
    assert wider.ndcg == pytest.approx(1.0 / (1.0 + 1.0 / np.log2(3)))


def test_user_sample_is_seeded_and_complete_under_the_cap() -> None:
    eligible = np.arange(0, 2000, 2)
    np.testing.assert_array_equal(sample_users(eligible, 1000, seed=1), eligible)
    np.testing.assert_array_equal(sample_users(eligible, None, seed=1), eligible)
    first = sample_users(eligible, 300, seed=1)
    assert len(first) == 300
    assert len(np.unique(first)) == 300
    assert np.all(np.diff(first) > 0)
    assert np.isin(first, eligible).all()
    np.testing.assert_array_equal(sample_users(eligible, 300, seed=1), first)
    assert not np.array_equal(sample_users(eligible, 300, seed=2), first)


def test_eval_split_samples_its_users() -> None:
    snapshot = synthetic(80, 30, seed=8)
    full = build_interactions(snapshot)
    whole = make_eval_split(snapshot, seed=3, users=full.users, items=full.items)
    sampled = make_eval_split(snapshot, seed=3, users=full.users, items=full.items, max_users=20)
    again = make_eval_split(snapshot, seed=3, users=full.users, items=full.items, max_users=20)
    assert len(sampled.users) == 20
    assert np.isin(sampled.users, whole.users).all()
    np.testing.assert_array_equal(sampled.users, again.users)
    # Only who is evaluated changes, not the split itself.
    assert (sampled.train.plays != whole.train.plays).nnz == 0
    uncapped = make_eval_split(
        snapshot, seed=3, users=full.users, items=full.items, max_users=len(whole.users)
    )
    np.testing.assert_array_equal(uncapped.users, whole.users)


# -- neighbours of every user ----------------------------------------------------------


def exact_neighbours(vectors: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """One dot product per row against all rows, the row itself skipped."""
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    return [
        top_of_dense(vectors @ vectors[row] / (norms * norms[row]), k, skip=row)
        for row in range(len(vectors))
    ]


@pytest.mark.parametrize("sampled", [False, True])
def test_neighbours_in_blocks_equal_the_exact_ones(
    monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    rng = np.random.default_rng(9)
    vectors = rng.standard_normal((300, 6)).astype(np.float32)
    vectors[17] = 0.0
    if sampled:
        # The short list from a column sample (as on ~100k users), on a small matrix.
        monkeypatch.setattr(similarity, "MIN_SAMPLE_COLUMNS", 40)
        monkeypatch.setattr(similarity, "SAMPLE_PER_NEIGHBOUR", 1)
        assert similarity._column_sample(300, 5) is not None
    indexes, scores = nearest_rows(vectors, 5, block_bytes=4 * 300 * 7)
    for row, (idx, values) in enumerate(exact_neighbours(vectors, 5)):
        if row == 17:
            # A zero vector ties with everyone at 0 (the single-row call picks any five).
            assert indexes[row].tolist() == [0, 1, 2, 3, 4]
            assert not scores[row].any()
            continue
        found = indexes[row] >= 0
        np.testing.assert_array_equal(indexes[row][found], idx)
        np.testing.assert_allclose(scores[row][found], values, atol=1e-6)


def test_neighbour_ties_go_to_the_lower_index_and_short_rows_are_padded() -> None:
    vectors = np.array([[1, 0], [1, 0], [2, 0], [0, 1]], dtype=np.float32)
    indexes, scores = nearest_rows(vectors, 5)
    assert indexes.shape == (4, 3)
    assert indexes[0].tolist() == [1, 2, 3]
    assert indexes[2].tolist() == [0, 1, 3]
    np.testing.assert_allclose(scores[0], [1.0, 1.0, 0.0])
    empty, _ = nearest_rows(vectors[:1], 3)
    assert empty.shape == (1, 0)


def test_als_all_similar_users_match_the_single_user_call() -> None:
    plays = random_plays(30, 12, seed=10)
    model = ALS(factors=4, iterations=4, seed=3, threads=1).fit(plays)
    indexes, _ = model.all_similar_users(4)
    for user in range(30):
        single, _ = model.similar_users(user, 4)
        assert indexes[user][indexes[user] >= 0].tolist() == single.tolist()


# -- the precomputed artefact ----------------------------------------------------------


def test_precomputed_artefact_holds_the_json_redis_stores() -> None:
    snapshot = synthetic(30, 20, seed=11)
    full = build_interactions(snapshot)
    als = ALS(factors=4, iterations=3, seed=1, threads=1).fit(full.plays, full.side)
    final = {
        "popularity": Popularity().fit(full.plays, full.side),
        "item_knn": ItemKNN().fit(full.plays, full.side),
        "als": als,
    }
    published = Blend.of_fitted([(final["item_knn"], 1.0), (als, 0.5)])
    seconds: dict[str, float] = {}
    serving = precompute(
        final, published, full, top_n=5, similar_n=3, explain_top=2, seconds=seconds
    )
    assert {"top_n", "similar_artists", "similar_users"} <= set(seconds)
    user = int(full.users.ids[0])
    entries = json.loads(serving["recommendations"][user])["items"]
    listened = set(full.items.id_of(full.plays[0].indices).tolist())
    unlistened = [e for e in entries if not e[2]]
    assert len(unlistened) >= 5
    assert {e[0] for e in entries if e[2]} <= listened
    assert all(e[3] for e in unlistened[:2])
    assert not any(e[3] for e in unlistened[2:])
    scores = published.score(np.array([0]))[0]
    best = top_k(np.where(np.isin(full.items.ids, list(listened)), -np.inf, scores)[None], 5)[0]
    assert [e[0] for e in unlistened[:5]] == full.items.id_of(best).tolist()
    similar = json.loads(serving["similar_users"][user])
    single, values = als.similar_users(0, 3)
    assert [u for u, _ in similar] == full.users.id_of(single).tolist()
    np.testing.assert_allclose([s for _, s in similar], values, rtol=1e-6)
    view = ArtefactView(serving, "v", None)
    assert view.recommendations(user) == entries
    assert view.similar("similar_users", user) == similar
    assert view.recommendations(-1) is None


def test_capped_split_keeps_indexes_aligned() -> None:
    snapshot = synthetic(40, 30, seed=12)
    items = most_listened(snapshot.listens.artist_ids, snapshot.listens.artist_ids, 8)
    full = build_interactions(snapshot, items=items)
    split = make_eval_split(snapshot, seed=1, users=full.users, items=items)
    assert split.train.plays.shape == full.plays.shape == (40, 8)
    assert isinstance(split.train.users, IdIndex)
    trimmed = replace(split, users=split.users[:5])
    assert evaluate_model(Popularity().fit(split.train.plays), trimmed).users == 5


def test_explaining_many_items_at_once_gives_the_single_reasons() -> None:
    plays = random_plays(40, 25, seed=13, density=0.25)
    explainer = Explainer(plays, friends_of(40, seed=14))
    for user in range(40):
        items = list(range(25))
        assert explainer.explain_many(user, items) == [
            explainer.explain(user, item) for item in items
        ]
    assert explainer.explain_many(0, []) == []
