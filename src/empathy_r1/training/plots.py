"""GRPO curves from TRL's log history, as PNGs: the things to look at when a run goes wrong."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from empathy_r1.coe import DEFAULT_TAGS
from empathy_r1.rewards import REWARD_NAMES, logged_key

__all__ = ["PANELS", "plot_grpo_curves"]

#: One PNG per panel: title, and the log keys it draws (a key missing from the log is skipped).
PANELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rewards": ("reward per function", ("reward", *map(logged_key, REWARD_NAMES))),
    "format_layers": ("format pass rate per layer", tuple(f"format/{x}" for x in (*DEFAULT_TAGS.layers, "answer", "chain"))),
    "completion_length": (
        "completion length (tokens)",
        ("completions/mean_length", "completions/mean_terminated_length", "completions/clipped_ratio"),
    ),
    "distinct1": ("distinct-1 of answers", ("completions/distinct1",)),
    "frac_reward_zero_std": ("groups with zero reward std (no signal)", ("frac_reward_zero_std",)),
    "kl": ("KL to the reference", ("kl",)),
}


def plot_grpo_curves(log_history: Sequence[dict[str, Any]], out_dir: str | Path) -> list[Path]:
    """Write ``grpo_<panel>.png`` for every panel with data; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [h for h in log_history if "step" in h and "reward" in h]
    written = []
    for name, (title, keys) in PANELS.items():
        series = {k: [(h["step"], h[k]) for h in rows if h.get(k) is not None] for k in keys}
        series = {k: v for k, v in series.items() if v}
        if not series:
            continue
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for key, points in series.items():
            ax.plot([p[0] for p in points], [p[1] for p in points], label=key, marker="." if len(points) < 40 else None)
        ax.set_title(title)
        ax.set_xlabel("GRPO step")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = out_dir / f"grpo_{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written
