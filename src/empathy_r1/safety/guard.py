"""An optional guard model as a third signal: Qwen3Guard or Llama Guard behind any OpenAI-compatible endpoint.

The guard reads the whole conversation and answers in its own verdict format; :func:`parse_verdict`
turns that into a level. Like the detector it may only *raise* the rules' level. A slow, failing
or garbled guard never blocks or crashes a reply: the call returns ``None``, the rules' and
detector's verdict stands, and the failure is logged and counted (``GuardModel.stats``, shown
in the server's ``/healthz``).

Verdict formats (as the models' cards describe them):

- Qwen3Guard-Gen: ``Safety: Safe|Unsafe|Controversial`` then ``Categories: ...`` (among them
  ``Suicide & Self-Harm`` and ``Violent``).
- Llama Guard 3/4: ``safe``, or ``unsafe`` then a line of codes (``S11`` self-harm, ``S1``
  violent crimes).

>>> parse_verdict("Safety: Unsafe\\nCategories: Suicide & Self-Harm")
'urgent'
>>> parse_verdict("unsafe\\nS11")
'urgent'
>>> parse_verdict("Safety: Controversial\\nCategories: Violent")
'concern'
>>> parse_verdict("safe"), parse_verdict("Safety: Unsafe\\nCategories: PII"), parse_verdict("lorem ipsum")
('none', 'none', None)
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

__all__ = ["GuardModel", "parse_verdict"]

log = logging.getLogger(__name__)

#: Categories that are a crisis in our sense (suicide, self-harm, violence); others (PII,
#: copyright, politics) are not this screener's business.
_QWEN_CRISIS = re.compile(r"suicide|self-harm|self harm|violent", re.I)
_LLAMA_CRISIS = {"S1", "S11"}


def parse_verdict(text: str, fmt: str = "auto") -> str | None:
    """A guard's completion as ``none | concern | urgent``, or None when it is not a verdict."""
    text = (text or "").strip()
    if fmt in ("auto", "qwen3guard"):
        m = re.search(r"safety\s*:\s*(safe|unsafe|controversial)", text, re.I)
        if m:
            verdict = m.group(1).lower()
            categories = re.search(r"categories\s*:\s*(.*)", text, re.I)
            crisis = bool(categories and _QWEN_CRISIS.search(categories.group(1)))
            if verdict == "safe" or not crisis:
                return "none"
            return "urgent" if verdict == "unsafe" else "concern"
        if fmt == "qwen3guard":
            return None
    if fmt in ("auto", "llamaguard"):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and lines[0].lower() == "safe":
            return "none"
        if lines and lines[0].lower() == "unsafe":
            codes = set(re.findall(r"S\d+", " ".join(lines[1:])))
            return "urgent" if codes & _LLAMA_CRISIS else "none"
    return None


class GuardModel:
    """Calls ``complete(messages) -> str`` and parses the verdict; never raises."""

    def __init__(self, complete: Callable[[list[dict[str, Any]]], str], fmt: str = "auto", name: str = "guard") -> None:
        self.complete = complete
        self.fmt = fmt
        self.name = name
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1

    def __call__(self, messages: list[dict[str, Any]]) -> str | None:
        self._count("calls")
        turns = [{"role": m["role"], "content": m["content"]} for m in messages if m["role"] in ("user", "assistant")]
        try:
            text = self.complete(turns)
        except Exception as e:  # any failure of the guard: the rules' verdict stands
            kind = "timeouts" if "timeout" in type(e).__name__.lower() else "failures"
            self._count(kind)
            log.warning("guard %s failed (%s): %s", self.name, type(e).__name__, e)
            return None
        level = parse_verdict(text if isinstance(text, str) else "", self.fmt)
        if level is None:
            self._count("garbled")
            log.warning("guard %s gave no verdict: %.80r", self.name, text)
            return None
        self._count(level)
        return level


def openai_guard(base_url: str, model: str, api_key_env: str | None, timeout: float, fmt: str = "auto") -> GuardModel:
    """A guard over an OpenAI-compatible chat endpoint (vLLM, SGLang, transformers serve), through
    the project's one endpoint client. No retries: a guard that does not answer in time is skipped."""
    from empathy_r1.endpoints import Endpoint, EndpointSettings

    endpoint = Endpoint(EndpointSettings(base_url=base_url, model=model, api_key_env=api_key_env, timeout=timeout, max_retries=0))

    def complete(messages: list[dict[str, Any]]) -> str:
        return endpoint.chat(messages, max_tokens=64, temperature=0.0)

    return GuardModel(complete, fmt, name=f"{model}@{base_url}")
