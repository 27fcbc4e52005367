"""The command line end to end on a small data set written in the HetRec file format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recommender.algorithms.snapshot import Snapshot
from recommender.evaluation.data import load_hetrec
from recommender.evaluation.run import main


def write_hetrec(snapshot: Snapshot, directory: Path) -> None:
    listens, friends, tags = snapshot.listens, snapshot.friendships, snapshot.tags
    assert tags is not None
    rows = zip(listens.user_ids, listens.artist_ids, listens.weights.astype(int), strict=True)
    (directory / "user_artists.dat").write_text(
        "userID\tartistID\tweight\n" + "".join(f"{u}\t{a}\t{w}\n" for u, a, w in rows)
    )
    pairs = zip(friends.user_ids, friends.friend_ids, strict=True)
    (directory / "user_friends.dat").write_text(
        "userID\tfriendID\n" + "".join(f"{u}\t{f}\n" for u, f in pairs)
    )
    tagged = zip(tags.user_ids, tags.artist_ids, tags.tag_ids, strict=True)
    (directory / "user_taggedartists.dat").write_text(
        "userID\tartistID\ttagID\tday\tmonth\tyear\n"
        + "".join(f"{u}\t{a}\t{t}\t1\t4\t2009\n" for u, a, t in tagged)
    )


def test_loader_reads_what_was_written(snapshot: Snapshot, tmp_path: Path) -> None:
    write_hetrec(snapshot, tmp_path)
    loaded = load_hetrec(tmp_path)
    np.testing.assert_array_equal(loaded.listens.user_ids, snapshot.listens.user_ids)
    np.testing.assert_array_equal(loaded.listens.weights, snapshot.listens.weights)
    np.testing.assert_array_equal(loaded.friendships.friend_ids, snapshot.friendships.friend_ids)
    assert loaded.tags is not None
    assert snapshot.tags is not None
    np.testing.assert_array_equal(loaded.tags.tag_ids, snapshot.tags.tag_ids)
    assert load_hetrec(tmp_path, with_tags=False).tags is None


def test_run_prints_every_algorithm_and_writes_json(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_hetrec(snapshot, tmp_path)
    out = tmp_path / "report.json"
    assert main(["--data-dir", str(tmp_path), "--seed", "3", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("popularity", "item_knn", "als", "ease", "social", "tags", "blend"):
        assert f"| {name}" in printed
    assert "Best baseline:" in printed
    report = json.loads(out.read_text())
    assert report["seed"] == 3
    blend = report["algorithms"]["blend"]
    assert set(blend["test"]) == {
        "users",
        "precision@10",
        "recall@10",
        "ndcg@10",
        "coverage",
        "popular_share@10",
    }
    assert blend["test"]["users"] == 90
    assert report["algorithms"]["als"]["baseline"] is True
    assert report["algorithms"]["social"]["baseline"] is False
