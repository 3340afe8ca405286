"""Crisis screening: whole conversations, read sentence by sentence, along clinical dimensions.

The pipeline for one conversation (a single text is a conversation of one user turn):

1. Check the input (:mod:`.inputs`): strings, a user turn, no lone surrogates, a size limit.
2. Normalise every turn (:mod:`.normalise`: NFKC, Traditional → Simplified, zero-width
   characters, split words, evasions), keeping a map back to the original offsets; mask idioms
   (笑死了, 累死了, 想死你了).
3. Split each user turn into sentences and run every rule; decide from the sentence whether a
   match is negated (我不想死), about someone else (我朋友说她想死), explained by context (a
   film, a game, the news) or in the past (以前想过自杀) — each of which lowers it. Each match
   is evidence of one C-SSRS-style dimension (``rules.DIMENSIONS``).
4. Assistant turns are context: a yes to the assistant's question about suicide counts as the
   user's own evidence, and a crisis reply already given keeps the conversation urgent.
5. The level follows from the *combination* of dimensions over all user turns (:func:`_level`):
   signals split across turns (我攒了很多安眠药 / 打算今晚) add up as if written together.
6. A learned detector and a guard model, when configured, may raise the level, never lower it:
   the rules' recall is the floor.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from empathy_r1.safety import rules as R
from empathy_r1.safety.inputs import Messages, check_messages, check_text
from empathy_r1.safety.normalise import Normalised, normalise

__all__ = ["LEVELS", "Classifier", "Guard", "Screener", "Screening", "Span", "screen", "screen_answer", "screen_conversation"]

Level = Literal["none", "concern", "urgent"]
LEVELS: tuple[Level, ...] = ("none", "concern", "urgent")
_RANK = {level: i for i, level in enumerate(LEVELS)}

#: A classifier maps texts (turns, windows of a long turn) to (level, score) pairs; see ``safety.detector``.
Classifier = Callable[[list[str]], list[tuple[str, float]]]
#: A guard model reads the whole conversation and returns a level, or None when it could not answer.
Guard = Callable[[Messages], "str | None"]

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
    dimension: str = "mention"
    """The clinical dimension it is evidence of (``rules.DIMENSIONS``)."""
    message: int | None = None
    """Index of the message it was found in (conversations); offsets are into that message."""


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
    clause = _clause_prefix(prefix).rstrip(_MASK + " 我也其实根本真的完全一点都什么啥任何")
    if re.search(R.NEGATION, clause) and not re.search(r"(?:会不会|是不是|有没有|能不能|要不要)有?$", clause):  # 会不会有: a question
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
    if context == "fiction" and re.search(r"剧本|开本|角色|扮演|演的是|台词", sentence) and rule.signal != "hurt_now":
        return "none", "role"  # 剧本杀: 我就是凶手，用的是在红茶里下毒
    if context and "我" not in prefix and rule.signal != "hurt_now":
        return "none", context  # 电视剧里演一个人要跳楼: nobody in the sentence is the writer
    subjects = re.sub(R.OBJECT_OTHER, lambda m: _MASK * len(m.group(0)), speaker_prefix)  # 跟朋友说 is the writer speaking
    # The last third party who "said" something before the match, with no 我 after it.
    reported = None
    for found in re.finditer(r"(?:" + R.THIRD_PARTY + r")[^。！？!?]{0,24}?(?:说|讲|提到|念叨|喊着|发消息说)", subjects):
        reported = found
    if rule.first_person and reported is not None and "我" not in speaker_prefix[reported.end() :]:
        return "concern", "third_party"  # 我哥喝多了说活着没意思，不如死了
    if rule.first_person and re.search(r"(?:" + R.THIRD_PARTY + r")[^，,。]{0,4}(?:怕|担心|害怕|担忧)我(?:会)?$", prefix):
        return "concern", "third_party"  # 朋友怕我想不开: their worry, not the writer's words
    if rule.level == "urgent" and re.match(r"的(?:人|来电|电话|个案|案例|学生|患者|来访者|孩子|青少年|群体|新闻)", sentence[end:]):
        return "none", "about_others"  # 会接到很多想轻生的来电
    if quote is not None and re.search(R.THIRD_PARTY, prefix[:quote]) and re.search(r"说|讲|写|问|喊|骂|道", prefix[max(0, quote - 4) : quote]):
        return "concern", "third_party"  # 我同事还说过“不如死了算了”
    level: Level = rule.level
    if level == "urgent" and rule.signal != "hurt_now" and rule.category in ("suicide", "self_harm") and re.search(R.RESISTED, sentence[end:]):
        return "concern", "resisted"
    if re.search(R.PAST, sentence) and not re.search(R.CURRENT, sentence):
        return "concern", "past"
    if level == "urgent" and rule.category == "harm_to_others" and rule.name != "kill_plan" and re.search(R.RAGE, sentence):
        return "concern", "rage"
    return level, None


# --- the screener -------------------------------------------------------------------------

#: A question from the assistant about suicide or self-harm, and a short yes to it.
_RISK_QUESTION = re.compile(
    r"(?:想过|想|有没有|有冇|是否|会不会|会唔会|有过|打算|计划|考虑|系咪|是不是|在考虑)[^？?]{0,16}(?:自杀|结束(?:自己|自己的|自己嘅)?生命|伤害自己|轻生|不想活|死的念头|结束一切|自残|具体的(?:计划|打算|方法)|做傻事|伤害(?:他|她|宝宝|孩子|别人))"
    r"|(?:thoughts? of|thinking (?:about|of)|plan to).{0,20}(?:suicide|killing yourself|ending your life|hurting yourself)"
)
_QUESTION_MARK = re.compile(r"[？?吗嗎]")
#: A yes that takes itself back: 想过希望自己生病死掉，但没想过自己动手.
_NOT_ACTING = re.compile(r"没(?:有)?想过(?:自己)?(?:动手|去做|真的做)|不会(?:真的)?(?:去)?做|没(?:有)?打算|不会动手")
#: A yes that opens the reply (有 / 嗯 今晚 / 想过，药都准备好了 / 系), not one that is negated.
_YES = re.compile(
    r"^(?:有|嗯+|恩+|是|系|对|会|想过|有过|是的|对的|有的|想|yes|yeah|yep|y|应该是|算是|可能|有一点|有些|一直都有|一直有|最近有|偶尔有|经常|天天想|每天都想|其实有|说实话有|已经想好了|想好了|已经伤害了|已经)"
    r"(?![不没冇唔别])"
)


class Screener:
    """Rules, plus an optional learned detector and guard model that may only raise the level."""

    def __init__(self, classifier: Classifier | None = None, rules: Sequence[R.Rule] = R.RULES, guard: Guard | None = None) -> None:
        self.classifier = classifier
        self.rules = tuple(rules)
        self.guard = guard

    def __call__(self, text: str) -> Screening:
        return self.screen(text)

    def screen(self, text: str) -> Screening:
        """Screen one text (a post or a single message)."""
        check_text(text)
        return self._screen([{"role": "user", "content": text}], single=True)

    def screen_conversation(self, messages: Messages) -> Screening:
        """Screen a whole conversation: every user turn, with the assistant's turns as context."""
        check_messages(messages)
        return self._screen(messages, single=False)

    def _screen(self, messages: Messages, single: bool) -> Screening:
        evidence: list[Span] = []
        suppressed: list[Span] = []
        asked: str | None = None
        norms = {i: normalise(m["content"]) for i, m in enumerate(messages) if m["role"] == "user"}  # once per turn
        # Context named in any user turn (露营, a game) explains weak mentions in the others too.
        users = " ".join(n.text for n in norms.values())
        context = None if single else next((name for name, pattern in R.CONTEXT_WORDS.items() if re.search(pattern, users)), None)
        for i, m in enumerate(messages):
            where = None if single else i
            if m["role"] == "assistant":
                asked = m["content"] if _asks_about_risk(m["content"]) else None
                if _is_crisis_reply(m["content"]):
                    evidence.append(Span(0, 0, "", "suicide", "crisis_in_history", "urgent", "history", None, "crisis_in_history", where))
                continue
            if m["role"] != "user":
                continue
            found, lowered = self._match(m["content"], norms[i], where, context)
            evidence += found
            suppressed += lowered
            reply = norms[i].text.strip()
            if asked is not None and _YES.match(reply) and not _NOT_ACTING.search(reply):
                text = m["content"]
                evidence.append(Span(0, len(text), text, "suicide", "answered_yes", "urgent", "explicit", None, "answered_yes", where))
            asked = None
        result = _combine(evidence, suppressed)
        raised = self._second_signals(messages, single)
        return _raise(result, raised) if raised else result

    def _match(
        self, text: str, norm: Normalised, message: int | None, conversation_context: str | None = None
    ) -> tuple[list[Span], list[Span]]:
        masked, _ = _mask_idioms(norm.text)
        evidence: list[Span] = []
        suppressed: list[Span] = []
        # A film, a game or a move named anywhere in the turn explains its weak mentions too.
        turn_context = next((name for name, pattern in R.CONTEXT_WORDS.items() if re.search(pattern, masked)), None) or conversation_context
        for s_start, s_end in _sentences(masked):
            sentence = masked[s_start:s_end]
            for rule in self.rules:
                for m in rule.regex.finditer(sentence):
                    if m.end() == m.start():
                        continue
                    level, why = _judge(rule, sentence, m.start(), m.end())
                    if rule.weak and turn_context and level != "none":
                        level, why = "none", turn_context
                    a, b = norm.span(s_start + m.start(), s_start + m.end())
                    span = Span(a, b, text[a:b], rule.category, rule.name, level, rule.signal, why, rule.dimension, message)
                    (evidence if level != "none" else suppressed).append(span)
        return evidence, suppressed

    def _second_signals(self, messages: Messages, single: bool) -> list[Span]:
        """The detector's and the guard's evidence: each may only raise the rules' level."""
        spans: list[Span] = []
        if self.classifier is not None:
            windows = _windows(messages, single)
            verdicts = self.classifier([w[3] for w in windows])
            for (message, a, b, text), (label, score) in zip(windows, verdicts, strict=True):
                if label in ("concern", "urgent"):
                    spans.append(Span(a, b, text, "detector", f"detector:{score:.2f}", label, "detector", None, "detector", message))  # type: ignore[arg-type]
        if self.guard is not None:
            label = self.guard(messages)
            if label in ("concern", "urgent"):
                spans.append(Span(0, 0, "", "guard", "guard", label, "guard", None, "guard", None))  # type: ignore[arg-type]
        return spans


