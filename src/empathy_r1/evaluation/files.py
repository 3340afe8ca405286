"""Pairing predictions with references for ``eval metrics`` (file IO itself is :mod:`empathy_r1.io`)."""

from __future__ import annotations

from pathlib import Path

from empathy_r1.errors import UserError
from empathy_r1.io import Line, read_jsonl

__all__ = ["load_metric_pairs"]


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
