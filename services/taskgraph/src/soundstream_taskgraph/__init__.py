"""Declarative task graphs on Celery: declared once, run as a canvas, scheduled by beat,
recorded in the owning service's database and drawn with Graphviz (see docs/jobs.md)."""

from soundstream_taskgraph.api import Jobs, jobs_router, start_run
from soundstream_taskgraph.celery_setup import (
    configure_celery,
    install_beat_schedule,
    run_beat,
    start_watchdog,
)
from soundstream_taskgraph.context import RunAbandonedError, TaskContext
from soundstream_taskgraph.decide import Reason
from soundstream_taskgraph.declare import (
    NO_RETRY,
    UNCHANGED,
    Graph,
    GraphDeclarationError,
    Retry,
    Task,
)
from soundstream_taskgraph.history import RunBusyError, RunHistory
from soundstream_taskgraph.records import RunRead, TaskRunRead
from soundstream_taskgraph.render import ExportFormat, export
from soundstream_taskgraph.runtime import BoundGraph
from soundstream_taskgraph.schedules import ON_DEMAND, Daily, Monthly, Schedule, Weekly
from soundstream_taskgraph.service import ServiceGraph, bind_service_graph
from soundstream_taskgraph.tables import HistoryTables, RunState, TaskState, history_tables
from soundstream_taskgraph.transitions import Liveness

__all__ = [
    "NO_RETRY",
    "ON_DEMAND",
    "UNCHANGED",
    "BoundGraph",
    "Daily",
    "ExportFormat",
    "Graph",
    "GraphDeclarationError",
    "HistoryTables",
    "Jobs",
    "Liveness",
    "Monthly",
    "Reason",
    "Retry",
    "RunAbandonedError",
    "RunBusyError",
    "RunHistory",
    "RunRead",
    "RunState",
    "Schedule",
    "ServiceGraph",
    "Task",
    "TaskContext",
    "TaskRunRead",
    "TaskState",
    "Weekly",
    "bind_service_graph",
    "configure_celery",
    "export",
    "history_tables",
    "install_beat_schedule",
    "jobs_router",
    "run_beat",
    "start_run",
    "start_watchdog",
]