def _asks_about_risk(text: str) -> bool:
    norm = normalise(text).text
    return bool(_RISK_QUESTION.search(norm) and _QUESTION_MARK.search(norm))


def _is_crisis_reply(text: str) -> bool:
    """Does an assistant turn hold a crisis reply (any shipped locale's message)?"""
    from empathy_r1.safety.locales import crisis_messages

    return any(message in text for message in crisis_messages())


def _windows(messages: Messages, single: bool) -> list[tuple[int | None, int, int, str]]:
    """What the detector reads: the text, or all user turns together, as it was trained.

    Reading each turn or sentence window separately as well was measured on the validation
    split and found worse (more false alarms for the same recall): the detector learned whole
    posts and whole conversations, and judges those best.
    """
    users = [(i, m["content"]) for i, m in enumerate(messages) if m["role"] == "user"]
    if single or len(users) == 1:
        where, text = users[0]
        return [(None if single else where, 0, len(text), text)]
    return [(None, 0, 0, "\n".join(text for _, text in users))]


_COMBINING = ("suicide", "self_harm", "harm_to_others")
#: Dimensions of wanting to die, and of being able or about to act (C-SSRS): together, urgent.
_IDEATION = frozenset({"wish_dead", "active_ideation", "hopelessness", "burden"})
_CAPABILITY = frozenset({"method", "intent", "plan", "preparation"})


