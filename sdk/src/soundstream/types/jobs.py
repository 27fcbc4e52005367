"""Scheduled work: task graphs as declared, their runs and each task's part in a run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from soundstream._models import BaseModel

FINISHED_RUN_STATES = frozenset({"succeeded", "failed"})


class JobTaskRun(BaseModel):
    """One task of one run: ran (``succeeded``), ``kept`` its last result, ``failed``, ..."""

    task: str
    state: str
    attempts: int = 0
    reason: str | None = None
    reason_text: str | None = None
    """Why it ran or kept its result, e.g. ``unchanged since run 3f2a9c1e``."""
    kept_from: str | None = None
    inputs_version: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration_seconds: float | None = None
    error: str | None = None
    output: dict[str, Any] | None = None


class JobRun(BaseModel):
    """One run of a task graph (``queued``, ``running``, ``succeeded`` or ``failed``)."""

    id: str
    graph: str
    state: str
    trigger: str
    force: bool = False
    targets: list[str] | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration_seconds: float | None = None
    error: str | None = None
    counts: dict[str, int] = {}
    tasks: list[JobTaskRun] = []

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_RUN_STATES

    def task(self, name: str) -> JobTaskRun:
        """The run's task ``name`` (KeyError when the run has none)."""
        for task in self.tasks:
            if task.task == name:
                return task
        raise KeyError(name)


class JobRunAccepted(BaseModel):
    """A run was queued: follow it with ``jobs.run(run_id)`` or ``jobs.wait(run_id)``."""

    run_id: str
    graph: str
    status_url: str


class JobTask(BaseModel):
    """A task as declared, with its state in the latest run that included it."""

    name: str
    celery_task: str
    description: str = ""
    depends_on: list[str] = []
    retries: str = ""
    ttl_seconds: float | None = None
    keeps_while_unchanged: bool = False
    has_inputs_version: bool = False
    runs_on: str | None = None
    idempotent: bool = False
    fingerprint: str
    level: int
    last: JobTaskRun | None = None


class JobSchedule(BaseModel):
    label: str
    beat_entry: str
    tasks: list[str]
    next_run_at: dt.datetime


class JobGraph(BaseModel):
    """A task graph: its tasks, dependencies (``edges``), parallel ``levels``, schedules."""

    name: str
    description: str = ""
    tasks: list[JobTask]
    edges: list[tuple[str, str]]
    levels: list[list[str]]
    schedules: list[JobSchedule] = []
    mermaid: str
