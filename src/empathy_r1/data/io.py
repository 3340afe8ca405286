"""Reading corpora into canonical records (writing JSONL is :func:`empathy_r1.io.write_jsonl`).

Formats:

* ``canonical``: one canonical record per line (see :mod:`empathy_r1.data.schema`).
* ``psyqa``: PsyQA's JSON list of ``{questionID, question, description, keywords, answers}``
  (a JSONL file of such objects is accepted too).
* ``csv`` / ``jsonl``: any table, with a column mapping such as ``post=body,answers=reply``.

Every problem is a :class:`UserError` naming file and line. With ``skip_invalid`` a bad record
is skipped and counted under its reason instead; problems with the whole file (empty, a JSON
array where lines were expected, unparseable PsyQA JSON) stop the run either way.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from empathy_r1.data.schema import RecordError, check_record
from empathy_r1.errors import UserError
from empathy_r1.io import parse_json

__all__ = ["FORMATS", "MAPPABLE", "parse_mapping", "read_records"]

FORMATS = ("canonical", "psyqa", "csv", "jsonl")

#: Canonical fields a ``--map`` may name.
MAPPABLE = ("id", "source", "topic", "subtopic", "title", "post", "answers")


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"post=body,answers=reply1+reply2"`` -> ``{"post": "body", "answers": "reply1+reply2"}``.

    >>> parse_mapping("post=body, title=subject")
    {'post': 'body', 'title': 'subject'}
    """
    mapping: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise UserError(f"--map item {item.strip()!r} must look like field=column")
        if field not in MAPPABLE:
            raise UserError(f"--map names unknown field {field!r}; choose from {', '.join(MAPPABLE)}")
        mapping[field] = column
    return mapping


def _decoded_lines(path: Path, skip_invalid: bool, skipped: Counter[str]) -> list[tuple[int, str]]:
    """(line number, text) for each non-blank line; NUL bytes and bad UTF-8 are errors."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError("no such file", path) from None
    except IsADirectoryError:
        raise UserError("is a directory, expected a file", path) from None
    if not data.strip():
        raise UserError("empty file", path, 1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out: list[tuple[int, str]] = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        problem = None
        if b"\x00" in raw:
            problem = ("binary", "binary data (NUL byte), expected UTF-8 text")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                problem = ("not_utf8", f"not UTF-8 text (byte 0x{raw[e.start]:02x} at column {e.start + 1})")
        if problem:
            if not skip_invalid:
                raise UserError(problem[1], path, lineno)
            skipped[problem[0]] += 1
            continue
        if text.strip():
            out.append((lineno, text.rstrip("\r")))
    if not out:
        raise UserError("no readable lines", path, 1)
    return out


def _json_lines(path: Path, lines: list[tuple[int, str]], skip_invalid: bool, skipped: Counter[str]) -> Iterator[tuple[int, Any]]:
    first = lines[0][1].lstrip()
    if first.startswith("["):
        raise UserError(
            "found a JSON array; expected one JSON object per line (JSONL) - for a PsyQA list use --format psyqa", path, lines[0][0]
        )
    for lineno, text in lines:
        try:
            obj = parse_json(text, path, lineno)
        except UserError:
            if not skip_invalid:
                raise
            skipped["invalid_json"] += 1
            continue
        yield lineno, obj


def _psyqa_objects(path: Path, lines: list[tuple[int, str]], skip_invalid: bool, skipped: Counter[str]) -> Iterator[tuple[int, Any]]:
    """Elements of PsyQA's JSON list with the line each starts on (or JSONL of such objects)."""
    if not lines[0][1].lstrip().startswith("["):
        yield from _json_lines(path, lines, skip_invalid, skipped)
        return
    text = "\n" * (lines[0][0] - 1) + "\n".join(t for _, t in lines)  # blank lines only shift numbering
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    try:
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(text):
                raise UserError("unterminated JSON list", path, text.count("\n") + 1)
            if text[pos] == "]":
                break
            obj, end = decoder.raw_decode(text, pos)
            yield text.count("\n", 0, pos) + 1, obj
            pos = end
    except json.JSONDecodeError as e:
        raise UserError(f"invalid JSON: {e.msg} (column {e.colno})", path, e.lineno) from None
    except RecursionError:
        raise UserError("JSON nested too deeply", path, text.count("\n", 0, pos) + 1) from None
    if text[pos + 1 :].strip():
        raise UserError("text after the end of the JSON list", path, text.count("\n", 0, pos) + 1)


