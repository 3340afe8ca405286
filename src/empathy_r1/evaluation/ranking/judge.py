"""Rank the same blind tasks with an LLM judge through any OpenAI-compatible endpoint.

LLM judges prefer answers by position. Each sample is therefore judged in several answer
orders (``orders``): the first a seeded shuffle, the second its reverse (so each answer is seen
near the top once and near the bottom once), further ones rotations of those. A system's final
place is its mean position over the orders.

Every response is appended to a cache file the moment it arrives, keyed by a hash of the model
and the exact prompt, so an interrupted run resumes where it stopped and a repeated run makes no
calls at all. The endpoint, its key, timeout, retries and cache come from
:mod:`empathy_r1.endpoints`, as for every other model this project calls.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1.endpoints import Endpoint, EndpointSettings, ResponseCache, failure_message
from empathy_r1.errors import UserError
from empathy_r1.evaluation.ranking.score import Judgment
from empathy_r1.evaluation.ranking.tasks import GUIDANCE, LABELS, Sample, TaskSet, task_set_id
from empathy_r1.io import write_json

__all__ = ["JudgeSettings", "answer_orders", "build_prompt", "judge_task_set", "parse_ranking"]

SYSTEM_PROMPT = (
    "你是一位资深心理咨询督导，负责评估对求助帖的回复质量。"
    "You are an experienced counselling supervisor who compares replies to a help-seeking post."
)


@dataclass
class JudgeSettings:
    endpoint: EndpointSettings
    """Where the judge lives (its cache defaults to TASKS/judge/MODEL.cache.jsonl)."""
    orders: int = 2
    """Answer orders per sample (an order and its reverse cancel position bias)."""
    seed: int = 0
    concurrency: int = 4
    """Requests in flight."""
    temperature: float = 0.0
    max_tokens: int = 256

    @property
    def model(self) -> str:
        return self.endpoint.model


def answer_orders(systems: list[str], n: int, seed: int, sample: str) -> list[list[str]]:
    """``n`` orders of the systems for one sample: a seeded shuffle, its reverse, then rotations.

    >>> answer_orders(["a", "b", "c"], 2, 0, "s1") == [o := answer_orders(["a", "b", "c"], 1, 0, "s1")[0], o[::-1]]
    True
    """
    base = list(systems)
    random.Random(f"{seed}:judge:{sample}").shuffle(base)
    out = []
    for i in range(n):
        shift = (i // 2) % len(base)
        rotated = base[shift:] + base[:shift]
        out.append(rotated if i % 2 == 0 else rotated[::-1])
    return out


def build_prompt(sample: Sample, order: list[str]) -> str:
    """The user message: the post, the replies under labels A.., the criteria, the output format."""
    parts = ["【求助帖 Post】", sample.post.strip(), ""]
    for label, system in zip(LABELS, order, strict=False):
        parts += [f"【回复 {label}】", sample.answers[system].strip(), ""]
    parts.append("请综合以下维度，把所有回复从最好到最差排序 (rank every reply from best to worst, weighing):")
    parts += [f"- {k}: {v}" for k, v in GUIDANCE.items()]
    labels = list(LABELS[: len(order)])
    parts.append("")
    parts.append(
        f'只输出 JSON，例如 {{"ranking": {json.dumps(labels[::-1])}}}，其中包含每个标签恰好一次。Output only that JSON, each label exactly once.'
    )
    return "\n".join(parts)


def parse_ranking(text: str, k: int) -> list[str] | None:
    """The judge's labels best first, or None when the reply is not a full ranking of A..k.

    >>> parse_ranking('Sure. {"ranking": ["B", "A", "C"]}', 3)
    ['B', 'A', 'C']
    >>> parse_ranking("B > C > A", 3)
    ['B', 'C', 'A']
    >>> parse_ranking('{"ranking": ["A", "A", "B"]}', 3) is None
    True
    """
    labels = list(LABELS[:k])
    candidates: list[list[str]] = []
    for m in re.finditer(r"\{[^{}]*\}", text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("ranking"), list):
            candidates.append([str(x).strip().upper() for x in obj["ranking"]])
    # Fallback for judges that ignore the format: the first run of k labels joined by > , or spaces.
    m = re.search(r"\b([A-Z])\b(?:\s*[>,，、\s]\s*\b([A-Z])\b){" + str(k - 1) + "}", text.upper()) if k >= 2 else None
    if m:
        candidates.append(re.findall(r"\b[A-Z]\b", m.group(0)))
    for c in candidates:
        if sorted(c) == labels:
            return c
    return None


def _cache_key(model: str, prompt: str) -> str:
    return hashlib.sha256(f"{model}\n{SYSTEM_PROMPT}\n{prompt}".encode()).hexdigest()


def _messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "model"


def judge_task_set(ts: TaskSet, tasks_dir: Path, s: JudgeSettings, call: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Judge every sample in ``s.orders`` orders; write and return the judge's rankings file.

    Returns ``{"path", "judgments", "calls", "cached", "invalid", "position_first_rate"}``.
    """
    if s.orders < 1:
        raise UserError("--orders must be at least 1")
    if not s.model:
        raise UserError("the judge needs a model name (--model)")
    out_dir = Path(tasks_dir) / "judge"
    endpoint_settings = s.endpoint
    if not endpoint_settings.cache:
        endpoint_settings = dataclasses.replace(endpoint_settings, cache=str(out_dir / f"{_safe(s.model)}.cache.jsonl"))
    cache = ResponseCache(endpoint_settings.cache)
    if call is None:
        endpoint = Endpoint(endpoint_settings)
        endpoint.cache = cache

        def call(prompt: str, key: str, sample: str) -> str:
            return endpoint.chat(_messages(prompt), key=key, meta={"sample": sample}, temperature=s.temperature, max_tokens=s.max_tokens)
    else:
        given = call

        def call(prompt: str, key: str, sample: str) -> str:
            text = given(prompt)
            cache.put(key, text, sample=sample)
            return text

    jobs = []
    for sample in ts.samples:
        for order in answer_orders(ts.systems, s.orders, s.seed, sample.id):
            prompt = build_prompt(sample, order)
            jobs.append((sample, order, prompt, _cache_key(s.model, prompt)))
    todo = [j for j in jobs if j[3] not in cache]
    cached = len(jobs) - len(todo)

    def run(job: tuple[Sample, list[str], str, str]) -> None:
        sample, _, prompt, key = job
        call(prompt, key, sample.id)

    try:
        with ThreadPoolExecutor(max_workers=max(1, s.concurrency)) as pool:
            for fut in [pool.submit(run, j) for j in todo]:
                fut.result()
    except Exception as e:  # the endpoint failed: what arrived is cached, a rerun resumes
        message = failure_message(e, s.endpoint, "the judge")
        if message is None:
            raise
        done = sum(1 for j in jobs if j[3] in cache)
        raise UserError(f"{message}; {done}/{len(jobs)} responses cached, rerun to resume") from None
    positions: dict[str, dict[str, list[int]]] = {}
    first_pos_wins, valid, invalid = 0, 0, 0
    for sample, order, _, key in jobs:
        labels = parse_ranking(cache.entries[key], len(order))
        if labels is None:
            invalid += 1
            continue
        valid += 1
        by_label = dict(zip(LABELS, order, strict=False))
        first_pos_wins += labels[0] == "A"
        for pos, lab in enumerate(labels):
            positions.setdefault(sample.id, {}).setdefault(by_label[lab], []).append(pos)
    judgments = []
    for sample in ts.samples:
        got = positions.get(sample.id)
        if not got or len(got) != len(ts.systems):
            continue
        # Mean position over orders; ties keep the order of the first answer order (deterministic).
        first = answer_orders(ts.systems, 1, s.seed, sample.id)[0]
        ranked = sorted(ts.systems, key=lambda x, got=got, first=first: (sum(got[x]) / len(got[x]), first.index(x)))
        judgments.append(Judgment(f"judge:{s.model}", sample.id, tuple(ranked)))
    path = out_dir / f"{_safe(s.model)}.rankings.json"
    write_json(
        path,
        {
            "task_set": task_set_id(ts),
            "annotator": f"judge:{s.model}",
            "orders": s.orders,
            "rankings": [{"sample": j.sample, "systems": list(j.systems)} for j in judgments],
        },
    )
    return {
        "path": str(path),
        "judgments": judgments,
        "calls": len(todo),
        "cached": cached,
        "invalid": invalid,
        "position_first_rate": first_pos_wins / valid if valid else None,
    }
