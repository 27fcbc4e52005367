"""Helper methods of the generated response models (``types/_generated.py``), kept by hand.

Each mixin adds methods only, never fields: the fields come from the gateway's OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from soundstream.types._generated import ExportRunTable, JobTaskRun

FINISHED_RUN_STATES = frozenset({"succeeded", "failed"})


class _HasItems(Protocol):
    @property
    def items(self) -> Sequence[Any]: ...


class _HasTables(Protocol):
    @property
    def tables(self) -> Sequence[ExportRunTable]: ...


class _HasPoints(Protocol):
    @property
    def points(self) -> Sequence[Any]: ...


class _HasRows(Protocol):
    @property
    def columns(self) -> Sequence[str]: ...
    @property
    def rows(self) -> Sequence[dict[str, Any]]: ...


class _HasTasks(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def tasks(self) -> Sequence[JobTaskRun]: ...


class ItemsFrame:
    def to_pandas(self: _HasItems) -> Any:
        """One row per item (needs pandas: ``pip install 'soundstream-sdk[pandas]'``)."""
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.items)


class TablesFrame:
    def to_pandas(self: _HasTables) -> Any:
        """One row per table of the run."""
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.tables)


class PointsFrame:
    def to_pandas(self: _HasPoints) -> Any:
        """One row per period."""
        from soundstream._pandas import records_to_frame

        return records_to_frame(self.points)


class RowsFrame:
    def to_pandas(self: _HasRows) -> Any:
        """The rows as a DataFrame (columns in the template's order)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_pandas() needs pandas: pip install 'soundstream-sdk[pandas]'"
            ) from exc
        return pd.DataFrame.from_records(list(self.rows), columns=list(self.columns) or None)


class RunProgress:
    @property
    def finished(self: _HasTasks) -> bool:
        return self.state in FINISHED_RUN_STATES

    def task(self: _HasTasks, name: str) -> JobTaskRun:
        """The run's task ``name`` (KeyError when the run has none)."""
        for task in self.tasks:
            if task.task == name:
                return task
        raise KeyError(name)
