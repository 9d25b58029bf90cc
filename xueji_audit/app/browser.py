"""Driving the apps in the Debian ``chromium`` browser with Playwright (no browser download):
for the browser tests, the speed benchmark and screenshots."""
from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import XuejiError

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
"""Flags for a closed network: no background connections, no sandbox (runs as root in CI)."""
VIEWPORT = {"width": 1366, "height": 768}


def chromium_path() -> str:
    """The system Chromium (Debian package ``chromium``)."""
    for path in CHROMIUM_PATHS:
        if Path(path).is_file():
            return path
    found = shutil.which("chromium")
    if found:
        return found
    raise XuejiError("找不到 Chromium 浏览器：请安装 Debian 软件包 chromium（make test 会自动安装）。")


def launch(playwright):
    """A headless Chromium browser from a ``sync_playwright()`` object."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                      args=list(CHROMIUM_ARGS))
