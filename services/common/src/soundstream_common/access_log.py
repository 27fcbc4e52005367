"""The access log: one line per request, rendered at once and written in batches.

A request's line costs a dictionary and an ``orjson.dumps`` (a microsecond or two) instead of a
logger record per request (record, patcher, formatter and a flushed write: three to four times
as much, a large part of a cached read). The lines are handed to the logger together, as one
record, when :data:`BATCH_LINES` have gathered or :data:`FLUSH_SECONDS` after the first of them,
and when the service stops — the way nginx buffers its ``access_log``. The logger's sinks
write such a record as it is (see :mod:`soundstream_common.logging`): the console, and
``access.log`` with its rotation, retention and compression. A process killed outright loses
at most the lines of its last :data:`FLUSH_SECONDS`.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from datetime import datetime

import orjson
from loguru import logger

BATCH_LINES = 256
FLUSH_SECONDS = 0.2


class AccessLog:
    """Collects the access lines of this process (one instance, configured with the logger)."""

    def __init__(self) -> None:
        self.service = "-"
        self.json_lines = True
        self.text_lines = False
        self._lines: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._flush_scheduled = False

    def configure(self, *, service: str, json_lines: bool, text_lines: bool) -> None:
        """Which renderings the sinks need: JSON (JSON console, log files), text (a terminal)."""
        self.flush()
        self.service, self.json_lines, self.text_lines = service, json_lines, text_lines

    def record(
        self,
        *,
        method: str,
        path: str,
        query: str,
        status: int,
        latency_ms: float,
        client: str,
        request_id: str,
    ) -> None:
        """Add one request's line; it is written with the next batch."""
        if not (self.json_lines or self.text_lines):
            return
        now = datetime.now().astimezone()
        message = f"{method} {path}{'?' + query if query else ''} {status} {latency_ms:.1f}ms"
        json_line = text_line = ""
        if self.json_lines:
            json_line = orjson.dumps(
                {
                    "ts": now.isoformat(),
                    "level": "INFO",
                    "message": message,
                    "logger": __name__,
                    "service": self.service,
                    "request_id": request_id,
                    "access": True,
                    "method": method,
                    "path": path,
                    "status": status,
                    "latency_ms": round(latency_ms, 2),
                    "client": client,
                }
            ).decode()
        if self.text_lines:
            text_line = f"{now:%H:%M:%S}.{now.microsecond // 1000:03d} INFO    {self.service} "
            text_line += f"{request_id} {message}"
        with self._lock:
            self._lines.append((json_line, text_line))
            full = len(self._lines) >= BATCH_LINES
            schedule = not full and not self._flush_scheduled
            if schedule:
                self._flush_scheduled = True
        if full:
            self.flush()
        elif schedule:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        try:
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
        except RuntimeError:  # no event loop in this thread: write at once
            self.flush()

    def flush(self) -> None:
        """Hand every gathered line to the logger's sinks, as one record."""
        with self._lock:
            lines, self._lines = self._lines, []
            self._flush_scheduled = False
        if lines:
            logger.bind(
                access=True,
                access_json="".join(f"{json_line}\n" for json_line, _ in lines),
                access_text="".join(f"{text_line}\n" for _, text_line in lines),
            ).info("{} access lines", len(lines))


access_log = AccessLog()
atexit.register(access_log.flush)
