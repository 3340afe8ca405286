"""The Chain-of-Empathy (CoE) output format: the single source of truth.

A completion is four reasoning layers inside a think block, then the reply::

    <empathy_think><L1>…</L1><L2>…</L2><L3>…</L3><L4>…</L4></empathy_think><answer>…</answer>

Every tag name lives in :class:`CoETags`; everything else (parser, renderer, prompts,
format reward) reads them from there, so a user who wants other markup changes one object.

This module is pure Python on purpose: rewards, metrics, safety and serving import it and
must stay fast to test and usable without torch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

__all__ = [
    "DEFAULT_TAGS",
    "LAYER_KEYS",
    "Chain",
    "CoETags",
    "ParseResult",
    "completion_text",
    "extract_answer",
    "format_reward",
    "layer_headings",
    "layer_pass_rates",
    "parse",
    "prompt_messages",
    "render",
    "system_prompt",
]

#: The names the four layers have in Python (``Chain`` fields), in order.
LAYER_KEYS: tuple[str, ...] = ("emotions", "causes", "intent", "strategy")


@dataclass(frozen=True)
class CoETags:
    """Tag names of the CoE markup. Change them here and nowhere else."""

    think: str = "empathy_think"
    """Wraps the reasoning layers."""
    layers: tuple[str, ...] = ("L1", "L2", "L3", "L4")
    """One tag per layer, in order: emotions, causes and beliefs, intent, response strategy."""
    answer: str = "answer"
    """Wraps the reply that a seeker reads."""
    layer_keys: tuple[str, ...] = LAYER_KEYS
    """Which :class:`Chain` field each tag in ``layers`` holds; fewer than four after :meth:`drop`."""

    def __post_init__(self) -> None:
        names = [self.think, *self.layers, self.answer]
        if len(self.layers) != len(self.layer_keys):
            raise ValueError(f"CoE has {len(self.layer_keys)} layers, got {len(self.layers)} layer tags")
        if not self.layers:
            raise ValueError("CoE needs at least one layer")
        if [k for k in LAYER_KEYS if k in self.layer_keys] != list(self.layer_keys):
            raise ValueError(f"CoE layer_keys must be an ordered subset of {LAYER_KEYS}, got {self.layer_keys}")
        if len(set(names)) != len(names):
            raise ValueError(f"CoE tag names must be distinct, got {names}")
        for name in names:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", name):
                raise ValueError(f"CoE tag name {name!r} is not a valid tag name")

    def drop(self, *layers: str) -> CoETags:
        """The same markup without some layers (by tag, e.g. ``"L2"``, or key, e.g. ``"causes"``): the ablation.

        >>> DEFAULT_TAGS.drop("L2").layers
        ('L1', 'L3', 'L4')
        """
        unknown = set(layers) - set(self.layers) - set(self.layer_keys)
        if unknown:
            raise ValueError(f"cannot drop unknown CoE layers {sorted(unknown)}; layers are {list(self.layers)}")
        keep = [(t, k) for t, k in zip(self.layers, self.layer_keys, strict=True) if t not in layers and k not in layers]
        return replace(self, layers=tuple(t for t, _ in keep), layer_keys=tuple(k for _, k in keep))

    @staticmethod
    def open(name: str) -> str:
        return f"<{name}>"

    @staticmethod
    def close(name: str) -> str:
        return f"</{name}>"

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Matches any opening or closing tag of this markup."""
        names = "|".join(re.escape(n) for n in (self.think, *self.layers, self.answer))
        return re.compile(rf"<(/?)({names})>")

    @property
    def sequence(self) -> list[str]:
        """The exact order of tags in a well-formed completion."""
        seq = [self.open(self.think)]
        for layer in self.layers:
            seq += [self.open(layer), self.close(layer)]
        seq += [self.close(self.think), self.open(self.answer), self.close(self.answer)]
        return seq


DEFAULT_TAGS = CoETags()


