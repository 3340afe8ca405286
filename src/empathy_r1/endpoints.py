"""One client for every OpenAI-compatible model endpoint: teacher, judge, serving upstream, evaluation.

Each caller describes its endpoint with one :class:`EndpointSettings` (from a config section or
from flags) and talks to it through :class:`Endpoint`:

- the API key is read from an environment variable named in the settings, never from the
  config file or the command line, so keys stay out of files and shell history;
- retries are the ``openai`` client's own (``max_retries``): exponential backoff with jitter on
  429, 5xx, timeouts and lost connections, honouring ``Retry-After``;
- :meth:`Endpoint.chat` can keep every response in an append-only JSONL cache keyed by a hash
  of the request, so a rerun replays what it already has (an interrupted run resumes; a
  judged or distilled result is reproducible without asking the model again).

The ``openai`` package is imported only when a client is first needed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1.errors import UserError
from empathy_r1.io import append_jsonl, read_log

__all__ = ["Endpoint", "EndpointSettings", "ResponseCache", "failure_message", "request_key", "settings_from"]


@dataclass
class EndpointSettings:
    base_url: str = ""
    """OpenAI-compatible API root, e.g. http://127.0.0.1:8001/v1 (vLLM, SGLang, llama.cpp, transformers serve, a hosted API)."""
    model: str = ""
    """Model name at that endpoint ("": the first model its /v1/models lists)."""
    api_key_env: str | None = None
    """Name of the environment variable that holds the API key (null: none; local engines accept any)."""
    timeout: float = 120.0
    """Seconds before one request is given up (then retried, up to max_retries)."""
    max_retries: int = 2
    """Retries by the openai client: exponential backoff with jitter on 429, 5xx, timeouts, lost connections; honours Retry-After."""
    cache: str | None = None
    """JSONL response cache (null: none). A rerun replays cached responses: resumable and reproducible."""

    def __post_init__(self) -> None:
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if not self.timeout > 0:
            raise ValueError("timeout must be positive")
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")

    def api_key(self) -> str:
        """The key from ``api_key_env`` ("EMPTY" when unset: the openai client insists on one)."""
        if not self.api_key_env:
            return "EMPTY"
        return os.environ.get(self.api_key_env) or "EMPTY"


def settings_from(base: EndpointSettings | None, **flags: Any) -> EndpointSettings:
    """A config section's settings with the flags that were given (not None) on top.

    >>> settings_from(EndpointSettings("http://a/v1", "m", timeout=5.0), model="n", timeout=None).model
    'n'
    """
    merged = {**(dataclasses.asdict(base) if base else {}), **{k: v for k, v in flags.items() if v is not None}}
    try:
        return EndpointSettings(**merged)
    except ValueError as e:
        raise UserError(str(e)) from None


def request_key(model: str, messages: list[dict[str, Any]], **params: Any) -> str:
    """Cache key of one request: the same model, messages and parameters always map to the same key.

    >>> request_key("m", [{"role": "user", "content": "hi"}], temperature=0.0) == request_key("m", [{"role": "user", "content": "hi"}], temperature=0.0)
    True
    """
    blob = json.dumps({"model": model, "messages": messages, **params}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    """Append-only JSONL of ``{"key", "response", ...}``; loaded once, each entry flushed as it arrives.

    A line cut short by an interruption is skipped on load (that request is simply made again).
    Thread-safe: concurrent callers may put at once.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.entries: dict[str, str] = {}
        self._lock = threading.Lock()
        for entry in read_log(self.path):
            if isinstance(entry.get("key"), str) and isinstance(entry.get("response"), str):
                self.entries[entry["key"]] = entry["response"]

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, response: str, **meta: Any) -> None:
        with self._lock:
            self.entries[key] = response
            append_jsonl(self.path, {"key": key, **meta, "response": response})


class Endpoint:
    """An OpenAI-compatible endpoint: a configured ``openai`` client plus the optional response cache."""

    def __init__(self, settings: EndpointSettings, client: Any = None, async_client: Any = None) -> None:
        if not settings.base_url:
            raise UserError("an endpoint needs a base URL (e.g. http://127.0.0.1:8001/v1)")
        self.settings = settings
        self._client = client
        self._async_client = async_client
        self.cache = ResponseCache(settings.cache) if settings.cache else None
        self._model: str | None = settings.model or None

    @property
    def client(self) -> Any:
        """An ``openai.OpenAI`` with the settings' key, timeout and retries (made on first use)."""
        if self._client is None:
            import openai

            s = self.settings
            self._client = openai.OpenAI(base_url=s.base_url, api_key=s.api_key(), timeout=s.timeout, max_retries=s.max_retries)
        return self._client

    @property
    def async_client(self) -> Any:
        """The same, for asyncio callers (``openai.AsyncOpenAI``)."""
        if self._async_client is None:
            import openai

            s = self.settings
            self._async_client = openai.AsyncOpenAI(base_url=s.base_url, api_key=s.api_key(), timeout=s.timeout, max_retries=s.max_retries)
        return self._async_client

    @property
    def model(self) -> str:
        """The model name; asks ``/v1/models`` once when the settings leave it empty."""
        if self._model is None:
            models = [m.id for m in self.client.models.list()]
            if not models:
                raise UserError(f"the endpoint {self.settings.base_url} lists no models; give the model name")
            self._model = models[0]
        return self._model

    def chat(self, messages: list[dict[str, Any]], *, key: str | None = None, meta: dict[str, Any] | None = None, **params: Any) -> str:
        """The reply text to ``messages`` (``params``: temperature, max_tokens, ...), from the cache when it has it.

        ``key`` overrides the cache key (default: :func:`request_key` of model, messages, params);
        ``meta`` is written beside the cached response.
        """
        key = key or request_key(self.model, messages, **params)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return hit
        resp = self.client.chat.completions.create(model=self.model, messages=messages, **params)
        text = resp.choices[0].message.content or ""
        if self.cache is not None:
            self.cache.put(key, text, **(meta or {}))
        return text

    def cached(self, key: str) -> bool:
        return self.cache is not None and key in self.cache


def failure_message(e: BaseException, settings: EndpointSettings, what: str = "the endpoint") -> str | None:
    """One line for an ``openai`` error (None for anything else): what a user should know and fix."""
    import openai

    where = f"{what} at {settings.base_url}"
    if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError):
        env = f" (key from ${settings.api_key_env})" if settings.api_key_env else " (no api_key_env set)"
        return f"{where} rejected the API key{env}"
    if isinstance(e, openai.NotFoundError):
        return f"{where} has no model {settings.model!r} (or no chat endpoint)"
    if isinstance(e, openai.APITimeoutError):
        return f"{where} timed out after {settings.timeout:g} s ({settings.max_retries} retries)"
    if isinstance(e, openai.APIConnectionError):
        return f"{where} cannot be reached ({settings.max_retries} retries)"
    if isinstance(e, openai.APIStatusError):
        return f"{where} kept failing: HTTP {e.status_code} after {settings.max_retries} retries"
    if isinstance(e, openai.OpenAIError):
        return f"{where} failed: {type(e).__name__}: {e}"
    return None
