"""SFT cold start: TRL's SFTTrainer on CoE chains, loss on the assistant turn only.

The dataset is conversational (``messages``: system, user, assistant), so the model's chat
template renders it and its ``{% generation %}`` markers let TRL mask the prompt out of the loss.
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

__all__ = ["build_sft_config", "run_sft", "sft_dataset"]


def sft_dataset(records: Sequence[dict[str, Any]], cfg: Config) -> Any:
    """A datasets.Dataset with one ``messages`` conversation per record (the gold chain as the reply)."""
    from datasets import Dataset

    rows = [{"messages": [*record_messages(r, cfg), {"role": "assistant", "content": sft_target(r, cfg)}]} for r in records]
    return Dataset.from_list(rows)


def build_sft_config(cfg: Config, output_dir: Path) -> TRLSFTConfig:
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
        assistant_only_loss=s.assistant_only_loss,
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

    trainer = SFTTrainer(
        model=model,
        args=build_sft_config(cfg, output_dir),
        train_dataset=sft_dataset(records, cfg),
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