@dataclass(frozen=True)
class Chain:
    """A parsed (or to-be-rendered) Chain-of-Empathy and its answer."""

    emotions: str
    """L1: the seeker's core emotions within their concrete situation."""
    causes: str
    """L2: why they feel so; beliefs and cognitive distortions."""
    intent: str
    """L3: what they want from the reply (validation, understanding, advice)."""
    strategy: str
    """L4: how to answer, synthesised from L1-L3."""
    answer: str
    """The reply shown to the seeker."""

    @property
    def layers(self) -> tuple[str, str, str, str]:
        return (self.emotions, self.causes, self.intent, self.strategy)

    @property
    def reasoning(self) -> dict[str, str]:
        return dict(zip(LAYER_KEYS, self.layers, strict=True))


@dataclass
class ParseResult:
    """What :func:`parse` found: a chain when well formed, else the list of problems."""

    chain: Chain | None
    errors: list[str]
    layer_ok: dict[str, bool] = field(default_factory=dict)
    """Per layer tag (``L1``..``L4``): present once, closed, in place and non-empty."""
    answer: str | None = None
    """The answer text when an answer block was found, even if the chain is malformed."""

    @property
    def ok(self) -> bool:
        return self.chain is not None


def parse(text: str, tags: CoETags = DEFAULT_TAGS) -> ParseResult:
    """Parse a completion into a :class:`Chain`, or list everything that is wrong with it.

    Tolerated: whitespace around and between tags, and a missing opening think tag when the
    chat template pre-filled it (the text then starts directly with the first layer).

    >>> r = parse("<empathy_think><L1>a</L1><L2>b</L2><L3>c</L3><L4>d</L4></empathy_think><answer>e</answer>")
    >>> r.ok, r.chain.answer
    (True, 'e')
    >>> parse("<answer>only</answer>").errors[0]
    'missing <empathy_think>'
    """
    text = text.strip()
    expected = tags.sequence
    think_open = expected[0]
    # Chat templates may pre-fill the opening think tag into the prompt; accept that.
    if not text.startswith(think_open) and text.startswith(tags.open(tags.layers[0])):
        text = think_open + text

    found = [(m.group(0), m.start(), m.end()) for m in tags.pattern.finditer(text)]
    positions: dict[str, list[int]] = {}
    for i, (tag, _, _) in enumerate(found):
        positions.setdefault(tag, []).append(i)

    errors: list[str] = []
    for tag in expected:
        count = len(positions.get(tag, []))
        if count == 0:
            errors.append(f"missing {tag}")
        elif count > 1:
            errors.append(f"duplicated {tag} ({count} times)")

    # Order: the found tags must be exactly the expected sequence.
    if not errors and [t for t, _, _ in found] != expected:
        errors.append("tags out of order: " + " ".join(t for t, _, _ in found))

    # The answer must follow the reasoning, never sit inside it.
    a_open = positions.get(tags.open(tags.answer), [])
    t_close = positions.get(tags.close(tags.think), [])
    t_open = positions.get(think_open, [])
    if a_open and t_close and a_open[0] < t_close[-1] and (not t_open or a_open[0] > t_open[0]):
        errors.append(f"{tags.open(tags.answer)} is inside the reasoning")

    def between(open_tag: str, close_tag: str) -> str | None:
        """Text between the single occurrences of two tags, or None if absent/misplaced."""
        o, c = positions.get(open_tag, []), positions.get(close_tag, [])
        if len(o) != 1 or len(c) != 1 or o[0] >= c[0]:
            return None
        return text[found[o[0]][2] : found[c[0]][1]]

    layer_texts: list[str | None] = []
    layer_ok: dict[str, bool] = {}
    for layer in tags.layers:
        content = between(tags.open(layer), tags.close(layer))
        inside_think = _inside(positions, tags.open(layer), think_open, tags.close(tags.think))
        has_nested = content is not None and tags.pattern.search(content) is not None
        ok = content is not None and content.strip() != "" and inside_think and not has_nested
        if content is not None and content.strip() == "":
            errors.append(f"empty layer {layer}")
        if content is not None and has_nested:
            errors.append(f"layer {layer} contains other tags")
        layer_ok[layer] = ok
        layer_texts.append(content.strip() if content is not None else None)

    answer = between(tags.open(tags.answer), tags.close(tags.answer))
    if answer is not None and answer.strip() == "":
        errors.append("empty answer")
    if answer is not None and tags.pattern.search(answer):
        errors.append("answer contains other tags")

    # Text outside the tags: anything that is not whitespace between structural tags.
    if not errors:
        stray = _stray_text(text, found, tags)
        if stray:
            errors.append(f"text outside the tags: {stray[:40]!r}")

    answer_clean = answer.strip() if answer is not None else None
    if errors:
        return ParseResult(None, _dedupe(errors), layer_ok, answer_clean)
    fields = dict.fromkeys(LAYER_KEYS, "") | {k: t or "" for k, t in zip(tags.layer_keys, layer_texts, strict=True)}
    chain = Chain(**fields, answer=answer_clean or "")
    return ParseResult(chain, [], layer_ok, answer_clean)


