"""What SFT and GRPO share: trainer arguments, LoRA, saving and resuming (prompts: :mod:`empathy_r1.prompts`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Prompt building lives beside the CoE format; re-exported for the trainers.
from empathy_r1.prompts import record_messages, sft_target, tags_for

if TYPE_CHECKING:
    from empathy_r1.config import Config, LoraConfig

__all__ = ["cuda_available", "last_checkpoint", "lora_config", "record_messages", "save_policy", "sft_target", "tags_for", "trainer_args"]

def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def trainer_args(
    cfg: Config, output_dir: Path, *, lr: float, batch_size: int, grad_accum: int, save_steps: int, logging_steps: int
) -> dict[str, Any]:
    """Keyword arguments every TRL config here gets; CPU settings measured on a 2-core machine.

    TRL defaults to bf16 even on CPU (2.5x slower there) and turns activation checkpointing
    on (slower for tiny models), so both are explicit.
    """
    on_gpu = cuda_available()
    return {
        "output_dir": str(output_dir),
        "learning_rate": lr,
        "per_device_train_batch_size": batch_size,
        "gradient_accumulation_steps": grad_accum,
        "save_strategy": "steps",
        "save_steps": save_steps,
        "save_total_limit": 2,
        "logging_steps": logging_steps,
        "report_to": "none",
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "bf16": on_gpu and cfg.model.dtype in ("bfloat16", "auto"),
        "fp16": False,
        "use_cpu": not on_gpu,
        "activation_checkpointing": cfg.model.activation_checkpointing,
        "dataloader_num_workers": 0,
        "disable_tqdm": os.environ.get("EMPATHY_R1_QUIET") == "1",
    }


def lora_config(lora: LoraConfig) -> Any:
    """A PEFT LoraConfig when LoRA is on, else None (full fine-tuning)."""
    if not lora.enabled:
        return None
    from peft import LoraConfig as PeftLoraConfig

    return PeftLoraConfig(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=lora.target_modules, task_type="CAUSAL_LM"
    )


def save_policy(trainer: Any, tokenizer: Any, directory: Path, merge: bool) -> Path:
    """Save the trained policy as a Hugging Face checkpoint (+ tokenizer) that serving loads.

    Full fine-tuning goes through ``trainer.save_model`` (it gathers ZeRO-3 shards). With LoRA,
    ``merge`` folds the adapters into the base weights (a plain checkpoint anything can load);
    otherwise the adapter directory is saved as PEFT writes it.
    """
    unwrapped = trainer.accelerator.unwrap_model(trainer.model)
    if hasattr(unwrapped, "merge_and_unload") and merge:
        merged = unwrapped.merge_and_unload()
        if trainer.accelerator.is_main_process:
            merged.save_pretrained(str(directory))
    else:
        trainer.save_model(str(directory))
    if trainer.accelerator.is_main_process:
        tokenizer.save_pretrained(str(directory))
    trainer.accelerator.wait_for_everyone()
    return directory


def last_checkpoint(output_dir: Path) -> str | None:
    """The newest ``checkpoint-N`` directory a killed run left behind, if any."""
    if not output_dir.is_dir():
        return None
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(output_dir))
