"""File IO for every package: atomic writes, JSON/JSONL reading and writing, append-only logs.

One home for the glue that used to be copied from module to module. Two promises:

* A mistake in a user's file or path is a :class:`~empathy_r1.errors.UserError` naming the file
  (and the line, for JSONL), never a traceback: bad JSON, JSON nested too deeply, a missing file,
  a directory where a file was expected, a path that cannot be written (``/proc/x``).
* Every write is atomic (a temporary file beside the target, renamed into place), so a failed or
  killed run never leaves half a file behind.

Imports nothing else from the package but :mod:`empathy_r1.errors`, so any subpackage may use it.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_jsonl(d / "a.jsonl", [{"id": 1}, {"id": 2}])
>>> [line.obj["id"] for line in read_jsonl(d / "a.jsonl")]
[1, 2]
>>> append_jsonl(d / "a.jsonl", {"id": 3})
>>> [line.lineno for line in read_jsonl(d / "a.jsonl")]
[1, 2, 3]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1.errors import UserError

__all__ = [
    "Line",
    "append_jsonl",
    "atomic_dir",
    "parse_json",
    "read_json",
    "read_jsonl",
    "read_log",
    "read_text",
    "write_bytes",
    "write_json",
    "write_jsonl",
    "write_text",
]


@dataclass(frozen=True)
class Line:
    """One JSON object from a JSONL file, with where it came from."""

    file: Path
    lineno: int
    obj: dict[str, Any]

    def fail(self, message: str) -> UserError:
        return UserError(message, self.file, self.lineno)


def read_text(path: str | Path) -> str:
    """A UTF-8 text file (``-``: standard input); a missing file or a directory is a UserError."""
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("no such file", path) from None
    except IsADirectoryError:
        raise UserError("is a directory, expected a file", path) from None
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text", path) from None
    except OSError as e:
        raise UserError(f"cannot read: {e.strerror}", path) from None


def parse_json(text: str, path: str | Path | None = None, lineno: int | None = None) -> Any:
    """``json.loads`` whose failures (bad syntax, nesting too deep for Python) name FILE:LINE.

    >>> parse_json("[" * 100_000 + "]" * 100_000, "x.jsonl", 3)
    Traceback (most recent call last):
    ...
    empathy_r1.errors.UserError: error: x.jsonl:3: JSON nested too deeply
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        line = lineno if lineno is not None else e.lineno
        raise UserError(f"invalid JSON: {e.msg} (column {e.colno})", path, line) from None
    except RecursionError:
        raise UserError("JSON nested too deeply", path, lineno) from None


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield i, line


def read_jsonl(path: str | Path) -> list[Line]:
    """All non-blank lines of a JSONL file (``-``: standard input), each a JSON object."""
    text = read_text(path)
    where = Path("<stdin>") if str(path) == "-" else Path(path)
    out = []
    for i, line in _numbered_lines(text):
        obj = parse_json(line, where, i)
        if not isinstance(obj, dict):
            raise UserError(f"expected a JSON object, got {type(obj).__name__}", where, i)
        out.append(Line(where, i, obj))
    return out


def read_json(path: str | Path) -> Any:
    """One JSON document."""
    return parse_json(read_text(path), path)


def _writable(path: Path) -> None:
    if path.is_dir():
        raise UserError("is a directory; give a file path", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create its directory: {e.strerror}", path) from None


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically: readers see the old file or the whole new one."""
    path = Path(path)
    _writable(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise UserError(f"cannot write: {e.strerror}", path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write: {e.strerror}", path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically (UTF-8)."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, obj: Any, indent: int | None = 2) -> None:
    """Write one JSON document atomically, non-ASCII kept as is."""
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> None:
    """Write one JSON object per line, atomically."""
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def append_jsonl(path: str | Path, record: dict[str, Any]) -> None:
    """Append one JSON line to an append-only log (a cache, a review log) and close the file.

    A line is written whole with one ``write`` call, so a killed process leaves at most one torn
    last line, which :func:`read_log` skips.
    """
    path = Path(path)
    _writable(path)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        with path.open("a", encoding="utf-8") as f:
            f.write(line)
    except OSError as e:
        raise UserError(f"cannot append: {e.strerror}", path) from None


def read_log(path: str | Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of an append-only log, in order; a missing file is empty, torn lines are skipped."""
    path = Path(path)
    if not path.exists():
        return
    for _, line in _numbered_lines(read_text(path)):
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(obj, dict):
            yield obj


@contextlib.contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Build a directory under a temporary name and rename it into place when the block succeeds.

    ``path`` must not exist or be an empty directory; on any failure nothing is left behind.
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UserError("output already exists and is not an empty directory; choose another", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as e:
        raise UserError(f"cannot create: {e.strerror}", path) from None
    try:
        yield tmp
        if path.exists():
            path.rmdir()
        tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
