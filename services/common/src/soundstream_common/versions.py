"""A service's data set version: the single-row counter behind its export's ETag.

A service whose export others read conditionally (the listening service's snapshot, the
catalog's export) keeps one ``dataset_version`` row: ``epoch``, drawn once when the table is
created (so a rebuilt database never reuses an old ETag), and ``version``, advanced in the
same transaction as every write to the exported data. The export sends the ETag; a reader
sends it back in ``If-None-Match`` and gets ``304 Not Modified`` while nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

VERSION_HEADER = "X-Dataset-Version"


@dataclass(frozen=True)
class VersionInfo:
    epoch: str
    version: int

    @property
    def etag(self) -> str:
        """A strong ETag: the database's epoch and the version counter."""
        return f'"{self.epoch[:16]}-{self.version}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class DatasetVersionRow:
    """The ``dataset_version`` table of a service whose export others read: mixed into the
    service's declarative model (``class DatasetVersion(DatasetVersionRow, Base)``)."""

    __tablename__ = "dataset_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    epoch: Mapped[str] = mapped_column(String(32), nullable=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[CheckConstraint, ...]:  # noqa: N805 (a declared_attr)
        return (
            CheckConstraint("id = 1", name="single_row"),
            CheckConstraint("version >= 0", name="version_not_negative"),
        )
