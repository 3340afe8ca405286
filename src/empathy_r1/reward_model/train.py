"""Train a reward model on triplets, measure it on held-out triplets, and suggest the threshold T.

Held-out triplet accuracy is the share of triplets where the query is closer to the positive
than to the negative. The positive and negative similarity distributions are plotted; the
suggested T is the cut that best separates them (balanced accuracy), which is where the binary
answer reward carries the most information.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from empathy_r1.io import write_json
from empathy_r1.reward_model.base import RewardModel

if TYPE_CHECKING:
    from empathy_r1.config import RewardConfig

__all__ = ["TripletReport", "build_reward_model", "evaluate_triplets", "suggest_threshold", "train_reward_model"]


@dataclass
class TripletReport:
    """What training the reward model achieved, on triplets it never saw."""

    n_train: int
    n_heldout: int
    accuracy_before: float
    """Held-out triplet accuracy of the untrained encoder (plain USE, or the encoder as loaded)."""
    accuracy: float
    """Held-out triplet accuracy after training."""
    accuracy_by_kind: dict[str, float]
    pos_mean: float
    neg_mean: float
    suggested_threshold: float
    losses: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_triplets(model: RewardModel, triplets: Sequence[dict[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """[T] similarities of each query to its positive and to its negative."""
    if not triplets:
        return np.zeros(0), np.zeros(0)
    queries = [t["query"] for t in triplets]
    pos = model.similarity(queries, [t["positive"] for t in triplets])
    neg = model.similarity(queries, [t["negative"] for t in triplets])
    return pos, neg


def suggest_threshold(pos: np.ndarray, neg: np.ndarray) -> float:
    """The T in [-1, 1] maximising balanced accuracy of ``pos >= T`` vs ``neg < T`` (ties: the middle).

    >>> suggest_threshold(np.array([0.6, 0.7, 0.8]), np.array([0.1, 0.2, 0.55]))
    0.575
    """
    if len(pos) == 0 or len(neg) == 0:
        return 0.5
    candidates = np.unique(np.concatenate([pos, neg]))
    best, best_t = -1.0, 0.5
    for i, t in enumerate(candidates):
        score = (np.mean(pos >= t) + np.mean(neg < t)) / 2
        if score > best + 1e-12:
            best = score
            # Midway between this cut and the value below it: the margin is symmetric.
            below = candidates[i - 1] if i > 0 else t
            best_t = float((t + below) / 2)
    return round(best_t, 4)


def build_reward_model(cfg: RewardConfig, seed: int = 0) -> RewardModel:
    """An untrained reward model of the configured kind."""
    if cfg.encoder == "use":
        from empathy_r1.reward_model.head import HeadRewardModel

        return HeadRewardModel.initial(cfg.head_dim, seed=seed)
    from empathy_r1.reward_model.st import STRewardModel

    return STRewardModel.from_encoder(cfg.encoder)


def train_reward_model(
    cfg: RewardConfig,
    train: Sequence[dict[str, str]],
    heldout: Sequence[dict[str, str]],
    out_dir: str | Path,
    seed: int = 0,
) -> tuple[RewardModel, TripletReport]:
    """Train, evaluate on held-out triplets, save the model, a report and the similarity plot."""
    from rich.progress import Progress

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_reward_model(cfg, seed)
    with Progress(transient=True) as bar:
        if hasattr(model, "encode_raw"):  # frozen encoder: embed every text once, with progress
            texts = list(dict.fromkeys(t for tr in (*train, *heldout) for t in (tr["query"], tr["positive"], tr["negative"])))
            task = bar.add_task("reward model: embedding", total=len(texts))
            model.encode_raw(texts, progress=lambda n: bar.advance(task, n))
        before = evaluate_triplets(model, heldout)
        bar.add_task("reward model: training", total=None)
        if cfg.encoder == "use":
            losses = model.fit(train, cfg.margin, cfg.epochs, cfg.learning_rate, cfg.batch_size, seed)  # type: ignore[attr-defined]
        else:
            losses = model.fit(train, cfg.margin, cfg.epochs, cfg.learning_rate, cfg.batch_size, seed, out_dir / "st-run")  # type: ignore[attr-defined]
    pos, neg = evaluate_triplets(model, heldout)
    kinds = sorted({t.get("kind", "") for t in heldout})
    by_kind = {}
    for kind in kinds:
        mask = np.array([t.get("kind", "") == kind for t in heldout])
        by_kind[kind or "unknown"] = round(float(np.mean(pos[mask] > neg[mask])), 4)
    report = TripletReport(
        n_train=len(train),
        n_heldout=len(heldout),
        accuracy_before=round(float(np.mean(before[0] > before[1])), 4) if len(heldout) else 0.0,
        accuracy=round(float(np.mean(pos > neg)), 4) if len(heldout) else 0.0,
        accuracy_by_kind=by_kind,
        pos_mean=round(float(pos.mean()), 4) if len(pos) else 0.0,
        neg_mean=round(float(neg.mean()), 4) if len(neg) else 0.0,
        suggested_threshold=suggest_threshold(pos, neg),
        losses=[round(x, 5) for x in losses],
    )
    model.meta = {"report": report.to_dict()}  # type: ignore[attr-defined]
    model.save(out_dir / "model")
    write_json(out_dir / "report.json", report.to_dict())
    plot_similarities(pos, neg, report.suggested_threshold, cfg.threshold, out_dir / "similarities.png")
    return model, report


def plot_similarities(pos: np.ndarray, neg: np.ndarray, suggested: float, configured: float, path: Path) -> None:
    """Histograms of held-out positive and negative similarities, with the suggested and configured T."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = np.linspace(-1, 1, 41)
    ax.hist(pos, bins=bins, alpha=0.6, label=f"query-positive (mean {pos.mean() if len(pos) else 0:.2f})")
    ax.hist(neg, bins=bins, alpha=0.6, label=f"query-negative (mean {neg.mean() if len(neg) else 0:.2f})")
    ax.axvline(suggested, color="k", linestyle="--", label=f"suggested T = {suggested:.2f}")
    ax.axvline(configured, color="r", linestyle=":", label=f"configured T = {configured:.2f}")
    ax.set_xlabel("cosine similarity (held-out triplets)")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
