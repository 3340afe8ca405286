"""GRPO step: where the time goes, MFU against the machine's matmul peak, and our overhead over plain TRL.

    python -m benchmarks.run --only grpo            # tiny and ~50M configs
    python -m benchmarks.run --only grpo --smoke    # a 2-layer toy, 2 steps (the CI smoke test)

For each model size the same prompts, tokenizer, random-initialised weights (saved to disk, since
TRL builds the reference model from the policy's path) and reward model go through

- ``ours``: ``empathy_r1.training.grpo.run_grpo``, exactly as the pipeline calls it,
- ``plain``: a plain TRL GRPOTrainer script (:mod:`benchmarks.grpo_plain`),

alternating, each timed by :class:`benchmarks.grpo_clock.PhaseClock`. The first step of every run
is a warm-up and is left out; figures are medians over the remaining steps of all runs.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.grpo_clock import PHASES, FlopModel, PhaseClock

__all__ = ["SIZES", "Size", "run"]


@dataclass(frozen=True)
class Size:
    name: str
    overrides: tuple[str, ...]
    steps: int
    """Optimiser steps per run (the first is a warm-up)."""
    runs: int
    """Runs of each of ours and plain, alternating."""


_50M = ("model.hidden_size=512", "model.num_layers=12", "model.num_heads=8", "model.num_kv_heads=4", "model.intermediate_size=2048")

SIZES = {
    "tiny": Size("tiny (configs/tiny.yaml)", (), steps=4, runs=2),
    # 32 new tokens (not tiny.yaml's 160) keep the ~50M runs inside `make bench`'s 20 minutes.
    "50m": Size("~50M (tiny.yaml, hidden 512, 12 layers, MLP 2048)", (*_50M, "grpo.max_completion_length=32"), steps=2, runs=1),
    "smoke": Size(
        "smoke (2 layers, hidden 32)",
        (
            "model.hidden_size=32",
            "model.num_layers=2",
            "model.num_heads=2",
            "model.num_kv_heads=1",
            "model.intermediate_size=64",
            "grpo.max_completion_length=8",
        ),
        steps=2,
        runs=1,
    ),
}

# Settings every benchmark run shares: no checkpoints inside the timed steps; the 40 shipped
# hand-written posts as prompts (real lengths, and independent of the synthetic generator).
_COMMON = ("grpo.save_steps=100000", "grpo.logging_steps=1", "data.source=sample")


@dataclass
class Setup:
    cfg: Any
    model_dir: Path
    records: list[dict[str, Any]]
    reward_model: Any
    flop_model: FlopModel


def _setup(size: Size, extra: tuple[str, ...], work: Path, reward_model: Any) -> Setup:
    from empathy_r1.coe import system_prompt
    from empathy_r1.config import load_config
    from empathy_r1.data.sample import load_sample
    from empathy_r1.models import build_tiny_model, train_bpe_tokenizer
    from empathy_r1.prompts import sft_target

    root = Path(__file__).resolve().parent.parent
    cfg = load_config(root / "configs" / "tiny.yaml", [*_COMMON, *size.overrides, *extra, f"grpo.max_steps={size.steps}"])
    records = load_sample()
    # The pipeline's tokenizer recipe (data stage): corpus + gold chains + the system prompt.
    texts = [t for r in records for t in (r["title"], r["post"], sft_target(r, cfg))]
    texts += [system_prompt(cfg.data.language)] * len(records)
    tokenizer = train_bpe_tokenizer(texts, cfg.model.bpe_vocab_size)
    model = build_tiny_model(cfg.model, tokenizer, seed=cfg.seed)
    model_dir = work / "base"
    model.save_pretrained(str(model_dir))
    tokenizer.save_pretrained(str(model_dir))
    return Setup(cfg, model_dir, records, reward_model, FlopModel.of(model.config))


def _ours(s: Setup, out: Path, clock: PhaseClock) -> None:
    from empathy_r1.models import load_model, load_tokenizer
    from empathy_r1.training.grpo import run_grpo

    model = load_model(s.model_dir, s.cfg.model.dtype, s.cfg.model.attn_implementation)
    run_grpo(s.cfg, model, load_tokenizer(str(s.model_dir)), s.records, s.reward_model, out, threshold=0.5, callbacks=[clock])


def _plain(s: Setup, out: Path, clock: PhaseClock) -> None:
    from benchmarks.grpo_plain import train_plain

    train_plain(s.cfg, s.model_dir, s.records, s.reward_model, 0.5, out, callbacks=[clock])


def _check_fair(s: Setup, out: Path) -> list[str]:
    from trl import GRPOConfig

    from benchmarks.grpo_plain import plain_settings, same_settings
    from empathy_r1.training.grpo import build_grpo_config

    return same_settings(build_grpo_config(s.cfg, out), GRPOConfig(**plain_settings(s.cfg, out)))


def _race(s: Setup, work: Path, runs: int, names: tuple[str, ...], tick: Callable[[str], None]) -> dict[str, dict[str, float]]:
    """Alternate the runners ``runs`` times; per runner, medians over all timed steps."""
    runners = {"ours": _ours, "plain": _plain}
    clocks: dict[str, list[PhaseClock]] = {n: [] for n in names}
    for r in range(runs):
        for name in names:
            tick(f"{name} run {r + 1}/{runs}")
            clock = PhaseClock(s.reward_model)
            runners[name](s, work / f"{name}-{r}", clock)
            clocks[name].append(clock)
    out = {}
    for name, cs in clocks.items():
        steps = [st for c in cs for st in c.steps[1:]]
        flops = [f for c in cs for f in c.flops[1:]]
        summary = {k: statistics.median(st[k] for st in steps) for k in (*PHASES, "step")}
        summary |= {f"flops_{k}": statistics.median(f[k] for f in flops) for k in PHASES}
        summary["flops"] = sum(summary[f"flops_{k}"] for k in PHASES)
        summary["n_steps"] = len(steps)
        out[name] = summary
    return out


def measure(size_key: str, extra: tuple[str, ...] = (), runs: int | None = None, names=("ours", "plain"), tick=print) -> dict[str, Any]:
    """One model size: setup, the race, and the facts the report needs."""
    import torch

    from empathy_r1.reward_model.head import HeadRewardModel

    size = SIZES[size_key]
    os.environ.setdefault("EMPATHY_R1_QUIET", "1")
    with tempfile.TemporaryDirectory(prefix="bench-grpo-") as tmp:
        work = Path(tmp)
        s = _setup(size, extra, work, HeadRewardModel.initial(256, seed=0))
        unfair = _check_fair(s, work / "check")
        result = _race(s, work, runs or size.runs, names, tick)
    g = s.cfg.grpo
    return {
        "size": size,
        "params": s.flop_model.params,
        "flop_model": s.flop_model,
        "settings": f"G={g.num_generations}, {g.batch_size} completions/step, ≤{g.max_completion_length} new tokens, beta={g.beta}",
        "unfair": unfair,
        "extra": extra,
        "threads": torch.get_num_threads(),
        **result,
    }


def run(smoke: bool, tick: Callable[[str], None] = print) -> dict[str, Any]:
    """Per size: ours with torch's default threads (before), then ours vs plain on 1 thread (after).

    The peak matmul rate is measured at both thread counts too; MFU divides by the higher one.
    """
    import torch

    from benchmarks.timing import peak_matmul_flops

    default = torch.get_num_threads()
    peaks = {}
    for threads in sorted({default, 1}):
        torch.set_num_threads(threads)
        peaks[threads] = peak_matmul_flops(1024 if smoke else 2048, 3 if smoke else 7)
    sizes = []
    for key in ["smoke"] if smoke else ["tiny", "50m"]:
        torch.set_num_threads(default)
        before = measure(key, names=("ours",), runs=1, tick=tick)
        torch.set_num_threads(1)
        after = measure(key, tick=tick)
        sizes.append({"key": key, "before": before, "after": after})
    torch.set_num_threads(default)
    return {"peaks": peaks, "peak": max(peaks.values()), "default_threads": default, "sizes": sizes}
