"""What a task function receives: its run, its parameters and its dependencies' outputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class RunAbandonedError(RuntimeError):
    """The run this task belongs to is over (failed, or the task was declared lost): the
    task must not change anything more."""


@dataclass(frozen=True)
class TaskContext:
    """One attempt of one task of one run.

    ``upstream`` maps each dependency to what it returned (in this run, or the result it
    kept); ``result_key`` names the result this attempt makes (equal definition and inputs,
    equal key), a natural name for the files it writes; ``force`` is true when the run was
    forced; ``run_started_at`` is when the run's first task was sent. A task with side
    effects calls :meth:`ensure_active` right before them.
    """

    graph: str
    task: str
    run_id: str
    run_started_at: datetime
    attempt: int
    force: bool
    params: Mapping[str, Any]
    upstream: Mapping[str, Mapping[str, Any]]
    result_key: str
    inputs_version: str | None
    _active: Callable[[], bool]

    def ensure_active(self) -> None:
        """Raise :class:`RunAbandonedError` unless this attempt still counts."""
        if not self._active():
            raise RunAbandonedError(f"run {self.run_id} of {self.graph} is over")

    def output_of(self, task: str) -> Mapping[str, Any]:
        """The output of dependency ``task`` (an empty mapping when it returned None)."""
        if task not in self.upstream:
            raise KeyError(f"{self.task} does not depend on {task}")
        return self.upstream[task]
