"""generation.Policy: batched greedy generation equals one-by-one, and streaming equals batch."""

from __future__ import annotations

import pytest

from empathy_r1.coe import prompt_messages
from empathy_r1.config import ModelConfig
from empathy_r1.generation import Policy
from empathy_r1.models import build_tiny_model, train_bpe_tokenizer

TEXTS = ["我最近总是失眠，心里很焦虑。", "和父母吵架以后很难过，不知道怎么办。", "工作压力很大，总担心被裁员。"]


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory):
    tok = train_bpe_tokenizer(TEXTS * 10, vocab_size=400)
    model = build_tiny_model(ModelConfig(hidden_size=32, num_heads=2, num_kv_heads=1, intermediate_size=64, num_layers=1), tok)
    out = tmp_path_factory.mktemp("policy")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_batched_greedy_matches_single_and_stream(policy_dir):
    policy = Policy.load(policy_dir)
    batch = [prompt_messages(t) for t in ("短", TEXTS[1])]  # different lengths: left padding matters
    together = policy.generate(batch, max_new_tokens=8)
    alone = [policy.generate([m], max_new_tokens=8)[0] for m in batch]
    assert together == alone
    assert "".join(policy.stream(batch[1], max_new_tokens=8)).strip() == alone[1]
    assert policy.generate(batch, max_new_tokens=8, batch_size=1) == alone


def test_sampling_runs_and_pipeline_dir_resolves(policy_dir, tmp_path):
    (tmp_path / "final").symlink_to(policy_dir)
    policy = Policy.load(tmp_path)
    out = policy.generate([prompt_messages(TEXTS[0])] * 2, max_new_tokens=4, temperature=1.0, top_p=0.9)
    assert len(out) == 2 and all(isinstance(t, str) for t in out)
