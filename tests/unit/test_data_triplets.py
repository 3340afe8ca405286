"""Reward-model triplets: the negative kinds mean what they say."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from empathy_r1.data.synth import synthesize
from empathy_r1.data.triplets import build_triplets, degrade, query_text, reward_triplets


@pytest.fixture(scope="module")
def records():
    return synthesize(120, seed=2)


def test_kinds_follow_the_mix(records):
    ts = build_triplets(records, {"random": 0.4, "hard": 0.3, "degraded": 0.3}, seed=0)
    assert len(ts) == sum(len(r["answers"]) for r in records)
    counts = Counter(t["kind"] for t in ts)
    assert 0.3 < counts["random"] / len(ts) < 0.5
    assert build_triplets(records, {"random": 0.4, "hard": 0.3, "degraded": 0.3}, seed=0) == ts
    only = build_triplets(records, {"degraded": 1.0}, seed=0)
    assert {t["kind"] for t in only} == {"degraded"}


def test_negatives_are_of_their_kind(records):
    by_answer = {a["text"]: r for r in records for a in r["answers"]}
    for t in build_triplets(records, {"random": 1, "hard": 1, "degraded": 1}, seed=1):
        own = by_answer[t["positive"]]
        assert t["negative"] and t["negative"] != t["positive"]
        assert t["query"].endswith(own["post"])
        if t["kind"] in ("random", "hard"):
            other = by_answer[t["negative"]]
            assert other["id"] != own["id"]
        if t["kind"] == "hard":
            assert other["topic"] == own["topic"]
            assert (other["labels"]["intent"], other["labels"]["emotion"]) != (own["labels"]["intent"], own["labels"]["emotion"])


def test_hard_falls_back_when_impossible():
    recs = synthesize(2, seed=0)  # two different topics: no same-topic post exists
    ts = build_triplets(recs, {"hard": 1.0}, seed=0)
    assert {t["kind"] for t in ts} == {"random"}


def test_unknown_kind_is_rejected(records):
    with pytest.raises(ValueError, match="unknown negative kinds"):
        build_triplets(records, {"nope": 1.0}, seed=0)


def test_degrade_changes_text():
    text = "第一句话。第二句话。第三句话。第四句话。第五句话。第六句话。"
    outs = {degrade(text, random.Random(s)) for s in range(20)}
    assert text not in outs and len(outs) > 2


def test_reward_triplets_caps_training_posts_and_keeps_heldout_apart():
    posts = synthesize(40, seed=3)
    mix = {"random": 0.4, "hard": 0.3, "degraded": 0.3}
    train, heldout = reward_triplets(posts[:30], posts[30:], mix, seed=0, train_posts=10)
    train_queries = {t["query"] for t in train}
    assert train_queries and train_queries <= {query_text(r) for r in posts[:10]}
    assert {t["query"] for t in heldout} <= {query_text(r) for r in posts[30:]}
    all_train, none = reward_triplets(posts[:30], [], mix, seed=0)
    assert {t["query"] for t in all_train} == {query_text(r) for r in posts[:30]} and none == []
