"""Rewards for GRPO and evaluation: pure functions of completions (no torch, no trl).

The paper's composite reward is ``format + answer``:

- **format**: 1 when the Chain-of-Empathy is complete and well formed, else 0
  (:func:`empathy_r1.coe.format_reward`, re-exported here).
- **answer** (the paper's Equation 6): the reward model embeds the query (the seeker's post)
  and the generated ``<answer>``; their cosine similarity ``s`` against a threshold T gives
  1 when ``s >= T`` (``binary``), or a clipped linear ramp around T (``soft``). A completion
  whose format is broken gets 0: its "answer" is not something we would show anyone.
- **safety** (optional, ours): -1 when the safety screen flags the generated answer itself.

The TRL-shaped factories return callables ``fn(completions, query, **kwargs) -> list[float]``
that GRPOTrainer calls with the dataset's ``query`` column; they also log per-layer format
pass rates and distinct-1 through TRL's ``log_metric`` hook, so no trainer is subclassed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from empathy_r1.coe import DEFAULT_TAGS, CoETags, completion_text, extract_answer, layer_pass_rates, parse
from empathy_r1.coe import format_reward as format_reward
from empathy_r1.text import tokenize

if TYPE_CHECKING:
    from empathy_r1.config import RewardConfig

__all__ = [
    "REWARD_NAMES",
    "AnswerReward",
    "Embedder",
    "FormatReward",
    "answer_reward",
    "composite_scores",
    "distinct1",
    "format_reward",
    "logged_key",
    "make_answer_reward",
    "make_format_reward",
    "make_safety_penalty",
    "reward_terms",
]

#: The composite reward's terms, in the order GRPO passes them to TRL (which logs ``rewards/<name>/mean``).
REWARD_NAMES: tuple[str, ...] = ("format_reward", "answer_reward", "safety_penalty")


def logged_key(name: str) -> str:
    """The key TRL logs a reward term's batch mean under.

    >>> logged_key(REWARD_NAMES[0])
    'rewards/format_reward/mean'
    """
    return f"rewards/{name}/mean"

Mode = Literal["binary", "soft"]

SOFT_WIDTH = 0.2
"""Width of the soft ramp: reward rises linearly from T - 0.1 (0) to T + 0.1 (1)."""


class Embedder(Protocol):
    """What the answer reward needs from a reward model: L2-normalised embeddings, one row per text."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def answer_reward(similarities: Sequence[float] | np.ndarray, threshold: float, mode: Mode = "binary") -> list[float]:
    """The paper's Equation 6 on cosine similarities: binary ``s >= T``, or a soft ramp around T.

    >>> answer_reward([0.2, 0.5, 0.8], threshold=0.5)
    [0.0, 1.0, 1.0]
    >>> answer_reward([0.35, 0.45, 0.5, 0.7], threshold=0.5, mode="soft")  # 0 below T-0.1, 1 above T+0.1
    [0.0, 0.25, 0.5, 1.0]
    """
    s = np.asarray(similarities, dtype=np.float64)
    if mode == "binary":
        out = (s >= threshold).astype(np.float64)
    elif mode == "soft":
        out = np.clip((s - (threshold - SOFT_WIDTH / 2)) / SOFT_WIDTH, 0.0, 1.0)
    else:
        raise ValueError(f"answer reward mode must be binary or soft, got {mode!r}")
    return [round(float(x), 6) for x in out]


def distinct1(texts: Sequence[str]) -> float:
    """Distinct-1 over a set of texts: distinct tokens / all tokens (the tokenisation of docs/metrics.md).

    >>> distinct1(["我很好", "我很累"])
    0.666667
    """
    tokens = [t for text in texts for t in tokenize(text)]
    return round(len(set(tokens)) / len(tokens), 6) if tokens else 0.0


