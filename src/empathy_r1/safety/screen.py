"""Crisis screening: rules, read sentence by sentence, with negation, idioms and context.

The pipeline for one text:

1. NFKC-normalise and lower-case it character by character (so every offset still points into
   the original text), then mask idioms (笑死了, 累死了, 想死你了) with a filler character.
2. Split it into sentences; one urgent sentence anywhere in a long post makes the post urgent.
3. Run every rule; for each match decide, from its own sentence, whether it is negated
   (我不想死), about someone else (我朋友说她想死), explained by context (a film, a game, the
   news), or in the past (以前想过自杀) — each of which lowers it.
4. Combine: any urgent match is urgent; several kinds of implicit signal (a farewell next to a
   death wish, a means next to a time) are urgent together; anything else left is concern.

An optional classifier may raise the level, never lower it: the rules' recall is the floor.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from empathy_r1.safety import rules as R

__all__ = ["LEVELS", "Classifier", "Screener", "Screening", "Span", "screen", "screen_answer"]

Level = Literal["none", "concern", "urgent"]
LEVELS: tuple[Level, ...] = ("none", "concern", "urgent")
_RANK = {level: i for i, level in enumerate(LEVELS)}

#: A classifier maps sentences to (level, score) pairs; see ``safety.classifier``.
Classifier = Callable[[list[str]], list[tuple[str, float]]]

_MASK = "□"  # replaces idioms; never part of any rule
_SENTENCE_END = re.compile(r"[。！？!?；;\n…]+|\.(?:\s|$)")
_CLAUSE_END = re.compile(r"[，,、]")
_QUOTES_OPEN, _QUOTES_CLOSE = "“「『‘", "”」』’"


@dataclass(frozen=True)
class Span:
    """One piece of evidence: where it is in the original text and what it means."""

    start: int
    end: int
    text: str
    category: str
    """suicide, self_harm, harm_to_others, abuse_in_progress (or ``classifier``)."""
    rule: str
    """The rule's name, e.g. ``not_want_live``."""
    level: Level
    """Level after negation and context."""
    signal: str = "explicit"
    context: str | None = None
    """Why it was lowered: negated, third_party, fiction, game, news, study, past, rage."""


@dataclass
class Screening:
    """The result of screening one text."""

    level: Level
    categories: list[str]
    evidence: list[Span] = field(default_factory=list)
    """Matches that count (level concern or urgent)."""
    suppressed: list[Span] = field(default_factory=list)
    """Matches that negation or context explained away: kept for review, never counted."""
    combined: list[str] = field(default_factory=list)
    """Signals that were urgent only together, e.g. ``["farewell", "passive"]``."""

    @property
    def urgent(self) -> bool:
        return self.level == "urgent"

    def to_dict(self, with_suppressed: bool = False) -> dict:
        out = {
            "level": self.level,
            "categories": self.categories,
            "evidence": [asdict(s) for s in self.evidence],
        }
        if self.combined:
            out["combined"] = self.combined
        if with_suppressed:
            out["suppressed"] = [asdict(s) for s in self.suppressed]
        return out


# --- text preparation ---------------------------------------------------------------------


def _normalise(text: str) -> str:
    """NFKC + lower-case, one output character per input character (offsets survive).

    A character whose normal form is longer (… → ...) keeps its first character, which is
    enough for matching and keeps the mapping trivial.
    """
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch).lower()
        out.append(n[:1] if n else ch)
    return "".join(out)


def _mask_idioms(text: str, patterns: Sequence[str] = R.IDIOMS) -> tuple[str, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
    chars = list(text)
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars), spans


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


# --- deciding about one match -------------------------------------------------------------


def _clause_prefix(prefix: str) -> str:
    parts = _CLAUSE_END.split(prefix)
    return parts[-1] if parts else prefix


