"""The published blend against the tuned baselines on the real HetRec 2011 data."""

from __future__ import annotations

import pytest

from recommender.evaluation.data import default_data_dir, load_hetrec
from recommender.evaluation.experiment import BLEND_NAME, run_experiment
from soundstream_testing.hetrec import require_hetrec

DATA_DIR = default_data_dir()

pytestmark = pytest.mark.realdata


@pytest.fixture(autouse=True)
def _real_data_present() -> None:
    require_hetrec(DATA_DIR, ("user_artists.dat", "user_friends.dat", "user_taggedartists.dat"))


def test_blend_beats_the_best_tuned_baseline_by_three_percent() -> None:
    report = run_experiment(load_hetrec(DATA_DIR), seed=42)
    best = report.result(report.best_baseline)
    blend = report.result(BLEND_NAME)
    assert {r.name for r in report.results if r.is_baseline} == {
        "popularity",
        "item_knn",
        "als",
        "ease",
    }
    assert blend.test.users > 1800
    assert best.test.ndcg > 0.2  # the baselines are properly tuned, not strawmen
    assert blend.test.ndcg >= 1.03 * best.test.ndcg, (blend.test.ndcg, best.name, best.test.ndcg)
    assert blend.test.ndcg > 0.24
