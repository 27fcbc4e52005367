"""Failures of an import. Any of them aborts the run and leaves every database untouched."""

from __future__ import annotations


class DataImportError(Exception):
    """Base class: the import stopped and both databases were rolled back."""


class DataFileError(DataImportError):
    """Malformed input: wrong column count, non-integer id, undecodable bytes, duplicate key."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason


class SourceError(DataImportError):
    """The data directory is missing or lacks one of the required files."""
