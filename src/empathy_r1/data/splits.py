"""Deterministic, topic-stratified train/valid/test splits by a salted hash of the id.

Within each topic, posts are ordered by ``sha256(seed:key)`` and the first ones go to test, the
next to valid, the rest to train, so each topic is split in the requested proportions and the
same records with the same seed always land in the same place. How many per topic: the floor of
its share, and the posts left over to reach the corpus-wide total go to the topics with the
largest remainders (so a corpus of many small topics still gets a test split); a topic never
gives away its last post to valid or test. Records that share a post text
share a split (their key is the first id seen for that text), so no post is ever in two splits.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

__all__ = ["SPLITS", "split_records"]

SPLITS = ("train", "valid", "test")


def _rank(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def _allocate(sizes: dict[str, int], taken: dict[str, int], frac: float, seed: int) -> dict[str, int]:
    """Posts per topic for one split: floors of the shares, then largest remainders up to the total."""
    total = round(sum(sizes.values()) * frac)
    count = {t: min(int(n * frac), max(0, n - taken[t] - 1)) for t, n in sizes.items()}
    order = sorted(sizes, key=lambda t: (-(sizes[t] * frac - int(sizes[t] * frac)), _rank(seed, t)))
    for t in order:
        if sum(count.values()) >= total:
            break
        if sizes[t] - taken[t] - count[t] > 1:  # keep at least one post of the topic in train
            count[t] += 1
    return count


def split_records(records: list[dict], valid_frac: float, test_frac: float, seed: int) -> dict[str, list[dict]]:
    """Split ``records`` into ``{"train", "valid", "test"}``, stratified by ``topic``.

    About ``test_frac`` and ``valid_frac`` of each topic go to test and valid (never all of a
    topic: at least one post stays in train). Order inside each split follows the input order.

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

    sizes = {topic: len(g) for topic, g in groups.items()}
    n_test = _allocate(sizes, {t: 0 for t in sizes}, test_frac, seed)
    n_valid = _allocate(sizes, n_test, valid_frac, seed + 1)
    assignment: dict[int, str] = {}
    for topic, topic_groups in groups.items():
        keys = sorted(topic_groups, key=lambda k: _rank(seed, k))
        n_test_t, n_valid_t = n_test[topic], n_valid[topic]
        for rank, key in enumerate(keys):
            split = "test" if rank < n_test_t else "valid" if rank < n_test_t + n_valid_t else "train"
            for i in topic_groups[key]:
                assignment[i] = split
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for i, rec in enumerate(records):
        out[assignment[i]].append(rec)
    return out