def _inside(positions: dict[str, list[int]], tag: str, open_tag: str, close_tag: str) -> bool:
    t, o, c = positions.get(tag, []), positions.get(open_tag, []), positions.get(close_tag, [])
    return len(t) == 1 and len(o) == 1 and len(c) == 1 and o[0] < t[0] < c[0]


def _stray_text(text: str, found: list[tuple[str, int, int]], tags: CoETags) -> str:
    """Non-whitespace text that sits outside every layer and the answer."""
    content_opens = {tags.open(n) for n in (*tags.layers, tags.answer)}
    stray, cursor, inside = [], 0, False
    for tag, start, end in found:
        if not inside:
            stray.append(text[cursor:start])
        inside = tag in content_opens
        cursor = end
    stray.append(text[cursor:])
    return "".join(s.strip() for s in stray)


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def render(chain: Chain, tags: CoETags = DEFAULT_TAGS, *, newlines: bool = True) -> str:
    """Write a chain in CoE markup; ``parse(render(c)).chain == c`` for stripped texts.

    >>> render(Chain("a", "b", "c", "d", "e"), newlines=False)
    '<empathy_think><L1>a</L1><L2>b</L2><L3>c</L3><L4>d</L4></empathy_think><answer>e</answer>'
    """
    sep = "\n" if newlines else ""
    values = chain.reasoning
    body = sep.join(f"{tags.open(t)}{values[k]}{tags.close(t)}" for t, k in zip(tags.layers, tags.layer_keys, strict=True))
    think = f"{tags.open(tags.think)}{sep}{body}{sep}{tags.close(tags.think)}"
    return f"{think}{sep}{tags.open(tags.answer)}{chain.answer}{tags.close(tags.answer)}"


def extract_answer(text: str, tags: CoETags = DEFAULT_TAGS) -> str:
    """The reply to show a person, even from a malformed completion.

    A well-formed answer block wins; otherwise the text after the reasoning, with every CoE
    tag removed. Never returns the reasoning layers as if they were the answer.
    """
    result = parse(text, tags)
    if result.answer:
        return result.answer
    close = tags.close(tags.think)
    tail = text.split(close, 1)[1] if close in text else ("" if tags.open(tags.think) in text else text)
    return tags.pattern.sub("", tail).strip()


