"""``data prepare``: read a corpus, clean, deduplicate, split and write it with its data card.

Output is built in a temporary sibling directory and renamed into place at the very end, so
a failed run (bad input, interrupted) never leaves a half-written output directory.
"""

from __future__ import annotations

from pathlib import Path

from empathy_r1.data.card import write_card
from empathy_r1.data.clean import clean_records
from empathy_r1.data.dedup import drop_near_duplicates
from empathy_r1.data.io import read_records
from empathy_r1.data.splits import split_records
from empathy_r1.errors import UserError
from empathy_r1.io import atomic_dir, write_jsonl

__all__ = ["prepare"]


def prepare(
    input_path: Path,
    output_dir: Path,
    fmt: str = "canonical",
    mapping: dict[str, str] | None = None,
    min_answer_chars: int = 100,
    skip_invalid: bool = False,
    seed: int = 0,
    valid_frac: float = 0.05,
    test_frac: float = 0.1,
    near_dup_threshold: float = 0.8,
    pii_labelled: list[Path] | None = None,
) -> dict:
    """Run the whole preparation; returns the data card."""
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise UserError("output already exists and is not an empty directory; choose another --output", output_dir)
    if min_answer_chars < 0:
        raise UserError("--min-answer-chars must not be negative")
    if not (0 <= valid_frac < 1 and 0 <= test_frac < 1 and valid_frac + test_frac < 1):
        raise UserError("split fractions must be in [0, 1) and sum below 1")

    anonymiser_eval = {}
    if pii_labelled:  # measured first: a bad labelled file stops before any work
        from empathy_r1.data.pii_eval import evaluate_pii, read_labelled

        for f in pii_labelled:
            report = evaluate_pii(read_labelled(f))
            # Recall and precision only: the misses would copy the labelled text into the card.
            anonymiser_eval[str(f)] = {k: v for k, v in report.items() if k not in ("misses", "false_spans")}
    records, skipped = read_records(input_path, fmt, mapping, skip_invalid)
    cleaned, cleaning, pii = clean_records(records, min_answer_chars)
    if not cleaned:
        raise UserError(f"no record survives cleaning (answers shorter than {min_answer_chars} characters are dropped)", input_path)
    deduped, dup_counts = drop_near_duplicates(cleaned, threshold=near_dup_threshold)
    splits = split_records(deduped, valid_frac, test_frac, seed)

    with atomic_dir(output_dir) as tmp:
        for name, part in splits.items():
            write_jsonl(tmp / f"{name}.jsonl", part)
        info = {
            "input": str(input_path),
            "format": fmt,
            "seed": seed,
            "min_answer_chars": min_answer_chars,
            "records_read": len(records) + sum(skipped.values()),
            "skipped_invalid": skipped,
            "cleaning": {**cleaning, **dup_counts},
            "anonymised": pii,
        }
        if anonymiser_eval:
            info["anonymiser_eval"] = anonymiser_eval
        card = write_card(tmp, info, splits)
    return card
