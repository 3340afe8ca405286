"""The paper's cold start: a teacher model writes CoE chains, validated by the CoE parser.

Any OpenAI-compatible chat endpoint works (DeepSeek-R1, a local vLLM, ...) through
:mod:`empathy_r1.endpoints`. Every response is appended to a JSONL cache keyed by a hash of the
request (model, messages, temperature, attempt number) before it is used, so an interrupted run
that is started again replays finished items from the cache and asks the teacher only for the
rest. Rate limits (429), server errors (5xx), timeouts and connection errors are retried by the
openai client itself (``max_retries``, exponential backoff, ``Retry-After`` honoured). An invalid
chain is asked for again, a bounded number of times; items that never validate are counted, not
written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from empathy_r1 import coe
from empathy_r1.endpoints import Endpoint, EndpointSettings, failure_message, request_key
from empathy_r1.errors import UserError
from empathy_r1.io import write_jsonl

__all__ = ["TEACHER_RETRIES", "distill"]

TEACHER_RETRIES = 5
"""Default ``max_retries`` for a teacher: a long distillation run should ride out a rate limit."""

_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)
_FENCE = re.compile(r"^\s*```[a-z]*\n(.*?)\n```\s*$", re.DOTALL)


def _clean_response(text: str) -> str:
    """Drop a reasoning model's own <think> block and a code fence around the chain."""
    text = _THINK.sub("", text)
    m = _FENCE.match(text)
    return m.group(1) if m else text


def distill(
    records: list[dict],
    output: Path,
    settings: EndpointSettings,
    n: int = 200,
    temperature: float = 0.6,
    invalid_retries: int = 2,
    language: str = "zh",
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Ask the teacher for a chain for each of the first ``n`` records; write the valid ones.

    ``settings.cache`` defaults to ``OUTPUT.cache.jsonl``. Output records are the input records
    with ``coe`` replaced by the teacher's chain and a ``teacher`` field (model, attempts).
    Returns counts: written, invalid, from_cache, asked.
    """
    if not settings.model:
        raise UserError("the teacher needs a model name")
    if not settings.cache:
        settings = dataclasses.replace(settings, cache=str(output.with_suffix(".cache.jsonl")))
    teacher = Endpoint(settings, client=client)
    stats = {"written": 0, "invalid": 0, "from_cache": 0, "asked": 0}
    out: list[dict] = []
    todo = records[:n]
    for i, rec in enumerate(todo):
        messages = coe.prompt_messages(rec["post"], title=rec.get("title", ""), language=language)
        chain = None
        for attempt in range(invalid_retries + 1):
            # The attempt number is part of the key: asking again after an invalid chain is a new request.
            key = request_key(settings.model, messages, temperature=temperature, attempt=attempt)
            hit = teacher.cached(key)
            try:
                text = teacher.chat(messages, key=key, temperature=temperature)
            except Exception as e:
                message = failure_message(e, settings, "the teacher")
                if message is None:
                    raise
                raise UserError(f"{message}; what arrived is cached, a rerun resumes") from None
            stats["from_cache" if hit else "asked"] += 1
            parsed = coe.parse(_clean_response(text))
            if parsed.ok:
                chain = parsed.chain
                break
        if chain is None:
            stats["invalid"] += 1
        else:
            item = {k: v for k, v in rec.items() if k != "coe"}
            item["coe"] = {**chain.reasoning, "answer": chain.answer}
            item["teacher"] = {"model": settings.model, "attempts": attempt + 1}
            out.append(item)
            stats["written"] += 1
        if progress:
            progress(i + 1, len(todo))
    write_jsonl(output, out)
    return stats
