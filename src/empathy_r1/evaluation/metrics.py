"""Automatic metrics, exactly as docs/metrics.md defines them: BLEU-1, ROUGE-L, METEOR, Distinct-n, NAvg.

Pure Python on purpose (no torch, no trl, no numpy needed): it runs at serving time, in tests in
milliseconds, and on a laptop over thousands of long answers.

Every score reproduces a reference implementation to the last bit, and the tests pin that:

* BLEU-1 is ``nltk.translate.bleu_score.sentence_bleu(refs, hyp, weights=(1.0,))``;
* ROUGE-L is ``rouge_score.rouge_scorer.RougeScorer(["rougeL"], tokenizer=...)`` with our tokeniser
  and the maximum over references, but its LCS is bit-parallel (Allison-Dix / Hyyrö), which in
  Python big ints costs O(n * m / 30) machine operations instead of the O(n * m) dynamic programme;
* METEOR is ``nltk.translate.meteor_score.meteor_score`` (alpha 0.9, beta 3, gamma 0.5, exact then
  Porter-stem matching) with no synonym stage, re-implemented with the same alignment order.

>>> tokenize("我很焦虑, ＡＩ会取代我吗? GPT-4")
['我', '很', '焦', '虑', 'ai', '会', '取', '代', '我', '吗', 'gpt', '4']
>>> round(bleu1(tokenize("我很难过"), [tokenize("我很伤心难过")]), 4)
0.6065
>>> rouge_l(tokenize("我很难过"), [tokenize("我很伤心难过")])
0.8
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from empathy_r1.text import tokenize  # the tokeniser of docs/metrics.md, re-exported

__all__ = [
    "METRIC_KEYS",
    "bleu1",
    "distinct_n",
    "distinct_n_mean",
    "lcs_length",
    "meteor",
    "per_sample",
    "report",
    "rouge_l",
    "score_sample",
    "tokenize",
]

#: The keys of :func:`report`, in the order tables show them.
METRIC_KEYS: tuple[str, ...] = (
    "bleu1",
    "rougeL",
    "meteor",
    "distinct1",
    "distinct2",
    "navg",
    "distinct1_mean",
    "distinct2_mean",
    "navg_mean",
)

METEOR_ALPHA = 0.9
METEOR_BETA = 3.0
METEOR_GAMMA = 0.5

Tokens = Sequence[str]


# --- BLEU-1 ----------------------------------------------------------------------------------


def bleu1(hyp: Tokens, refs: Sequence[Tokens]) -> float:
    """Clipped unigram precision times the brevity penalty (closest reference length).

    Computed with the very float operations of nltk's ``sentence_bleu(refs, hyp, weights=(1.0,))``
    (``bp * exp(fsum([1.0 * log(p)]))``, which is not always bit-equal to ``bp * p``), so the two
    agree exactly. 0 for an empty hypothesis or when nothing matches.

    >>> bleu1(["a", "a", "b"], [["a", "b", "c"]])
    0.6666666666666666
    """
    if not refs:
        raise ValueError("bleu1 needs at least one reference")
    hyp_len = len(hyp)
    if hyp_len == 0:
        return 0.0
    counts = Counter(hyp)
    max_ref = dict.fromkeys(counts, 0)
    for ref in refs:
        ref_counts = Counter(ref)
        for tok in counts:
            c = ref_counts[tok]
            if c > max_ref[tok]:
                max_ref[tok] = c
    matched = sum(min(c, max_ref[tok]) for tok, c in counts.items())
    if matched == 0:
        return 0.0
    # Closest reference length; ties go to the shorter reference (nltk's closest_ref_length).
    closest = min((len(r) for r in refs), key=lambda n: (abs(n - hyp_len), n))
    bp = 1.0 if hyp_len > closest else math.exp(1 - closest / hyp_len)
    return bp * math.exp(math.fsum([1.0 * math.log(matched / hyp_len)]))


# --- ROUGE-L ---------------------------------------------------------------------------------


def _match_masks(tokens: Tokens) -> dict[str, int]:
    """For each distinct token, a bit mask of the positions where it occurs."""
    masks: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    return masks


def _lcs_with_masks(masks: dict[str, int], m: int, other: Tokens) -> int:
    """LCS length of the masked sequence (length m) and ``other``, bit-parallel.

    V holds one bit per position of the masked sequence; a 0 bit marks a position where the LCS
    row increases. Each token of ``other`` updates all m cells at once with one addition, which
    is where the speed comes from: the carry chain does the DP's max() along the row
    (Allison & Dix 1986; Hyyrö 2004).
    """
    full = (1 << m) - 1
    v = full
    get = masks.get
    for tok in other:
        u = v & get(tok, 0)
        if u:
            v = ((v + u) | (v - u)) & full
    return m - v.bit_count()


def lcs_length(a: Tokens, b: Tokens) -> int:
    """Length of the longest common subsequence of two token sequences.

    >>> lcs_length(list("ABCBDAB"), list("BDCABA"))
    4
    """
    if not a or not b:
        return 0
    if len(a) < len(b):  # loop over the shorter sequence: fewer big-int operations
        a, b = b, a
    return _lcs_with_masks(_match_masks(a), len(a), b)


def _lcs_f(lcs: int, hyp_len: int, ref_len: int) -> float:
    # rouge-score's arithmetic, operation for operation (scoring.fmeasure).
    precision = lcs / hyp_len
    recall = lcs / ref_len
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def rouge_l(hyp: Tokens, refs: Sequence[Tokens]) -> float:
    """ROUGE-L F-measure (beta 1), the maximum over references; 0 when either side is empty."""
    if not refs:
        raise ValueError("rouge_l needs at least one reference")
    if not hyp:
        return 0.0
    masks = _match_masks(hyp)  # built once, shared by every reference
    best = 0.0
    for ref in refs:
        if not ref:
            continue
        f = _lcs_f(_lcs_with_masks(masks, len(hyp), ref), len(hyp), len(ref))
        if f > best:
            best = f
    return best


# --- METEOR ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _porter() -> Any:
    # Imported lazily: importing nltk takes ~2 s and pure-CJK text never needs a stemmer.
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    # nltk's PorterStemmer leaves words of 1-2 characters alone (its NLTK_EXTENSIONS mode), and
    # every Porter rule keys on a letter suffix, so tokens without letters (digits, ideographs)
    # are their own stem; only Latin words of 3+ letters reach the stemmer.
    if len(token) <= 2 or not any("a" <= ch <= "z" for ch in token):
        return token
    return _porter().stem(token)


def _match(
    hyp: list[tuple[int, str]], ref: list[tuple[int, str]]
) -> tuple[list[tuple[int, int]], list[tuple[int, str]], list[tuple[int, str]]]:
    """nltk's ``_match_enums``: hypothesis words right to left, each takes the rightmost free equal reference word."""
    positions: dict[str, list[int]] = {}
    for j, (_, word) in enumerate(ref):
        positions.setdefault(word, []).append(j)
    pairs: list[tuple[int, int]] = []
    used_h: set[int] = set()
    used_r: set[int] = set()
    for i in range(len(hyp) - 1, -1, -1):
        free = positions.get(hyp[i][1])
        if free:
            j = free.pop()
            used_h.add(i)
            used_r.add(j)
            pairs.append((hyp[i][0], ref[j][0]))
    rest_h = [p for i, p in enumerate(hyp) if i not in used_h]
    rest_r = [p for j, p in enumerate(ref) if j not in used_r]
    return pairs, rest_h, rest_r


