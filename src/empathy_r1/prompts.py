"""Prompts and targets a run builds from its config, beside the CoE format (:mod:`empathy_r1.coe`).

Training (SFT targets, GRPO prompts) and evaluation (held-out prompts) both use these, so
evaluation never imports training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from empathy_r1.coe import DEFAULT_TAGS, Chain, CoETags, prompt_messages, render

if TYPE_CHECKING:
    from empathy_r1.config import Config

__all__ = ["record_messages", "sft_target", "tags_for"]

# Without CoE (the ablation) the model is told only to answer; the layer instructions would
# otherwise ask for a structure the targets never show.
_DIRECT_PROMPT = {
    "zh": "你是一位温暖、专业的心理支持者。来访者会写下一段很长的倾诉。请直接用中文写回复，真诚、具体、不说教。",
    "en": "You are a warm, professional mental-health supporter. The seeker writes a long post. Reply directly, sincerely and specifically.",
}


def tags_for(cfg: Config) -> CoETags:
    """The one CoETags object a run uses: the default markup minus ``data.drop_layers``."""
    return DEFAULT_TAGS.drop(*cfg.data.drop_layers) if cfg.data.drop_layers else DEFAULT_TAGS


def record_messages(record: dict[str, Any], cfg: Config) -> list[dict[str, str]]:
    """The chat prompt for a record: the CoE system prompt (or the direct one) and the post."""
    messages = prompt_messages(record["post"], record.get("title", ""), cfg.data.language, tags_for(cfg))
    if not cfg.pipeline.coe:
        messages[0] = {"role": "system", "content": _DIRECT_PROMPT[cfg.data.language]}
    return messages


def sft_target(record: dict[str, Any], cfg: Config) -> str:
    """The assistant turn SFT teaches: the gold chain in the run's markup, or just the answer without CoE."""
    chain = Chain(**record["coe"])
    return render(chain, tags_for(cfg)) if cfg.pipeline.coe else chain.answer