def _level(evidence: list[Span]) -> tuple[Level, list[str]]:
    """The level that a set of evidence calls for, and the dimensions that were urgent only together.

    Urgent: any urgent match (active ideation, an act in progress, self-harm now, harm to others,
    abuse now); or, from the writer's own present evidence, ideation together with a method,
    intent, plan or preparation; preparation, or intent, together with a method or plan; a method with a plan;
    two different acute signals. Everything else that counts is concern.
    """
    level: Level = max((s.level for s in evidence), key=_RANK.__getitem__, default="none")
    if level != "concern":
        return level, []
    mine = [s for s in evidence if s.context is None and s.category in _COMBINING]
    dims = {s.dimension for s in mine}
    signals = {s.signal for s in mine}
    acute = bool(signals & R.ACUTE_SIGNALS) and len({s.rule for s in mine}) >= 2
    together = (
        (dims & _IDEATION and dims & _CAPABILITY)
        or ("preparation" in dims and dims & {"method", "plan"})
        or ("intent" in dims and dims & {"method", "plan", "preparation"})
        or {"method", "plan"} <= dims
        or len({s.rule for s in mine if s.dimension == "preparation"}) >= 2
        # Perceived burdensomeness with a wish to be dead (Joiner's interpersonal theory): urgent, a
        # project choice stricter than the label definitions, which call each alone concern.
        or {"burden", "wish_dead"} <= dims
    )
    if acute or together:
        return "urgent", sorted(dims)
    return level, []


