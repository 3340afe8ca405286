"""Splits: deterministic, disjoint, topic-stratified, duplicates kept together."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from empathy_r1.data.splits import split_records


def _records(n_per_topic: dict[str, int]) -> list[dict]:
    return [{"id": f"{t}-{i}", "topic": t, "post": f"{t} post {i}"} for t, n in n_per_topic.items() for i in range(n)]


def test_stratified_and_deterministic():
    recs = _records({"a": 100, "b": 40, "c": 10})
    s1 = split_records(recs, 0.1, 0.2, seed=0)
    s2 = split_records(list(reversed(recs)), 0.1, 0.2, seed=0)
    assert {k: {r["id"] for r in v} for k, v in s1.items()} == {k: {r["id"] for r in v} for k, v in s2.items()}
    for topic, n in (("a", 100), ("b", 40), ("c", 10)):
        assert sum(r["topic"] == topic for r in s1["test"]) == round(n * 0.2)
        assert sum(r["topic"] == topic for r in s1["valid"]) == round(n * 0.1)
    s3 = split_records(recs, 0.1, 0.2, seed=1)
    assert {r["id"] for r in s3["test"]} != {r["id"] for r in s1["test"]}


def test_same_post_never_in_two_splits():
    recs = [{"id": str(i), "topic": "t", "post": f"p{i % 5}"} for i in range(50)]
    splits = split_records(recs, 0.2, 0.2, seed=0)
    where = {}
    for name, part in splits.items():
        for r in part:
            assert where.setdefault(r["post"], name) == name


def test_tiny_topic_keeps_train():
    splits = split_records(_records({"x": 1, "y": 2}), 0.4, 0.5, seed=0)
    assert {r["topic"] for r in splits["train"]} == {"x", "y"}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 30), min_size=1), st.integers(0, 5))
def test_partition_property(sizes, seed):
    recs = _records(sizes)
    splits = split_records(recs, 0.1, 0.15, seed)
    ids = [r["id"] for part in splits.values() for r in part]
    assert sorted(ids) == sorted(r["id"] for r in recs)


def test_many_small_topics_still_get_held_out_posts():
    recs = _records({f"topic{i}": 2 for i in range(30)})
    splits = split_records(recs, 0.05, 0.1, seed=0)
    assert len(splits["test"]) == 6 and len(splits["valid"]) == 3
    assert {r["topic"] for r in splits["train"]} == {r["topic"] for r in recs}
