"""The jobs API's answers about graphs (runs are :mod:`soundstream_taskgraph.records`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from soundstream_taskgraph.declare import UNCHANGED, Graph
from soundstream_taskgraph.records import TaskRunRead
from soundstream_taskgraph.render import to_mermaid
from soundstream_taskgraph.runtime import BoundGraph


class TaskDeclaration(BaseModel):
    """A task as declared, with its last state."""

    name: str
    celery_task: str = Field(description="The Celery task that runs it.")
    description: str
    depends_on: list[str]
    retries: str = Field(description="Its retry policy in words.")
    ttl_seconds: float | None = Field(
        None,
        description="How long its result is reused while definition and inputs are unchanged; "
        "null with keeps_while_unchanged false = it runs every time.",
    )
    keeps_while_unchanged: bool = Field(
        description="Its result is reused for as long as definition and inputs are unchanged."
    )
    has_inputs_version: bool = Field(description="It declares a version of outside inputs.")
    runs_on: str | None = Field(None, description="Its own schedule, e.g. 'daily 03:00 UTC'.")
    idempotent: bool = Field(description="Redelivered when its worker dies mid-task.")
    fingerprint: str = Field(description="Hash of its code and parameters (definition).")
    level: int = Field(description="0-based level: tasks of one level run in parallel.")
    last: TaskRunRead | None = Field(None, description="Its state in the latest run with it.")


class ScheduleRead(BaseModel):
    label: str = Field(description="e.g. 'weekly monday 04:30 UTC'.")
    beat_entry: str = Field(description="The Celery beat entry's name.")
    tasks: list[str] = Field(description="The tasks a scheduled run includes.")
    next_run_at: datetime


class GraphRead(BaseModel):
    """A declared graph: tasks, dependencies, levels, schedules, and a Mermaid drawing."""

    name: str
    description: str
    tasks: list[TaskDeclaration]
    edges: list[tuple[str, str]] = Field(description="(dependency, task) pairs.")
    levels: list[list[str]]
    schedules: list[ScheduleRead]
    mermaid: str


class RunAccepted(BaseModel):
    """A run was queued: follow it at ``status_url``."""

    run_id: str
    graph: str
    status_url: str


def graph_read(bound: BoundGraph, last: dict[str, TaskRunRead]) -> GraphRead:
    graph: Graph = bound.graph
    levels = graph.levels()
    level_of = {name: index for index, level in enumerate(levels) for name in level}
    now = datetime.now(UTC)
    schedules = []
    for entry_name, entry in bound.beat_schedule().items():
        crontab = entry["schedule"]
        label = entry["kwargs"]["trigger"].removeprefix("schedule: ")
        selection = entry["kwargs"]["targets"] or list(graph.tasks)
        schedules.append(
            ScheduleRead(
                label=label,
                beat_entry=entry_name,
                tasks=selection,
                next_run_at=_minute(now + crontab.remaining_estimate(now)),
            )
        )
    tasks = [
        TaskDeclaration(
            name=task.name,
            celery_task=bound.task_name(task.name),
            description=task.description,
            depends_on=list(task.dependencies),
            retries=task.retries.describe(),
            ttl_seconds=(
                task.ttl.total_seconds() if task.ttl is not None and task.ttl != UNCHANGED else None
            ),
            keeps_while_unchanged=task.ttl is not None,
            has_inputs_version=task.inputs is not None,
            runs_on=task.runs_on.label if task.runs_on is not None else None,
            idempotent=task.idempotent,
            fingerprint=bound.fingerprints[task.name],
            level=level_of[task.name],
            last=last.get(task.name),
        )
        for task in graph.tasks.values()
    ]
    return GraphRead(
        name=graph.name,
        description=graph.description,
        tasks=tasks,
        edges=graph.edges,
        levels=levels,
        schedules=schedules,
        mermaid=to_mermaid(graph, last),
    )


def _minute(moment: datetime) -> datetime:
    """``moment`` to the nearest minute (beat's times are whole minutes; the estimate is off
    by the microseconds between two clock readings)."""
    return (moment + timedelta(seconds=30)).replace(second=0, microsecond=0)
