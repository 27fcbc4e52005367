"""Headless Chromium for the tests that look at pages in a real browser."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from soundstream_testing.prerequisites import missing_prerequisite

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def headless_chromium(width: int = 1400, height: int = 1000, *, offline: bool = False) -> Chrome:
    """Headless Chromium driven through its ChromeDriver. Missing, it fails the test under CI
    (which installs it) and skips it elsewhere, saying what to install. ``offline``: every
    host name fails to resolve, so only 127.0.0.1 is reachable, as on a machine without
    internet."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        missing_prerequisite(
            "headless Chromium and chromedriver are needed (apt: chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    if offline:
        options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    return webdriver.Chrome(service=Service(driver), options=options)
