"""One turn of a conversation, shared by the server, the web page and the terminal chat.

Before the model: the seeker's latest message is screened; urgent means the fixed crisis
reply and no model call at all. After the model: the completion is split into the CoE layers
and the answer, and the answer (and the layers, which a page may show) are screened; method
details or encouragement of harm replace everything with the crisis reply. A concern-level
message gets the model's answer plus one gentle line with a help line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from empathy_r1 import coe
from empathy_r1.safety import Screening, concern_note, crisis_reply, load_locale, screen, screen_answer

__all__ = ["LAYER_TITLES", "Reply", "build_prompt", "crisis", "finish", "reasoning_text", "screen_input"]

Messages = list[dict[str, str]]

#: Headings of the four layers in ``reasoning_content`` (and the page's panel).
LAYER_TITLES = {
    "zh": ("L1 情绪与情境", "L2 原因与信念", "L3 意图", "L4 回应策略"),
    "en": ("L1 Emotions and context", "L2 Causes and beliefs", "L3 Intent", "L4 Response strategy"),
}


@dataclass
class Reply:
    """What a seeker is shown, and what the interface may reveal."""

    content: str
    """The answer only (or the crisis reply); never the reasoning."""
    reasoning_content: str | None = None
    """The CoE layers as text, one heading per layer."""
    coe: dict[str, Any] | None = None
    """Structured chain: the four layers, whether the completion was well formed, its errors."""
    safety: dict[str, Any] = field(default_factory=lambda: {"level": "none", "crisis": False})
    finish_reason: str = "stop"


def build_prompt(messages: Messages, language: str = "zh") -> Messages:
    """Our CoE system prompt, then the conversation (a client's own system text follows ours)."""
    extra = [m["content"] for m in messages if m["role"] == "system" and m["content"].strip()]
    system = coe.system_prompt(language) + ("\n\n" + "\n".join(extra) if extra else "")
    turns = [{"role": m["role"], "content": m["content"]} for m in messages if m["role"] in ("user", "assistant")]
    return [{"role": "system", "content": system}, *turns]


def screen_input(messages: Messages, screener: Callable[[str], Screening] = screen) -> Screening:
    """Screen the seeker's side of a conversation: THE one place serving screens input.

    The server (local and upstream backends), the page and the terminal chat all call this, so
    that changing what is screened (say, the whole conversation) is a change here only. Today it
    screens the latest user message.

    Only the latest: a conversation that continues after a crisis reply (谢谢，我会打电话) must
    be able to get ordinary answers again; each new message is screened on its own.
    """
    last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    return screener(last)


def crisis(screening: Screening, locale: str, source: str) -> Reply:
    """The fixed crisis reply: never model text."""
    return Reply(content=crisis_reply(locale), safety=safety_info(screening, locale, crisis=True, source=source))


def safety_info(screening: Screening, locale: str, *, crisis: bool, source: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"level": screening.level, "crisis": crisis, "categories": screening.categories}
    if source:
        info["source"] = source
    if crisis or screening.level == "concern":
        info["help_lines"] = load_locale(locale).to_dict()["help_lines"]
        info["locale"] = locale
    return info


def reasoning_text(chain: dict[str, str], language: str = "zh") -> str:
    titles = LAYER_TITLES.get(language, LAYER_TITLES["en"])
    return "\n\n".join(f"【{t}】\n{chain[k]}" for t, k in zip(titles, coe.LAYER_KEYS, strict=True) if chain.get(k))


def _layers_of(completion: str) -> tuple[dict[str, str], bool, list[str]]:
    """The four layers, even from a malformed completion (whatever each layer tag holds)."""
    result = coe.parse(completion)
    if result.chain is not None:
        return result.chain.reasoning, True, []
    layers = {}
    tags = coe.DEFAULT_TAGS
    for key, tag in zip(coe.LAYER_KEYS, tags.layers, strict=True):
        m = re.search(re.escape(tags.open(tag)) + r"(.*?)" + re.escape(tags.close(tag)), completion, re.S)
        layers[key] = tags.pattern.sub("", m.group(1)).strip() if m else ""
    return layers, False, result.errors


def finish(
    completion: str,
    input_screening: Screening,
    locale: str = "zh-CN",
    language: str = "zh",
    truncated: bool = False,
    stop: list[str] | None = None,
) -> Reply:
    """Turn a raw completion into a reply, screening what will be shown.

    ``stop`` strings apply to the answer (what the client reads), not to the reasoning: the
    answer ends before the first of them, and the reply then counts as stopped, not cut.
    """
    answer = coe.extract_answer(completion)
    cuts = [i for i in (answer.find(s) for s in stop or []) if i != -1]
    if cuts:
        answer, truncated = answer[: min(cuts)].rstrip(), False
    layers, ok, errors = _layers_of(completion)
    reasoning = reasoning_text(layers, language)
    out = screen_answer(answer + "\n" + reasoning)
    if out.level == "urgent":
        return crisis(out, locale, source="output")
    if input_screening.level == "concern":
        answer = (answer + "\n\n" if answer else "") + concern_note(locale)
    return Reply(
        content=answer,
        reasoning_content=reasoning or None,
        coe={**layers, "well_formed": ok, "errors": errors},
        safety=safety_info(input_screening, locale, crisis=False, source="input" if input_screening.level != "none" else None),
        finish_reason="length" if truncated else "stop",
    )
