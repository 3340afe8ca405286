"""The per-prompt comparison the pipeline report uses to say whether GRPO beat SFT."""

import math

import pytest

from empathy_r1.evaluation.run import paired_difference


def _rows(rewards, ids=None):
    return [{"id": i, "reward": r} for i, r in zip(ids or range(len(rewards)), rewards, strict=True)]


def test_mean_and_standard_error_of_per_prompt_differences():
    d = paired_difference(_rows([1.0, 1.0, 2.0, 0.0]), _rows([1.5, 1.0, 2.5, 1.0]))
    diffs = [0.5, 0.0, 0.5, 1.0]
    mean = sum(diffs) / 4
    se = math.sqrt(sum((x - mean) ** 2 for x in diffs) / 3 / 4)
    assert d == {"n": 4, "mean": pytest.approx(mean), "se": pytest.approx(se, abs=1e-6)}


def test_rows_are_matched_by_id_not_position():
    before = _rows([0.0, 1.0], ids=["a", "b"])
    after = _rows([1.0, 0.0], ids=["b", "a"])  # same rewards per prompt, listed in another order
    assert paired_difference(before, after)["mean"] == 0.0


def test_prompts_missing_from_either_side_or_without_a_reward_are_left_out():
    before = _rows([1.0, 1.0], ids=["a", "b"])
    after = [{"id": "a", "reward": 2.0}, {"id": "c", "reward": 5.0}, {"id": "b"}]
    assert paired_difference(before, after) == {"n": 1, "mean": 1.0, "se": 0.0}


def test_nothing_to_compare():
    assert paired_difference([], _rows([1.0])) == {"n": 0, "mean": 0.0, "se": 0.0}
