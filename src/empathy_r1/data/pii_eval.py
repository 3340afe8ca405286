"""Measure the anonymiser on a labelled file: recall per type, precision, 95% Wilson intervals.

Each line of the file is ``{"id", "text", "pii": [{"type", "text"}, ...]}`` (``pii`` empty for a
sentence without personal information). Types: see :data:`LABEL_TYPES`.

* **recall** of a type: the share of its labelled items that are found; an item is found when
  every character of every occurrence of its text in the sentence is masked (by a span of any
  type: what matters for privacy is that the text is gone);
* **precision**: the share of masked spans that overlap a labelled item's characters, per type
  of the masked span and over all spans (a span that masks nothing labelled is a false positive);
* each proportion comes with its 95% Wilson score interval, which stays inside [0, 1] and is
  honest for small counts and proportions near 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from empathy_r1.data.anonymise import Span, find_pii
from empathy_r1.errors import UserError
from empathy_r1.io import parse_json, read_text

__all__ = ["LABEL_TYPES", "evaluate_pii", "read_labelled", "to_markdown", "wilson"]

LABEL_TYPES = (
    "id_card",
    "bank_card",
    "phone",
    "email",
    "qq",
    "wechat",
    "address",
    "plate",
    "passport",
    "student_id",
    "employee_id",
    "name",
)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The Wilson score interval of k successes in n trials (None when n is 0).

    >>> [round(x, 4) for x in wilson(9, 10)]
    [0.5958, 0.9821]
    >>> wilson(0, 0) is None
    True
    """
    if n == 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def read_labelled(path: str | Path) -> list[dict[str, Any]]:
    """Read and check a labelled file; every labelled text must occur in its sentence."""
    path = Path(path)
    rows = []
    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        row = parse_json(line, path, lineno)
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("pii", []), list):
            raise UserError('expected {"id", "text", "pii": [{"type", "text"}]}', path, lineno)
        for item in row.get("pii", []):
            if (
                not isinstance(item, dict)
                or item.get("type") not in LABEL_TYPES
                or not isinstance(item.get("text"), str)
                or not item["text"]
            ):
                raise UserError(f"pii item {item!r}: type must be one of {', '.join(LABEL_TYPES)} and text non-empty", path, lineno)
            if item["text"] not in row["text"]:
                raise UserError(f"pii text {item['text']!r} does not occur in the sentence", path, lineno)
        rows.append({**row, "pii": row.get("pii", []), "_line": lineno})
    if not rows:
        raise UserError("no labelled sentences", path)
    return rows


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    out, start = [], text.find(needle)
    while start >= 0:
        out.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return out


def _ratio(k: int, n: int) -> dict[str, Any]:
    ci = wilson(k, n)
    return {"k": k, "n": n, "value": k / n if n else None, "ci95": [round(ci[0], 4), round(ci[1], 4)] if ci else None}


def evaluate_pii(rows: list[dict[str, Any]], finder: Callable[[str], list[Span]] = find_pii) -> dict[str, Any]:
    """Recall per labelled type, precision per masked type and overall, the misses and the false spans."""
    found: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    hits: dict[str, int] = defaultdict(int)
    spans_n: dict[str, int] = defaultdict(int)
    misses, false_spans = [], []
    for row in rows:
        text = row["text"]
        spans = finder(text)
        masked = set()
        for s in spans:
            masked.update(range(s.start, s.end))
        labelled = set()
        for item in row["pii"]:
            occ = _occurrences(text, item["text"])
            for a, b in occ:
                labelled.update(range(a, b))
            total[item["type"]] += 1
            if all(set(range(a, b)) <= masked for a, b in occ):
                found[item["type"]] += 1
            else:
                misses.append({"id": row.get("id"), "type": item["type"], "text": item["text"]})
        for s in spans:
            spans_n[s.type] += 1
            if labelled & set(range(s.start, s.end)):
                hits[s.type] += 1
            else:
                false_spans.append({"id": row.get("id"), "type": s.type, "text": text[s.start : s.end]})
    recall = {t: _ratio(found[t], total[t]) for t in LABEL_TYPES if total[t]}
    precision = {t: _ratio(hits[t], spans_n[t]) for t in sorted(spans_n)}
    all_items = sum(total.values())
    return {
        "sentences": len(rows),
        "sentences_without_pii": sum(not r["pii"] for r in rows),
        "recall": recall,
        "recall_all": _ratio(sum(found.values()), all_items),
        "precision": precision,
        "precision_all": _ratio(sum(hits.values()), sum(spans_n.values())),
        "misses": misses,
        "false_spans": false_spans,
    }


def _fmt(r: dict[str, Any] | None) -> str:
    if not r or r["value"] is None:
        return "–"
    lo, hi = r["ci95"]
    return f"{r['value']:.3f} ({r['k']}/{r['n']}; {lo:.3f}–{hi:.3f})"


def to_markdown(report: dict[str, Any], name: str = "") -> str:
    """One table: per type recall and precision with counts and 95% Wilson intervals."""
    types = [t for t in LABEL_TYPES if t in report["recall"] or t in report["precision"]]
    types += [t for t in report["precision"] if t not in types]
    lines = [
        f"PII evaluation{f' of `{name}`' if name else ''}: {report['sentences']} sentences "
        f"({report['sentences_without_pii']} without personal information).",
        "",
        "| type | recall (found/labelled; 95% CI) | precision (overlapping/masked; 95% CI) |",
        "|---|---|---|",
    ]
    for t in types:
        lines.append(f"| {t} | {_fmt(report['recall'].get(t))} | {_fmt(report['precision'].get(t))} |")
    lines.append(f"| **all** | {_fmt(report['recall_all'])} | {_fmt(report['precision_all'])} |")
    return "\n".join(lines) + "\n"