def _answers(completions: Sequence[Any], tags: CoETags, require_format: bool) -> tuple[list[str], list[bool]]:
    """The answer text of each completion, and whether it counts (well-formed, non-empty)."""
    texts = [completion_text(c) for c in completions]
    if require_format:
        results = [parse(t, tags) for t in texts]
        return [r.chain.answer if r.ok else "" for r in results], [r.ok and bool(r.chain.answer) for r in results]
    answers = [extract_answer(t, tags) for t in texts]
    return answers, [bool(a) for a in answers]


class AnswerReward:
    """TRL reward function: similarity of each completion's answer to its query, against T.

    The query embeddings are cached by text (bounded), so a prompt's G completions and later
    epochs over the same prompt cost one query embedding, not one per completion.
    """

    __name__ = REWARD_NAMES[1]  # TRL logs rewards/<__name__>/mean

    def __init__(
        self,
        reward_model: Embedder,
        threshold: float,
        mode: Mode = "binary",
        tags: CoETags = DEFAULT_TAGS,
        require_format: bool = True,
        cache_size: int = 4096,
    ) -> None:
        self.reward_model = reward_model
        self.threshold = threshold
        self.mode: Mode = mode
        self.tags = tags
        self.require_format = require_format
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def query_embeddings(self, queries: Sequence[str]) -> np.ndarray:
        """[N, D] embeddings of the queries, each distinct uncached text embedded once."""
        missing = [q for q in dict.fromkeys(queries) if q not in self._cache]
        fresh = dict(zip(missing, self.reward_model.embed(missing), strict=True)) if missing else {}
        # Build the result before evicting: a batch may hold more distinct queries than the cache.
        result = np.stack([fresh[q] if q in fresh else self._cache[q] for q in queries])
        for q in queries:
            if q in self._cache:
                self._cache.move_to_end(q)
        self._cache.update(fresh)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def similarities(self, completions: Sequence[Any], queries: Sequence[str]) -> tuple[np.ndarray, list[bool]]:
        """Cosine similarity of each answer to its query (NaN-free; 0 where the answer does not count)."""
        answers, counts = _answers(completions, self.tags, self.require_format)
        sims = np.zeros(len(answers))
        idx = [i for i, c in enumerate(counts) if c]
        if idx:
            q = self.query_embeddings([queries[i] for i in idx])  # [n, D]
            a = self.reward_model.embed([answers[i] for i in idx])  # [n, D]
            sims[idx] = np.sum(q * a, axis=1)  # both L2-normalised: dot product = cosine
        return sims, counts

    def score(self, completions: Sequence[Any], query: Sequence[str]) -> tuple[list[float], np.ndarray, list[bool]]:
        """Rewards (0 where the answer does not count), similarities and which answers count."""
        if len(query) != len(completions):
            raise ValueError(f"answer_reward got {len(completions)} completions but {len(query)} queries")
        sims, counts = self.similarities(completions, query)
        rewards = answer_reward(sims, self.threshold, self.mode)
        return [r if c else 0.0 for r, c in zip(rewards, counts, strict=True)], sims, counts

    def __call__(self, completions: Sequence[Any], query: Sequence[str], **kwargs: Any) -> list[float]:
        rewards, sims, counts = self.score(completions, query)
        log_metric = kwargs.get("log_metric")
        if log_metric is not None and any(counts):
            log_metric("answer/similarity", float(np.mean(sims[np.asarray(counts)])))
        return rewards


def make_answer_reward(
    reward_model: Embedder, threshold: float, mode: Mode = "binary", tags: CoETags = DEFAULT_TAGS, require_format: bool = True
) -> AnswerReward:
    """The answer reward as TRL calls it: ``fn(completions, query, **kwargs) -> list[float]``."""
    return AnswerReward(reward_model, threshold, mode, tags, require_format)


class FormatReward:
    """TRL reward function: the binary CoE format reward, logging per-layer pass rates and distinct-1.

    The extra metrics ride on TRL's ``log_metric`` hook (``format/L1``..., ``completions/distinct1``):
    GRPO curves then show which layer the policy breaks first, and whether answers collapse.
    """

    __name__ = REWARD_NAMES[0]

    def __init__(self, tags: CoETags = DEFAULT_TAGS) -> None:
        self.tags = tags

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float]:
        log_metric = kwargs.get("log_metric")
        if log_metric is not None:
            for name, rate in layer_pass_rates(list(completions), self.tags).items():
                log_metric(f"format/{name}", rate)
            log_metric("completions/distinct1", distinct1([extract_answer(completion_text(c), self.tags) for c in completions]))
        return format_reward(list(completions), self.tags)