def _chunks(pairs: list[tuple[int, int]]) -> int:
    """Fewest chunks of matches adjacent in both sequences (pairs sorted by hypothesis index)."""
    chunks = 1
    for (h0, r0), (h1, r1) in itertools.pairwise(pairs):
        if not (h1 == h0 + 1 and r1 == r0 + 1):
            chunks += 1
    return chunks


def _meteor_single(hyp: Tokens, ref: Tokens) -> float:
    if not hyp or not ref:
        return 0.0
    exact, rest_h, rest_r = _match(list(enumerate(hyp)), list(enumerate(ref)))
    stemmed, _, _ = _match([(i, _stem(w)) for i, w in rest_h], [(j, _stem(w)) for j, w in rest_r])
    # nltk's synonym stage would follow; with no synonyms it can match nothing: after the stem
    # stage no equal stems are left on both sides.
    pairs = sorted(exact + stemmed, key=lambda p: p[0])
    n = len(pairs)
    if n == 0:
        return 0.0
    precision = float(n) / len(hyp)
    recall = float(n) / len(ref)
    fmean = (precision * recall) / (METEOR_ALPHA * precision + (1 - METEOR_ALPHA) * recall)
    frag = float(_chunks(pairs)) / n
    penalty = METEOR_GAMMA * frag**METEOR_BETA
    return (1 - penalty) * fmean


