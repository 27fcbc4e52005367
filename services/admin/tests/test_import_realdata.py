"""The real HetRec 2011 files through ``soundstream-admin import``: counts, anomalies, reruns."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from soundstream_admin.cli import app
from soundstream_admin.importing import run_import

pytestmark = pytest.mark.realdata

# The figures of MISSION.md and of the data set's readme.
EXPECTED_TABLES = {
    "catalog": {
        "user_refs": 1892,
        "artists": 17632 + 390,
        "tags": 11946,
        "tag_assignments": 186479,
        "artist_popularity": 17632 + 390,
    },
    "listening": {
        "users": 1892,
        "artist_refs": 17632 + 390,
        "listens": 92834,
        "friendships": 25434,
    },
}


def test_real_data_import_is_complete_and_repeatable(
    hetrec_dir: Path,
    import_targets: dict[str, str],
    clear_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dump: Callable[..., dict[str, Any]],
    query: Callable[[str, str], list[tuple[Any, ...]]],
) -> None:
    monkeypatch.setenv("CATALOG_DATABASE_URL", import_targets["catalog"])
    monkeypatch.setenv("LISTENING_DATABASE_URL", import_targets["listening"])
    monkeypatch.setenv("SOUNDSTREAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOUNDSTREAM_HETREC_DIR", str(hetrec_dir))

    result = CliRunner().invoke(app, ["import"])

    assert result.exit_code == 0, result.output
    assert (
        f"Data: {hetrec_dir.resolve()} (data directory): "
        "files match the official HetRec 2011 SHA-256 checksums"
    ) in result.stdout
    report = json.loads((tmp_path / "import-report.json").read_text())
    assert report["tables"] == EXPECTED_TABLES
    assert report["source"]["matches_official"] is True
    for stats in report["files"].values():
        assert stats["rejected"] == 0
        assert stats["imported"] == stats["read"]
    assert report["rejects"] == []
    anomalies = report["anomalies"]
    assert anomalies["placeholder_artists"]["artists"] == 390
    assert anomalies["placeholder_artists"]["rows"] == 1538
    assert anomalies["invalid_dates"]["rows"] == 5
    assert anomalies["invalid_dates"]["by_year"] == {"1956": 3, "1957": 1, "1979": 1}
    assert anomalies["duplicates"] == 0
    assert anomalies["asymmetric_friendships"]["pairs"] == 0
    assert anomalies["users_first_seen"]["user_artists.dat"] == 1892

    catalog, listening = import_targets["catalog"], import_targets["listening"]
    assert query(
        catalog,
        "SELECT COUNT(*) FROM tag_assignments t JOIN artists a ON a.id = t.artist_id "
        "WHERE a.is_placeholder",
    ) == [(1538,)]
    assert query(
        catalog,
        "SELECT year, COUNT(*) FROM tag_assignments WHERE NOT date_valid GROUP BY year "
        "ORDER BY year",
    ) == [(1956, 3), (1957, 1), (1979, 1)]
    assert query(
        listening,
        "SELECT COUNT(*) FROM friendships f "
        "JOIN friendships r ON r.user_id = f.friend_id AND r.friend_id = f.user_id",
    ) == [(25434,)]
    listens = query(
        listening,
        "SELECT artist_id, COUNT(DISTINCT user_id), SUM(weight) FROM listens GROUP BY artist_id",
    )
    popularity = query(
        catalog, "SELECT artist_id, listeners, plays FROM artist_popularity WHERE listeners > 0"
    )
    assert sorted(popularity) == sorted((a, int(n), int(w)) for a, n, w in listens)
    assert query(
        catalog,
        "SELECT COUNT(*) FROM artist_popularity p JOIN artists a ON a.id = p.artist_id "
        "WHERE a.is_placeholder AND p.listeners = 0 AND p.plays = 0",
    ) == [(390,)]

    first = dump(import_targets)
    again = run_import(hetrec_dir, import_targets, progress=False)
    assert dump(import_targets) == first
    assert again.tables == EXPECTED_TABLES
    assert again.changed_rows == {"catalog": 0, "listening": 0}

    run_import(hetrec_dir, import_targets, replace=True, progress=False)
    reloaded = dump(import_targets)
    # A reload is a new version of each data set (both exports' ETags change).
    for service in ("catalog", "listening"):
        (_, epoch, version), *_ = first.pop(f"{service}.dataset_version")
        assert reloaded.pop(f"{service}.dataset_version") == [(1, epoch, version + 1)]
    assert reloaded == first
