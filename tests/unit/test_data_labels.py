"""Label vocabularies: words never contain one another, so a chain reads back unambiguously."""

from __future__ import annotations

import itertools

import pytest

from empathy_r1.data.labels import DISTORTIONS, EMOTIONS, INTENTS, named_distortion, named_emotion, named_intent


@pytest.mark.parametrize("vocab", [EMOTIONS, INTENTS, DISTORTIONS])
def test_no_word_contains_another(vocab):
    for a, b in itertools.permutations(vocab.values(), 2):
        assert a not in b


def test_named_emotion_takes_the_earliest_word():
    assert named_emotion("核心情绪是羞耻，同时伴有焦虑") == "shame"
    assert named_emotion("同时伴有焦虑，核心情绪是羞耻") == "anxiety"
    assert named_emotion("") is None


def test_named_intent_and_distortion():
    assert named_intent("来访者此刻最需要的是具体建议") == "advice"
    assert named_intent("被认可") == "validation"
    assert named_intent("什么都没有") is None
    assert named_distortion("带有读心术的扭曲") == "mind_reading"
