"""Console entry point ``dashboard``: serve the Streamlit app with the configured host and port."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dashboard.config import Settings, get_settings

APP_FILE = Path(__file__).with_name("streamlit_app.py")


def streamlit_command(settings: Settings) -> list[str]:
    """The ``streamlit run`` command line for these settings (headless, no usage statistics)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
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


def run() -> None:
    """Replace this process with the Streamlit server, so signals reach it directly."""
    command = streamlit_command(get_settings())
    os.execv(command[0], command)
