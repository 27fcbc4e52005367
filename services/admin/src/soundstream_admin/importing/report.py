"""The consistency report of an import: what was read, written, rejected and found odd.

It is printed at the end of a run (see ``render.py``) and written as JSON. The JSON form is
complete (every rejected row); examples of anomalies are capped at :data:`MAX_EXAMPLES`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MAX_EXAMPLES = 100


@dataclass
class FileStats:
    """Rows of one input file. Every row is either imported or rejected."""

    path: str
    read: int = 0
    imported: int = 0
    rejected: int = 0


@dataclass(frozen=True, slots=True)
class Reject:
    """A well-formed row that could not be used, and why."""

    file: str
    line: int
    reason: str


@dataclass
class InvalidDates:
    """Tag assignments kept with ``date_valid = False``."""

    by_reason: Counter[str] = field(default_factory=Counter)
    by_year: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())

    def add(self, file: str, line: int, value: str, reason: str, year: int | None) -> None:
        self.by_reason[reason] += 1
        self.by_year["unknown" if year is None else str(year)] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"file": file, "line": line, "value": value, "reason": reason})


@dataclass
class Anomalies:
    """Irregularities of the data that the import resolved by policy (see docs/data.md)."""

    # Artists named by listens or tag assignments but absent from artists.dat: id -> rows.
    placeholder_artists: Counter[int] = field(default_factory=Counter)
    placeholder_rows: Counter[str] = field(default_factory=Counter)
    invalid_dates: InvalidDates = field(default_factory=InvalidDates)
    # Duplicate keys stop the import, so a finished run always reports 0.
    duplicates: int = 0
    asymmetric_friendships: int = 0
    asymmetric_examples: list[tuple[int, int]] = field(default_factory=list)
    users_first_seen: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "placeholder_artists": {
                "artists": len(self.placeholder_artists),
                "rows": sum(self.placeholder_rows.values()),
                "rows_by_file": dict(self.placeholder_rows),
                "ids": [
                    {"artist_id": artist, "rows": rows}
                    for artist, rows in sorted(self.placeholder_artists.items())
                ],
            },
            "invalid_dates": {
                "rows": self.invalid_dates.total,
                "by_reason": dict(self.invalid_dates.by_reason),
                "by_year": dict(sorted(self.invalid_dates.by_year.items())),
                "examples": self.invalid_dates.examples,
            },
            "duplicates": self.duplicates,
            "asymmetric_friendships": {
                "pairs": self.asymmetric_friendships,
                "examples": [list(pair) for pair in self.asymmetric_examples],
            },
            "users_first_seen": dict(self.users_first_seen),
        }


@dataclass
class SourceInfo:
    """Where the data came from and whether it is the official release."""

    directory: str
    origin: str  # "directory", "download" or "synthetic"
    assignments_file: str
    checksums: dict[str, dict[str, Any]]
    matches_official: bool


@dataclass
class ImportReport:
    """Everything an operator needs to trust (or question) an import."""

    source: SourceInfo
    targets: dict[str, str]
    mode: str  # "merge" or "replace"
    files: dict[str, FileStats] = field(default_factory=dict)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    anomalies: Anomalies = field(default_factory=Anomalies)
    rejects: list[Reject] = field(default_factory=list)
    # Rows inserted, updated or deleted per database: 0 when rerun on unchanged data.
    changed_rows: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0

    def file(self, name: str) -> FileStats:
        return self.files[name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": asdict(self.source),
            "targets": self.targets,
            "mode": self.mode,
            "files": {name: asdict(stats) for name, stats in self.files.items()},
            "tables": self.tables,
            "changed_rows": self.changed_rows,
            "anomalies": self.anomalies.to_dict(),
            "rejects": [asdict(reject) for reject in self.rejects],
            "elapsed_seconds": round(self.elapsed_seconds, 3),
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")
