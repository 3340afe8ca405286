"""GRPO: TRL's GRPOTrainer from the SFT checkpoint with the composite reward (format + answer [+ safety]).

GRPO's settings are explicit in config, because TRL's defaults differ: G and ``scale_rewards``
("group": advantages normalised by the group's mean and std) are the paper's; the paper has a KL
penalty and a clipped ratio but gives no values, so ``beta`` (0.04; TRL 0) and ``epsilon`` are
project choices, and so is ``loss_type`` ("grpo"; TRL "dapo"; ``loss_agg_mode`` takes Verl's
names). docs/method.md has the whole table.

Everything goes through TRL's public surface: ``reward_funcs`` + ``reward_weights`` (the
composite sum), the dataset's ``query`` column (what the answer reward compares against),
``log_metric`` (per-layer format pass rate, distinct-1) and callbacks. No trainer subclass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_r1.rewards import make_answer_reward, make_format_reward, make_safety_penalty, safety_available
from empathy_r1.training.common import last_checkpoint, lora_config, record_messages, save_policy, tags_for, trainer_args

if TYPE_CHECKING:
    from trl import GRPOConfig as TRLGRPOConfig

    from empathy_r1.config import Config
    from empathy_r1.rewards import Embedder

__all__ = ["FAIL_ENV", "build_grpo_config", "grpo_dataset", "reward_functions", "run_grpo"]

FAIL_ENV = "EMPATHY_R1_FAIL_AT_GRPO_STEP"
"""Test hook: GRPO raises after this optimiser step (a checkpoint saved before it survives), to test resuming."""


def query_text(record: dict[str, Any]) -> str:
    """The text the reward model compares answers with: the same one its triplets used."""
    from empathy_r1.data.triplets import query_text as triplet_query

    return triplet_query(record)


def grpo_dataset(records: Sequence[dict[str, Any]], cfg: Config, tokenizer: Any = None) -> Any:
    """Columns ``prompt`` (chat messages; the system prompt folded into the user turn for a template without a system role) and ``query``."""
    from datasets import Dataset

    from empathy_r1.models import adapt_messages

    def prompt(r: dict[str, Any]) -> list[dict[str, str]]:
        messages = record_messages(r, cfg)
        return adapt_messages(messages, tokenizer) if tokenizer is not None else messages

    return Dataset.from_list([{"prompt": prompt(r), "query": query_text(r)} for r in records])


def reward_functions(cfg: Config, reward_model: Embedder | None, threshold: float) -> tuple[list[Any], list[float]]:
    """The composite reward as TRL sums it: functions and their weights."""
    tags = tags_for(cfg)
    funcs: list[Any] = []
    weights: list[float] = []
    if cfg.pipeline.coe:
        funcs.append(make_format_reward(tags))
        weights.append(cfg.reward.format_weight)
    if reward_model is not None:
        funcs.append(make_answer_reward(reward_model, threshold, cfg.reward.mode, tags, require_format=cfg.pipeline.coe))
        weights.append(cfg.reward.answer_weight)
    if cfg.reward.safety_weight > 0 and safety_available():
        funcs.append(make_safety_penalty(tags))
        weights.append(cfg.reward.safety_weight)
    if not funcs:
        raise ValueError("GRPO needs at least one reward: turn CoE on or train a reward model")
    return funcs, weights


def build_grpo_config(cfg: Config, output_dir: Path, reward_weights: list[float] | None = None) -> TRLGRPOConfig:
    """TRL's GRPOConfig for this run (no model needed: tests build it on CPU for every shipped config)."""
    from trl import GRPOConfig as TRLGRPOConfig

    g = cfg.grpo
    vllm = {"use_vllm": g.use_vllm}
    if g.use_vllm:
        vllm |= {"vllm_mode": g.vllm_mode, "vllm_gpu_memory_utilization": g.vllm_gpu_memory_utilization}
    return TRLGRPOConfig(
        **trainer_args(
            cfg,
            output_dir,
            lr=g.learning_rate,
            batch_size=g.batch_size,
            grad_accum=g.grad_accum,
            save_steps=g.save_steps,
            logging_steps=g.logging_steps,
        ),
        max_steps=g.max_steps,
        warmup_steps=g.warmup_ratio,
        lr_scheduler_type="constant_with_warmup",
        num_generations=g.num_generations,
        steps_per_generation=g.steps_per_generation,
        num_iterations=g.num_iterations,
        max_completion_length=g.max_completion_length,
        temperature=g.temperature,
        top_p=g.top_p,
        top_k=g.top_k,
        beta=g.beta,
        epsilon=g.epsilon,
        loss_type=g.loss_type,
        scale_rewards=g.scale_rewards,
        reward_weights=reward_weights,
        chat_template_kwargs={"enable_thinking": False},
        log_completions=False,
        **vllm,
    )


class _FailAfterStep:
    """Raises after a given step: simulates a crash mid-GRPO for the resume test (see FAIL_ENV)."""

    def __init__(self, step: int) -> None:
        self.step = step

    def __call__(self) -> Any:
        from transformers import TrainerCallback

        step = self.step

        class FailAfterStep(TrainerCallback):
            def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
                if state.global_step >= step:
                    raise RuntimeError(f"injected failure after GRPO step {state.global_step} ({FAIL_ENV})")

        return FailAfterStep()


def run_grpo(
    cfg: Config,
    model: Any,
    tokenizer: Any,
    records: Sequence[dict[str, Any]],
    reward_model: Embedder | None,
    output_dir: Path,
    threshold: float | None = None,
    callbacks: Sequence[Any] = (),
) -> Path:
    """Train from ``model`` (the SFT policy), resuming from the newest checkpoint; save to ``output_dir/model``."""
    from trl import GRPOTrainer

    from empathy_r1.training.compact_head import compact_trainer_heads

    funcs, weights = reward_functions(cfg, reward_model, cfg.reward.threshold if threshold is None else threshold)
    extra = list(callbacks)
    if os.environ.get(FAIL_ENV):
        extra.append(_FailAfterStep(int(os.environ[FAIL_ENV]))())
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=funcs,
        args=build_grpo_config(cfg, output_dir, weights),
        train_dataset=grpo_dataset(records, cfg, tokenizer),
        processing_class=tokenizer,
        peft_config=lora_config(cfg.model.lora),
        callbacks=extra,
    )
    # The policy's head gives log-probabilities and entropy under the sampling temperature, as TRL's does
    compact_trainer_heads(trainer, temperature=trainer.temperature, outputs=("log_probs", "entropy"))
    trainer.train(resume_from_checkpoint=last_checkpoint(output_dir))
    (output_dir / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1), encoding="utf-8")
    return save_policy(trainer, tokenizer, output_dir / "model", cfg.model.lora.merge)
