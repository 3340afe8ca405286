from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from empathy_r1 import coe
from empathy_r1.coe import Chain, CoETags

GOOD = Chain("焦虑、委屈", "把一次失误当成全部（灾难化）", "想被理解", "先共情，再轻轻给出一个小建议", "听起来你这段时间真的很累。")


def test_render_parse_round_trip():
    text = coe.render(GOOD)
    result = coe.parse(text)
    assert result.ok and result.chain == GOOD and result.errors == []
    assert all(result.layer_ok.values())


def test_format_reward_plain_and_conversational():
    text = coe.render(GOOD)
    assert coe.format_reward([text]) == [1.0]
    assert coe.format_reward([[{"role": "assistant", "content": text}]]) == [1.0]
    assert coe.format_reward(["just an answer"]) == [0.0]


def test_tolerates_whitespace_and_prefilled_think_tag():
    text = coe.render(GOOD)
    assert coe.parse("\n  " + text + "\n\n").ok
    prefilled = text.removeprefix("<empathy_think>")
    assert coe.parse(prefilled).ok


MALFORMED = {
    "missing layer": lambda t: t.replace("<L3>想被理解</L3>", ""),
    "duplicated layer": lambda t: t.replace("</L2>", "</L2><L2>again</L2>"),
    "unclosed layer": lambda t: t.replace("</L4>", ""),
    "out of order": lambda t: t.replace("<L1>焦虑、委屈</L1>", "").replace("</L2>", "</L2><L1>焦虑、委屈</L1>"),
    "empty layer": lambda t: t.replace("想被理解", " "),
    "empty answer": lambda t: t.replace("听起来你这段时间真的很累。", ""),
    "text outside": lambda t: "好的，" + t,
    "text between": lambda t: t.replace("</empathy_think>", "</empathy_think>嗯"),
    "trailing text": lambda t: t + "谢谢",
    "answer inside reasoning": lambda t: t.replace("<L4>", "<answer>x</answer><L4>").replace(
        "<answer>听起来你这段时间真的很累。</answer>", ""
    ),
    "no answer": lambda t: t.split("<answer>")[0],
    "no think close": lambda t: t.replace("</empathy_think>", ""),
    "nested tag in layer": lambda t: t.replace("想被理解", "想被<answer>理解"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_each_malformed_variant_scores_zero_with_a_reason(name):
    text = MALFORMED[name](coe.render(GOOD))
    result = coe.parse(text)
    assert not result.ok, name
    assert result.errors, name
    assert coe.format_reward([text]) == [0.0]


def test_error_messages_name_the_problem():
    assert "missing <L3>" in coe.parse(MALFORMED["missing layer"](coe.render(GOOD))).errors
    assert "empty layer L3" in coe.parse(MALFORMED["empty layer"](coe.render(GOOD))).errors
    assert any("outside" in e for e in coe.parse(MALFORMED["text outside"](coe.render(GOOD))).errors)
    assert any("inside the reasoning" in e for e in coe.parse(MALFORMED["answer inside reasoning"](coe.render(GOOD))).errors)


def test_layer_diagnostics_pinpoint_the_broken_layer():
    result = coe.parse(MALFORMED["empty layer"](coe.render(GOOD)))
    assert result.layer_ok == {"L1": True, "L2": True, "L3": False, "L4": True}
    rates = coe.layer_pass_rates([coe.render(GOOD), MALFORMED["empty layer"](coe.render(GOOD))])
    assert rates["L3"] == 0.5 and rates["L1"] == 1.0 and rates["chain"] == 0.5


def test_custom_tags_change_everything_in_one_place():
    tags = CoETags(think="reason", layers=("e", "c", "i", "s"), answer="reply")
    text = coe.render(GOOD, tags)
    assert text.startswith("<reason>") and "<reply>" in text
    assert coe.parse(text, tags).ok and not coe.parse(text).ok
    assert "<reason>" in coe.system_prompt("en", tags)


def test_bad_tag_definitions_are_rejected():
    with pytest.raises(ValueError):
        CoETags(layers=("L1", "L1", "L3", "L4"))
    with pytest.raises(ValueError):
        CoETags(answer="has space")


def test_extract_answer_never_leaks_reasoning():
    assert coe.extract_answer(coe.render(GOOD)) == GOOD.answer
    broken = "<empathy_think><L1>情绪</L1></empathy_think>你好"
    assert coe.extract_answer(broken) == "你好"
    assert coe.extract_answer("<empathy_think><L1>情绪</L1>") == ""
    assert coe.extract_answer("plain reply") == "plain reply"


def test_system_prompts():
    zh, en = coe.system_prompt("zh"), coe.system_prompt("en")
    for tag in ("<L1>", "<L4>", "<empathy_think>", "<answer>"):
        assert tag in zh and tag in en
    assert "共情" in zh
    with pytest.raises(ValueError):
        coe.system_prompt("fr")


# --- properties ----------------------------------------------------------------------------

# Layer text: anything without angle brackets (which could form tags), not blank.
_text = st.text(st.characters(blacklist_characters="<>", blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
_chains = st.builds(lambda *a: Chain(*[x.strip() for x in a]), _text, _text, _text, _text, _text)


@settings(max_examples=200, deadline=None)
@given(_chains, st.booleans())
def test_property_round_trip(chain, newlines):
    assert coe.parse(coe.render(chain, newlines=newlines)).chain == chain


def _mutations(text: str, tags: CoETags) -> st.SearchStrategy[str]:
    seq = tags.sequence
    return st.one_of(
        # drop one tag
        st.sampled_from(seq).map(lambda t: text.replace(t, "", 1)),
        # duplicate one tag
        st.sampled_from(seq).map(lambda t: text.replace(t, t + t, 1)),
        # swap two distinct tags
        st.tuples(st.sampled_from(seq), st.sampled_from(seq))
        .filter(lambda p: p[0] != p[1])
        .map(lambda p: text.replace(p[0], "\0").replace(p[1], p[0]).replace("\0", p[1])),
        # insert non-blank text at a tag boundary outside the layers
        st.tuples(st.sampled_from([0, *(i for i, t in enumerate(seq) if t.startswith("</"))]), _text).map(
            lambda p: _insert_after(text, seq, p[0], p[1])
        ),
    )


def _insert_after(text: str, seq: list[str], index: int, stray: str) -> str:
    if index == 0:
        return stray + text
    tag = seq[index]
    return text.replace(tag, tag + stray, 1)


@settings(max_examples=300, deadline=None)
@given(st.data(), _chains)
def test_property_no_malformed_variant_scores_one(data, chain):
    tags = coe.DEFAULT_TAGS
    text = coe.render(chain, newlines=False)
    mutated = data.draw(_mutations(text, tags))
    if mutated == text:
        return
    # A prefilled-think-tag deletion is tolerated by design: that text is still well formed.
    if mutated == text.removeprefix(tags.open(tags.think)):
        return
    assert coe.format_reward([mutated]) == [0.0], mutated


def test_dropping_a_layer_is_the_ablation():
    tags = coe.DEFAULT_TAGS.drop("L2")
    assert tags.layers == ("L1", "L3", "L4") and tags.layer_keys == ("emotions", "intent", "strategy")
    text = coe.render(GOOD, tags)
    assert "<L2>" not in text
    parsed = coe.parse(text, tags)
    assert parsed.ok and parsed.chain.causes == "" and parsed.chain.intent == GOOD.intent
    assert not coe.parse(text).ok  # the full format still wants L2
    assert coe.parse(coe.render(GOOD), tags).errors  # and the reduced one rejects it
    prompt = coe.system_prompt("zh", tags)
    assert "<L2>" not in prompt and "<L3>" in prompt
    assert coe.DEFAULT_TAGS.drop("causes") == tags
    with pytest.raises(ValueError):
        coe.DEFAULT_TAGS.drop("L9")
    with pytest.raises(ValueError):
        coe.DEFAULT_TAGS.drop("L1", "L2", "L3", "L4")