def _combine(evidence: list[Span], suppressed: list[Span]) -> Screening:
    own = {s.signal for s in evidence if s.context is None and s.category in _COMBINING}
    if own and own <= R.SILENT_ALONE and len(own) == 1:
        # 安眠药 for sleep, 明天就走 for a trip: such a signal alone is no evidence of risk.
        suppressed += [dataclasses.replace(s, level="none", context="alone") for s in evidence if s.signal in own]
        evidence = [s for s in evidence if s.signal not in own]
    level, combined = _level(evidence)
    categories = sorted({s.category for s in evidence if s.level != "none"})
    if any(s.context == "third_party" for s in evidence):
        categories.append("third_party")
    if any(s.context == "past" for s in evidence):
        categories.append("past")
    evidence.sort(key=lambda s: (s.message or 0, s.start, -_RANK[s.level]))
    return Screening(level, categories, evidence, suppressed, combined)


def _raise(result: Screening, raised: list[Span]) -> Screening:
    """Add the detector's and guard's evidence; the level can only go up."""
    top = max((s.level for s in raised), key=_RANK.__getitem__)
    level = top if _RANK[top] > _RANK[result.level] else result.level
    categories = result.categories
    if level != "none" and not [c for c in categories if c not in ("third_party", "past")]:
        categories = ["suicide", *categories]  # a second signal says risk without saying which: the commonest
    return Screening(level, categories, result.evidence + raised, result.suppressed, result.combined)


_DEFAULT = Screener()


def screen(text: str) -> Screening:
    """Screen a seeker's text with the rules.

    >>> screen("笑死了，今天累死了").level
    'none'
    >>> screen("我真的不想活了").level
    'urgent'
    >>> screen("我朋友说她不想活了，我该怎么帮她").level
    'concern'
    >>> screen("我今晚就去自\u200b殺").level
    'urgent'
    """
    return _DEFAULT.screen(text)


def screen_conversation(messages: Messages) -> Screening:
    """Screen a whole conversation with the rules.

    >>> turns = ["我有好多安眠药。", "打算今晚。", "都吃掉。"]
    >>> [screen(t).level for t in turns]
    ['none', 'none', 'none']
    >>> screen_conversation([{"role": "user", "content": t} for t in turns]).level
    'urgent'
    """
    return _DEFAULT.screen_conversation(messages)


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
    norm = normalise(text)
    evidence: list[Span] = []
    suppressed: list[Span] = []
    for s_start, s_end in _sentences(norm.text):
        sentence = norm.text[s_start:s_end]
        for rule in R.ANSWER_RULES:
            for m in rule.regex.finditer(sentence):
                a, b = norm.span(s_start + m.start(), s_start + m.end())
                reflected = re.search(_REFLECTION, _clause_prefix(sentence[: m.start()]))
                level: Level = "none" if reflected else rule.level
                span = Span(a, b, text[a:b], rule.category, rule.name, level, rule.signal, "reflection" if reflected else None, rule.dimension)
                (evidence if level != "none" else suppressed).append(span)
    return _combine(evidence, suppressed)
