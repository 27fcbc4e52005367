"""``soundstream-admin import`` end to end, with the database URLs from the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soundstream_admin.cli import app


@pytest.fixture
def environment(
    import_targets: dict[str, str],
    clear_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Path:
    """Service databases and the operator tool's data directory, as the CLI reads them."""
    monkeypatch.setenv("CATALOG_DATABASE_URL", import_targets["catalog"])
    monkeypatch.setenv("LISTENING_DATABASE_URL", import_targets["listening"])
    monkeypatch.setenv("SOUNDSTREAM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SOUNDSTREAM_HETREC_DIR", raising=False)
    return tmp_path / "var"


def test_import_reports_the_data_it_loaded(small_dataset: Path, environment: Path) -> None:
    report_path = environment / "reports" / "small.json"

    result = CliRunner().invoke(
        app, ["import", "--data-dir", str(small_dataset), "--report", str(report_path)]
    )

    assert result.exit_code == 0, result.output
    assert f"Data: {small_dataset.resolve()} (data directory): files do NOT match" in result.stdout
    assert "Rows per table" in result.stdout
    report = json.loads(report_path.read_text())
    assert report["source"]["matches_official"] is False
    assert report["tables"]["listening"]["users"] == 5
    assert report["anomalies"]["placeholder_artists"]["ids"] == [{"artist_id": 9, "rows": 1}]


def test_import_reads_the_data_directory_setting(
    small_dataset: Path, environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_HETREC_DIR", str(small_dataset))

    result = CliRunner().invoke(app, ["import", "--replace"])

    assert result.exit_code == 0, result.output
    assert f"Data: {small_dataset.resolve()}" in result.stdout
    assert (environment / "import-report.json").is_file()


def test_malformed_input_exits_non_zero_naming_file_and_line(
    small_dataset: Path, environment: Path
) -> None:
    friends = small_dataset / "user_friends.dat"
    friends.write_text(friends.read_text().replace("2\t4\n", "2\tfour\n"))

    result = CliRunner().invoke(app, ["import", "--data-dir", str(small_dataset)])

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "user_friends.dat:4: non-integer friendID 'four'"
    assert "no database was changed" in result.stderr


def test_missing_data_directory_is_a_usage_error(environment: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "--data-dir", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert "does not exist" in result.stderr
