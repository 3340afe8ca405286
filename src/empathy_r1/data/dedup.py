"""Near-duplicate posts, found with MinHash LSH over character shingles (datasketch).

Forums repost: the same story with a changed word or two, or cross-posted to two boards. Such
pairs would leak between train and test, so only the first of each near-duplicate group stays.
"""

from __future__ import annotations

import hashlib

from datasketch import MinHash, MinHashLSH

__all__ = ["drop_near_duplicates"]


def _shingles(text: str, k: int) -> set[bytes]:
    text = "".join(text.split())
    return {text[i : i + k].encode() for i in range(max(1, len(text) - k + 1))}


def drop_near_duplicates(
    records: list[dict], threshold: float = 0.8, shingle: int = 5, num_perm: int = 128
) -> tuple[list[dict], dict[str, int]]:
    """Keep the first record of each group of posts whose estimated Jaccard >= ``threshold``.

    >>> recs = [{"id": str(i), "post": p} for i, p in enumerate(["今天天气很好我们去公园散步吧" * 3, "今天天气很好我们去公园散步吧" * 3 + "！", "完全不同的另一段文字内容在这里"])]
    >>> [r["id"] for r in drop_near_duplicates(recs)[0]]
    ['0', '2']
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    seen_exact: set[str] = set()
    kept: list[dict] = []
    counts = {"exact_duplicate_posts": 0, "near_duplicate_posts": 0}
    for rec in records:
        digest = hashlib.sha256("".join(rec["post"].split()).encode()).hexdigest()
        if digest in seen_exact:
            counts["exact_duplicate_posts"] += 1
            continue
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(list(_shingles(rec["post"], shingle)))
        if lsh.query(m):
            counts["near_duplicate_posts"] += 1
            continue
        lsh.insert(rec["id"], m)
        seen_exact.add(digest)
        kept.append(rec)
    return kept, counts
