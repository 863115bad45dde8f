"""The errors converter reports to people: one line each, naming the file and the problem."""

from __future__ import annotations


class ConverterError(Exception):
    """An expected failure with a message fit to show as it is (never a traceback)."""

    exit_code = 1

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class InputError(ConverterError):
    """The source cannot be read: empty, binary, undecodable, malformed, too large."""


class OutputError(ConverterError):
    """An output could not be produced or written."""


class DependencyError(ConverterError):
    """A system component an operation needs (liblouis, Java, Chromium) is missing."""


class UsageError(ConverterError):
    """The request itself is wrong: unknown format, bad option, clashing names."""

    exit_code = 2
