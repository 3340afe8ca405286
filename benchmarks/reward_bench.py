"""Reward model: completions scored per second, with and without the query-embedding caches.

    python -m benchmarks.run --only reward [--smoke]

The answer reward embeds each completion's ``<answer>`` and its query (the seeker's post) with the
reward model (frozen multilingual USE + linear head) and compares them. GRPO scores G completions
per prompt and meets every prompt again each epoch, so the query embedding repeats. Three scorers
see the same stream of GRPO-shaped batches (2 prompts x G = 4 well-formed CoE completions, every
completion new, every prompt twice):

- no cache: a fresh ``AnswerReward`` per batch over a ``UseEncoder(cache_size=0)``; a query is
  still embedded once per batch, not once per completion (dedup inside a call),
- encoder text cache only: ``UseEncoder``'s per-text cache, a fresh ``AnswerReward`` per batch,
- as shipped: one ``AnswerReward`` (its per-prompt query-embedding cache) over the cached encoder.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["run"]


def _stream(records: list[dict[str, Any]], epochs: int, group: int, prompts_per_batch: int) -> list[tuple[list[str], list[str]]]:
    """Batches of (completions, queries) as GRPO hands them to the reward: new text every time."""
    from empathy_r1.coe import Chain, render
    from empathy_r1.data.triplets import query_text

    batches = []
    for epoch in range(epochs):
        for start in range(0, len(records), prompts_per_batch):
            completions, queries = [], []
            for r in records[start : start + prompts_per_batch]:
                answers = [a["text"] for a in r["answers"]] + [b["text"] for b in r.get("bad_answers", [])]
                for g in range(group):
                    answer = f"{answers[(epoch * group + g) % len(answers)]}（第{epoch + 1}轮，第{g + 1}条）"
                    completions.append(render(Chain(**{**r["coe"], "answer": answer})))
                    queries.append(query_text(r))
            batches.append((completions, queries))
    return batches


def run(smoke: bool, tick: Callable[[str], None] = print) -> dict[str, Any]:
    from empathy_r1.data.sample import load_sample
    from empathy_r1.reward_model.head import HeadRewardModel, UseEncoder
    from empathy_r1.rewards import AnswerReward

    records = load_sample()[: 4 if smoke else 12]
    batches = _stream(records, epochs=2, group=4, prompts_per_batch=2)
    n = sum(len(c) for c, _ in batches)
    weight = HeadRewardModel.initial(256, seed=0).weight

    def scorer_factory(encoder_cache: bool, query_cache: bool) -> Callable[[], AnswerReward]:
        model = HeadRewardModel(weight, UseEncoder(cache_size=100_000 if encoder_cache else 0))
        model.embed(["预热：加载编码器。"])  # load USE (about a second) outside the timing
        shared = AnswerReward(model, 0.5)
        return (lambda: shared) if query_cache else (lambda: AnswerReward(model, 0.5))

    modes = {
        "no cache": (False, False),
        "encoder text cache only": (True, False),
        "as shipped: + per-prompt query cache": (True, True),
    }
    repeats = 1 if smoke else 3
    times: dict[str, list[float]] = {name: [] for name in modes}
    scores = {}
    for rep in range(repeats):  # modes in rotation, so a busy neighbour hits them alike
        for name, (enc, qry) in modes.items():
            tick(f"reward: {name} ({rep + 1}/{repeats})")
            scorer = scorer_factory(enc, qry)  # fresh caches every repeat
            t0 = time.perf_counter()
            scores[name] = [scorer()(c, q) for c, q in batches]
            times[name].append(time.perf_counter() - t0)
    rows = [{"mode": m, "seconds": statistics.median(t), "per_s": n / statistics.median(t)} for m, t in times.items()]
    same = all(v == scores["no cache"] for v in scores.values())
    return {"rows": rows, "n": n, "batches": len(batches), "identical": same, "repeats": repeats}
