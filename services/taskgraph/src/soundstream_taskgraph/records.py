"""What the run history answers: runs and task runs as typed, JSON-ready models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from soundstream_taskgraph.decide import Reason
from soundstream_taskgraph.tables import RunState, TaskState


class TaskRunRead(BaseModel):
    """One task of one run."""

    model_config = ConfigDict(from_attributes=True)

    task: str = Field(description="The task's name in its graph.")
    state: TaskState = Field(
        description="pending, running, retrying, succeeded, kept (its last result reused), "
        "failed or cancelled (the run failed before it started)."
    )
    attempts: int = Field(description="Times it started (retries and redeliveries included).")
    reason: Reason | None = Field(
        None, description="Why it ran or kept its result (machine-readable)."
    )
    reason_text: str | None = Field(
        None, description="The same in words, e.g. 'unchanged since run 3f2a9c1e'."
    )
    kept_from: str | None = Field(None, description="The run whose result it kept.")
    inputs_version: str | None = Field(None, description="Version of its outside inputs.")
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float | None = Field(None, description="Of its successful attempt.")
    error: str | None = Field(None, description="The last error (type and message).")
    output: dict[str, Any] | None = Field(None, description="What it returned (small JSON).")


class RunRead(BaseModel):
    """One run of a graph and (when asked) its tasks in declaration order."""

    id: str
    graph: str
    state: RunState = Field(description="queued, running, succeeded or failed.")
    trigger: str = Field(description="What started it: 'api', 'schedule: daily 03:00 UTC', ...")
    force: bool = Field(description="Every task ran, whatever its TTL.")
    targets: list[str] | None = Field(
        None, description="The tasks asked for (with what they depend on); null = all."
    )
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float | None = Field(None, description="From start to finish.")
    error: str | None = None
    counts: dict[str, int] = Field(description="Tasks per state (ran = succeeded).")
    tasks: list[TaskRunRead] = Field(default_factory=list)