def completion_text(completion: Any) -> str:
    """Plain text of a completion given as a string or as TRL conversational messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    if isinstance(completion, Sequence):
        return "".join(completion_text(m) for m in completion if not isinstance(m, dict) or m.get("role", "assistant") == "assistant")
    raise TypeError(f"cannot read a completion of type {type(completion).__name__}")


def format_reward(completions: list[Any], tags: CoETags = DEFAULT_TAGS, **kwargs: Any) -> list[float]:
    """Binary format reward as the paper: 1.0 for a complete, well-formed chain, else 0.0.

    Takes plain strings or TRL's conversational completions
    (``[[{"role": "assistant", "content": ...}], ...]``); extra dataset columns are ignored.

    >>> ok = "<empathy_think><L1>a</L1><L2>b</L2><L3>c</L3><L4>d</L4></empathy_think><answer>e</answer>"
    >>> format_reward([ok, [{"role": "assistant", "content": ok}], "no tags"])
    [1.0, 1.0, 0.0]
    """
    return [1.0 if parse(completion_text(c), tags).ok else 0.0 for c in completions]


def layer_pass_rates(completions: list[Any], tags: CoETags = DEFAULT_TAGS) -> dict[str, float]:
    """Share of completions in which each layer (and the answer, and the whole chain) passes."""
    results = [parse(completion_text(c), tags) for c in completions]
    n = max(len(results), 1)
    rates = {layer: sum(r.layer_ok.get(layer, False) for r in results) / n for layer in tags.layers}
    rates["answer"] = sum(bool(r.answer) for r in results) / n
    rates["chain"] = sum(r.ok for r in results) / n
    return rates


# What each layer is called where people read it (the server's reasoning_content, the review page).
_LAYER_TITLES: dict[str, dict[str, str]] = {
    "zh": {"emotions": "情绪与情境", "causes": "原因与信念", "intent": "意图", "strategy": "回应策略"},
    "en": {"emotions": "Emotions and context", "causes": "Causes and beliefs", "intent": "Intent", "strategy": "Response strategy"},
}


def layer_headings(language: str = "zh", tags: CoETags = DEFAULT_TAGS) -> tuple[str, ...]:
    """One heading per layer of ``tags``: its tag and its title (English for an unknown language).

    >>> layer_headings("en", DEFAULT_TAGS.drop("L2"))
    ('L1 Emotions and context', 'L3 Intent', 'L4 Response strategy')
    """
    titles = _LAYER_TITLES.get(language, _LAYER_TITLES["en"])
    return tuple(f"{tag} {titles[key]}" for tag, key in zip(tags.layers, tags.layer_keys, strict=True))


# Per-layer instructions, keyed by Chain field so that a dropped layer drops its line too.
_PROMPTS: dict[str, dict[str, str]] = {
    "zh": {
        "intro": "你是一位温暖、专业的心理支持者。来访者会写下一段很长的倾诉。请先按“共情链”逐层推理，再写回复：",
        "emotions": "情绪与情境：来访者在具体处境中的核心情绪。",
        "causes": "原因与信念：情绪从何而来；背后的信念与认知扭曲（如灾难化、非黑即白、读心术、“应该”思维、个人化）。",
        "intent": "意图：来访者此刻最需要什么——被认可、被理解，还是具体建议。",
        "strategy": "回应策略：综合以上各层，决定如何回应（积极倾听、NURSE：命名、理解、尊重、支持、探索）。",
        "outro": "推理写在{think}…{thinkc}之内，随后把给来访者的回复写在{ans}…{ansc}之内。回复用中文，真诚、具体、不说教。",
    },
    "en": {
        "intro": "You are a warm, professional mental-health supporter. The seeker writes a long post. "
        "First reason through the layers of the Chain-of-Empathy, then write the reply:",
        "emotions": "Emotions and context: the seeker's core emotions in their concrete situation.",
        "causes": "Causes and beliefs: why they feel so; underlying beliefs and cognitive distortions "
        "(catastrophising, all-or-nothing, mind reading, should-statements, personalisation).",
        "intent": "Intent: what they need from this reply: validation, being understood, or actionable advice.",
        "strategy": "Response strategy: how to answer, synthesised from the layers above (active listening, NURSE).",
        "outro": "Write the reasoning inside {think}…{thinkc}, then the reply to the seeker inside {ans}…{ansc}. "
        "Be sincere, specific and never preachy.",
    },
}


def system_prompt(language: str = "zh", tags: CoETags = DEFAULT_TAGS) -> str:
    """A system prompt that instructs the layers and the answer in the given markup."""
    if language not in _PROMPTS:
        raise ValueError(f"no CoE system prompt for language {language!r}; choose from {sorted(_PROMPTS)}")
    text = _PROMPTS[language]
    lines = [text["intro"]]
    for tag, key in zip(tags.layers, tags.layer_keys, strict=True):
        lines.append(f"{tags.open(tag)}{text[key]}{tags.close(tag)}")
    lines.append(
        text["outro"].format(
            think=tags.open(tags.think), thinkc=tags.close(tags.think), ans=tags.open(tags.answer), ansc=tags.close(tags.answer)
        )
    )
    return "\n".join(lines)


def prompt_messages(post: str, title: str = "", language: str = "zh", tags: CoETags = DEFAULT_TAGS) -> list[dict[str, str]]:
    """The chat prompt every stage uses (SFT, GRPO, evaluation, serving): system + the seeker's post.

    >>> [m["role"] for m in prompt_messages("最近睡不好", title="失眠")]
    ['system', 'user']
    """
    user = f"{title.strip()}\n\n{post.strip()}" if title.strip() else post.strip()
    return [{"role": "system", "content": system_prompt(language, tags)}, {"role": "user", "content": user}]
