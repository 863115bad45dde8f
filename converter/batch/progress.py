"""Batch progress: a bar redrawn in place on a terminal, plain log lines otherwise."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

import click


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """Documents done and failed, the rate and the time left, on standard error.

    On a terminal one line is redrawn at most ten times a second; elsewhere (a log file,
    cron) a plain line is written every ``log_every`` seconds, and each failure on its own line.
    """

    def __init__(
        self, stream: TextIO | None = None, *, tty: bool | None = None, log_every: float = 10.0
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.log_every = log_every
        self.total = 0
        self.done = 0
        self.failed = 0
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False

    def start(self, total: int, skipped: int, workers: int, where: str) -> None:
        self.total, self.started = total, time.monotonic()
        self.line(
            f"{total} document(s) to convert, {skipped} output(s) unchanged and skipped; "
            f"{workers} worker(s) ({where})"
        )

    def advance(self, failed: bool, message: str | None = None) -> None:
        self.done += 1
        self.failed += failed
        if message:
            self.line(message)
        now = time.monotonic()
        if self.tty:
            if now - self._last_draw >= 0.1 or self.done == self.total:
                self._draw(now)
        elif now - self._last_draw >= self.log_every:
            self._last_draw = now
            self.line(self.status(now))

    def status(self, now: float | None = None) -> str:
        elapsed = (now or time.monotonic()) - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"{self.done}/{self.total} documents, {self.failed} failed, "
            f"{rate:.1f}/s, {_duration(elapsed)} elapsed, {_duration(left)} left"
        )

    def _draw(self, now: float) -> None:
        self._last_draw = now
        status = self.status(now)
        width = shutil.get_terminal_size((80, 20)).columns
        room = max(10, min(40, width - len(status) - 4))
        filled = int(room * self.done / self.total) if self.total else room
        bar = "#" * filled + "-" * (room - filled)
        click.echo(f"\r[{bar}] {status}"[: width - 1], file=self.stream, nl=False)
        self._drawn = True

    def line(self, text: str) -> None:
        """A line of its own (on a terminal, above the bar)."""
        if self.tty and self._drawn:
            click.echo("\r\x1b[K", file=self.stream, nl=False)
        click.echo(text, file=self.stream)
        if self.tty and self._drawn and self.done < self.total:
            self._draw(time.monotonic())

    def finish(self) -> None:
        if self.tty and self._drawn:
            click.echo("", file=self.stream)
            self._drawn = False
