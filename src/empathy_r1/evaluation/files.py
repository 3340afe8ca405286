"""Reading JSONL and writing results for the evaluation verbs.

Every mistake in a user's file is a :class:`~empathy_r1.errors.UserError` naming the file and
line; every result is written atomically (a temporary file renamed into place), so a failed run
never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1.errors import UserError

__all__ = ["Line", "load_metric_pairs", "read_json", "read_jsonl", "write_bytes", "write_json", "write_text"]


@dataclass(frozen=True)
class Line:
    """One JSON object from a JSONL file, with where it came from."""

    file: Path
    lineno: int
    obj: dict[str, Any]

    def fail(self, message: str) -> UserError:
        return UserError(message, self.file, self.lineno)


def _read_text(path: Path) -> str:
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


def read_jsonl(path: str | Path) -> list[Line]:
    """All non-blank lines of a JSONL file (``-``: standard input), each a JSON object."""
    text = _read_text(Path(path))
    path = Path("<stdin>") if str(path) == "-" else Path(path)
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"invalid JSON: {e.msg} (column {e.colno})", path, i) from None
        except RecursionError:
            raise UserError("JSON nested too deeply", path, i) from None
        if not isinstance(obj, dict):
            raise UserError(f"expected a JSON object, got {type(obj).__name__}", path, i)
        out.append(Line(path, i, obj))
    return out


def read_json(path: str | Path) -> Any:
    """One JSON document."""
    path = Path(path)
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise UserError(f"invalid JSON: {e.msg}", path, e.lineno) from None


def write_text(path: str | Path, text: str) -> None:
    """Write a file atomically: readers see the old file or the whole new one."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically: readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _id_of(line: Line) -> str:
    if "id" not in line.obj:
        raise line.fail('missing "id"')
    value = line.obj["id"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise line.fail(f'"id" must be a string or an integer, got {value!r}')
    return str(value)


def _by_id(lines: list[Line]) -> dict[str, Line]:
    seen: dict[str, Line] = {}
    for line in lines:
        key = _id_of(line)
        if key in seen:
            raise line.fail(f"duplicate id {key!r} (first on line {seen[key].lineno})")
        seen[key] = line
    return seen


def load_metric_pairs(
    predictions: str | Path, references: str | Path, allow_missing: bool = False
) -> tuple[list[str], list[str], list[list[str]], dict[str, int]]:
    """Pair ``{"id", "prediction"}`` lines with ``{"id", "references": [...]}`` lines by id.

    Returns ids (in the predictions file's order), predictions, reference lists and counts of ids
    found on one side only. Such ids are an error unless ``allow_missing``.
    """
    preds = _by_id(read_jsonl(predictions))
    refs = _by_id(read_jsonl(references))
    for line in preds.values():
        if not isinstance(line.obj.get("prediction"), str):
            raise line.fail('"prediction" must be a string')
    for line in refs.values():
        value = line.obj.get("references")
        if not isinstance(value, list) or not value or not all(isinstance(r, str) for r in value):
            raise line.fail('"references" must be a non-empty list of strings')
    only_pred = [k for k in preds if k not in refs]
    only_ref = [k for k in refs if k not in preds]
    if not allow_missing:
        if only_pred:
            line = preds[only_pred[0]]
            raise line.fail(
                f"id {only_pred[0]!r} has no references in {references} ({len(only_pred)} such ids; --allow-missing skips them)"
            )
        if only_ref:
            line = refs[only_ref[0]]
            raise line.fail(f"id {only_ref[0]!r} has no prediction in {predictions} ({len(only_ref)} such ids; --allow-missing skips them)")
    ids = [k for k in preds if k in refs]
    if not ids:
        raise UserError(f"no id is in both {predictions} and {references}")
    return (
        ids,
        [preds[k].obj["prediction"] for k in ids],
        [list(refs[k].obj["references"]) for k in ids],
        {"only_predictions": len(only_pred), "only_references": len(only_ref)},
    )
