"""The data card of a synthetic corpus: topics, lengths, label balance and held-out overlap."""

from __future__ import annotations

from collections import Counter

from empathy_r1.data.splits import split_records
from empathy_r1.data.stats import corpus_stats, ngram_overlap

__all__ = ["synth_card"]


def synth_card(records: list[dict], seed: int, valid_frac: float = 0.05, test_frac: float = 0.1) -> dict:
    """Stats plus the share of 8-grams a held-out (test) post shares with the training posts."""
    splits = split_records(records, valid_frac, test_frac, seed)
    return {
        "generator": "empathy_r1.data.synth",
        "seed": seed,
        "stats": corpus_stats(records),
        "labels": {key: dict(Counter(r["labels"][key] for r in records).most_common()) for key in ("emotion", "intent", "distortion")},
        "splits": {k: len(v) for k, v in splits.items()},
        "overlap": ngram_overlap([r["post"] for r in splits["test"]], [r["post"] for r in splits["train"]], n=8),
    }
