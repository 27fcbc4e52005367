"""Console entry point ``dashboard``: serve the Streamlit app with the configured host and port."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from dashboard.config import Settings, get_settings

APP_FILE = Path(__file__).with_name("streamlit_app.py")


def streamlit_arguments(settings: Settings) -> list[str]:
    """The ``streamlit run`` arguments for these settings (headless, no usage statistics)."""
    return [
        "run",
        str(APP_FILE),
        "--server.port",
        str(settings.port),
        "--server.address",
        settings.host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--theme.base",
        "light",
        "--theme.primaryColor",
        "#d51007",
    ]


class OutlivesItsReader(io.TextIOWrapper):
    """A standard stream that goes quiet, instead of failing, once nobody reads it any more.

    Streamlit prints "Stopping..." from its SIGTERM handler; when the process reading our output
    (``soundstream-admin dev``) was killed, that print raises ``BrokenPipeError`` and the server
    never stops. Here the stream's descriptor is pointed at the null device instead.
    """

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            self._silence()
            return super().write(text)

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            self._silence()
            super().flush()

    def _silence(self) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, self.fileno())
        os.close(null)


def outliving_reader(stream: io.TextIOWrapper) -> OutlivesItsReader:
    return OutlivesItsReader(
        stream.buffer,
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
    )


def run() -> None:
    """Run the Streamlit server in this process, so signals reach it directly."""
    arguments = streamlit_arguments(get_settings())
    if isinstance(sys.stdout, io.TextIOWrapper) and isinstance(sys.stderr, io.TextIOWrapper):
        sys.stdout, sys.stderr = outliving_reader(sys.stdout), outliving_reader(sys.stderr)
    from streamlit.web.cli import main  # after the swap: Streamlit's log handlers take these

    sys.argv = ["streamlit", *arguments]
    main(prog_name="streamlit")
