"""Score a screener on a labelled set: urgent recall and false-urgent rate, with 95% Wilson intervals.

A labelled line is ``{"id", "text" | "messages", "level", "categories", "kind"}`` as
docs/safety_labels.md defines it. Shipped sets (``resources/safety/``): the project's own
``zh_testset.jsonl`` and ``zh_holdout.jsonl`` (the rules were written against them), the
detector's ``corpus/train.jsonl`` and ``corpus/validation.jsonl``, and the blind test sets
``corpus/blind_*.jsonl``, written from the label definitions alone and frozen
(``corpus/FROZEN.sha256``) before the detector was trained.
"""

from __future__ import annotations

import importlib.resources
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from empathy_r1.errors import UserError
from empathy_r1.safety.inputs import InputError, check_messages, check_text
from empathy_r1.safety.screen import _DEFAULT, LEVELS, Screener, Screening

__all__ = ["EvalReport", "corpus_path", "default_testset", "evaluate", "read_labelled", "screen_item", "wilson"]


def _resources() -> Path:
    return Path(str(importlib.resources.files("empathy_r1").joinpath("resources", "safety")))


def default_testset() -> Path:
    return _resources() / "zh_testset.jsonl"


def corpus_path(name: str) -> Path:
    """A shipped corpus file: ``train``, ``validation``, ``blind_a``, ``blind_b``."""
    return _resources() / "corpus" / f"{name}.jsonl"


def read_labelled(path: Path) -> list[dict]:
    """Labelled lines; a bad line is a user error pointing at it."""
    from empathy_r1.io import read_jsonl

    rows = []
    for line in read_jsonl(path):
        row = line.obj
        try:
            if "messages" in row:
                check_messages(row["messages"])
            else:
                check_text(row.get("text"), "text")
        except InputError as e:
            raise line.fail(f"{e} (expected a string \"text\" or a \"messages\" list)") from None
        if row.get("level") not in LEVELS:
            raise line.fail(f"level must be one of {', '.join(LEVELS)}")
        rows.append(row)
    if not rows:
        raise UserError("no labelled lines", path)
    return rows


def screen_item(item: dict[str, Any], screener: Screener = _DEFAULT) -> Screening:
    """Screen a labelled item the way the serving paths would: text or whole conversation."""
    if "messages" in item:
        return screener.screen_conversation(item["messages"])
    return screener.screen(item["text"])


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion.

    >>> [round(x, 3) for x in wilson(19, 20)]
    [0.764, 0.991]
    """
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class EvalReport:
    n: int
    n_urgent: int
    recall_urgent: float
    """Share of labelled-urgent items screened urgent (the number that must be near 1.0)."""
    recall_urgent_ci: tuple[float, float]
    false_urgent_rate: float
    """Share of labelled non-urgent items screened urgent."""
    false_urgent_ci: tuple[float, float]
    level_accuracy: float
    confusion: dict[str, dict[str, int]]
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per ``kind``: items and urgent-vs-not errors."""
    misses: list[dict] = field(default_factory=list)
    """Urgent items screened lower, and non-urgent items screened urgent."""

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        for key in ("recall_urgent_ci", "false_urgent_ci"):
            out[key] = [round(x, 4) for x in out[key]]
        return out


def evaluate(rows: list[dict], screener: Screener = _DEFAULT) -> EvalReport:
    confusion: dict[str, Counter] = {level: Counter() for level in LEVELS}
    by_kind: dict[str, Counter] = {}
    misses = []
    tp = fu = 0
    for row in rows:
        got = screen_item(row, screener).level
        want = row["level"]
        confusion[want][got] += 1
        kind = by_kind.setdefault(str(row.get("kind", "")), Counter())
        kind["n"] += 1
        tp += want == "urgent" and got == "urgent"
        fu += want != "urgent" and got == "urgent"
        if (want == "urgent") != (got == "urgent"):
            kind["errors"] += 1
            text = row.get("text") or " / ".join(m["content"] for m in row["messages"] if m["role"] == "user")
            misses.append({"id": row.get("id"), "kind": row.get("kind"), "want": want, "got": got, "text": text[:100]})
    n_urgent = sum(1 for r in rows if r["level"] == "urgent")
    n_other = len(rows) - n_urgent
    correct = sum(confusion[level][level] for level in LEVELS)
    return EvalReport(
        n=len(rows),
        n_urgent=n_urgent,
        recall_urgent=tp / n_urgent if n_urgent else 1.0,
        recall_urgent_ci=wilson(tp, n_urgent),
        false_urgent_rate=fu / n_other if n_other else 0.0,
        false_urgent_ci=wilson(fu, n_other),
        level_accuracy=correct / len(rows) if rows else 0.0,
        confusion={k: dict(v) for k, v in confusion.items()},
        by_kind={k: dict(v) for k, v in sorted(by_kind.items())},
        misses=misses,
    )
