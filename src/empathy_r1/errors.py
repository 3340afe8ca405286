"""Errors a user can cause, and how they are shown: one line, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

__all__ = ["UserError"]


class UserError(Exception):
    """A mistake in a user's input (file, config, flag), shown as ``error: FILE:LINE: what``.

    Raise it wherever the problem is found; the CLI prints :meth:`line` and exits with 2.
    """

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.lineno = line

    def line(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.lineno}: " if self.lineno is not None else f"{self.file}: "
        return f"error: {where}{self.message}"

    def __str__(self) -> str:
        return self.line()
