"""rewards: Equation 6 (binary and soft), the TRL-shaped answer reward, caching, and the composite."""

from __future__ import annotations

import numpy as np
import pytest

from empathy_r1.coe import DEFAULT_TAGS, Chain, render
from empathy_r1.config import RewardConfig
from empathy_r1.rewards import answer_reward, composite_scores, distinct1, make_answer_reward, make_format_reward


class CountingEmbedder:
    """One-hot of the text's first character: similarity 1 when query and answer start alike, else 0."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 8))
        for i, t in enumerate(texts):
            out[i, ord(t[0]) % 8] = 1.0
        return out


def chain(answer: str) -> str:
    return render(Chain("焦虑", "灾难化", "被理解", "先共情", answer))


def test_binary_and_soft_threshold():
    assert answer_reward([0.49, 0.5, 0.51], 0.5) == [0.0, 1.0, 1.0]
    # Soft: a ramp of width 0.2 centred on T; worked out: (0.55 - 0.4) / 0.2 = 0.75.
    assert answer_reward([0.0, 0.55, 1.0], 0.5, "soft") == [0.0, 0.75, 1.0]
    with pytest.raises(ValueError):
        answer_reward([0.1], 0.5, "cubic")  # type: ignore[arg-type]


def test_answer_reward_scores_answer_only_and_zero_when_malformed():
    emb = CountingEmbedder()
    fn = make_answer_reward(emb, threshold=0.5)
    # The reasoning starts with 焦 like the query; only the answer (starting with 我 or 焦) may count.
    completions = [chain("焦虑是正常的"), chain("我理解你"), "焦虑是正常的 (no tags)", [{"role": "assistant", "content": chain("焦急")}]]
    queries = ["焦虑的帖子"] * 4
    assert fn(completions, query=queries) == [1.0, 0.0, 0.0, 1.0]


def test_query_embedded_once_per_distinct_text_and_cached():
    emb = CountingEmbedder()
    fn = make_answer_reward(emb, threshold=0.5)
    queries = ["甲帖"] * 4 + ["乙帖"] * 4  # two prompts, G = 4
    fn([chain("回答")] * 8, query=queries)
    assert emb.calls[0] == ["甲帖", "乙帖"]  # queries: once each
    assert len(emb.calls[1]) == 8  # answers: one per completion
    fn([chain("回答")] * 4, query=["甲帖"] * 4)
    assert all("甲帖" not in call for call in emb.calls[2:])  # cached across calls


def test_format_reward_logs_layers_and_distinct1():
    logged: dict[str, float] = {}
    fn = make_format_reward()
    out = fn([chain("我很好"), "broken"], log_metric=lambda k, v: logged.__setitem__(k, v))
    assert out == [1.0, 0.0]
    assert logged["format/L1"] == 0.5 and logged["format/chain"] == 0.5
    assert 0 < logged["completions/distinct1"] <= 1
    assert fn.__name__ == "format_reward"


def test_composite_matches_weights_and_no_coe_mode():
    emb = CountingEmbedder()
    cfg = RewardConfig(threshold=0.5, format_weight=1.0, answer_weight=2.0)
    scores = composite_scores([chain("焦"), chain("我"), "焦虑"], ["焦虑"] * 3, emb, cfg)
    assert scores["format"] == [1.0, 1.0, 0.0]
    assert scores["answer"] == [1.0, 0.0, 0.0]
    assert scores["reward"] == [3.0, 1.0, 0.0]
    plain = composite_scores(["焦虑的回答"], ["焦虑"], emb, cfg, use_format=False)
    assert plain["answer"] == [1.0] and plain["reward"] == [2.0]  # whole text is the answer, no format term


def test_dropped_layer_markup_is_well_formed_for_its_tags():
    tags = DEFAULT_TAGS.drop("L2")
    text = render(Chain("焦虑", "", "被理解", "先共情", "回答"), tags)
    assert make_format_reward(tags)([text]) == [1.0]
    assert make_format_reward()([text]) == [0.0]


def test_distinct1():
    assert distinct1(["我很好", "我很好"]) == 0.5
    assert distinct1([""]) == 0.0


@pytest.mark.parametrize("cache_size", [0, 1])
def test_cache_smaller_than_a_batch_still_scores_every_query(cache_size):
    from empathy_r1.rewards import AnswerReward

    emb = CountingEmbedder()
    fn = AnswerReward(emb, threshold=0.5, cache_size=cache_size)
    queries = ["甲帖", "乙帖", "丙帖"]
    assert fn([chain("甲"), chain("乙"), chain("x")], query=queries) == [1.0, 1.0, 0.0]
    assert len(fn._cache) == cache_size
