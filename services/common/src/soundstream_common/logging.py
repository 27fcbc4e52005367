"""Logging through loguru: JSON off a terminal, readable on one, rotating files on demand.

``configure_logging`` is called by each service's lifespan (and the admin CLI). Standard
library loggers (uvicorn, SQLAlchemy, alembic, httpx, ...) are routed into loguru so every line
shares the same format and carries the request id. Third-party libraries log at
``library_level`` (WARNING unless asked): their per-request chatter (httpcore writes six
DEBUG lines per upstream call) would otherwise outgrow everything else in ``app.log``.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

from soundstream_common.access_log import access_log
from soundstream_common.context import request_id_var

if TYPE_CHECKING:
    from loguru import Record

ROTATION = "10 MB"
APP_LOG_RETENTION = timedelta(days=7)
ERROR_LOG_RETENTION = timedelta(days=30)
ACCESS_LOG_RETENTION = timedelta(days=90)

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


def _gzip(path: Path) -> None:
    """``path`` compressed beside it as ``<path>.gz`` (whole or not at all), then removed."""
    target = path.with_name(path.name + ".gz")
    partial = target.with_name(target.name + ".part")
    with path.open("rb") as source, gzip.open(partial, "wb", compresslevel=6) as sink:
        shutil.copyfileobj(source, sink, 1 << 20)
    partial.replace(target)
    path.unlink()


def _prune(log: Path, retention: timedelta) -> None:
    """Rotated copies of ``log`` (``access.<time>.log.gz``) last written over ``retention`` ago."""
    oldest = time.time() - retention.total_seconds()
    for rotated in log.parent.glob(f"{log.stem}.*{log.suffix}.gz"):
        with contextlib.suppress(FileNotFoundError):
            if rotated.stat().st_mtime < oldest:
                rotated.unlink()


def _after_rotation(log: Path, retention: timedelta, rotated: str) -> None:
    _gzip(Path(rotated))
    _prune(log, retention)


def compress_in_background(log: Path, retention: timedelta) -> Callable[[str], None]:
    """What happens to a rotated copy of ``log``: compressed, then the copies older than
    ``retention`` removed, on a thread of its own. Compressing 10 MB takes a few hundred
    milliseconds: done by the thread that rotated, it stalled a service's event loop for as
    long (a latency spike for every request in flight). The thread is not a daemon, so a
    stopping process finishes the file first."""

    def start(rotated: str) -> None:
        threading.Thread(
            target=_after_rotation, args=(log, retention, rotated), name="log-compression"
        ).start()

    return start


def _add_file_sinks(log_dir: Path) -> None:
    """app.log (DEBUG), errors.log (ERROR), access.log (one line per request); gzip on rotation,
    off the logging thread."""
    log_dir.mkdir(parents=True, exist_ok=True)
    sinks: list[tuple[str, str, timedelta, Callable[[Record], bool] | None]] = [
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
            compression=compress_in_background(log_dir / name, retention),
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
