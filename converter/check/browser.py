"""Headless Chromium for checks and previews: Debian's /usr/bin/chromium driven by Playwright."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
from pathlib import Path
from typing import Any

from converter.errors import DependencyError

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's own browser download fails here; these flags keep Chromium quiet on a closed
# network (its background connections fail otherwise) and let it run as root.
FLAGS = (
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


def executable() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


def missing() -> str | None:
    """Why a browser cannot start here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed (pip install converter[validators])"
    if executable() is None:
        return "chromium is not installed (apt-get install chromium)"
    return None


def launch_arguments() -> list[str]:
    flags = list(FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to sandbox as root
    return flags


class Browser:
    """One Chromium process; new_page() gives a page with every network request refused."""

    def __init__(self) -> None:
        reason = missing()
        if reason:
            raise DependencyError(f"no browser: {reason}")
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(executable()), args=launch_arguments()
        )

    def new_context(self, **options: Any) -> Any:
        """A browser context with network access as given (the service tests load pages
        from a loopback server); one Playwright per process, so callers share this one."""
        return self._browser.new_context(**options)

    def new_page(self) -> Any:
        context = self._browser.new_context(java_script_enabled=True, offline=True)
        page = context.new_page()
        page.route("**/*", lambda route: route.abort())  # nothing is fetched from anywhere
        return page

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()


@functools.cache
def browser() -> Browser:
    """The process's one browser, started on first use and closed at exit."""
    started = Browser()
    atexit.register(started.close)
    return started
