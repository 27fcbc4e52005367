"""Scheduled work: task graphs as declared, their runs and each task's part in a run.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    JobGraph,
    JobRun,
    JobRunAccepted,
    JobSchedule,
    JobTask,
    JobTaskRun,
)
from soundstream.types._helpers import FINISHED_RUN_STATES

__all__ = [
    "FINISHED_RUN_STATES",
    "JobGraph",
    "JobRun",
    "JobRunAccepted",
    "JobSchedule",
    "JobTask",
    "JobTaskRun",
]
