"""When a task runs by itself: :class:`Daily`, :class:`Weekly`, :class:`Monthly` or
:data:`ON_DEMAND`, each turned into a Celery beat ``crontab`` (UTC).

``Monthly(day=31)`` follows cron: months without a 31st have no run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

from celery.schedules import crontab

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class ScheduleError(ValueError):
    """A schedule outside the clock or the calendar."""


def _check(value: int, low: int, high: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScheduleError(f"{what} must be an integer from {low} to {high}, not {value!r}")


class Schedule(ABC):
    """When a task runs by itself: its beat ``crontab``, or None (on demand only)."""

    @property
    @abstractmethod
    def label(self) -> str:
        """How people read it: ``daily 03:00 UTC``."""

    @abstractmethod
    def crontab(self) -> crontab | None:
        """The Celery beat schedule (UTC), None when the task never runs by itself."""

    @property
    def scheduled(self) -> bool:
        return self.crontab() is not None


@dataclass(frozen=True)
class OnDemand(Schedule):
    """Never by itself: only when a run is started by hand (API, CLI, dashboard)."""

    @property
    def label(self) -> str:
        return "on demand"

    def crontab(self) -> None:
        return None


ON_DEMAND = OnDemand()


@dataclass(frozen=True)
class Daily(Schedule):
    hour: int = 0
    minute: int = 0

    def __post_init__(self) -> None:
        _check(self.hour, 0, 23, "hour")
        _check(self.minute, 0, 59, "minute")

    @property
    def label(self) -> str:
        return f"daily {self.hour:02d}:{self.minute:02d} UTC"

    def crontab(self) -> crontab:
        return crontab(minute=self.minute, hour=self.hour)


@dataclass(frozen=True)
class Weekly(Schedule):
    day: Weekday = "monday"
    hour: int = 0
    minute: int = 0

    def __post_init__(self) -> None:
        if self.day not in WEEKDAYS:
            raise ScheduleError(f"day must be one of {', '.join(WEEKDAYS)}, not {self.day!r}")
        _check(self.hour, 0, 23, "hour")
        _check(self.minute, 0, 59, "minute")

    @property
    def label(self) -> str:
        return f"weekly {self.day} {self.hour:02d}:{self.minute:02d} UTC"

    def crontab(self) -> crontab:
        return crontab(minute=self.minute, hour=self.hour, day_of_week=self.day[:3])


@dataclass(frozen=True)
class Monthly(Schedule):
    day: int = 1
    hour: int = 0
    minute: int = 0

    def __post_init__(self) -> None:
        _check(self.day, 1, 31, "day")
        _check(self.hour, 0, 23, "hour")
        _check(self.minute, 0, 59, "minute")

    @property
    def label(self) -> str:
        return f"monthly day {self.day} {self.hour:02d}:{self.minute:02d} UTC"

    def crontab(self) -> crontab:
        return crontab(minute=self.minute, hour=self.hour, day_of_month=self.day)
