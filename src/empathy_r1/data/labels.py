"""The label vocabulary of the corpus: emotions, intents and cognitive distortions.

Pure data plus two lookups. The gold CoE chain names the primary emotion first in L1 and the
intent in L3 with exactly these words, so evaluation can read a model's chain back into labels
(`emotion_acc`, `intent_acc`) with :func:`named_emotion` and :func:`named_intent`. That only
works if no word contains another one, which a test pins.
"""

from __future__ import annotations

__all__ = ["DISTORTIONS", "EMOTIONS", "INTENTS", "named_distortion", "named_emotion", "named_intent"]

#: Primary emotion key -> the one Chinese word that names it in a gold chain.
EMOTIONS: dict[str, str] = {
    "anxiety": "焦虑",
    "sadness": "难过",
    "anger": "愤怒",
    "grievance": "委屈",
    "guilt": "内疚",
    "loneliness": "孤独",
    "fear": "恐惧",
    "disappointment": "失望",
    "helplessness": "无助",
    "shame": "羞耻",
}

#: What the seeker wants from the reply -> the word that names it in a gold chain's L3.
INTENTS: dict[str, str] = {
    "validation": "被认可",
    "understanding": "被理解",
    "advice": "具体建议",
}

#: Cognitive distortion key -> its Chinese name (CBT vocabulary).
DISTORTIONS: dict[str, str] = {
    "catastrophising": "灾难化",
    "all_or_nothing": "非黑即白",
    "mind_reading": "读心术",
    "should_statements": "应该思维",
    "personalisation": "个人化",
    "overgeneralisation": "过度概括",
    "labelling": "贴标签",
    "fortune_telling": "消极预言",
    "emotional_reasoning": "情绪化推理",
    "discounting_positive": "否定积极面",
}


def _first_named(text: str, vocabulary: dict[str, str]) -> str | None:
    """Key of the vocabulary word that appears earliest in ``text`` (ties: the longer word)."""
    best: tuple[int, int, str] | None = None
    for key, word in vocabulary.items():
        pos = text.find(word)
        if pos >= 0 and (best is None or (pos, -len(word)) < best[:2]):
            best = (pos, -len(word), key)
    return None if best is None else best[2]


def named_emotion(l1_text: str) -> str | None:
    """The emotion a chain's L1 names first, as an :data:`EMOTIONS` key.

    >>> named_emotion("核心情绪是焦虑，也有一些内疚")
    'anxiety'
    >>> named_emotion("没有情绪词") is None
    True
    """
    return _first_named(l1_text, EMOTIONS)


def named_intent(l3_text: str) -> str | None:
    """The intent a chain's L3 names first, as an :data:`INTENTS` key.

    >>> named_intent("来访者此刻最需要的是被理解")
    'understanding'
    """
    return _first_named(l3_text, INTENTS)


def named_distortion(l2_text: str) -> str | None:
    """The cognitive distortion a chain's L2 names first, as a :data:`DISTORTIONS` key.

    >>> named_distortion("带有灾难化的倾向")
    'catastrophising'
    """
    return _first_named(l2_text, DISTORTIONS)