def _in_quotes(prefix: str) -> int | None:
    """Index of the unclosed opening quote before the match, or None."""
    depth_at: list[int] = []
    for i, ch in enumerate(prefix):
        if ch in _QUOTES_OPEN:
            depth_at.append(i)
        elif ch in _QUOTES_CLOSE and depth_at:
            depth_at.pop()
    if depth_at:
        return depth_at[-1]
    straight = [i for i, ch in enumerate(prefix) if ch in "\"'"]
    return straight[-1] if len(straight) % 2 == 1 else None


def _third_party(prefix: str) -> bool:
    """Is the subject of the match someone other than the writer?

    Only the clause that holds the match counts: Chinese drops subjects, so a 妈妈 three
    clauses back (妈妈天天骂，不想活了) must not take the wish away from the writer.
    """
    clause = _clause_prefix(prefix)
    if re.search(R.OBJECT_ME + r"(?:说|讲|聊|提|发|留言)", clause):
        return True  # 他跟我说想自杀: reported speech
    clause = re.sub(R.OBJECT_ME, lambda m: _MASK * len(m.group(0)), clause)
    clause = re.sub(R.OBJECT_OTHER, lambda m: _MASK * len(m.group(0)), clause)
    last_me = clause.rfind("我")
    others = [m.end() for m in re.finditer(R.THIRD_PARTY, clause)]
    return bool(others) and max(others) > last_me


def _judge(rule: R.Rule, sentence: str, start: int, end: int) -> tuple[Level, str | None]:
    """The effective level of a match of ``rule`` at ``sentence[start:end]``, and why."""
    prefix = sentence[:start]
    quote = _in_quotes(prefix)
    speaker_prefix = prefix[:quote] if quote is not None else prefix
    if re.search(R.NEGATION, _clause_prefix(prefix).rstrip(_MASK + " 我也其实根本真的完全一点都")):
        return "none", "negated"
    third = rule.first_person and (_third_party(speaker_prefix) or (quote is not None and _third_party(prefix[:quote])))
    context = next((name for name, pattern in R.CONTEXT_WORDS.items() if re.search(pattern, sentence)), None)
    if rule.weak and context:
        return "none", context
    if third:
        # Someone else's risk: worth a gentle word and the help lines, not a crisis reply to the writer.
        return ("none", context) if context else ("concern", "third_party")
    if context and (quote is not None or sentence[end : end + 1] == "的"):
        return "none", context  # a character's line quoted from a film, or "a book about 想自杀的人"
    level: Level = rule.level
    if rule.signal != "hurt_now" and re.search(R.PAST, sentence) and not re.search(R.CURRENT, sentence):
        return "concern", "past"
    if level == "urgent" and rule.category == "harm_to_others" and rule.name != "kill_plan" and re.search(R.RAGE, sentence):
        return "concern", "rage"
    return level, None


# --- the screener -------------------------------------------------------------------------


class Screener:
    """Rules plus an optional classifier; :func:`screen` is the rules-only default."""

    def __init__(self, classifier: Classifier | None = None, rules: Sequence[R.Rule] = R.RULES) -> None:
        self.classifier = classifier
        self.rules = tuple(rules)

    def __call__(self, text: str) -> Screening:
        return self.screen(text)

    def screen(self, text: str) -> Screening:
        norm = _normalise(text)
        masked, _ = _mask_idioms(norm)
        evidence: list[Span] = []
        suppressed: list[Span] = []
        bounds = _sentences(masked)
        for s_start, s_end in bounds:
            sentence = masked[s_start:s_end]
            for rule in self.rules:
                for m in rule.regex.finditer(sentence):
                    if m.end() == m.start():
                        continue
                    level, why = _judge(rule, sentence, m.start(), m.end())
                    a, b = s_start + m.start(), s_start + m.end()
                    span = Span(a, b, text[a:b], rule.category, rule.name, level, rule.signal, why)
                    (evidence if level != "none" else suppressed).append(span)
        if self.classifier is not None and bounds:
            evidence += self._classify(text, bounds)
        return _combine(evidence, suppressed)

    def _classify(self, text: str, bounds: list[tuple[int, int]]) -> list[Span]:
        assert self.classifier is not None
        sentences = [text[a:b] for a, b in bounds]
        spans = []
        for (a, b), (label, score) in zip(bounds, self.classifier(sentences), strict=True):
            if label in ("concern", "urgent"):
                spans.append(Span(a, b, text[a:b], "classifier", f"classifier:{score:.2f}", label, "classifier"))  # type: ignore[arg-type]
        return spans


