"""One turn of a conversation, shared by the server, the web page and the terminal chat.

Before the model: the whole conversation is screened (every user turn, the assistant's turns as
context); urgent means the fixed crisis reply and no model call at all. A conversation that was
urgent stays urgent while the urgent turn, or the crisis reply it received, is in its history. After the model: the completion is split into the CoE layers
and the answer, and the answer (and the layers, which a page may show) are screened; method
details or encouragement of harm replace everything with the crisis reply. A concern-level
message gets the model's answer plus one gentle line with a help line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from empathy_r1 import coe
from empathy_r1.safety import Screener, Screening, concern_note, crisis_reply, load_locale, screen_answer
from empathy_r1.safety.screen import _DEFAULT

__all__ = ["LAYER_TITLES", "Reply", "build_prompt", "crisis", "finish", "reasoning_text", "screen_input"]

Messages = list[dict[str, str]]

#: Headings of the four layers in ``reasoning_content`` (and the page's panel).
LAYER_TITLES = {language: coe.layer_headings(language) for language in ("zh", "en")}


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


def screen_input(messages: Messages, screener: Screener = _DEFAULT) -> Screening:
    """Screen the whole conversation: THE one place serving screens input (local and upstream
    backends, the page, the terminal chat). Raises ``safety.inputs.InputError`` on input it cannot read.

    Not only the latest message: a plan stated in one turn and followed by 嗯 or 谢谢, or risk
    split across turns, must still be seen. Once urgent, a conversation stays in crisis handling
    until it ends (the client starts a new one); see the README's safety section.
    """
    return screener.screen_conversation(messages)


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
