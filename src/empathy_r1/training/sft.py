"""SFT cold start: TRL's SFTTrainer on CoE chains, loss on the assistant turn only.

Two of TRL's dataset forms, chosen by the tokenizer's chat template:

- ``messages`` (system, user, assistant) with ``assistant_only_loss`` when the template has
  ``{% generation %}`` markers, or TRL ships a training variant of it (Qwen3, Llama 3, Gemma 3, ...);
- otherwise TRL's prompt-completion form (``prompt``: the chat so far, ``completion``: the
  assistant turn): TRL renders both and trains on what the completion adds (``completion_mask``).
  That works for any causal LM's template, markers or not.

A template without a system role gets the system prompt folded into the first user turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_r1.io import write_json
from empathy_r1.training.common import last_checkpoint, lora_config, record_messages, save_policy, sft_target, trainer_args

if TYPE_CHECKING:
    from trl import SFTConfig as TRLSFTConfig

    from empathy_r1.config import Config

__all__ = ["assistant_masks_available", "build_sft_config", "run_sft", "sft_dataset", "sft_form"]


def assistant_masks_available(tokenizer: Any) -> bool:
    """Whether TRL can mask the assistant turn from the template: it has ``{% generation %}`` markers, or TRL has a training variant of it."""
    from trl.chat_template_utils import get_training_chat_template, has_generation_markers

    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    if not template:
        return False
    if has_generation_markers(template):
        return True
    try:
        return get_training_chat_template(tokenizer) is not None
    except Exception:  # TRL raises for templates it does not know
        return False


def sft_dataset(records: Sequence[dict[str, Any]], cfg: Config, tokenizer: Any = None, prompt_completion: bool = False) -> Any:
    """A datasets.Dataset with the gold chain as the reply: ``messages`` conversations, or ``prompt``/``completion`` pairs."""
    from datasets import Dataset

    from empathy_r1.models import adapt_messages

    rows = []
    for r in records:
        prompt = record_messages(r, cfg)
        if tokenizer is not None:
            prompt = adapt_messages(prompt, tokenizer)
        reply = [{"role": "assistant", "content": sft_target(r, cfg)}]
        rows.append({"prompt": prompt, "completion": reply} if prompt_completion else {"messages": [*prompt, *reply]})
    return Dataset.from_list(rows)


def sft_form(cfg: Config, tokenizer: Any) -> str:
    """``"messages"`` (assistant_only_loss through generation markers) or ``"prompt_completion"``."""
    if cfg.sft.assistant_only_loss and not assistant_masks_available(tokenizer):
        return "prompt_completion"
    return "messages"


def build_sft_config(cfg: Config, output_dir: Path, form: str = "messages") -> TRLSFTConfig:
    """TRL's SFTConfig for this run (no model needed: tests build it on CPU for every shipped config)."""
    from trl import SFTConfig as TRLSFTConfig

    s = cfg.sft
    return TRLSFTConfig(
        **trainer_args(
            cfg,
            output_dir,
            lr=s.learning_rate,
            batch_size=s.batch_size,
            grad_accum=s.grad_accum,
            save_steps=s.save_steps,
            logging_steps=s.logging_steps,
        ),
        num_train_epochs=s.epochs,
        max_steps=s.max_steps,
        warmup_steps=s.warmup_ratio,  # transformers 5: a float in [0, 1) is a ratio
        lr_scheduler_type="cosine",
        max_length=s.max_length,
        # prompt-completion: the loss is on the completion (completion_only_loss), no markers needed
        assistant_only_loss=s.assistant_only_loss and form == "messages",
        completion_only_loss=s.assistant_only_loss if form == "prompt_completion" else None,
        packing=False,
        dataset_num_proc=None,
        model_init_kwargs=None,
    )


def run_sft(
    cfg: Config,
    model: Any,
    tokenizer: Any,
    records: Sequence[dict[str, Any]],
    output_dir: Path,
    callbacks: Sequence[Any] = (),
) -> Path:
    """Train, resuming from the newest checkpoint in ``output_dir``; save the policy to ``output_dir/model``."""
    from trl import SFTTrainer

    from empathy_r1.training.compact_head import compact_trainer_heads
    from empathy_r1.training.console import use_console

    form = sft_form(cfg, tokenizer)
    trainer = SFTTrainer(
        model=model,
        args=build_sft_config(cfg, output_dir, form),
        train_dataset=sft_dataset(records, cfg, tokenizer, prompt_completion=form == "prompt_completion"),
        processing_class=tokenizer,
        peft_config=lora_config(cfg.model.lora),
        callbacks=list(callbacks),
    )
    # The outputs TRL's SFT head computes: log-probabilities, entropy and top-1 hits (token accuracy)
    compact_trainer_heads(trainer, outputs=("log_probs", "entropy", "is_top1"))
    use_console(trainer, output_dir, "sft")
    trainer.train(resume_from_checkpoint=last_checkpoint(output_dir))
    write_json(output_dir / "log_history.json", trainer.state.log_history, indent=1)
    return save_policy(trainer, tokenizer, output_dir / "model", cfg.model.lora.merge)

