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

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_r1.io import write_json
from empathy_r1.rewards import reward_terms
from empathy_r1.training.common import last_checkpoint, lora_config, record_messages, save_policy, tags_for, trainer_args

if TYPE_CHECKING:
    from trl import GRPOConfig as TRLGRPOConfig

    from empathy_r1.config import Config
    from empathy_r1.io import write_json
from empathy_r1.rewards import Embedder

__all__ = ["build_grpo_config", "grpo_dataset", "reward_functions", "run_grpo"]


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
    """The composite reward as TRL sums it: functions and their weights (:func:`empathy_r1.rewards.reward_terms`)."""
    terms = reward_terms(cfg.reward, reward_model, tags_for(cfg), cfg.pipeline.coe, threshold)
    if not terms:
        raise ValueError("GRPO needs at least one reward: turn CoE on or train a reward model")
    return [f for f, _ in terms.values()], [w for _, w in terms.values()]


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
    from empathy_r1.training.console import use_console

    funcs, weights = reward_functions(cfg, reward_model, cfg.reward.threshold if threshold is None else threshold)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=funcs,
        args=build_grpo_config(cfg, output_dir, weights),
        train_dataset=grpo_dataset(records, cfg, tokenizer),
        processing_class=tokenizer,
        peft_config=lora_config(cfg.model.lora),
        callbacks=list(callbacks),
    )
    # The policy's head gives log-probabilities and entropy under the sampling temperature, as TRL's does
    compact_trainer_heads(trainer, temperature=trainer.temperature, outputs=("log_probs", "entropy"))
    use_console(trainer, output_dir, "grpo")
    trainer.train(resume_from_checkpoint=last_checkpoint(output_dir))
    write_json(output_dir / "log_history.json", trainer.state.log_history, indent=1)
    return save_policy(trainer, tokenizer, output_dir / "model", cfg.model.lora.merge)