def _from_psyqa(obj: Any, path: Path) -> dict:
    if not isinstance(obj, dict):
        raise RecordError("wrong_type", f"expected a PsyQA object, got {type(obj).__name__}")
    for key, types in (("questionID", (int, str)), ("question", str), ("description", str), ("answers", list)):
        if key not in obj:
            raise RecordError("missing_field", f"missing required field {key!r}")
        if not isinstance(obj[key], types) or isinstance(obj[key], bool):
            raise RecordError("wrong_type", f"field {key!r} has the wrong type ({type(obj[key]).__name__})")
    keywords = obj.get("keywords") or ""
    if not isinstance(keywords, str):
        raise RecordError("wrong_type", "field 'keywords' must be a comma-separated string")
    words = [w.strip() for w in keywords.replace("，", ",").split(",") if w.strip()]
    answers = []
    for k, ans in enumerate(obj["answers"]):
        if not isinstance(ans, dict) or not isinstance(ans.get("answer_text"), str):
            raise RecordError("wrong_type", f"answers[{k}] must be an object with a string 'answer_text'")
        strategies = [s.get("type") for s in ans.get("labels_sequence") or [] if isinstance(s, dict) and s.get("type")]
        answers.append({"text": ans["answer_text"], **({"strategies": strategies} if strategies else {})})
    record = {
        "id": f"psyqa-{obj['questionID']}",
        "source": "psyqa",
        "topic": words[0] if words else "unknown",
        "title": obj["question"],
        "post": obj["description"],
        "answers": answers,
    }
    if len(words) > 1:
        record["subtopic"] = words[1]
    return record


def _answer_list(value: Any) -> list[dict]:
    """A mapped answers cell: a string (or JSON list in a string), a list of strings or of objects."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            pass
    if isinstance(value, str):
        return [{"text": value}] if value.strip() else []
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, str):
                out.append({"text": v})
            elif isinstance(v, dict) and isinstance(v.get("text"), str):
                out.append(v)
            else:
                raise RecordError("wrong_type", "answers must be strings or objects with a string 'text'")
        return out
    raise RecordError("wrong_type", f"answers has the wrong type ({type(value).__name__})")


def _from_mapped(row: Any, mapping: dict[str, str], default_id: str, default_source: str) -> dict:
    if not isinstance(row, dict):
        raise RecordError("wrong_type", f"expected an object, got {type(row).__name__}")
    col = {f: mapping.get(f, f) for f in MAPPABLE}
    for required in ("post", "answers"):
        if all(c not in row for c in col[required].split("+")):
            raise RecordError("missing_field", f"missing required field {col[required]!r} (for {required})")
    answers: list[dict] = []
    for c in col["answers"].split("+"):
        if c in row and row[c] is not None:
            answers += _answer_list(row[c])
    record: dict[str, Any] = {
        "id": row.get(col["id"], default_id),
        "source": row.get(col["source"], default_source),
        "topic": row.get(col["topic"]) or "unknown",
        "title": row.get(col["title"]) or "",
        "post": row[col["post"]],
        "answers": answers,
    }
    if isinstance(record["id"], int) and not isinstance(record["id"], bool):
        record["id"] = str(record["id"])  # numeric ids in a user's table are fine
    if row.get(col["subtopic"]):
        record["subtopic"] = row[col["subtopic"]]
    return record


def _csv_rows(path: Path, lines: list[tuple[int, str]], mapping: dict[str, str]) -> Iterator[tuple[int, Any]]:
    text = "\n".join(t for _, t in lines)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for field, columns in mapping.items():
        for c in columns.split("+"):
            if c not in header:
                raise UserError(f"column {c!r} (mapped to {field}) is not in the header: {', '.join(header)}", path, lines[0][0])
    try:
        for row in reader:
            yield lines[min(reader.line_num, len(lines)) - 1][0], {k: v for k, v in row.items() if k is not None}
    except csv.Error as e:
        raise UserError(f"invalid CSV: {e}", path, lines[min(reader.line_num, len(lines)) - 1][0]) from None


def read_records(
    path: str | Path, fmt: str = "canonical", mapping: dict[str, str] | None = None, skip_invalid: bool = False
) -> tuple[list[dict], dict[str, int]]:
    """Read and validate a corpus; returns the canonical records and skipped counts per reason."""
    path = Path(path)
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if mapping and fmt in ("canonical", "psyqa"):
        raise UserError(f"--map applies to csv and jsonl, not to {fmt}")
    skipped: Counter[str] = Counter()
    lines = _decoded_lines(path, skip_invalid, skipped)
    items: Iterable[tuple[int, Any]]
    if fmt == "canonical":
        items = _json_lines(path, lines, skip_invalid, skipped)
    elif fmt == "psyqa":
        items = _psyqa_objects(path, lines, skip_invalid, skipped)
    elif fmt == "jsonl":
        items = _json_lines(path, lines, skip_invalid, skipped)
    else:
        items = _csv_rows(path, lines, mapping or {})

    records: list[dict] = []
    first_line: dict[str, int] = {}
    for lineno, obj in items:
        try:
            if fmt == "psyqa":
                rec = _from_psyqa(obj, path)
            elif fmt in ("csv", "jsonl"):
                rec = _from_mapped(obj, mapping or {}, f"{path.stem}-{lineno}", path.stem)
            else:
                rec = obj
            check_record(rec)
            if rec["id"] in first_line:
                raise RecordError("duplicate_id", f"duplicate id {rec['id']!r} (first on line {first_line[rec['id']]})")
        except RecordError as e:
            if not skip_invalid:
                raise UserError(e.message, path, lineno) from None
            skipped[e.reason] += 1
            continue
        first_line[rec["id"]] = lineno
        records.append(rec)
    if not records:
        raise UserError("no valid records", path)
    return records, dict(skipped)

