"""Declaring a task graph: :class:`Task`, :class:`Retry` and :class:`Graph`.

A task is a function of a :class:`~soundstream_taskgraph.context.TaskContext` returning a small
JSON object (paths, counts, versions: never the data itself), with everything the machinery
needs to run, skip, retry, schedule and draw it::

    graph = Graph("analytics.daily", [
        Task("extract", extract, inputs=yesterday, ttl=UNCHANGED, runs_on=Daily(2, 0)),
        Task("views", build_views, depends_on=["extract"], ttl=UNCHANGED),
    ])

The graph is validated when it is built (names, unknown dependencies, cycles), so a broken
declaration fails at import, not at 3 a.m.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from soundstream_taskgraph.schedules import Schedule

if TYPE_CHECKING:
    from soundstream_taskgraph.context import TaskContext

TASK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
GRAPH_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

UNCHANGED = timedelta.max
"""A TTL that never elapses: the result is kept for as long as the task's definition and
inputs are unchanged ("unchanged since run X")."""

Output = Mapping[str, Any] | None
TaskFunction = Callable[["TaskContext"], Output]
InputsVersion = Callable[[Mapping[str, Any]], str | None]
ResultCheck = Callable[[Mapping[str, Any]], bool]


class GraphDeclarationError(ValueError):
    """The declaration is not a valid graph (a bad name, an unknown dependency, a cycle)."""


@dataclass(frozen=True)
class Retry:
    """Which errors are retried, how often, and how long to wait in between.

    Only the exception types in ``on`` (and their subclasses) are retried: transient failures
    such as a dependency that is down. Anything else (bad input, a bug) fails the task at once.
    The wait before retry ``n`` (1-based) is drawn uniformly from ``[0, min(backoff_max,
    backoff * 2 ** (n - 1))]`` with ``jitter`` (Celery's full jitter), else exactly that bound.
    """

    on: tuple[type[BaseException], ...] = ()
    max_retries: int = 3
    backoff: float = 2.0
    backoff_max: float = 60.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.backoff < 0 or self.backoff_max < 0:
            raise GraphDeclarationError("retry counts and waits cannot be negative")

    def celery_options(self) -> dict[str, Any]:
        """The Celery task options of this policy (``autoretry_for`` and its companions)."""
        if not self.on:
            return {"max_retries": 0}
        return {
            "autoretry_for": self.on,
            "max_retries": self.max_retries,
            "retry_backoff": self.backoff,
            "retry_backoff_max": self.backoff_max,
            "retry_jitter": self.jitter,
        }

    def describe(self) -> str:
        if not self.on:
            return "no retries"
        names = ", ".join(error.__name__ for error in self.on)
        return f"up to {self.max_retries} retries on {names} (backoff {self.backoff:g} s)"


NO_RETRY = Retry()


@dataclass(frozen=True)
class Task:
    """One step of a graph.

    - ``run``: the function; it receives the run's :class:`TaskContext` (its ``params``, the
      outputs of its dependencies) and returns a JSON object (or None).
    - ``depends_on``: names of the tasks whose results it reads; it starts after they finish.
    - ``params``: JSON values the function reads from ``ctx.params``. They are part of the
      definition: a changed parameter runs the task again.
    - ``retries``: the :class:`Retry` policy (none by default).
    - ``ttl``: how long a successful result may be reused while the definition and the inputs
      are unchanged; :data:`UNCHANGED` = for as long as they are; None = never (the task runs
      in every run that includes it).
    - ``inputs``: a cheap function of ``params`` giving the version of the data the task reads
      from outside the graph (a data set's ETag, a date); a new version runs it again.
    - ``runs_on``: a :mod:`schedule <soundstream_taskgraph.schedules>` (Celery beat sends a run
      of this task and what it depends on); None = only with the tasks it follows or on demand.
    - ``code``: further functions or modules whose source is part of the definition (what the
      function calls that may change its result).
    - ``available``: whether a previous result (its output) can still be used, e.g. its
      files still exist; a result that is gone is made again.
    - ``idempotent``: running it twice gives the same result, so its message is acknowledged
      late and redelivered when a worker dies mid-task.
    """

    name: str
    run: TaskFunction
    depends_on: tuple[str, ...] | list[str] = ()
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    retries: Retry = NO_RETRY
    ttl: timedelta | None = None
    inputs: InputsVersion | None = None
    runs_on: Schedule | None = None
    code: tuple[object, ...] = ()
    available: ResultCheck | None = None
    idempotent: bool = False
    soft_time_limit: float | None = None
    time_limit: float | None = None

    def __post_init__(self) -> None:
        if not TASK_NAME.match(self.name):
            raise GraphDeclarationError(
                f"task name {self.name!r}: lower-case letters, digits and '_', up to 63"
            )
        object.__setattr__(self, "depends_on", tuple(self.depends_on))
        if len(set(self.depends_on)) != len(self.depends_on):
            raise GraphDeclarationError(f"task {self.name!r} names a dependency twice")
        if self.name in self.depends_on:
            raise GraphDeclarationError(f"task {self.name!r} depends on itself")
        if self.ttl is not None and self.ttl < timedelta(0):
            raise GraphDeclarationError(f"task {self.name!r}: a TTL cannot be negative")

    @property
    def dependencies(self) -> tuple[str, ...]:
        return tuple(self.depends_on)


class Graph:
    """A named, validated set of tasks (a DAG)."""

    def __init__(self, name: str, tasks: Iterable[Task], *, description: str = "") -> None:
        if not GRAPH_NAME.match(name):
            raise GraphDeclarationError(
                f"graph name {name!r}: dotted lower-case words, the service first "
                "(e.g. 'recommender.training')"
            )
        self.name = name
        self.description = description
        self.tasks: dict[str, Task] = {}
        for task in tasks:
            if task.name in self.tasks:
                raise GraphDeclarationError(f"task {task.name!r} is declared twice")
            self.tasks[task.name] = task
        if not self.tasks:
            raise GraphDeclarationError(f"graph {name!r} has no tasks")
        for task in self.tasks.values():
            unknown = [d for d in task.dependencies if d not in self.tasks]
            if unknown:
                raise GraphDeclarationError(f"task {task.name!r} depends on unknown {unknown}")
        self._check_acyclic()

    @property
    def service(self) -> str:
        """The service that owns the graph (the first part of its name)."""
        return self.name.split(".", 1)[0]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """``(dependency, task)`` pairs in declaration order."""
        return [(dep, task.name) for task in self.tasks.values() for dep in task.dependencies]

    def _check_acyclic(self) -> None:
        state: dict[str, int] = {}

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = [*path[path.index(name) :], name]
                raise GraphDeclarationError(f"cycle: {' -> '.join(cycle)}")
            state[name] = 1
            for dep in self.tasks[name].dependencies:
                visit(dep, [*path, name])
            state[name] = 2

        for name in self.tasks:
            visit(name, [])

    @cached_property
    def _depth(self) -> dict[str, int]:
        depth: dict[str, int] = {}

        def of(name: str) -> int:
            if name not in depth:
                deps = self.tasks[name].dependencies
                depth[name] = 1 + max((of(d) for d in deps), default=-1)
            return depth[name]

        for name in self.tasks:
            of(name)
        return depth

    def levels(self, selection: Iterable[str] | None = None) -> list[list[str]]:
        """Tasks grouped by level (longest path from a root), in declaration order: the tasks
        of one level depend only on earlier levels, so they run in parallel."""
        chosen = set(self.tasks if selection is None else selection)
        grouped: dict[int, list[str]] = {}
        for name in self.tasks:
            if name in chosen:
                grouped.setdefault(self._depth[name], []).append(name)
        return [grouped[level] for level in sorted(grouped)]

    def ancestors(self, name: str) -> set[str]:
        found: set[str] = set()
        pending = list(self.tasks[name].dependencies)
        while pending:
            dep = pending.pop()
            if dep not in found:
                found.add(dep)
                pending.extend(self.tasks[dep].dependencies)
        return found

    def descendants(self, name: str) -> set[str]:
        return {other for other in self.tasks if name in self.ancestors(other)}

    def selection(self, targets: Iterable[str] | None = None) -> list[str]:
        """The tasks a run of ``targets`` includes: the targets and everything they depend on
        (in declaration order); every task when ``targets`` is None."""
        if targets is None:
            return list(self.tasks)
        wanted: set[str] = set()
        for target in targets:
            if target not in self.tasks:
                raise GraphDeclarationError(f"graph {self.name!r} has no task {target!r}")
            wanted |= {target, *self.ancestors(target)}
        return [name for name in self.tasks if name in wanted]

    def scheduled(self) -> dict[Schedule, list[str]]:
        """Each schedule and the tasks a scheduled run includes: the tasks declared with it,
        the tasks that follow them without a schedule of their own, and their dependencies."""
        by_schedule: dict[Schedule, set[str]] = {}
        for task in self.tasks.values():
            if task.runs_on is not None and task.runs_on.scheduled:
                by_schedule.setdefault(task.runs_on, set()).add(task.name)
        result: dict[Schedule, list[str]] = {}
        for schedule, targets in by_schedule.items():
            followers = {
                follower
                for target in targets
                for follower in self.descendants(target)
                if self.tasks[follower].runs_on is None
            }
            result[schedule] = self.selection(targets | followers)
        return result
