"""What a person sees while SFT or GRPO trains: one progress bar with the few numbers worth watching.

TRL logs a dict of some thirty metrics every step; transformers' progress callback prints it whole,
so the bars scroll away under walls of numbers. Here the bar carries loss, reward, format rate and
KL (those present), and every logged dict goes, whole and with its step, to ``OUTPUT/metrics.jsonl``
(the log file; ``log_history.json`` and the plots are written from the same history at the end).
Only the public callback API is used: the default printing callbacks are removed, ours is added.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from transformers import PrinterCallback, ProgressCallback, TrainerCallback

from empathy_r1.io import append_jsonl
from empathy_r1.rewards import REWARD_NAMES, logged_key

__all__ = ["METRICS_FILE", "WATCH", "ConsoleCallback", "use_console"]

METRICS_FILE = "metrics.jsonl"

#: Short name on the bar -> the key TRL logs. The format rate's key follows the reward's name.
WATCH: dict[str, str] = {
    "loss": "loss",
    "reward": "reward",
    "format": logged_key(REWARD_NAMES[0]),
    "kl": "kl",
}


def _quiet() -> bool:
    return os.environ.get("EMPATHY_R1_QUIET") == "1"


def watched(logs: dict[str, Any]) -> dict[str, str]:
    """The bar's numbers from one logged dict, formatted short.

    >>> watched({"loss": 0.51234, "reward": 1.5, "rewards/format_reward/mean": 0.75, "kl": 0.00012, "lr": 1e-6})
    {'loss': '0.512', 'reward': '1.5', 'format': '0.75', 'kl': '0.00012'}
    """
    out = {}
    for short, key in WATCH.items():
        value = logs.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            out[short] = f"{value:.3g}"
    return out


class ConsoleCallback(TrainerCallback):
    """A tqdm bar over optimiser steps with :data:`WATCH` as its postfix; full logs to ``metrics.jsonl``."""

    def __init__(self, log_path: str | Path, stage: str) -> None:
        self.log_path = Path(log_path)
        self.stage = stage
        self.bar: Any = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero and not _quiet():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=state.max_steps, initial=state.global_step, desc=self.stage, dynamic_ncols=True)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs:
            return
        append_jsonl(self.log_path, {"step": state.global_step, **logs})
        shown = watched(logs)
        if self.bar is not None and shown:  # the closing summary (runtime, ...) keeps the last numbers up
            self.bar.set_postfix(shown, refresh=False)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def use_console(trainer: Any, output_dir: Path, stage: str) -> ConsoleCallback:
    """Replace the trainer's printing callbacks with :class:`ConsoleCallback`; returns it."""
    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)
    callback = ConsoleCallback(Path(output_dir) / METRICS_FILE, stage)
    trainer.add_callback(callback)
    return callback
