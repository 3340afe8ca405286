"""Reward-model triplets ``(query, positive, negative)`` with a configurable mix of negatives.

Positives are the professional (good) answers. Negatives come in three kinds, drawn per
triplet with the weights of config ``reward.negatives``:

* ``random``: an answer to another post (preferably of another topic),
* ``hard``: an answer to a post of the same topic whose intent or primary emotion differs
  (same topic, wrong person: the encoder has to read the post, not the topic),
* ``degraded``: one of the record's own bad answers, or a good answer spoiled (truncated,
  sentences shuffled, or replaced by a generic platitude).

When a kind is impossible for a record (no other post in its topic, say) the next kind in
the order hard -> random, degraded -> random is used and the triplet says which it got.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict

__all__ = ["KINDS", "PLATITUDES", "build_triplets", "degrade", "query_text", "reward_triplets"]

KINDS = ("random", "hard", "degraded")

#: Generic answers that fit any post and help none.
PLATITUDES: tuple[str, ...] = (
    "一切都会好起来的，加油！要相信明天会更好。",
    "想开点吧，人生没有过不去的坎，开心最重要。",
    "每个人都会遇到困难，坚持就是胜利，你可以的！",
)

_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")


def query_text(record: dict) -> str:
    """The text the encoder sees for a post: title, blank line, post."""
    title = record.get("title", "").strip()
    return f"{title}\n\n{record['post'].strip()}" if title else record["post"].strip()


def degrade(text: str, rng: random.Random) -> str:
    """A spoiled copy of a good answer: truncated, sentences shuffled, or a platitude.

    >>> degrade("第一句。第二句。第三句。第四句。", random.Random(0)) != "第一句。第二句。第三句。第四句。"
    True
    """
    sentences = [s for s in _SENTENCE.findall(text) if s.strip()]
    how = rng.choice(("truncate", "shuffle", "platitude")) if len(sentences) >= 3 else "platitude"
    if how == "truncate":
        return "".join(sentences[: max(1, len(sentences) // 3)])
    if how == "shuffle":
        shuffled = sentences[:]
        while shuffled == sentences:
            rng.shuffle(shuffled)
        return "".join(shuffled)
    return rng.choice(PLATITUDES)


def _label(rec: dict, key: str) -> str | None:
    labels = rec.get("labels") or {}
    return labels.get(key)


def build_triplets(records: list[dict], mix: dict[str, float], seed: int) -> list[dict]:
    """One triplet per (record, good answer); the negative's kind is drawn from ``mix``.

    >>> from empathy_r1.data.synth import synthesize
    >>> ts = build_triplets(synthesize(30, seed=0), {"random": 1, "hard": 1, "degraded": 1}, seed=0)
    >>> len(ts), sorted({t["kind"] for t in ts})
    (90, ['degraded', 'hard', 'random'])
    """
    unknown = set(mix) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown negative kinds {sorted(unknown)}; choose from {', '.join(KINDS)}")
    kinds = [k for k in KINDS if mix.get(k, 0) > 0]
    if not kinds:
        raise ValueError("the negatives mix needs a positive weight")
    weights = [mix[k] for k in kinds]
    rng = random.Random(seed)
    by_topic: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        by_topic[rec.get("topic", "")].append(i)

    answered = [j for j, r in enumerate(records) if r["answers"]]

    def random_negative(i: int) -> str | None:
        if len(answered) <= (1 if records[i]["answers"] else 0):
            return None  # no other post has an answer
        # A few draws prefer another topic; a corpus with one topic still works.
        j = i
        for _ in range(16):
            j = rng.choice(answered)
            if j != i and records[j].get("topic") != records[i].get("topic"):
                break
        while j == i:
            j = rng.choice(answered)
        return rng.choice(records[j]["answers"])["text"]

    def hard_negative(i: int) -> str | None:
        rec = records[i]
        same = [j for j in by_topic[rec.get("topic", "")] if j != i and records[j]["answers"]]
        differs = [
            j
            for j in same
            if _label(records[j], "intent") != _label(rec, "intent") or _label(records[j], "emotion") != _label(rec, "emotion")
        ]
        # Without labels (user corpora) a same-topic answer to another post is still hard.
        pool = differs if differs else ([] if rec.get("labels") else same)
        return rng.choice(records[rng.choice(pool)]["answers"])["text"] if pool else None

    def degraded_negative(i: int, positive: str) -> str:
        bad = records[i].get("bad_answers") or []
        if bad and rng.random() < 0.5:
            return rng.choice(bad)["text"]
        return degrade(positive, rng)

    triplets: list[dict] = []
    for i, rec in enumerate(records):
        query = query_text(rec)
        for answer in rec["answers"]:
            positive = answer["text"]
            kind = rng.choices(kinds, weights)[0]
            negative = None
            if kind == "hard":
                negative = hard_negative(i)
                if negative is None:
                    kind = "random"
            if kind == "random":
                negative = random_negative(i)
                if negative is None:
                    kind = "degraded"
            if kind == "degraded":
                negative = degraded_negative(i, positive)
            triplets.append({"query": query, "positive": positive, "negative": negative, "kind": kind, "id": rec["id"]})
    return triplets


def reward_triplets(train: list[dict], heldout: list[dict], mix: dict[str, float], seed: int, train_posts: int = 0) -> tuple[list[dict], list[dict]]:
    """Training and held-out triplets for the reward model, as the pipeline and ``reward train`` build them.

    ``train_posts`` caps the training posts (0: all): embedding them is most of the reward stage's time.
    Held-out triplets use ``seed + 1`` so their negatives are drawn independently.
    """
    posts = train[:train_posts] if train_posts else train
    return build_triplets(posts, mix, seed), (build_triplets(heldout, mix, seed + 1) if heldout else [])
