"""Service settings: environment prefixes, ``.env`` files, database URLs and defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import catalog.config
import listening.config

from .conftest import ServiceUnderTest


def test_each_service_reads_its_own_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_PORT", "9101")
    monkeypatch.setenv("LISTENING_PORT", "9102")
    monkeypatch.setenv("LISTENING_LOG_LEVEL", "DEBUG")

    assert catalog.config.Settings().port == 9101
    assert catalog.config.Settings().log_level == "INFO"
    assert listening.config.Settings().port == 9102
    assert listening.config.Settings().log_level == "DEBUG"


def test_dotenv_file_in_working_directory_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path(".env").write_text(
        "CATALOG_PORT=9201\nCATALOG_LOG_LEVEL=WARNING\nLISTENING_PORT=9202\nOTHER_THING=1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CATALOG_LOG_LEVEL", "ERROR")

    settings = catalog.config.Settings()

    assert settings.port == 9201
    assert settings.log_level == "ERROR"
    assert listening.config.Settings().port == 9202


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a valid database URL"),
        ("mysql://root@localhost/soundstream", "unsupported database 'mysql'"),
    ],
)
def test_invalid_database_url_is_rejected_with_a_clear_error(
    service: ServiceUnderTest, monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        service.settings_cls(database_url=url)

    monkeypatch.setenv(f"{service.env_prefix}DATABASE_URL", url)
    with pytest.raises(ValidationError, match=message):
        service.settings_cls()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://sound:s3cret@db.internal:5432/catalog",
        "postgresql+psycopg2://sound:s3cret@db.internal:5432/catalog",
        "postgresql+psycopg://sound:s3cret@db.internal:5432/catalog",
    ],
)
def test_postgresql_urls_are_pinned_to_psycopg3_keeping_credentials(url: str) -> None:
    settings = catalog.config.Settings(database_url=url)

    assert settings.database_url == "postgresql+psycopg://sound:s3cret@db.internal:5432/catalog"
    assert not settings.is_sqlite
    assert "s3cret" not in settings.public_dict()["database_url"]


def test_default_database_is_sqlite_under_soundstream_data_dir(
    service: ServiceUnderTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_DATA_DIR", str(tmp_path / "data"))

    settings = service.settings_cls()

    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / service.name}.db"
    assert settings.is_sqlite


def test_default_data_dir_is_var_in_the_working_directory(service: ServiceUnderTest) -> None:
    expected = Path.cwd().resolve() / "var" / f"{service.name}.db"

    assert service.settings_cls().database_url == f"sqlite:///{expected}"


def test_service_data_dir_overrides_the_shared_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOUNDSTREAM_DATA_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("CATALOG_DATA_DIR", str(tmp_path / "own"))

    assert catalog.config.Settings().database_url == f"sqlite:///{tmp_path / 'own'}/catalog.db"
    assert listening.config.Settings().database_url == (
        f"sqlite:///{tmp_path / 'shared'}/listening.db"
    )


def test_get_settings_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_PORT", "9301")
    first = catalog.config.get_settings()
    monkeypatch.setenv("CATALOG_PORT", "9302")

    assert catalog.config.get_settings() is first
    assert first.port == 9301
    catalog.config.get_settings.cache_clear()
    assert catalog.config.get_settings().port == 9302


NOT_AT_IMPORT = """
import catalog.main, listening.main  # importing must not read the environment
from pydantic import ValidationError
for module in (catalog.config, listening.config):
    try:
        module.get_settings()
    except ValidationError as exc:
        print(module.__name__, "rejected", exc.errors()[0]["loc"][0])
"""


def test_settings_are_not_built_at_import_time(tmp_path: Path) -> None:
    """Importing a service with a broken environment succeeds; asking for settings fails."""
    env = {**os.environ, "CATALOG_PORT": "not-a-port", "LISTENING_DATABASE_URL": "nonsense"}

    done = subprocess.run(
        [sys.executable, "-c", NOT_AT_IMPORT], env=env, cwd=tmp_path, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "catalog.config rejected port",
        "listening.config rejected database_url",
    ]
