"""A synthetic Chinese counseling corpus with latent ground truth, for CPU training and tests.

Each post is composed from small grammars (:mod:`synth_topics`, :mod:`synth_phrases`): a
situation and details from its topic, a distorted thought, an optional secondary emotion,
something already tried, a feeling paragraph and a closing paragraph. Every fragment is
expanded with random alternatives (``[a|b]``), per-post and per-use slots (ages, durations,
people, days, times, places) and word-level synonyms, so held-out posts do not repeat the
training posts' 8-grams. The labels are drawn first and the text follows from them, so the
cues a small model must learn are always present and always agree with the gold chain:

* the primary emotion appears in the feeling paragraph (its own word or a close synonym),
* the intent appears in the last paragraph (我是不是想太多了 / 我只是想找个人说说 / 我该怎么办 ...),
* the gold L1 names the primary emotion word first and L3 names the intent word
  (:mod:`labels`), so evaluation can score a model's chain against the labels.

Everything is driven by one ``random.Random(seed)``; the global RNG is never touched.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from empathy_r1.coe import LAYER_KEYS
from empathy_r1.data import synth_phrases as P
from empathy_r1.data.labels import DISTORTIONS, EMOTIONS, INTENTS
from empathy_r1.data.synth_topics import TOPICS, Topic

__all__ = ["STRATEGIES", "synthesize"]

#: Response strategy per intent: (label, L4 template).
STRATEGIES: dict[str, tuple[str, str]] = {
    "validation": (
        "validate_and_normalise",
        "先命名并肯定来访者的{emo}，明确告诉对方这些感受合理、不是他的错；温和地松动{dist}的想法；不急于给建议。",
    ),
    "understanding": (
        "reflect_and_accompany",
        "以倾听和复述为主，准确反映{emo}和处境，让对方感到被听见；点到为止地回应{dist}的想法；不说教、不给方法。",
    ),
    "advice": (
        "empathise_then_guide",
        "先简短共情{emo}，再松动{dist}的想法，然后给出两三条具体、可马上执行的小步骤，并提示必要时寻求专业帮助。",
    ),
}

_INTENT_NEEDS = {
    "validation": "希望有人确认自己的感受是合理的、不是自己的错",
    "understanding": "希望有人安静地听完、懂得自己的处境，而不是急着给方法",
    "advice": "希望得到可以马上去做的步骤",
}

_VARIANT_RE = re.compile("|".join(sorted(map(re.escape, P.VARIANTS), key=len, reverse=True)))
_ALT_RE = re.compile(r"\[([^\[\]]*)\]")
_SLOT_RE = re.compile(r"\{(\w+)\}")
#: Slots filled afresh at every use.
_PER_USE: dict[str, tuple[str, ...]] = {
    "clock": P.CLOCKS,
    "day": P.DAYS,
    "spot": P.SPOTS,
    "friend": P.FRIENDS,
    "city": P.CITIES,
}
#: People whose pronoun is 她; 孩子, 对象 and the like get one at random (fixed per post).
_FEMALE = ("女", "妈", "婆", "奶", "姐", "妹", "闺蜜", "老婆", "妻子", "姨")
_NEUTRAL = ("孩子", "对象", "恋人", "前任", "同事", "朋友", "室友", "同学", "发小", "老大", "领导", "家人", "爱人")
_DIGITS = "零一二三四五六七八九"
_DROP_RE = re.compile("，我(?=[也还就都只一试开已每总常会能不没在把又刚再])")
_STOP_RE = re.compile("。(?!$)")
_DATED = ("{day}", "前", "上周", "上个月", "去年", "过年", "最近", "这学期", "今年", "大三", "高三")
_ADVERB_RE = re.compile("(?<=[，。])我(?=[报试把开翻去发找会看说想跟对做回算列存])")


def expand(template: str, rng: random.Random, slots: dict[str, str] | None = None) -> str:
    """Expand ``[a|b]`` alternatives (innermost first) and fill ``{slot}`` placeholders.

    Unknown slots stay as they are, to be filled later.

    >>> expand("[甲|乙][丙|]{x}{y}", random.Random(0), {"x": "X"})[-4:]
    'X{y}'
    """
    text = template
    while (m := _ALT_RE.search(text)) is not None:
        text = text[: m.start()] + rng.choice(m.group(1).split("|")) + text[m.end() :]

    def slot(m: re.Match[str]) -> str:
        name = m.group(1)
        if slots is not None and name in slots:
            return slots[name]
        if name in _PER_USE:
            return expand(rng.choice(_PER_USE[name]), rng, slots)
        return m.group(0)

    return _SLOT_RE.sub(slot, text)


def _vary(text: str, rng: random.Random) -> str:
    """Swap common words for synonyms and add discourse fillers after some commas."""
    text = _VARIANT_RE.sub(lambda m: rng.choice(P.VARIANTS[m.group(0)]), text)
    # Forum writing: the subject 我 is often dropped after a comma, and sentences run on.
    text = _DROP_RE.sub(lambda m: "，" if rng.random() < 0.3 else m.group(0), text)
    text = re.sub("，", lambda m: "，" + (rng.choice(P.COMMA_FILLERS) if rng.random() < 0.3 else ""), text)
    return _ADVERB_RE.sub(lambda m: "我" + (rng.choice(P.ADVERBS) if rng.random() < 0.35 else ""), text)


def _flow(paragraph: str, rng: random.Random) -> str:
    """Vary how the sentences of a paragraph end and begin (never its last sentence)."""
    lead = lambda: expand(rng.choice(P.SENTENCE_LEADS), rng) if rng.random() < 0.25 else ""  # noqa: E731
    return _STOP_RE.sub(lambda m: rng.choice(P.SENTENCE_STOPS) + lead(), paragraph)


def _zh_number(n: int) -> str:
    """Chinese numeral for 10..99 (ages).

    >>> _zh_number(17), _zh_number(30), _zh_number(42)
    ('十七', '三十', '四十二')
    """
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def _pronoun(who: str, rng: random.Random) -> str:
    if any(f in who for f in _FEMALE):
        return "她"
    if any(w in who for w in _NEUTRAL) or who in ("他",):
        return "他" if who == "他" or rng.random() < 0.5 else "她"
    return "他"


def _gen(template: str, rng: random.Random, ctx: dict[str, str]) -> str:
    return _vary(expand(template, rng, ctx), rng)


def _post(topic: Topic, emotion: str, secondary: str | None, intent: str, distortion: str, rng: random.Random) -> dict[str, str]:
    """Compose one post; returns its parts so the chain and answers can quote them."""
    situation = rng.choice(topic.situations)
    lo, hi = situation[3] if len(situation) > 3 else topic.ages
    who = rng.choice(topic.people)
    ctx = {"age": _zh_number(rng.randint(lo, hi)), "dur": expand(rng.choice(P.DURATIONS), rng), "who": who}
    ctx["ta"] = _pronoun(who, rng)
    ctx["stake"] = expand(rng.choice(topic.stakes), rng, ctx)
    summary = expand(situation[1], rng, ctx)
    details = rng.sample(topic.details, len(topic.details))
    thought = _gen(rng.choice(P.THOUGHTS[distortion]), rng, ctx)

    opening = _gen(rng.choice(P.BACKGROUNDS), rng, ctx)
    time = expand(rng.choice(P.TIMES), rng, ctx)
    scene = _gen(rng.choice(P.SCENES), rng, ctx)
    body = _gen(situation[0], rng, ctx)
    # A situation that dates itself (上周, 前几天, {dur}前 ...) gets no second time phrase.
    if time and rng.random() < 0.7 and not any(k in situation[0] for k in _DATED):
        body = f"{time}，{body}"
    p1 = opening + body + "。" + _gen(details[0], rng, ctx)
    n_details = rng.choice((2, 3, 3, 4))
    extra = [_gen(d, rng, ctx) for d in details[1:n_details]]
    p2_parts = [*extra, thought]
    if len(p2_parts) > 1 and rng.random() < 0.3:  # the thought sometimes comes before the last detail
        p2_parts[-2], p2_parts[-1] = p2_parts[-1], p2_parts[-2]
    p2 = "".join(p2_parts)
    if secondary is not None:
        c = P.EMOTION_CUES[secondary][0]
        p2 += _gen(rng.choice(P.SECONDARY_TEMPLATES), rng, ctx).replace("{c}", c)
    cues = P.EMOTION_CUES[emotion]
    # The canonical word leads half the time; synonyms the rest, so the model must generalise.
    a = cues[0] if rng.random() < 0.5 else rng.choice(cues[1:])
    b = rng.choice([c for c in cues if c != a])
    feeling = _gen(rng.choice(P.FEELING_TEMPLATES), rng, ctx).replace("{a}", a).replace("{b}", b)
    coping = _gen(rng.choice(P.COPING), rng, ctx)
    p3 = coping + feeling if rng.random() < 0.6 else feeling + coping
    if scene:
        if rng.random() < 0.5:
            p1 = scene + p1
        else:
            p3 = scene + p3
    p4 = _gen(rng.choice(P.INTENT_LEADS), rng, ctx) + rng.choice(P.INTENT_CUES[intent]) + _gen(rng.choice(P.INTENT_TAILS), rng, ctx)
    # Posts must be long (200+ characters): add the topic's remaining details until they are.
    spare = iter(details[n_details:])
    while len(p1) + len(p2) + len(p3) + len(p4) < 240 and (more := next(spare, None)) is not None:
        p2 = _gen(more, rng, ctx) + p2
    p1, p2, p3 = (_flow(p, rng) for p in (p1, p2, p3))
    paragraphs = [p1, p2, p3, p4] if rng.random() < 0.7 else [p1, p3, p2, p4]
    # Titles: mostly the situation in a few words (so they agree with the post), else the topic's.
    title = rng.choice((summary, f"{summary}，好累", f"关于{summary}", f"说说{summary}这件事", expand(rng.choice(topic.titles), rng, ctx)))
    return {
        "title": title,
        "post": "\n\n".join(paragraphs),
        "summary": summary,
        "stake": ctx["stake"],
        "thought": thought.rstrip("。"),
        "subtopic": topic.subtopics[situation[2]],
    }


def _tips(topic: Topic, rng: random.Random) -> tuple[str, str]:
    pool = list(topic.tips)
    rng.shuffle(pool)
    pool += rng.sample(P.GENERIC_TIPS, 2)
    return pool[0], pool[1]


def _answers(parts: dict[str, str], topic: Topic, emotion: str, intent: str, distortion: str, rng: random.Random) -> list[str]:
    """Three (or more) distinct good answers that agree with the labels."""
    emo = EMOTIONS[emotion]
    openings = rng.sample(P.OPENINGS, 3)
    middles = list(P.DISTORTION_REPLIES[distortion])
    replies = rng.sample(P.INTENT_REPLIES[intent], 3)
    closings = rng.sample(P.CLOSINGS, 3)
    out = []
    for i in range(3):
        tip1, tip2 = _tips(topic, rng)
        text = "".join(
            (
                openings[i].format(summary=parts["summary"], emo=emo),
                middles[i % len(middles)].format(stake=parts["stake"]),
                replies[i].format(tip1=tip1, tip2=tip2),
                closings[i],
            )
        )
        out.append(text)
    return out


def _chain(parts: dict[str, str], topic: Topic, emotions: Sequence[str], intent: str, distortion: str, answer: str) -> dict[str, str]:
    emo = EMOTIONS[emotions[0]]
    l1 = f"核心情绪是{emo}：来访者{parts['summary']}，在“{topic.zh}”这件事上承受着很大压力"
    if len(emotions) > 1:
        l1 += f"，同时伴有{EMOTIONS[emotions[1]]}"
    l2 = f"情绪源于{parts['summary']}。背后的信念是“{parts['thought']}”，这带有{DISTORTIONS[distortion]}的认知扭曲。"
    l3 = f"来访者此刻最需要的是{INTENTS[intent]}：{_INTENT_NEEDS[intent]}。"
    l4 = STRATEGIES[intent][1].format(emo=emo, dist=DISTORTIONS[distortion])
    return dict(zip((*LAYER_KEYS, "answer"), (l1 + "。", l2, l3, l4, answer), strict=True))


def _bad_answers(intent: str, rng: random.Random) -> list[dict[str, str]]:
    kinds = ["dismissive", "platitude", "harmful"]
    if intent != "advice":  # "advice where validation was wanted" only exists when advice was not asked for
        kinds.insert(2, "misplaced_advice")
    return [{"kind": k, "text": rng.choice(P.BAD_ANSWERS[k])} for k in kinds]


def synthesize(n: int, seed: int) -> list[dict]:
    """``n`` canonical records with labels, a gold CoE chain, 3 good and 4-5 bad answers.

    Topics cycle so every topic is represented; labels are drawn per post. Reproducible:
    the same ``(n, seed)`` gives the same corpus.

    >>> a, b = synthesize(3, seed=1), synthesize(3, seed=1)
    >>> a == b and len(a) == 3 and len(a[0]["answers"]) >= 3
    True
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    rng = random.Random(seed)
    records: list[dict] = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)] if i < len(TOPICS) else rng.choice(TOPICS)
        emotion = rng.choice(topic.emotions)
        others = [e for e in topic.emotions if e != emotion]
        secondary = rng.choice(others) if others and rng.random() < 0.5 else None
        intent = rng.choice(list(INTENTS))
        distortion = rng.choice(list(DISTORTIONS))
        parts = _post(topic, emotion, secondary, intent, distortion, rng)
        answers = _answers(parts, topic, emotion, intent, distortion, rng)
        emotions = [emotion] + ([secondary] if secondary else [])
        records.append(
            {
                "id": f"synth-{seed}-{i:06d}",
                "source": "synth",
                "topic": topic.key,
                "subtopic": parts["subtopic"],
                "title": parts["title"],
                "post": parts["post"],
                "answers": [{"text": a} for a in answers],
                "bad_answers": _bad_answers(intent, rng),
                "labels": {
                    "emotions": emotions,
                    "emotion": emotion,
                    "cause": parts["summary"],
                    "distortion": distortion,
                    "intent": intent,
                    "strategy": STRATEGIES[intent][0],
                },
                "coe": _chain(parts, topic, emotions, intent, distortion, answers[0]),
            }
        )
    # An answer to another post is the most natural bad answer of all: take one from a post of
    # another topic (deterministic given the seed).
    for rec in records:
        others = [r for r in rng.sample(records, min(len(records), 8)) if r["topic"] != rec["topic"]]
        if others:
            rec["bad_answers"].append({"kind": "off_topic", "text": others[0]["answers"][1]["text"]})
    return records