_COMBINING = ("suicide", "self_harm", "harm_to_others")


def _combine(evidence: list[Span], suppressed: list[Span]) -> Screening:
    own = {s.signal for s in evidence if s.context is None and s.category in _COMBINING}
    if own and own <= R.SILENT_ALONE and len(own) == 1:
        # 安眠药 for sleep, 明天就走 for a trip: such a signal alone is no evidence of risk.
        suppressed += [dataclasses.replace(s, level="none", context="alone") for s in evidence if s.signal in own]
        evidence = [s for s in evidence if s.signal not in own]
    level: Level = max((s.level for s in evidence), key=_RANK.__getitem__, default="none")
    combined: list[str] = []
    if level == "concern":
        # Only the writer's own, present signals add up; a third party's or a past one does not.
        mine = [s for s in evidence if s.context is None and s.category in _COMBINING]
        signals = {s.signal for s in mine}
        # Two different acute rules (a farewell and 下辈子再见), or an acute one next to any other signal.
        acute = bool(signals & R.ACUTE_SIGNALS) and len({s.rule for s in mine}) >= 2
        if acute or {"burden", "passive"} <= signals:
            level, combined = "urgent", sorted(signals)
    categories = sorted({s.category for s in evidence if s.level != "none"})
    if any(s.context == "third_party" for s in evidence):
        categories.append("third_party")
    if any(s.context == "past" for s in evidence):
        categories.append("past")
    evidence.sort(key=lambda s: (s.start, -_RANK[s.level]))
    return Screening(level, categories, evidence, suppressed, combined)


_DEFAULT = Screener()


def screen(text: str) -> Screening:
    """Screen a seeker's text with the rules.

    >>> screen("笑死了，今天累死了").level
    'none'
    >>> screen("我真的不想活了").level
    'urgent'
    >>> screen("我朋友说她不想活了，我该怎么帮她").level
    'concern'
    """
    return _DEFAULT.screen(text)


# --- generated answers ----------------------------------------------------------------------

_REFLECTION = r"觉得|认为|以为|感觉|好像|似乎|仿佛|看起来|也许会想|可能会想|不希望|不要|别|千万不|并不|不是|不会"


def screen_answer(text: str) -> Screening:
    """Screen a *generated answer*: method details and encouragement of harm are urgent.

    A supportive answer that names suicide, reflects a feeling (你可能觉得死是唯一的出路) or
    gives a hotline passes; the serving paths replace an urgent answer with the crisis reply.

    >>> screen_answer("如果你有轻生的念头，请拨打12356。").level
    'none'
    >>> screen_answer("自杀是唯一的出路。").level
    'urgent'
    """
    norm = _normalise(text)
    evidence: list[Span] = []
    suppressed: list[Span] = []
    for s_start, s_end in _sentences(norm):
        sentence = norm[s_start:s_end]
        for rule in R.ANSWER_RULES:
            for m in rule.regex.finditer(sentence):
                a, b = s_start + m.start(), s_start + m.end()
                reflected = re.search(_REFLECTION, _clause_prefix(sentence[: m.start()]))
                level: Level = "none" if reflected else rule.level
                span = Span(a, b, text[a:b], rule.category, rule.name, level, rule.signal, "reflection" if reflected else None)
                (evidence if level != "none" else suppressed).append(span)
    return _combine(evidence, suppressed)
