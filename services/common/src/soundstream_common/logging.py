"""Logging through loguru: JSON off a terminal, readable on one, rotating files on demand.

``configure_logging`` is called by each service's lifespan (and the admin CLI). Standard
library loggers (uvicorn, SQLAlchemy, alembic, httpx, ...) are routed into loguru so every line
shares the same format and carries the request id. Third-party libraries log at
``library_level`` (WARNING unless asked): their per-request chatter (httpcore writes six
DEBUG lines per upstream call) would otherwise outgrow everything else in ``app.log``.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

from soundstream_common.access_log import access_log
from soundstream_common.context import request_id_var

if TYPE_CHECKING:
    from loguru import Record

ROTATION = "10 MB"
APP_LOG_RETENTION = "7 days"
ERROR_LOG_RETENTION = "30 days"
ACCESS_LOG_RETENTION = "90 days"

HUMAN_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <7}</level> "
    "<cyan>{extra[service]}</cyan> <dim>{extra[request_id]}</dim> {message}"
)


class _InterceptHandler(logging.Handler):
    """Send standard-library log records to loguru."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(depth=6, exception=record.exc_info).log(level, record.getMessage())


def _patch(record: Record) -> None:
    record["extra"].setdefault("service", "-")
    record["extra"]["request_id"] = request_id_var.get() or record["extra"].get("request_id", "-")


def _json_line(record: Record) -> str:
    if _is_access(record):
        return "{extra[access_json]}"
    payload: dict[str, Any] = {
        "ts": record["time"].isoformat(),
        "level": record["level"].name,
        "message": record["message"],
        "logger": record["name"],
    }
    payload.update({k: v for k, v in record["extra"].items() if k != "json"})
    if record["exception"] is not None:
        exc = record["exception"]
        payload["exception"] = f"{exc.type.__name__ if exc.type else ''}: {exc.value}"
        # Inside the JSON object, so every line of a log stays one parseable JSON document.
        payload["traceback"] = "".join(
            traceback.format_exception(exc.type, exc.value, exc.traceback)
        )
    record["extra"]["json"] = json.dumps(payload, default=str, ensure_ascii=False)
    return "{extra[json]}\n"


def _is_access(record: Record) -> bool:
    """A batch of access lines (:mod:`soundstream_common.access_log`), written as it is."""
    return bool(record["extra"].get("access"))


def _human_line(record: Record) -> str:
    if _is_access(record):
        return "{extra[access_text]}"
    return HUMAN_FORMAT + "\n{exception}"


def _add_file_sinks(log_dir: Path) -> None:
    """app.log (DEBUG), errors.log (ERROR), access.log (one line per request); gzip on rotation."""
    log_dir.mkdir(parents=True, exist_ok=True)
    sinks: list[tuple[str, str, str, Callable[[Record], bool] | None]] = [
        ("app.log", "DEBUG", APP_LOG_RETENTION, lambda r: not _is_access(r)),
        ("errors.log", "ERROR", ERROR_LOG_RETENTION, None),
        ("access.log", "INFO", ACCESS_LOG_RETENTION, _is_access),
    ]
    for name, level, retention, keep in sinks:
        logger.add(
            log_dir / name,
            level=level,
            filter=keep,
            format=_json_line,
            rotation=ROTATION,
            retention=retention,
            compression="gz",
            encoding="utf-8",
            backtrace=False,
            diagnose=False,
        )


def configure_logging(
    *,
    service: str,
    level: str = "INFO",
    json_logs: bool | None = None,
    log_dir: Path | None = None,
    library_level: str = "WARNING",
) -> None:
    """(Re)configure the process-wide logger for ``service``."""
    use_json = (not sys.stderr.isatty()) if json_logs is None else json_logs
    logger.remove()
    logger.configure(extra={"service": service, "request_id": "-"}, patcher=_patch)
    logger.add(
        sys.stderr,
        level=level,
        format=_json_line if use_json else _human_line,
        colorize=not use_json,
        backtrace=False,
        diagnose=False,
    )
    if log_dir is not None:
        _add_file_sinks(log_dir)
    console_access = logger.level(level).no <= logger.level("INFO").no
    access_log.configure(
        service=service,
        json_lines=log_dir is not None or (use_json and console_access),
        text_lines=not use_json and console_access,
    )
    libraries = logger.level(library_level).no  # loguru's numbers are the standard ones
    logging.basicConfig(handlers=[_InterceptHandler()], level=libraries, force=True)
    # The server's start and stop lines are worth having at INFO whatever the libraries' level.
    for name in ("uvicorn", "uvicorn.error"):
        std = logging.getLogger(name)
        std.handlers = [_InterceptHandler()]
        std.propagate = False
        std.setLevel(min(logging.INFO, libraries))
    # Our middleware writes one access line per request; uvicorn's would duplicate it.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    logging.getLogger("uvicorn.access").disabled = True
