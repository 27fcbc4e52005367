"""Real-time progress of an import: rich bars on stderr when it is a terminal, else nothing."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ImportProgress:
    """One bar per input file (bytes read) and one per finishing step."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._total: int | None = None

    def __enter__(self) -> ImportProgress:
        if self.enabled:
            # Imported here: without a terminal no bar is drawn and rich.progress is not loaded.
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description:<36}"),
                BarColumn(),
                TextColumn("{task.fields[detail]:>16}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def start(self, description: str, total: int | None = None) -> None:
        """Begin a new bar (``total`` in bytes; None for a step of unknown length)."""
        self.done()
        if self._progress is not None:
            self._task = self._progress.add_task(description, total=total, detail="")
            self._total = total

    def update(self, completed: int) -> None:
        if self._progress is not None and self._task is not None:
            detail = f"{completed / 1e6:,.1f}/{(self._total or 0) / 1e6:,.1f} MB"
            self._progress.update(self._task, completed=completed, detail=detail)

    def done(self) -> None:
        """Mark the current bar complete."""
        if self._progress is not None and self._task is not None:
            total = self._total or 1
            self._progress.update(self._task, total=total, completed=total)
        self._task = None
