"""Any causal LM family: SFT (completion-only loss) and GRPO, then evaluation and serving, on tiny random
Llama and Gemma-3 checkpoints with their own locally built tokenizers (templates without generation
markers; Gemma's without a system role), and on Qwen3 with the genuine Qwen3 tokenizer."""

from __future__ import annotations

import pytest

from empathy_r1.config import Config, load_config
from empathy_r1.data.sample import load_sample
from empathy_r1.generation import Policy
from empathy_r1.models import adapt_messages, load_model, load_tokenizer, supports_system_role
from empathy_r1.training.common import record_messages, sft_target

pytestmark = pytest.mark.slow


def tiny_cfg(**over: object) -> Config:
    sets = [
        "sft.max_steps=2", "sft.batch_size=2", "sft.save_steps=1", "sft.logging_steps=1", "sft.max_length=4096",
        "grpo.max_steps=1", "grpo.num_generations=4", "grpo.batch_size=4", "grpo.max_completion_length=8", "grpo.save_steps=1",
        "reward.safety_weight=0",
    ]  # fmt: skip
    return load_config("configs/tiny.yaml", sets + [f"{k}={v}" for k, v in over.items()])


@pytest.fixture(scope="module")
def qwen3_checkpoint(tmp_path_factory):
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    tok = load_tokenizer("qwen3")
    torch.manual_seed(0)
    config = Qwen3Config(
        vocab_size=len(tok), hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1,
        head_dim=8, tie_word_embeddings=True, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )  # fmt: skip
    d = tmp_path_factory.mktemp("qwen3-genuine")
    model = Qwen3ForCausalLM(config)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.save_pretrained(d)
    tok.save_pretrained(d)
    return d


def completion_only_rows(checkpoint, cfg):
    """The rows TRL's SFTTrainer trains on, and which tokens carry the loss."""
    from trl import SFTTrainer

    from empathy_r1.training.sft import build_sft_config, sft_dataset, sft_form

    tok = load_tokenizer(str(checkpoint))
    form = sft_form(cfg, tok)
    records = load_sample()[:2]
    trainer = SFTTrainer(
        model=load_model(checkpoint),
        args=build_sft_config(cfg, checkpoint.parent / "probe", form),
        train_dataset=sft_dataset(records, cfg, tok, prompt_completion=form == "prompt_completion"),
        processing_class=tok,
    )
    return form, tok, records, trainer.train_dataset


@pytest.mark.parametrize("family", ["llama", "gemma3"])
def test_loss_is_on_the_completion_only_without_generation_markers(family, family_checkpoint, tmp_path):
    checkpoint = family_checkpoint(family)
    cfg = tiny_cfg()
    form, tok, records, rows = completion_only_rows(checkpoint, cfg)
    assert form == "prompt_completion"
    assert supports_system_role(tok) == (family == "llama")
    for record, row in zip(records, rows, strict=True):
        trained = [i for i in row["labels"] if i != -100]  # TRL turns the completion mask into labels
        text = tok.decode(trained)
        # Exactly the reply and the end-of-turn token: no system prompt, no post, no header.
        assert text.startswith(sft_target(record, cfg)[:20]) and record["post"][:10] not in text
        assert trained[-1] == tok.convert_tokens_to_ids(tok.eos_token) or text.rstrip().endswith(tok.eos_token)
    if family == "gemma3":
        folded = adapt_messages(record_messages(records[0], cfg), tok)
        assert [m["role"] for m in folded] == ["user"] and record_messages(records[0], cfg)[0]["content"] in folded[0]["content"]


@pytest.mark.parametrize("family", ["llama", "gemma3", "qwen3"])
def test_sft_grpo_eval_and_serve_end_to_end(family, family_checkpoint, qwen3_checkpoint, tmp_path):
    from empathy_r1.serving import PolicyBackend
    from empathy_r1.training.grpo import run_grpo
    from empathy_r1.training.sft import run_sft, sft_form

    checkpoint = qwen3_checkpoint if family == "qwen3" else family_checkpoint(family)
    cfg = tiny_cfg()
    tok = load_tokenizer(str(checkpoint))
    assert sft_form(cfg, tok) == ("messages" if family == "qwen3" else "prompt_completion")
    records = load_sample()[:4]
    sft_dir = run_sft(cfg, load_model(checkpoint), tok, records, tmp_path / "sft")
    log = (tmp_path / "sft" / "log_history.json").read_text(encoding="utf-8")
    assert '"loss"' in log
    grpo_dir = run_grpo(cfg, load_model(sft_dir), load_tokenizer(str(sft_dir)), records, None, tmp_path / "grpo")
    assert (grpo_dir / "config.json").is_file()
    policy = Policy.load(grpo_dir, device="cpu")
    [completion] = policy.generate([record_messages(records[0], cfg)], max_new_tokens=4, temperature=0.0)
    assert isinstance(completion, str)
    from empathy_r1.evaluation.run import evaluate_checkpoint

    result = evaluate_checkpoint(grpo_dir, records, tiny_cfg(**{"eval.n": 2, "eval.max_new_tokens": 4}))
    assert result["n"] == 2 and 0.0 <= result["metrics"]["format_rate"] <= 1.0
    backend = PolicyBackend.load(grpo_dir)
    assert backend.generate([[{"role": "user", "content": "最近睡不好"}]], max_new_tokens=3, temperature=0.0, top_p=1.0)
