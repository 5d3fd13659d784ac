"""Errors that reach the user as a message and an exit code, never as a traceback.

Exit codes (shared by every command):
    0  success, or the data conforms
    1  the data does not conform, or a build failed on bad data
    2  usage error or unreadable input
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


class NmdkgError(Exception):
    """Base class: carries the exit code the command line should return."""

    exit_code = EXIT_USAGE


class InputError(NmdkgError):
    """Input that cannot be read at all: a missing file, a syntax error, a bad option value."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Problem:
    """One defect in a curated table, located by file, line and column."""

    path: Path
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{_display(self.path)}:{self.line}"
        if self.column:
            where += f": column '{self.column}'"
        return f"{where}: {self.reason}"


class DataError(NmdkgError):
    """Bad data: one or more problems, each naming the file, line and column at fault."""

    exit_code = EXIT_DATA

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.column or ""))
        super().__init__("\n".join(str(p) for p in self.problems))


def _display(path: Path) -> str:
    """A path relative to the working directory when possible, so messages name no machine paths."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name if path.is_absolute() else str(path)
