from __future__ import annotations

import pytest

from empathy_r1.config import ModelConfig
from empathy_r1.errors import UserError
from empathy_r1.models import build_tiny_model, load_tokenizer, train_bpe_tokenizer

TEXT = "我最近总是失眠，心里很焦虑，担心自己会被AI取代，不知道该怎么办。"


@pytest.fixture(scope="module")
def qwen3():
    return load_tokenizer("qwen3")


def test_qwen3_tokenizer_round_trips_chinese_offline(qwen3):
    ids = qwen3(TEXT)["input_ids"]
    assert qwen3.decode(ids) == TEXT
    assert len(ids) < len(TEXT)


def test_qwen3_tokenizer_has_qwen3_ids(qwen3):
    # Ids as in Qwen3's own tokenizer.json.
    assert len(qwen3) == 151669
    assert qwen3.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]) == [
        151643, 151644, 151645, 151667, 151668,
    ]  # fmt: skip
    assert qwen3("Hello world")["input_ids"] == [9707, 1879]
    assert qwen3.eos_token == "<|im_end|>" and qwen3.pad_token == "<|endoftext|>"


def test_qwen3_chat_template(qwen3):
    prompt = qwen3.apply_chat_template(
        [{"role": "user", "content": "你好"}], tokenize=False, add_generation_prompt=True, enable_thinking=False
    )
    assert prompt == "<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"


def test_local_directory_loads_and_missing_one_is_a_user_error(tmp_path):
    tok = train_bpe_tokenizer([TEXT] * 20, vocab_size=400)
    tok.save_pretrained(tmp_path)
    again = load_tokenizer(str(tmp_path))
    assert again(TEXT)["input_ids"] == tok(TEXT)["input_ids"]
    with pytest.raises(UserError, match="no such directory"):
        load_tokenizer(str(tmp_path / "nope"))


def test_bpe_tokenizer_keeps_tags_whole_and_masks_assistant():
    tok = train_bpe_tokenizer([TEXT] * 20, vocab_size=400)
    ids = tok("<empathy_think><L1>焦虑</L1>")["input_ids"]
    assert tok.convert_ids_to_tokens(ids)[:2] == ["<empathy_think>", "<L1>"]
    assert tok.decode(tok(TEXT)["input_ids"]) == TEXT
    out = tok.apply_chat_template(
        [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "嗯"}],
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    masked = [i for i, m in zip(out["input_ids"], out["assistant_masks"], strict=True) if m]
    assert tok.decode(masked) == "嗯<|im_end|>"


def test_tiny_model_forward():
    import torch

    tok = train_bpe_tokenizer([TEXT] * 20, vocab_size=400)
    model = build_tiny_model(ModelConfig(hidden_size=32, num_heads=2, num_kv_heads=1, intermediate_size=64), tok)
    ids = torch.tensor([tok(TEXT)["input_ids"]])
    logits = model(ids).logits
    assert logits.shape == (1, ids.shape[1], len(tok))
