"""The paper's cold start: a teacher model writes CoE chains, validated by the CoE parser.

Any OpenAI-compatible chat endpoint works (DeepSeek-R1, a local vLLM, ...) through the official
``openai`` client. Every response is appended to a JSONL cache keyed by a hash of the request
(model, messages, temperature, attempt number) before it is used, so an interrupted run that is
started again replays finished items from the cache and asks the teacher only for the rest.
Rate limits (429), server errors (5xx), timeouts and connection errors back off: the client's
own ``max_retries`` first, then this module's loop. An invalid chain is asked for again, a
bounded number of times; items that never validate are counted, not written.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1 import coe
from empathy_r1.data.io import write_jsonl
from empathy_r1.errors import UserError

__all__ = ["TeacherSettings", "distill", "request_key"]


@dataclass(frozen=True)
class TeacherSettings:
    """Where the teacher lives and how patiently to ask it."""

    base_url: str
    """OpenAI-compatible API root, e.g. https://api.deepseek.com/v1."""
    model: str
    """Model name at that endpoint."""
    api_key: str = "none"
    """API key (local servers usually accept any)."""
    temperature: float = 0.6
    """Sampling temperature of the teacher."""
    invalid_retries: int = 2
    """Extra attempts when a response does not parse as a complete chain."""
    transient_retries: int = 5
    """Extra attempts, with exponential backoff, after rate limits, 5xx, timeouts."""
    client_retries: int = 2
    """``max_retries`` of the openai client itself (it honours Retry-After)."""
    backoff_s: float = 2.0
    """First backoff; doubles each time, capped at 60 s."""
    timeout_s: float = 120.0
    """Per-request timeout."""


def request_key(model: str, messages: list[dict[str, str]], temperature: float, attempt: int) -> str:
    """Cache key of one request: the same request always maps to the same cached response."""
    blob = json.dumps(
        {"model": model, "messages": messages, "temperature": temperature, "attempt": attempt}, ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()


_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)
_FENCE = re.compile(r"^\s*```[a-z]*\n(.*?)\n```\s*$", re.DOTALL)


def _clean_response(text: str) -> str:
    """Drop a reasoning model's own <think> block and a code fence around the chain."""
    text = _THINK.sub("", text)
    m = _FENCE.match(text)
    return m.group(1) if m else text


class _Cache:
    """Append-only JSONL of ``{"key", "response"}``; loaded once, appended and flushed per entry."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[entry["key"]] = entry["response"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short by an interruption: ask again
        path.parent.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, response: str) -> None:
        self.entries[key] = response
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"key": key, "response": response}, ensure_ascii=False) + "\n")
            f.flush()


def _make_client(settings: TeacherSettings) -> Any:
    import openai

    return openai.OpenAI(
        base_url=settings.base_url, api_key=settings.api_key, max_retries=settings.client_retries, timeout=settings.timeout_s
    )


def _ask(client: Any, settings: TeacherSettings, messages: list[dict[str, str]], sleep: Callable[[float], None]) -> str:
    import openai

    transient = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)
    delay = settings.backoff_s
    for attempt in range(settings.transient_retries + 1):
        try:
            resp = client.chat.completions.create(model=settings.model, messages=messages, temperature=settings.temperature)
            return resp.choices[0].message.content or ""
        except (openai.AuthenticationError, openai.PermissionDeniedError):
            raise UserError(f"the teacher at {settings.base_url} rejected the API key") from None
        except openai.NotFoundError:
            raise UserError(f"the teacher at {settings.base_url} has no model {settings.model!r} (or no chat endpoint)") from None
        except transient as e:
            if attempt == settings.transient_retries:
                raise UserError(f"the teacher at {settings.base_url} kept failing: {type(e).__name__}") from None
            sleep(min(delay, 60.0))
            delay *= 2
    raise AssertionError("unreachable")


def distill(
    records: list[dict],
    output: Path,
    settings: TeacherSettings,
    n: int = 200,
    cache_path: Path | None = None,
    language: str = "zh",
    client: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Ask the teacher for a chain for each of the first ``n`` records; write the valid ones.

    Output records are the input records with ``coe`` replaced by the teacher's chain and a
    ``teacher`` field (model, attempts). Returns counts: written, invalid, from_cache, asked.
    """
    cache = _Cache(cache_path or output.with_suffix(".cache.jsonl"))
    client = client or _make_client(settings)
    stats = {"written": 0, "invalid": 0, "from_cache": 0, "asked": 0}
    out: list[dict] = []
    todo = records[:n]
    for i, rec in enumerate(todo):
        messages = coe.prompt_messages(rec["post"], title=rec.get("title", ""), language=language)
        chain = None
        for attempt in range(settings.invalid_retries + 1):
            key = request_key(settings.model, messages, settings.temperature, attempt)
            text = cache.get(key)
            if text is None:
                text = _ask(client, settings, messages, sleep)
                cache.put(key, text)
                stats["asked"] += 1
            else:
                stats["from_cache"] += 1
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
