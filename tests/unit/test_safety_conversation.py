"""Whole-conversation screening, normalisation, input checks and the guard model's verdicts."""

from __future__ import annotations

import pytest

from empathy_r1.safety import InputError, Screener, crisis_reply, screen, screen_conversation
from empathy_r1.safety.guard import GuardModel, parse_verdict
from empathy_r1.safety.inputs import MAX_CHARS
from empathy_r1.safety.normalise import normalise


def _user(*turns: str) -> list[dict]:
    return [{"role": "user", "content": t} for t in turns]


def test_a_plan_followed_by_thanks_stays_urgent() -> None:
    messages = [
        {"role": "user", "content": "我已经写好遗书了，今晚就结束。"},
        {"role": "assistant", "content": "谢谢你告诉我。"},
        {"role": "user", "content": "嗯"},
        {"role": "assistant", "content": "我在这里。"},
        {"role": "user", "content": "谢谢"},
    ]
    result = screen_conversation(messages)
    assert result.level == "urgent"
    assert result.evidence[0].message == 0  # evidence points at the turn it came from
    assert messages[0]["content"][result.evidence[0].start : result.evidence[0].end] == result.evidence[0].text


def test_risk_split_across_turns_adds_up() -> None:
    turns = ["我有好多安眠药。", "打算今晚。", "都吃掉。"]
    assert [screen(t).level for t in turns] == ["none", "none", "none"]
    assert screen_conversation(_user(*turns)).level == "urgent"
    assert screen("".join(turns)).level == "urgent"  # the same text in one message


def test_a_yes_to_the_assistants_question_is_the_users_evidence() -> None:
    messages = [
        {"role": "user", "content": "每天都觉得自己是多余的"},
        {"role": "assistant", "content": "我想认真问你一句：你现在有想要自杀的念头吗？"},
        {"role": "user", "content": "有"},
    ]
    assert screen_conversation(messages).level == "urgent"
    messages[-1]["content"] = "没有，只是累"
    assert screen_conversation(messages).level != "urgent"


def test_a_crisis_reply_in_history_keeps_the_conversation_urgent() -> None:
    messages = [
        {"role": "assistant", "content": crisis_reply("zh-CN")},
        {"role": "user", "content": "谢谢，我会打电话的"},
    ]
    assert screen_conversation(messages).level == "urgent"


def test_assistant_words_are_not_the_users() -> None:
    messages = [
        {"role": "user", "content": "我在写一篇关于预防自杀的作业"},
        {"role": "assistant", "content": "自杀预防的关键是识别信号，比如有人说想死、在准备药物。"},
        {"role": "user", "content": "好的，谢谢"},
    ]
    assert screen_conversation(messages).level == "none"


@pytest.mark.parametrize(
    "text",
    ["我今晚就去自殺", "我今晚就去自\u200b杀", "我今晚就去自 杀", "我今晚就去自-杀", "我今晚就去紫砂", "我今晚就去zisha", "我今晚就去ＺＩＳＨＡ", "我真的不想活了\ufe0f"],
)
def test_evasions_are_seen(text: str) -> None:
    assert screen(text).level == "urgent"


def test_offsets_point_into_the_original_text() -> None:
    text = "最近很累。我今晚就去自\u200b殺。"
    span = next(s for s in screen(text).evidence if s.rule == "then_die")
    assert text[span.start : span.end] == "就去自\u200b殺"
    n = normalise("想 zi sha")
    assert n.text == "想自杀" and n.span(1, 3) == (2, 8)


@pytest.mark.parametrize("text", ["笑死了，紫砂壶真好看", "这个游戏我又死了哈哈", "我从来没想过自杀，只是很累", "電影裡的主角最後自殺了"])
def test_normalisation_keeps_hard_negatives_negative(text: str) -> None:
    assert screen(text).level != "urgent"


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([], "non-empty list"),
        ([{"role": "assistant", "content": "你好"}], "no user turn"),
        ([{"role": "user", "content": ""}], "is empty"),
        ([{"role": "user", "content": ["a"]}], "must be a string"),
        ([{"role": "user", "content": 3}], "must be a string"),
        ([{"role": "user", "content": "a" * (MAX_CHARS + 1)}], "the limit is"),
        ([{"role": "user", "content": "我\ud800"}], "lone surrogate"),
        ([{"role": "robot", "content": "hi"}], "role must be"),
        (["hi"], "must be an object"),
    ],
)
def test_bad_input_is_an_error_never_a_silent_none(messages, message: str) -> None:
    with pytest.raises(InputError, match=message):
        screen_conversation(messages)


def test_hundred_thousand_characters_is_an_error() -> None:
    with pytest.raises(InputError, match="100,000 characters"):
        screen("好" * 100_000)


def test_second_signals_only_raise() -> None:
    always_urgent = Screener(classifier=lambda texts: [("urgent", 0.99)] * len(texts))
    always_none = Screener(classifier=lambda texts: [("none", 0.01)] * len(texts), guard=lambda messages: "none")
    assert always_urgent.screen("今天天气不错").level == "urgent"
    assert always_none.screen("我今晚就从楼顶跳下去").level == "urgent"
    assert Screener(guard=lambda messages: "urgent").screen("今天天气不错").level == "urgent"
    assert Screener(guard=lambda messages: None).screen("今天天气不错").level == "none"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Safety: Unsafe\nCategories: Suicide & Self-Harm\nRefusal: No", "urgent"),
        ("Safety: Unsafe\nCategories: Violent", "urgent"),
        ("Safety: Controversial\nCategories: Suicide & Self-Harm", "concern"),
        ("Safety: Safe\nCategories: None", "none"),
        ("Safety: Unsafe\nCategories: Politically Sensitive Topics", "none"),
        ("unsafe\nS11", "urgent"),
        ("unsafe\nS1,S2", "urgent"),
        ("unsafe\nS7", "none"),
        ("safe", "none"),
        ("", None),
        ("I cannot help with that.", None),
    ],
)
def test_guard_verdicts_are_parsed(text: str, level: str | None) -> None:
    assert parse_verdict(text) == level


def test_a_failing_or_garbled_guard_never_raises_and_is_counted() -> None:
    def broken(messages):
        raise ConnectionError("guard down")

    guard = GuardModel(broken)
    assert guard(_user("hi")) is None
    garbled = GuardModel(lambda messages: "¯\\_(ツ)_/¯")
    assert garbled(_user("hi")) is None
    assert guard.stats["failures"] == 1 and garbled.stats["garbled"] == 1
    screener = Screener(guard=guard)
    assert screener.screen("我今晚就从楼顶跳下去").level == "urgent"  # the rules' verdict stands
