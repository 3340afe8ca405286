"""The peer for our GRPO step: a plain TRL ``GRPOTrainer`` script, as TRL's docs write one.

Same model directory, same prompts, same settings as ``empathy_r1.training.grpo`` (the settings
are spelt out here as literals, and :func:`same_settings` checks them against ours), and reward
functions written the plain way: the paper's format reward and a cosine answer reward, without our
per-layer logging, distinct-1 or query-embedding cache. What differs from our step is exactly
what our layer adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["plain_settings", "same_settings", "train_plain"]


def plain_settings(cfg: Any, output_dir: Path) -> dict[str, Any]:
    """GRPOConfig keyword arguments, written out by hand from our config's numbers."""
    g = cfg.grpo
    return {
        "output_dir": str(output_dir),
        "max_steps": g.max_steps,
        "learning_rate": g.learning_rate,
        "lr_scheduler_type": "constant_with_warmup",
        "warmup_steps": g.warmup_ratio,
        "per_device_train_batch_size": g.batch_size,
        "gradient_accumulation_steps": g.grad_accum,
        "num_generations": g.num_generations,
        "max_completion_length": g.max_completion_length,
        "temperature": g.temperature,
        "top_p": g.top_p,
        "top_k": g.top_k,
        "beta": g.beta,
        "epsilon": g.epsilon,
        "loss_type": g.loss_type,
        "scale_rewards": g.scale_rewards,
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "bf16": False,
        "use_cpu": True,
        "activation_checkpointing": cfg.model.activation_checkpointing,
        "save_strategy": "no",
        "logging_steps": g.logging_steps,
        "report_to": "none",
        "disable_tqdm": True,
        "chat_template_kwargs": {"enable_thinking": False},
    }


# Settings that change the work of a step; save/logging cadence does not.
_WORK = (
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "num_generations",
    "max_completion_length",
    "temperature",
    "top_p",
    "top_k",
    "beta",
    "epsilon",
    "loss_type",
    "scale_rewards",
    "seed",
    "bf16",
    "use_cpu",
    "activation_checkpointing",
    "learning_rate",
    "generation_batch_size",
    "steps_per_generation",
    "use_vllm",
)


def same_settings(ours: Any, plain: Any) -> list[str]:
    """Names of the step-shaping settings on which two GRPOConfigs differ (empty: a fair race)."""
    return [k for k in _WORK if getattr(ours, k) != getattr(plain, k)]


def train_plain(
    cfg: Any,
    model_dir: Path,
    records: Sequence[dict[str, Any]],
    reward_model: Any,
    threshold: float,
    output_dir: Path,
    callbacks: Sequence[Any] = (),
) -> Any:
    """Run the plain script; returns its GRPOConfig (for :func:`same_settings`)."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from empathy_r1 import coe

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype="float32", attn_implementation="sdpa")
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    dataset = Dataset.from_list(
        [
            {
                "prompt": coe.prompt_messages(r["post"], r.get("title", ""), "zh"),
                "query": f"{r.get('title', '').strip()}\n\n{r['post'].strip()}",
            }
            for r in records
        ]
    )

    def format_reward(completions: list, **kwargs: Any) -> list[float]:
        return coe.format_reward(completions)

    def answer_reward(completions: list, query: list[str], **kwargs: Any) -> list[float]:
        import numpy as np

        parsed = [coe.parse(coe.completion_text(c)) for c in completions]
        keep = [i for i, p in enumerate(parsed) if p.ok and p.chain.answer]
        out = [0.0] * len(completions)
        if keep:
            q = reward_model.embed([query[i] for i in keep])
            a = reward_model.embed([parsed[i].chain.answer for i in keep])
            for i, s in zip(keep, np.sum(q * a, axis=1), strict=True):
                out[i] = float(s >= threshold)
        return out

    funcs: list[Any] = [format_reward] + ([answer_reward] if reward_model is not None else [])
    args = GRPOConfig(**plain_settings(cfg, output_dir))
    trainer = GRPOTrainer(
        model=model, reward_funcs=funcs, args=args, train_dataset=dataset, processing_class=tokenizer, callbacks=list(callbacks)
    )
    trainer.train()
    return args
