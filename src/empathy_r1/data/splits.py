"""Deterministic, topic-stratified train/valid/test splits by a salted hash of the id.

Within each topic, posts are ordered by ``sha256(seed:key)`` and the first ones go to test, the
next to valid, the rest to train, so each topic is split in the requested proportions and the
same records with the same seed always land in the same place. Records that share a post text
share a split (their key is the first id seen for that text), so no post is ever in two splits.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

__all__ = ["SPLITS", "split_records"]

SPLITS = ("train", "valid", "test")


def _rank(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def split_records(records: list[dict], valid_frac: float, test_frac: float, seed: int) -> dict[str, list[dict]]:
    """Split ``records`` into ``{"train", "valid", "test"}``, stratified by ``topic``.

    Per topic of ``n`` posts, ``round(n * test_frac)`` go to test and ``round(n * valid_frac)``
    to valid (never all of them: at least one stays in train). Order inside each split follows
    the input order.

    >>> recs = [{"id": str(i), "topic": "t", "post": str(i)} for i in range(20)]
    >>> {k: len(v) for k, v in split_records(recs, 0.1, 0.2, seed=0).items()}
    {'train': 14, 'valid': 2, 'test': 4}
    """
    if not (0 <= valid_frac < 1 and 0 <= test_frac < 1 and valid_frac + test_frac < 1):
        raise ValueError("split fractions must be in [0, 1) and sum below 1")
    key_of_post: dict[str, str] = {}
    groups: dict[str, dict[str, list[int]]] = defaultdict(dict)  # topic -> key -> record indices
    for i, rec in enumerate(records):
        key = key_of_post.setdefault(rec.get("post", rec["id"]), rec["id"])
        groups[rec.get("topic", "")].setdefault(key, []).append(i)

    assignment: dict[int, str] = {}
    for topic_groups in groups.values():
        keys = sorted(topic_groups, key=lambda k: _rank(seed, k))
        n = len(keys)
        n_test = round(n * test_frac)
        n_valid = round(n * valid_frac)
        while n_test + n_valid >= n and n_test + n_valid > 0:  # keep at least one in train
            if n_valid >= n_test and n_valid > 0:
                n_valid -= 1
            else:
                n_test -= 1
        for rank, key in enumerate(keys):
            split = "test" if rank < n_test else "valid" if rank < n_test + n_valid else "train"
            for i in topic_groups[key]:
                assignment[i] = split
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for i, rec in enumerate(records):
        out[assignment[i]].append(rec)
    return out
