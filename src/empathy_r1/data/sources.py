"""Reading a data source for any stage: the synthetic corpus, the shipped sample, or a file.

Every non-synthetic source goes through the same cleaning as ``data prepare`` (Unicode
normalisation, advertisement and contact noise, answers shorter than ``data.min_answer_chars``,
anonymisation, near-duplicate posts), so no stage trains on text ``prepare`` would have scrubbed.
The synthetic corpus is generated clean and is left as it is.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SYNTHETIC", "load_prepared", "load_source", "scrub_records"]

SYNTHETIC = ("synth",)


def _raw(source: str, cfg: Any) -> list[dict[str, Any]]:
    if source == "synth":
        from empathy_r1.data.synth import synthesize

        return synthesize(cfg.data.synth_n, cfg.seed)
    if source == "sample":
        from empathy_r1.data.sample import load_sample

        return load_sample()
    from empathy_r1.data.io import read_records

    records, _skipped = read_records(source)
    return records


def load_prepared(source: str, cfg: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Records of ``source`` and, for a non-synthetic one, what cleaning did (None for synth).

    The cleaning info has the keys of ``data prepare``'s card: ``min_answer_chars``, ``records_read``,
    ``cleaning`` (counts per rule, near duplicates included) and ``anonymised`` (replacements per type).
    """
    records = _raw(source, cfg)
    if source in SYNTHETIC:
        return records, None
    from empathy_r1.data.clean import clean_records
    from empathy_r1.data.dedup import drop_near_duplicates

    cleaned, cleaning, pii = clean_records(records, cfg.data.min_answer_chars)
    deduped, dup_counts = drop_near_duplicates(cleaned) if cleaned else (cleaned, {})
    info = {
        "input": source,
        "format": "canonical",
        "seed": cfg.seed,
        "min_answer_chars": cfg.data.min_answer_chars,
        "records_read": len(records),
        "skipped_invalid": {},
        "cleaning": {**cleaning, **dup_counts},
        "anonymised": pii,
    }
    return deduped, info


def load_source(source: str, cfg: Any) -> list[dict[str, Any]]:
    """Records from "synth", "sample" or a canonical JSONL / PsyQA file, cleaned as ``load_prepared`` says."""
    return load_prepared(source, cfg)[0]


def scrub_records(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Normalise and anonymise every text of reviewed SFT records without dropping any (their answer is the reviewed one)."""
    from collections import Counter

    from empathy_r1.data.clean import clean_text

    pii: Counter[str] = Counter()
    out = []
    for rec in records:
        rec = dict(rec)
        for key in ("title", "post"):
            if isinstance(rec.get(key), str):
                rec[key] = clean_text(rec[key], pii)
        if rec.get("answers"):
            rec["answers"] = [{**a, "text": clean_text(a["text"], pii)} for a in rec["answers"]]
        if rec.get("coe"):
            rec["coe"] = {k: clean_text(v, pii) for k, v in rec["coe"].items()}
        out.append(rec)
    return out, dict(pii)