def meteor(hyp: Tokens, refs: Sequence[Tokens]) -> float:
    """METEOR as nltk's ``meteor_score`` computes it, without synonyms; the maximum over references.

    >>> round(meteor(["we", "walked", "home"], [["we", "walk", "home"]]), 4)
    0.9815
    """
    if not refs:
        raise ValueError("meteor needs at least one reference")
    if not hyp:
        return 0.0
    return max(_meteor_single(hyp, ref) for ref in refs)


# --- diversity and reports -------------------------------------------------------------------


def distinct_n(predictions: Sequence[Tokens], n: int) -> float:
    """Distinct n-grams / all n-grams over a system's predictions; n-grams never cross two of them.

    >>> distinct_n([["a", "b", "a", "b"], ["a", "b"]], 2)
    0.5
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    seen: set[tuple[str, ...]] = set()
    total = 0
    for toks in predictions:
        k = len(toks) - n + 1
        if k > 0:
            total += k
            seen.update(tuple(toks[i : i + n]) for i in range(k))
    return len(seen) / total if total else 0.0


def distinct_n_mean(predictions: Sequence[Tokens], n: int) -> float:
    """Distinct-n of each prediction alone, averaged over predictions (one without an n-gram counts 0).

    Unlike :func:`distinct_n` over the whole set, it does not fall as the set grows, so it compares
    across sets of different sizes; it measures repetition inside an answer, not across answers.

    >>> distinct_n_mean([["a", "b", "a", "b"], ["a", "b"]], 1)
    0.75
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    return _mean([distinct_n([toks], n) for toks in predictions])


def score_sample(prediction: str, references: Sequence[str]) -> dict[str, float]:
    """BLEU-1, ROUGE-L and METEOR of one prediction against its references (raw strings)."""
    hyp = tokenize(prediction)
    refs = [tokenize(r) for r in references]
    return {"bleu1": bleu1(hyp, refs), "rougeL": rouge_l(hyp, refs), "meteor": meteor(hyp, refs)}


def _check_inputs(predictions: Sequence[str], references: Sequence[Sequence[str]]) -> None:
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} reference lists")
    for i, refs in enumerate(references):
        if isinstance(refs, str):
            raise TypeError(f"references[{i}] must be a list of strings, got one string")
        if not refs:
            raise ValueError(f"references[{i}] is empty: every sample needs at least one reference")


def per_sample(predictions: Sequence[str], references: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """One ``{"bleu1", "rougeL", "meteor"}`` per prediction."""
    _check_inputs(predictions, references)
    return [score_sample(p, refs) for p, refs in zip(predictions, references, strict=True)]


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def report(
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    samples: list[dict[str, float]] | None = None,
) -> dict[str, float | int]:
    """The metric report: ``n``, mean BLEU-1/ROUGE-L/METEOR, Distinct-1/2 both ways, and NAvg with each.

    ``distinct1``/``distinct2`` are over the whole set (falls toward 0 as the set grows);
    ``distinct1_mean``/``distinct2_mean`` are the mean per answer. NAvg = mean(BLEU-1, ROUGE-L,
    METEOR, Distinct-1) with the whole-set Distinct-1 (``navg``) and with the per-answer one
    (``navg_mean``): the paper names NAvg as the average without defining Distinct's scope
    (docs/metrics.md). Pass ``samples`` (from :func:`per_sample`) to avoid scoring twice.

    >>> r = report(["我很难过", "我很难过"], [["我很伤心难过"], ["我很难过"]])
    >>> r["n"], r["rougeL"], r["distinct1"]
    (2, 0.9, 0.5)
    """
    if samples is None:
        samples = per_sample(predictions, references)
    elif len(samples) != len(predictions):
        raise ValueError("samples and predictions differ in length")
    toks = [tokenize(p) for p in predictions]
    out: dict[str, float | int] = {"n": len(predictions)}
    for key in ("bleu1", "rougeL", "meteor"):
        out[key] = _mean([s[key] for s in samples])
    out["distinct1"] = distinct_n(toks, 1)
    out["distinct2"] = distinct_n(toks, 2)
    out["navg"] = _mean([out["bleu1"], out["rougeL"], out["meteor"], out["distinct1"]])
    out["distinct1_mean"] = distinct_n_mean(toks, 1)
    out["distinct2_mean"] = distinct_n_mean(toks, 2)
    out["navg_mean"] = _mean([out["bleu1"], out["rougeL"], out["meteor"], out["distinct1_mean"]])
    return out
