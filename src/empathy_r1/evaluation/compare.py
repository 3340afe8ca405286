"""Put several evaluation results in one table, like the paper's.

Accepted inputs, each a path:

* an ``eval.json`` written by ``empathy-r1 eval run`` (``{"name", "checkpoint", "n", "metrics": {...}}``);
* the JSON printed by ``empathy-r1 eval metrics`` (the metrics at the top level);
* a pipeline ``report.json`` whose ``"eval"`` maps stage names (base, sft, grpo, ...) to results;
* a directory holding ``eval.json`` or ``report.json``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from empathy_r1.errors import UserError
from empathy_r1.io import read_json

__all__ = ["COLUMNS", "collect_runs", "rows_from_json", "to_markdown"]

#: (row key, header, accepted spellings in result files) in table order. Higher is better for all.
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("bleu1", "BLEU-1", ("bleu1", "bleu-1", "bleu")),
    ("rougeL", "ROUGE-L", ("rougeL", "rouge_l", "rougel")),
    ("meteor", "METEOR", ("meteor",)),
    ("distinct1", "Distinct-1", ("distinct1", "distinct_1", "dist1")),
    ("distinct2", "Distinct-2", ("distinct2", "distinct_2", "dist2")),
    ("navg", "NAvg", ("navg",)),
    ("distinct1_mean", "Distinct-1 (per answer)", ("distinct1_mean",)),
    ("navg_mean", "NAvg (per-answer D-1)", ("navg_mean",)),
    ("format_rate", "Format", ("format_rate", "format")),
    ("reward", "Reward", ("reward", "reward_mean", "answer_reward", "reward_score", "rm_score")),
]


def _flatten(metrics: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float | str) and not isinstance(value, bool):
            out[prefix + key] = value
    return out


def _row(name: str, result: dict[str, Any], where: Path) -> dict[str, Any]:
    metrics = result.get("metrics", result)
    if not isinstance(metrics, dict):
        raise UserError('"metrics" must be an object', where)
    flat = _flatten(metrics)
    row: dict[str, Any] = {
        "name": str(result.get("name") or name),
        "checkpoint": result.get("checkpoint"),
        "n": result.get("n", flat.get("n")),
    }
    for key, _, spellings in COLUMNS:
        for s in spellings:
            if s in flat:
                row[key] = flat.pop(s)
                break
    flat.pop("n", None)
    row.update({k: v for k, v in flat.items() if k not in row})
    return row


def rows_from_json(obj: Any, where: Path, default_name: str) -> list[dict[str, Any]]:
    """Rows from one parsed result file (see the module docstring for the shapes)."""
    if not isinstance(obj, dict):
        raise UserError("expected a JSON object with evaluation results", where)
    if isinstance(obj.get("eval"), dict):  # a pipeline report: one row per stage
        stages = obj["eval"]
        rows = [_row(stage, res, where) for stage, res in stages.items() if isinstance(res, dict)]
        for row, stage in zip(rows, stages, strict=False):
            row["name"] = stage if row["name"] in ("", None) else row["name"]
        if not rows:
            raise UserError('"eval" holds no stage results', where)
        return rows
    if isinstance(obj.get("metrics"), dict) or any(s in obj for _, _, spellings in COLUMNS for s in spellings):
        return [_row(default_name, obj, where)]
    raise UserError("no evaluation results found (expected eval.json, eval metrics output or a report.json with 'eval')", where)


def _resolve(path: Path) -> Path:
    if path.is_dir():
        for candidate in ("eval.json", "report.json"):
            if (path / candidate).is_file():
                return path / candidate
        raise UserError("directory holds neither eval.json nor report.json", path)
    return path


def collect_runs(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows for every input, names made unique."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        file = _resolve(Path(path))
        default = file.parent.name if file.name in ("eval.json", "report.json") else file.stem
        rows.extend(rows_from_json(read_json(file), file, default or file.stem))
    seen: dict[str, int] = {}
    for row in rows:
        base = row["name"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            row["name"] = f"{base} ({seen[base]})"
    return rows


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.4f}"
    return "–" if value is None else str(value)


def to_markdown(rows: list[dict[str, Any]], bold_best: bool = True) -> str:
    """One markdown table: a row per system, the paper's metric columns that any row has; best in bold."""
    cols = [(k, h) for k, h, _ in COLUMNS if any(isinstance(r.get(k), int | float) for r in rows)]
    lines = ["| System | n | " + " | ".join(h for _, h in cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    best = {}
    for key, _ in cols:
        values = [r[key] for r in rows if isinstance(r.get(key), int | float) and not math.isnan(r[key])]
        best[key] = max(values) if values and len(rows) > 1 else None
    for r in rows:
        cells = []
        for key, _ in cols:
            text = _fmt(r.get(key))
            cells.append(f"**{text}**" if bold_best and best[key] is not None and r.get(key) == best[key] else text)
        lines.append(f"| {r['name']} | {_fmt(r.get('n'))} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
