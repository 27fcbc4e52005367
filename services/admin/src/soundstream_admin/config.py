"""Settings of the operator tool (environment prefix ``SOUNDSTREAM_``).

The service databases are not configured here: each service's own settings say where its
database is (``CATALOG_DATABASE_URL``, ``LISTENING_DATABASE_URL``...).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from soundstream_common.settings import default_data_dir


class AdminSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SOUNDSTREAM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Local state: databases, downloads, reports (default ./var).",
    )
    hetrec_dir: Path | None = Field(
        None, description="Directory with the HetRec 2011 files; unset = download them."
    )
    # Both default to a folder of data_dir (filled in by _default_folders).
    download_dir: Path = Field(
        Path("downloads"), description="Where the downloaded archive goes (<data_dir>/downloads)."
    )
    synthetic_dir: Path = Field(
        Path("synthetic"), description="Where generated data goes (<data_dir>/synthetic)."
    )

    @field_validator("hetrec_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="before")
    @classmethod
    def _default_folders(cls, values: Any) -> Any:
        if isinstance(values, dict):
            data_dir = Path(values.get("data_dir") or default_data_dir())
            for key, folder in (("download_dir", "downloads"), ("synthetic_dir", "synthetic")):
                if not values.get(key):
                    values[key] = data_dir / folder
        return values

    @property
    def report_path(self) -> Path:
        """Default location of the import's JSON report."""
        return self.data_dir / "import-report.json"


@lru_cache
def get_settings() -> AdminSettings:
    return AdminSettings()
