"""Rank the same blind tasks with an LLM judge through any OpenAI-compatible endpoint.

LLM judges prefer answers by position. Each sample is therefore judged in several answer
orders (``orders``): the first a seeded shuffle, the second its reverse (so each answer is seen
near the top once and near the bottom once), further ones rotations of those. A system's final
place is its mean position over the orders.

Every response is appended to a cache file the moment it arrives, keyed by a hash of the model
and the exact prompt, so an interrupted run resumes where it stopped and a repeated run makes no
calls at all.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1.errors import UserError
from empathy_r1.evaluation.files import write_json
from empathy_r1.evaluation.ranking.score import Judgment
from empathy_r1.evaluation.ranking.tasks import GUIDANCE, LABELS, Sample, TaskSet, task_set_id

__all__ = ["JudgeSettings", "answer_orders", "build_prompt", "judge_task_set", "parse_ranking"]

SYSTEM_PROMPT = (
    "你是一位资深心理咨询督导，负责评估对求助帖的回复质量。"
    "You are an experienced counselling supervisor who compares replies to a help-seeking post."
)


@dataclass
class JudgeSettings:
    base_url: str
    model: str
    api_key: str = "EMPTY"
    orders: int = 2
    seed: int = 0
    concurrency: int = 4
    temperature: float = 0.0
    max_tokens: int = 256
    timeout: float = 120.0


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


class _Cache:
    """Append-only JSONL of responses, keyed by sha256(model + prompt)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.data: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    obj = json.loads(line)
                    self.data[obj["key"]] = obj["response"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short by an interruption: that call is simply made again

    @staticmethod
    def key(model: str, prompt: str) -> str:
        return hashlib.sha256(f"{model}\n{SYSTEM_PROMPT}\n{prompt}".encode()).hexdigest()

    def put(self, key: str, sample: str, response: str) -> None:
        with self.lock:
            self.data[key] = response
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"key": key, "sample": sample, "response": response}, ensure_ascii=False) + "\n")


def _client(s: JudgeSettings) -> Callable[[str], str]:
    from openai import OpenAI

    client = OpenAI(base_url=s.base_url, api_key=s.api_key, timeout=s.timeout, max_retries=2)

    def call(prompt: str) -> str:
        resp = client.chat.completions.create(
            model=s.model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}],
            temperature=s.temperature,
            max_tokens=s.max_tokens,
        )
        return resp.choices[0].message.content or ""

    return call


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "model"


def judge_task_set(ts: TaskSet, tasks_dir: Path, s: JudgeSettings, call: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Judge every sample in ``s.orders`` orders; write and return the judge's rankings file.

    Returns ``{"path", "judgments", "calls", "cached", "invalid", "position_first_rate"}``.
    """
    if s.orders < 1:
        raise UserError("--orders must be at least 1")
    call = call or _client(s)
    out_dir = Path(tasks_dir) / "judge"
    cache = _Cache(out_dir / f"{_safe(s.model)}.cache.jsonl")
    jobs = []
    for sample in ts.samples:
        for order in answer_orders(ts.systems, s.orders, s.seed, sample.id):
            prompt = build_prompt(sample, order)
            jobs.append((sample, order, prompt, _Cache.key(s.model, prompt)))
    todo = [j for j in jobs if j[3] not in cache.data]
    cached = len(jobs) - len(todo)

    def run(job: tuple[Sample, list[str], str, str]) -> None:
        sample, _, prompt, key = job
        cache.put(key, sample.id, call(prompt))

    try:
        with ThreadPoolExecutor(max_workers=max(1, s.concurrency)) as pool:
            for fut in [pool.submit(run, j) for j in todo]:
                fut.result()
    except Exception as e:  # the endpoint failed: what arrived is cached, a rerun resumes
        if type(e).__module__.startswith("openai"):
            done = sum(1 for j in jobs if j[3] in cache.data)
            raise UserError(
                f"judge endpoint {s.base_url} failed ({type(e).__name__}: {e}); {done}/{len(jobs)} responses cached, rerun to resume"
            ) from None
        raise
    positions: dict[str, dict[str, list[int]]] = {}
    first_pos_wins, valid, invalid = 0, 0, 0
    for sample, order, _, key in jobs:
        labels = parse_ranking(cache.data[key], len(order))
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
