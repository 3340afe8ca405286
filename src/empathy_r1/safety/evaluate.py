"""Score the screener on a labelled set: recall on urgent and the false-urgent rate.

A labelled line is ``{"id", "text", "level", "categories", "kind"}``. The shipped set
(``resources/safety/zh_testset.jsonl``) was written for this project: explicit and implicit
risk, idioms, games, films, news, third parties, recovered past ideation, negation, and long
posts with one urgent sentence in the middle.
"""

from __future__ import annotations

import importlib.resources
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from empathy_r1.errors import UserError
from empathy_r1.safety.screen import LEVELS, Screening, screen

__all__ = ["EvalReport", "default_testset", "evaluate", "read_labelled"]


def default_testset() -> Path:
    return Path(str(importlib.resources.files("empathy_r1").joinpath("resources", "safety", "zh_testset.jsonl")))


def read_labelled(path: Path) -> list[dict]:
    """Labelled lines; a bad line is a user error pointing at it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError("no such file", path) from None
    rows = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"invalid JSON: {e.msg}", path, i) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or row.get("level") not in LEVELS:
            raise UserError(f"expected {{'text': str, 'level': one of {', '.join(LEVELS)}}}", path, i)
        rows.append(row)
    return rows


@dataclass
class EvalReport:
    n: int
    n_urgent: int
    recall_urgent: float
    """Share of labelled-urgent texts screened urgent (the number that must be 1.0)."""
    false_urgent_rate: float
    """Share of labelled non-urgent texts screened urgent."""
    level_accuracy: float
    confusion: dict[str, dict[str, int]]
    misses: list[dict] = field(default_factory=list)
    """Urgent texts screened lower, and non-urgent texts screened urgent."""

    def to_dict(self) -> dict:
        return self.__dict__


def evaluate(rows: list[dict], screener: Callable[[str], Screening] = screen) -> EvalReport:
    confusion: dict[str, Counter] = {level: Counter() for level in LEVELS}
    misses = []
    tp = fu = 0
    for row in rows:
        got = screener(row["text"]).level
        want = row["level"]
        confusion[want][got] += 1
        if want == "urgent" and got == "urgent":
            tp += 1
        if want != "urgent" and got == "urgent":
            fu += 1
        if (want == "urgent") != (got == "urgent"):
            misses.append({"id": row.get("id"), "want": want, "got": got, "text": row["text"][:80]})
    n_urgent = sum(1 for r in rows if r["level"] == "urgent")
    n_other = len(rows) - n_urgent
    correct = sum(confusion[level][level] for level in LEVELS)
    return EvalReport(
        n=len(rows),
        n_urgent=n_urgent,
        recall_urgent=tp / n_urgent if n_urgent else 1.0,
        false_urgent_rate=fu / n_other if n_other else 0.0,
        level_accuracy=correct / len(rows) if rows else 0.0,
        confusion={k: dict(v) for k, v in confusion.items()},
        misses=misses,
    )
