"""An optional classifier beside the rules: a local Hugging Face text-classification directory.

Off by default (``safety.classifier: null``). When set, each sentence is classified and a
sentence the model calls risky *raises* the screening level; the model can never lower what
the rules found, so the rules' recall is a floor. transformers (and so torch) is imported only
here and only when a classifier is configured: ``empathy_r1.safety`` itself stays pure Python.

Labels are read by name: a label containing ``urgent`` (or ``crisis``/``high``) maps to urgent,
``concern`` (or ``risk``/``medium``) to concern, anything else to none. A two-label model with
generic names (``LABEL_0``/``LABEL_1``) reads ``LABEL_1`` as urgent.
"""

from __future__ import annotations

import os
from pathlib import Path

from empathy_r1.errors import UserError
from empathy_r1.safety.screen import Classifier

__all__ = ["label_level", "load_classifier"]


def label_level(label: str, score: float, threshold: float) -> str:
    """Map a model's label and score to a screening level.

    >>> label_level("urgent", 0.9, 0.5), label_level("LABEL_1", 0.4, 0.5), label_level("concern", 0.8, 0.5)
    ('urgent', 'none', 'concern')
    """
    name = label.lower()
    if score < threshold:
        return "none"
    if any(k in name for k in ("urgent", "crisis", "high")) or name == "label_1":
        return "urgent"
    if any(k in name for k in ("concern", "risk", "medium")):
        return "concern"
    return "none"


def load_classifier(path: str | Path, threshold: float = 0.5, batch_size: int = 16) -> Classifier:
    """A sentence classifier from a local directory (never a hub)."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise UserError("safety.classifier is not a Hugging Face model directory (no config.json)", path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    # Loaded explicitly with local_files_only: a classifier must never come from a hub.
    model = AutoModelForSequenceClassification.from_pretrained(str(path), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")

    def classify(sentences: list[str]) -> list[tuple[str, float]]:
        results = pipe(sentences, batch_size=batch_size, truncation=True)
        return [(label_level(r["label"], float(r["score"]), threshold), float(r["score"])) for r in results]

    return classify
