"""The reward model interface and the one place that knows how a saved one is laid out on disk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from empathy_r1.errors import UserError
from empathy_r1.io import read_json

__all__ = ["MANIFEST", "RewardModel", "load_reward_model", "normalise"]

MANIFEST = "reward_model.json"
"""Written into every saved reward model directory: which backend and its settings."""


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class RewardModel:
    """An encoder of queries and answers into one space; cosine similarity is the score."""

    kind: ClassVar[str] = ""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """[N, D] L2-normalised embeddings, one row per text."""
        raise NotImplementedError

    def similarity(self, queries: Sequence[str], answers: Sequence[str]) -> np.ndarray:
        """[N] cosine similarity of each query with the answer at the same position."""
        if len(queries) != len(answers):
            raise ValueError(f"similarity needs as many queries as answers, got {len(queries)} and {len(answers)}")
        if not queries:
            return np.zeros(0, dtype=np.float32)
        return np.sum(self.embed(queries) * self.embed(answers), axis=1)

    def save(self, directory: str | Path) -> None:
        raise NotImplementedError

    @classmethod
    def load(cls, directory: str | Path) -> RewardModel:
        return load_reward_model(directory)


def load_reward_model(directory: str | Path) -> RewardModel:
    """Load whichever backend saved ``directory``."""
    directory = Path(directory)
    manifest = directory / MANIFEST
    if not manifest.is_file():
        raise UserError(f"not a reward model directory (no {MANIFEST}); train one with `empathy-r1 reward train`", directory)
    kind = read_json(manifest).get("kind")
    if kind == "use_head":
        from empathy_r1.reward_model.head import HeadRewardModel

        return HeadRewardModel.load(directory)
    if kind == "sentence_transformers":
        from empathy_r1.reward_model.st import STRewardModel

        return STRewardModel.load(directory)
    raise UserError(f"unknown reward model kind {kind!r}", manifest)
