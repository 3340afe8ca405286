"""The SFT cold start as the paper runs it: a fixed set of reviewed chains, used whole.

The paper fine-tunes on 200 chains that DeepSeek-R1 wrote and professionals reviewed. Here that
set is the file ``data review`` writes (``data.sft_source``), with its decision log beside it
(``<file>.review.jsonl``). This module decides which records of it count:

* a chain counts when the log's **last** decision for its id is ``accept`` or ``edit`` and the
  chain in the file is the chain the log recorded (a chain changed after review does not count);
* the set is used whole: never split, and any post it shares with the held-out splits is removed
  from those splits (and counted), so a held-out post is never one SFT saw;
* fewer than ``data.sft_n`` reviewed chains is an error that says how many were found.

Without ``data.sft_source`` the SFT records come from the training split, and again only
reviewed ones (a ``review`` field with decision accept/edit, as ``data review`` writes it) unless
``data.allow_unreviewed`` is true (the synthetic corpus: its gold chains are generated, not reviewed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from empathy_r1.data.schema import COE_KEYS
from empathy_r1.errors import UserError
from empathy_r1.io import read_jsonl

__all__ = ["REVIEWED", "drop_overlap", "is_reviewed", "review_log_path", "reviewed_chains", "select_sft"]

REVIEWED = ("accept", "edit")


def review_log_path(sft_source: str | Path) -> Path:
    """Where ``data review`` keeps its decisions for the SFT file it writes."""
    p = Path(sft_source)
    return p.with_name(p.name + ".review.jsonl")


def _read_log(path: Path) -> dict[str, dict[str, Any]]:
    """Last decision per id (the log is append-only: a later line overrides an earlier one)."""
    last: dict[str, dict[str, Any]] = {}
    for line in read_jsonl(path):
        if "id" not in line.obj:
            raise line.fail("not a review-log line (expected JSON with 'id' and 'decision')")
        last[str(line.obj["id"])] = line.obj
    return last


def _chain(rec: dict[str, Any]) -> dict[str, str]:
    coe = rec.get("coe") or {}
    return {k: str(coe.get(k, "")).strip() for k in COE_KEYS}


def is_reviewed(rec: dict[str, Any]) -> bool:
    """A record carries a professional's accept/edit decision (the ``review`` field ``data review`` writes)."""
    review = rec.get("review")
    return bool(rec.get("coe")) and isinstance(review, dict) and review.get("decision") in REVIEWED


def reviewed_chains(records: list[dict[str, Any]], log: Path | None, allow_unreviewed: bool) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The records of a reviewed SFT file that count, checked against the review log; and counts of the rest.

    >>> recs = [{"id": "a", "coe": {"answer": "x"}}, {"id": "b", "coe": {"answer": "y"}}]
    >>> reviewed_chains(recs, None, allow_unreviewed=True)[1]
    {'read': 2, 'reviewed': 0, 'unreviewed_used': 2, 'rejected': 0, 'changed_after_review': 0, 'not_in_log': 0, 'no_chain': 0}
    """
    decisions = _read_log(log) if log is not None and log.is_file() else None
    counts = {
        "read": len(records),
        "reviewed": 0,
        "unreviewed_used": 0,
        "rejected": 0,
        "changed_after_review": 0,
        "not_in_log": 0,
        "no_chain": 0,
    }
    out = []
    for rec in records:
        if not rec.get("coe"):
            counts["no_chain"] += 1
            continue
        entry = decisions.get(str(rec["id"])) if decisions is not None else None
        if entry is None:
            if allow_unreviewed:
                counts["unreviewed_used"] += 1
                out.append(rec)
            else:
                counts["not_in_log"] += 1
            continue
        if entry.get("decision") not in REVIEWED:
            counts["rejected"] += 1
            continue
        if {k: str(v).strip() for k, v in (entry.get("coe") or {}).items()} != _chain(rec):
            counts["changed_after_review"] += 1
            continue
        counts["reviewed"] += 1
        out.append(rec)
    if decisions is not None:
        counts["rejected_in_log"] = sum(e.get("decision") not in REVIEWED for e in decisions.values())
    return out, counts


def _post_key(text: str) -> str:
    return "".join(str(text).split())


def drop_overlap(
    sft: list[dict[str, Any]], splits: dict[str, list[dict[str, Any]]], names: tuple[str, ...] = ("valid", "test")
) -> dict[str, int]:
    """Remove from ``splits[name]`` (in place) every record whose id or post (whitespace aside) is an SFT record's."""
    ids = {str(r["id"]) for r in sft}
    posts = {_post_key(r.get("post", "")) for r in sft}
    removed = {}
    for name in names:
        keep = [r for r in splits.get(name, []) if str(r["id"]) not in ids and _post_key(r.get("post", "")) not in posts]
        removed[name] = len(splits.get(name, [])) - len(keep)
        splits[name] = keep
    return removed


def select_sft(
    cfg_data: Any, train: list[dict[str, Any]], sft_file_records: list[dict[str, Any]] | None, where: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The SFT records of a run and what was counted; raises :class:`UserError` when too few.

    ``sft_file_records``: the records of ``data.sft_source`` (None: take them from ``train``).
    """
    n = cfg_data.sft_n
    if sft_file_records is not None:
        log = review_log_path(cfg_data.sft_source)
        if not log.is_file() and not cfg_data.allow_unreviewed:
            raise UserError(
                f"no review log {log.name} beside the SFT file: only chains accepted or edited in 'data review' count "
                "(--set data.allow_unreviewed=true to use the chains unreviewed)",
                cfg_data.sft_source,
            )
        chains, counts = reviewed_chains(sft_file_records, log, cfg_data.allow_unreviewed)
        origin = "data.sft_source"
    else:
        with_chain = [r for r in train if r.get("coe")]
        chains = [r for r in with_chain if cfg_data.allow_unreviewed or is_reviewed(r)]
        counts = {"read": len(with_chain), "reviewed": sum(map(is_reviewed, with_chain))}
        counts["unreviewed_used"] = len(chains) - counts["reviewed"]
        counts["not_reviewed"] = len(with_chain) - len(chains)
        origin = "the training split"
    if len(chains) < n:
        excluded = ", ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if k not in ("read", "reviewed", "unreviewed_used") and v
        )
        raise UserError(
            f"data.sft_n is {n} but {origin} has {len(chains)} usable chains "
            f"({counts.get('reviewed', 0)} reviewed of {counts['read']} read"
            + (f"; {excluded}" if excluded else "")
            + ("" if cfg_data.allow_unreviewed else "; --set data.allow_unreviewed=true also uses unreviewed chains")
            + ")",
            where,
        )
    return chains[:n], {**counts, "used": min(n, len(chains)), "origin": origin}
