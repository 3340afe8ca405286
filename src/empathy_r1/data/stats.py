"""Corpus statistics for data cards: counts, length distributions and n-gram overlap."""

from __future__ import annotations

import statistics
from collections import Counter

__all__ = ["corpus_stats", "length_summary", "ngram_overlap"]


def length_summary(lengths: list[int]) -> dict[str, float]:
    """Mean, median, min, max, 10th and 90th percentile of character lengths.

    >>> length_summary([1, 2, 3])["median"]
    2
    """
    if not lengths:
        return {"n": 0}
    ordered = sorted(lengths)

    def pct(q: float) -> int:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "n": len(ordered),
        "mean": round(statistics.fmean(ordered), 1),
        "median": statistics.median_low(ordered),
        "min": ordered[0],
        "p10": pct(0.1),
        "p90": pct(0.9),
        "max": ordered[-1],
    }


def corpus_stats(records: list[dict]) -> dict:
    """Topics, answers per post and the length distributions of posts and answers."""
    return {
        "posts": len(records),
        "answers": sum(len(r["answers"]) for r in records),
        "topics": dict(Counter(r["topic"] for r in records).most_common()),
        "post_chars": length_summary([len(r["post"]) for r in records]),
        "answer_chars": length_summary([len(a["text"]) for r in records for a in r["answers"]]),
        "answers_per_post": length_summary([len(r["answers"]) for r in records]),
    }


def _ngrams(text: str, n: int) -> set[str]:
    text = "".join(text.split())  # whitespace and paragraph breaks carry no content
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def ngram_overlap(test: list[str], train: list[str], n: int = 8) -> dict[str, float]:
    """How much of each test text already appears in the training texts, as character n-grams.

    ``mean_share`` is the mean over test texts of (n-grams also found in train) / (n-grams);
    ``max_share`` the worst text; ``copies`` the number of test texts whose n-grams all appear.

    >>> ngram_overlap(["abcdefghij"], ["xxabcdefghxx"], n=8)["mean_share"]
    0.3333
    """
    seen: set[str] = set()
    for t in train:
        seen |= _ngrams(t, n)
    shares = []
    for t in test:
        grams = _ngrams(t, n)
        if grams:
            shares.append(len(grams & seen) / len(grams))
    if not shares:
        return {"n": n, "test_texts": 0, "mean_share": 0.0, "max_share": 0.0, "copies": 0}
    ordered = sorted(shares)
    return {
        "n": n,
        "test_texts": len(shares),
        "mean_share": round(statistics.fmean(shares), 4),
        "p90_share": round(ordered[int(0.9 * (len(ordered) - 1))], 4),
        "max_share": round(ordered[-1], 4),
        "copies": sum(s == 1.0 for s in shares),
    }
