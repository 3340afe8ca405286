"""The SFT cold start as the paper runs it, and no test leakage in the reward stage.

A corpus of 600 posts, 215 of them distilled and reviewed (195 accepted, 5 edited, 15 rejected):
exactly 200 chains reach SFT, none of their posts is held out, and the reward stage builds its
held-out triplets (and so T) from the validation split without ever opening test.jsonl.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from empathy_r1.config import load_config
from empathy_r1.data.coldstart import drop_overlap, review_log_path, reviewed_chains, select_sft
from empathy_r1.data.review import ReviewSession
from empathy_r1.data.synth import synthesize
from empathy_r1.errors import UserError
from empathy_r1.io import write_jsonl
from empathy_r1.training import pipeline


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path, list[dict]]:
    """(corpus.jsonl, sft.jsonl with its review log, the corpus records)."""
    d = tmp_path_factory.mktemp("coldstart")
    records = synthesize(600, seed=3)
    for r in records:
        r.pop("review", None)
    corpus_path = d / "corpus.jsonl"
    write_jsonl(corpus_path, records)
    distilled = d / "distilled.jsonl"
    write_jsonl(distilled, records[:215])
    session = ReviewSession(distilled, d / "sft.jsonl", reviewer="Dr. Test")
    for i, r in enumerate(records[:215]):
        if i < 195:
            session.decide(r["id"], "accept")
        elif i < 200:
            session.decide(r["id"], "edit", {**r["coe"], "strategy": r["coe"]["strategy"] + "（已修改）"})
        else:
            session.decide(r["id"], "reject")
    return corpus_path, d / "sft.jsonl", records


def _cfg(corpus_path: Path, sft: Path | None, *extra: str):
    sets = [
        f"data.source={corpus_path}",
        "data.sft_n=200",
        "data.min_answer_chars=0",
        "model.bpe_vocab_size=300",
        "model.hidden_size=32",
        "model.num_layers=1",
        "model.num_heads=2",
        "model.num_kv_heads=1",
        "model.intermediate_size=64",
        *extra,
    ]
    if sft is not None:
        sets.append(f"data.sft_source={sft}")
    return load_config(None, sets)


def test_reviewed_chains_checks_the_log(corpus):
    _, sft, _ = corpus
    rows = [json.loads(line) for line in sft.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 200
    rows[0] = {**rows[0], "coe": {**rows[0]["coe"], "answer": "changed after review"}}
    chains, counts = reviewed_chains(rows, review_log_path(sft), allow_unreviewed=False)
    assert len(chains) == 199 and counts["changed_after_review"] == 1
    # A record that was rejected in the log does not count even if someone copies it into the file.
    rejected = json.loads(json.dumps(rows[1]))
    last = {json.loads(x)["id"]: json.loads(x) for x in review_log_path(sft).read_text(encoding="utf-8").splitlines()}
    rejected_id = next(i for i, e in last.items() if e["decision"] == "reject")
    rejected["id"] = rejected_id
    _, counts = reviewed_chains([rejected], review_log_path(sft), allow_unreviewed=False)
    assert counts["rejected"] == 1


@pytest.mark.slow  # runs the data stage of the pipeline on 2,000 posts (~25 s)
def test_exactly_200_reach_sft_and_none_is_held_out(corpus, tmp_path):
    corpus_path, sft, _ = corpus
    cfg = _cfg(corpus_path, sft, "pipeline.stages=[data]")
    d = tmp_path / "data"
    d.mkdir()
    info = pipeline._stage_data(cfg, d)
    read = lambda name: [json.loads(x) for x in (d / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]  # noqa: E731
    sft_rows = read("sft")
    assert len(sft_rows) == 200 and info["sft"] == 200 == info["sft_selection"]["reviewed"]
    edited = [r for r in sft_rows if r["coe"]["strategy"].endswith("（已修改）")]
    assert len(edited) == 5  # the SFT chain is the reviewed (edited) one
    ids = {r["id"] for r in sft_rows}
    posts = {r["post"] for r in sft_rows}
    for name in ("valid", "test", "eval"):
        assert not ids & {r["id"] for r in read(name)}
        assert not posts & {r["post"] for r in read(name)}
    removed = info["removed_from_heldout"]
    assert removed["valid"] + removed["test"] > 0  # reviewed posts the split had put in valid/test
    card = json.loads((d / "card.json").read_text(encoding="utf-8"))
    assert card["sft"]["used"] == 200 and card["removed_from_heldout"] == removed


def test_too_few_reviewed_chains_is_an_error_that_counts(corpus):
    corpus_path, sft, _ = corpus
    cfg = _cfg(corpus_path, sft, "data.sft_n=201")
    from empathy_r1.data.io import read_records

    with pytest.raises(
        UserError, match=r"data.sft_n is 201 but data.sft_source has 200 usable chains \(200 reviewed of 200 read; rejected in log 15"
    ):
        select_sft(cfg.data, [], read_records(sft)[0], str(sft))


def test_unreviewed_chains_need_allow_unreviewed(corpus, tmp_path):
    corpus_path, _, records = corpus
    bare = tmp_path / "bare.jsonl"
    write_jsonl(bare, records[:200])  # chains, but no review log beside the file
    cfg = _cfg(corpus_path, bare)
    with pytest.raises(UserError, match="no review log"):
        select_sft(cfg.data, [], records[:200], str(bare))
    chains, counts = select_sft(_cfg(corpus_path, bare, "data.allow_unreviewed=true").data, [], records[:200], str(bare))
    assert len(chains) == 200 and counts["unreviewed_used"] == 200
    # From the training split: synthetic gold chains are unreviewed too.
    with pytest.raises(UserError, match="allow_unreviewed"):
        select_sft(_cfg(corpus_path, None).data, records, None, "synth")


def test_drop_overlap_by_id_and_by_post():
    sft = [{"id": "a", "post": "同一段 话"}]
    splits = {"valid": [{"id": "a", "post": "x"}, {"id": "b", "post": "同一段话"}, {"id": "c", "post": "别的"}], "test": []}
    assert drop_overlap(sft, splits) == {"valid": 2, "test": 0}
    assert [r["id"] for r in splits["valid"]] == ["c"]


def test_reward_stage_never_opens_the_test_split(tmp_path, monkeypatch):
    """T (reward.auto_threshold) is chosen on held-out triplets: they must come from valid alone."""
    records = synthesize(80, seed=5)
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "train.jsonl", records[:60])
    write_jsonl(data / "valid.jsonl", records[60:70])
    # No test.jsonl at all: reading it would fail. And a spy on every open, in case a path is built differently.
    opened: list[str] = []
    real_open = io.open

    def spy(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr("builtins.open", spy)
    seen: dict[str, list] = {}

    class Report:
        accuracy = accuracy_before = 1.0
        suggested_threshold = 0.3

    def fake_train(cfg, train, heldout, out_dir, seed=0):
        seen["heldout"] = heldout
        return None, Report()

    monkeypatch.setattr("empathy_r1.reward_model.train_reward_model", fake_train)
    cfg = load_config(None, [])
    d = tmp_path / "reward"
    d.mkdir()
    pipeline._stage_reward(cfg, tmp_path, d)
    assert not any(Path(p).name == "test.jsonl" for p in opened)
    valid_posts = {pipeline_query for pipeline_query in (r["post"] for r in records[60:70])}
    assert seen["heldout"] and all(any(post in t["query"] for post in valid_posts) for t in seen["heldout"])