def make_format_reward(tags: CoETags = DEFAULT_TAGS) -> FormatReward:
    """The format reward as TRL calls it, with per-layer and distinct-1 logging."""
    return FormatReward(tags)


def make_safety_penalty(tags: CoETags = DEFAULT_TAGS) -> Callable[..., list[float]]:
    """TRL reward function: -1 when the safety screen flags the generated answer, else 0.

    A model must never learn to write what our own crisis screen would stop; this makes such
    answers strictly worse than any other in their group.
    """
    from empathy_r1.safety import screen

    def safety_penalty(completions: Sequence[Any], **kwargs: Any) -> list[float]:
        answers = [extract_answer(completion_text(c), tags) for c in completions]
        return [-1.0 if a and screen(a).level != "none" else 0.0 for a in answers]

    safety_penalty.__name__ = REWARD_NAMES[2]
    return safety_penalty


def reward_terms(
    reward_cfg: RewardConfig,
    reward_model: Embedder | None,
    tags: CoETags = DEFAULT_TAGS,
    use_format: bool = True,
    threshold: float | None = None,
) -> dict[str, tuple[Callable[..., list[float]], float]]:
    """The composite reward, defined once: name -> (TRL reward function, weight), in :data:`REWARD_NAMES` order.

    GRPO hands the functions and weights to TRL (which sums them); :func:`composite_scores` sums the
    very same terms for evaluation, so the two cannot drift apart. No format term without CoE (the
    ablation), no answer term without a reward model, no safety term at weight 0.
    """
    t = reward_cfg.threshold if threshold is None else threshold
    terms: dict[str, tuple[Callable[..., list[float]], float]] = {}
    if use_format:
        terms[REWARD_NAMES[0]] = (make_format_reward(tags), reward_cfg.format_weight)
    if reward_model is not None:
        terms[REWARD_NAMES[1]] = (make_answer_reward(reward_model, t, reward_cfg.mode, tags, require_format=use_format), reward_cfg.answer_weight)
    if reward_cfg.safety_weight > 0:
        terms[REWARD_NAMES[2]] = (make_safety_penalty(tags), reward_cfg.safety_weight)
    return terms


#: The column of :func:`composite_scores` each term fills.
_COLUMNS = dict(zip(REWARD_NAMES, ("format", "answer", "safety"), strict=True))


def composite_scores(
    completions: Sequence[Any],
    queries: Sequence[str],
    reward_model: Embedder | None,
    reward_cfg: RewardConfig,
    tags: CoETags = DEFAULT_TAGS,
    use_format: bool = True,
) -> dict[str, list[float]]:
    """Per-completion ``format``, ``answer``, ``similarity``, ``safety`` and weighted ``reward``: the terms of
    :func:`reward_terms`, summed as GRPO sums them.

    ``use_format`` False is the no-CoE ablation: no format term in the sum (``format`` is still
    reported), and the whole completion is the answer. Without a reward model the answer reward
    and similarity are reported as 0.
    """
    n = len(completions)
    completions = list(completions)
    out = {"format": format_reward(completions, tags), "answer": [0.0] * n, "similarity": [0.0] * n, "safety": [0.0] * n}
    total = [0.0] * n
    for name, (fn, weight) in reward_terms(reward_cfg, reward_model, tags, use_format).items():
        if isinstance(fn, AnswerReward):
            values, sims, _ = fn.score(completions, list(queries))
            out["similarity"] = [float(x) for x in sims]
        else:
            values = fn(completions, query=list(queries))
        out[_COLUMNS[name]] = values
        total = [t + weight * v for t, v in zip(total, values, strict=True)]
    return out | {"reward": total}
