"""The canonical record and its validation.

A record is a plain dict (one JSON object per line)::

    {"id": str, "source": str, "topic": str, "subtopic"?: str, "title": str, "post": str,
     "answers": [{"text": str, ...}, ...],
     "bad_answers"?: [{"kind": "dismissive"|"platitude"|"off_topic"|"misplaced_advice"|"harmful", "text": str}],
     "labels"?: {"emotions": [str], "emotion": str, "cause": str, "distortion": str,
                 "intent": "validation"|"understanding"|"advice", "strategy": str},
     "coe"?: {"emotions": str, "causes": str, "intent": str, "strategy": str, "answer": str}}
"""

from __future__ import annotations

from typing import Any

from empathy_r1.coe import LAYER_KEYS
from empathy_r1.data.labels import DISTORTIONS, EMOTIONS, INTENTS

__all__ = ["BAD_KINDS", "COE_KEYS", "REQUIRED", "RecordError", "check_record"]

BAD_KINDS = ("dismissive", "platitude", "off_topic", "misplaced_advice", "harmful")
COE_KEYS = (*LAYER_KEYS, "answer")
REQUIRED: dict[str, type] = {"id": str, "source": str, "topic": str, "title": str, "post": str, "answers": list}


class RecordError(Exception):
    """One invalid record; ``reason`` is the counter key for ``--skip-invalid``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def check_record(rec: Any) -> None:
    """Raise :class:`RecordError` unless ``rec`` is a valid canonical record.

    >>> check_record({"id": "a", "source": "s", "topic": "t", "title": "", "post": "p", "answers": [{"text": "x"}]})
    >>> check_record({"id": 1})
    Traceback (most recent call last):
    ...
    empathy_r1.data.schema.RecordError: field 'id' must be a string, got int
    """
    if not isinstance(rec, dict):
        raise RecordError("wrong_type", f"expected a JSON object, got {_type_name(rec)}")
    for key, typ in REQUIRED.items():
        if key not in rec:
            raise RecordError("missing_field", f"missing required field {key!r}")
        if not isinstance(rec[key], typ):
            kind = "a string" if typ is str else "a list"
            raise RecordError("wrong_type", f"field {key!r} must be {kind}, got {_type_name(rec[key])}")
    if not rec["id"].strip():
        raise RecordError("wrong_type", "field 'id' must not be empty")
    if not rec["post"].strip():
        raise RecordError("missing_field", "field 'post' is empty")
    if "subtopic" in rec and not isinstance(rec["subtopic"], str):
        raise RecordError("wrong_type", f"field 'subtopic' must be a string, got {_type_name(rec['subtopic'])}")
    for i, a in enumerate(rec["answers"]):
        if not isinstance(a, dict) or not isinstance(a.get("text"), str):
            raise RecordError("wrong_type", f"answers[{i}] must be an object with a string 'text'")
    for i, b in enumerate(rec.get("bad_answers") or []):
        if not isinstance(b, dict) or not isinstance(b.get("text"), str) or b.get("kind") not in BAD_KINDS:
            raise RecordError("wrong_type", f"bad_answers[{i}] must be {{'kind': one of {', '.join(BAD_KINDS)}, 'text': str}}")
    if "labels" in rec:
        _check_labels(rec["labels"])
    if "coe" in rec:
        coe = rec["coe"]
        if not isinstance(coe, dict):
            raise RecordError("wrong_type", f"field 'coe' must be an object, got {_type_name(coe)}")
        for key in COE_KEYS:
            if not isinstance(coe.get(key), str) or not coe[key].strip():
                raise RecordError("missing_field" if key not in coe else "wrong_type", f"coe.{key} must be a non-empty string")


def _check_labels(labels: Any) -> None:
    if not isinstance(labels, dict):
        raise RecordError("wrong_type", f"field 'labels' must be an object, got {_type_name(labels)}")
    for key, vocab in (("emotion", EMOTIONS), ("intent", INTENTS), ("distortion", DISTORTIONS)):
        if key == "distortion" and labels.get(key) in (None, "none"):
            continue  # not every post rests on a distorted belief
        if key in labels and labels[key] not in vocab:
            raise RecordError("wrong_type", f"labels.{key} {labels[key]!r} is not one of {', '.join(vocab)}")
    emotions = labels.get("emotions", [])
    if not isinstance(emotions, list) or any(e not in EMOTIONS for e in emotions):
        raise RecordError("wrong_type", f"labels.emotions must be a list of {', '.join(EMOTIONS)}")
