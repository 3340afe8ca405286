"""Production path: a local sentence-transformers encoder, fine-tuned end to end with TripletLoss.

Any directory ``SentenceTransformer(path)`` loads works (a sentence-transformers model, or a
plain Hugging Face encoder, which gets mean pooling). Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from empathy_r1.errors import UserError
from empathy_r1.io import read_json, write_json
from empathy_r1.reward_model.base import MANIFEST, RewardModel

__all__ = ["STRewardModel"]


class STRewardModel(RewardModel):
    """A sentence-transformers encoder; cosine similarity of its normalised embeddings is the score."""

    kind = "sentence_transformers"

    def __init__(self, model: Any, meta: dict[str, Any] | None = None) -> None:
        self.model = model
        self.meta = dict(meta or {})

    @classmethod
    def from_encoder(cls, path: str | Path) -> STRewardModel:
        """Start from a local encoder directory or a hub id (from the Hugging Face cache when offline)."""
        from empathy_r1.models import is_hub_id, resolve_checkpoint

        if not Path(path).is_dir() and not is_hub_id(str(path)):
            raise UserError("reward.encoder: no such encoder directory (use 'use', a local sentence-transformers model or a hub id)", path)
        path = resolve_checkpoint(path, "reward.encoder")
        from sentence_transformers import SentenceTransformer

        return cls(SentenceTransformer(str(path), device="cpu" if not _cuda() else None, local_files_only=True))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.get_sentence_embedding_dimension() or 0), dtype=np.float32)
        return np.asarray(self.model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False))

    def fit(
        self,
        triplets: Sequence[dict[str, str]],
        margin: float,
        epochs: int,
        learning_rate: float,
        batch_size: int,
        seed: int = 0,
        output_dir: str | Path = "reward_st",
    ) -> list[float]:
        """Fine-tune with ``TripletLoss(distance_metric=COSINE, triplet_margin=m)``; returns logged losses."""
        from datasets import Dataset
        from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
        from sentence_transformers.sentence_transformer.losses import TripletDistanceMetric, TripletLoss

        data = Dataset.from_dict(
            {
                "anchor": [t["query"] for t in triplets],
                "positive": [t["positive"] for t in triplets],
                "negative": [t["negative"] for t in triplets],
            }
        )
        args = SentenceTransformerTrainingArguments(
            output_dir=str(output_dir),
            num_train_epochs=epochs,
            learning_rate=learning_rate,
            per_device_train_batch_size=batch_size,
            seed=seed,
            logging_steps=1,
            save_strategy="no",
            report_to="none",
            use_cpu=not _cuda(),
            disable_tqdm=True,
        )
        loss = TripletLoss(self.model, distance_metric=TripletDistanceMetric.COSINE, triplet_margin=margin)
        trainer = SentenceTransformerTrainer(model=self.model, args=args, train_dataset=data, loss=loss)
        trainer.train()
        return [h["loss"] for h in trainer.state.log_history if "loss" in h]

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        self.model.save(str(directory / "encoder"))
        write_json(directory / MANIFEST, {"kind": self.kind, "meta": self.meta})

    @classmethod
    def load(cls, directory: str | Path) -> STRewardModel:
        directory = Path(directory)
        meta = read_json(directory / MANIFEST).get("meta")
        model = cls.from_encoder(directory / "encoder")
        model.meta = dict(meta or {})
        return model


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()
