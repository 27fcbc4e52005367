"""Recommendations that follow the listens just written (fold-in), with no retrain: a real
worker trained the model, ``listens.changed`` events go through real Redis streams and the
recommender reads the user's current row from the listening service.

A user's own artists never come back to them, on any path: the precomputed list, fold-in,
the fallback chain, cold start."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.algorithms import ALS, EASE, ItemKNN, Popularity, Social
from recommender.algorithms.blend import Blend
from recommender.algorithms.foldin import fold_in, row_scorer
from recommender.algorithms.matrix import (
    Weighting,
    WeightingStats,
    apply_weighting,
    build_interactions,
)
from recommender.algorithms.snapshot import Snapshot
from recommender.consumer import RecommenderConsumer, build_consumer
from soundstream_common.db import create_db_engine

from .conftest import Pipeline, synthetic_snapshot
from .events_helpers import consume, publish

# -- the models, without the service ---------------------------------------------------------


@given(
    st.lists(st.lists(st.integers(0, 1000), min_size=6, max_size=6), min_size=2, max_size=8),
    st.sampled_from(list(Weighting)),
)
def test_a_row_weighted_alone_is_weighted_as_in_its_matrix(
    rows: list[list[int]], weighting: Weighting
) -> None:
    plays = sp.csr_matrix(np.array(rows, dtype=np.float32))
    stats = WeightingStats.of(plays, weighting)
    whole = apply_weighting(plays, weighting)
    for user in range(plays.shape[0]):
        alone = stats.apply(plays[user])
        np.testing.assert_allclose(alone.toarray(), whole[user].toarray(), rtol=1e-6)


@pytest.fixture(scope="module")
def interactions() -> Any:
    return build_interactions(synthetic_snapshot())


@pytest.mark.parametrize(
    "model",
    [ItemKNN(shrink=5.0), EASE(l2=100.0), Popularity(), Social()],
    ids=lambda m: m.name,
)
def test_a_training_user_folded_in_scores_as_the_model(interactions: Any, model: Any) -> None:
    model.fit(interactions.plays, interactions.side)
    scorer = row_scorer(model)
    for user in range(0, 90, 7):
        expected = model.score(np.array([user]))[0]
        folded = scorer.score_row(interactions.plays[user], user)
        np.testing.assert_allclose(folded, expected, rtol=1e-4, atol=1e-5)


def test_a_penalised_blend_folded_in_scores_as_the_blend(interactions: Any) -> None:
    plays, side = interactions.plays, interactions.side
    components = [(ItemKNN(shrink=5.0).fit(plays, side), 1.0), (Social().fit(plays, side), 0.5)]
    blend = Blend.of_fitted(components, popularity_penalty=0.3)
    scorer = row_scorer(blend)
    for user in range(0, 90, 7):
        expected = blend.score(np.array([user]))[0]
        folded = scorer.score_row(plays[user], user)
        np.testing.assert_allclose(folded, expected, rtol=1e-4, atol=1e-5)


def test_als_folded_in_ranks_a_training_user_as_the_model(interactions: Any) -> None:
    model = ALS(factors=16, regularization=1.0, iterations=15, seed=1).fit(interactions.plays)
    scorer = row_scorer(model)
    for user in range(0, 90, 7):
        expected = model.score(np.array([user]))[0]
        folded = scorer.score_row(interactions.plays[user], None)
        assert np.corrcoef(expected, folded)[0, 1] > 0.95


def test_a_new_users_answer_leaves_out_their_artists_and_the_excluded(interactions: Any) -> None:
    final = {
        "item_knn": ItemKNN(shrink=5.0).fit(interactions.plays),
        "ease": EASE(l2=100.0).fit(interactions.plays),
        "als": ALS(factors=16, iterations=5, seed=1).fit(interactions.plays),
    }
    published = Blend.of_fitted(
        [(final["item_knn"], 0.3), (final["ease"], 0.5), (final["als"], 0.2)]
    )
    fold = fold_in(final, published, interactions.users, interactions.items)
    found = fold.recommend(5000, {3: 10, 4: 2, 9999: 5}, 20, {5})
    assert found is not None
    assert len(found) == 20
    assert not {3, 4, 5} & {artist for artist, _, _ in found}
    assert all(set(cited) <= {3, 4} for _, _, cited in found)
    assert [score for _, score, _ in found] == sorted((s for _, s, _ in found), reverse=True)
    assert fold.recommend(5000, {9999: 5}, 20, set()) is None, "nothing in the catalogue"


# -- through the service -----------------------------------------------------------------------


@pytest.fixture
def consumer(trained: Pipeline) -> Iterator[RecommenderConsumer]:
    engine = create_db_engine(trained.settings.database_url)
    yield build_consumer(trained.settings, engine=engine, client=trained.store.client, block_ms=50)
    engine.dispose()


def ids(body: dict[str, Any]) -> list[int]:
    return [item["artist_id"] for item in body["items"]]


def listen(trained: Pipeline, consumer: RecommenderConsumer, user: int, artist: int) -> None:
    """What a PUT of a listen does upstream: the row changes, ``listens.changed`` follows."""
    trained.server.users.listens.setdefault(user, {})[artist] = 25
    payload = {"artists": [{"artist_id": artist, "listeners": 1, "plays": 25}], "user_id": user}
    publish(trained.store.client, "listening", "listens.changed", payload)
    consume(consumer, 1)


def test_a_new_user_is_recommended_from_their_first_listens_without_retraining(
    client: TestClient, trained: Pipeline, consumer: RecommenderConsumer
) -> None:
    versions = [v.version for v in trained.versions()]
    trained.server.users.others.add(800)
    before = client.get("/recommendations/users/800", params={"k": 10}).json()
    assert before["source"] == "popularity"

    listen(trained, consumer, 800, 3)  # an artist of the first taste group (1-20)
    first = client.get("/recommendations/users/800", params={"k": 10, "explain": True}).json()

    assert first["source"] == "fold-in"
    assert first["model_version"] == versions[0]
    assert 3 not in ids(first)
    assert sum(1 <= a <= 20 for a in ids(first)) >= 7, "mostly the listened artist's group"
    assert any(3 in r["artists"] for i in first["items"] for r in i["reasons"])

    listen(trained, consumer, 800, 45)  # and one of the third group (41-60)
    second = client.get("/recommendations/users/800", params={"k": 10}).json()

    assert second["source"] == "fold-in"
    assert ids(second) != ids(first)
    assert not {3, 45} & set(ids(second))
    assert any(41 <= a <= 60 for a in ids(second))
    assert [v.version for v in trained.versions()] == versions, "no retrain"


def test_a_known_users_new_listen_shows_at_once_and_others_keep_the_list(
    client: TestClient, trained: Pipeline, consumer: RecommenderConsumer
) -> None:
    snapshot = trained.server.snapshot
    user = 2
    own = set(snapshot.listens.artist_ids[snapshot.listens.user_ids == user].tolist())
    other = client.get("/recommendations/users/4", params={"k": 10}).json()
    before = client.get(f"/recommendations/users/{user}", params={"k": 10}).json()
    assert before["source"] == "model"
    newest = ids(before)[0]
    rows = snapshot.listens.user_ids == user
    trained.server.users.listens[user] = dict(
        zip(snapshot.listens.artist_ids[rows].tolist(), [25] * len(own), strict=True)
    )

    listen(trained, consumer, user, newest)
    after = client.get(f"/recommendations/users/{user}", params={"k": 10}).json()

    assert after["source"] == "fold-in"
    assert newest not in ids(after)
    assert not own & set(ids(after))
    assert client.get("/recommendations/users/4", params={"k": 10}).json() == other


# -- the user's own artists, on every path -----------------------------------------------------

NEW_USERS = itertools.count(20_000)
CATALOGUE = range(1, 61)
OUTSIDE = range(1000, 1004)
"""Artists the model never saw (listened to and tagged after the snapshot)."""


def own_artists(snapshot: Snapshot, trained: Pipeline, user: int) -> set[int]:
    if user in trained.server.users.listens:
        return set(trained.server.users.listens[user])
    return set(snapshot.listens.artist_ids[snapshot.listens.user_ids == user].tolist())


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(["model", "fold-in", "fallback", "cold-start"]),
    known=st.integers(5, 90),
    catalogue=st.sets(st.sampled_from(CATALOGUE), min_size=1, max_size=15),
    outside=st.sets(st.sampled_from(OUTSIDE), min_size=1, max_size=3),
    k=st.integers(1, 60),
)
def test_a_users_own_artists_are_never_recommended_to_them(
    client: TestClient,
    trained: Pipeline,
    path: str,
    known: int,
    catalogue: set[int],
    outside: set[int],
    k: int,
) -> None:
    snapshot = trained.server.snapshot
    users = trained.server.users
    if path == "cold-start":
        seeds = sorted(catalogue)
        body = client.post("/recommendations", json={"seed_artists": seeds, "k": k}).json()
        assert not set(seeds) & set(ids(body))
        return
    if path == "model":
        user = known
    else:
        user = next(NEW_USERS)
        users.friends[user] = [known]
        users.tags[user] = [100, 101, 102]
        listened = catalogue | outside if path == "fold-in" else outside
        users.listens[user] = dict.fromkeys(listened, 7)
        for artist in outside:  # tagged with the tags the user uses: the tag tier finds them
            users.tagged.setdefault(100, []).append(artist)
    body = client.get(f"/recommendations/users/{user}", params={"k": k}).json()
    assert body["source"] == (path if path != "fallback" else "fallback")
    assert not own_artists(snapshot, trained, user) & set(ids(body))
