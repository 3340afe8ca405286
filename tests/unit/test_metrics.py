"""The metrics against the reference implementations SPEC names, to the last bit.

References: nltk's ``sentence_bleu`` (weights=(1.0,)) and ``meteor_score`` (a WordNet stub with no
synsets stands for "no synonym stage", so no corpus is needed), and rouge-score's ``RougeScorer``
with our tokeniser plugged in. Values are compared with ``==``, not approximately.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.translate.bleu_score import sentence_bleu
from nltk.translate.meteor_score import meteor_score
from rouge_score import rouge_scorer

from empathy_r1.evaluation import metrics as M


class _NoSynonyms:
    """Stands in for WordNet: nothing has synonyms, which is SPEC's "no synonym stage"."""

    def synsets(self, word: str) -> list:
        return []


class _SpecTokenizer:
    def tokenize(self, text: str) -> list[str]:
        return M.tokenize(text)


_ROUGE = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_SpecTokenizer())


def ref_scores(prediction: str, references: list[str]) -> dict[str, float]:
    hyp = M.tokenize(prediction)
    refs = [M.tokenize(r) for r in references]
    return {
        "bleu1": float(sentence_bleu(refs, hyp, weights=(1.0,))) if hyp else 0.0,
        "rougeL": _ROUGE.score_multi(references, prediction)["rougeL"].fmeasure,
        "meteor": meteor_score(refs, hyp, wordnet=_NoSynonyms()) if hyp else 0.0,
    }


def lcs_dp(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


# --- tokeniser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("我很焦虑", ["我", "很", "焦", "虑"]),
        ("ＡＩ会取代我吗？１２３", ["ai", "会", "取", "代", "我", "吗", "123"]),  # full-width -> ASCII
        ("Hello, World! GPT-4o", ["hello", "world", "gpt", "4o"]),
        ("，。！？……——", []),  # punctuation only
        ("   \n\t", []),
        ("", []),
        ("😀😭 哭了", ["哭", "了"]),  # emoji dropped
        ("こんにちは 안녕 ok", ["ok"]),  # kana and hangul are not CJK ideographs here
        ("㐀䶿", ["㐀", "䶿"]),  # U+3400 and U+4DBF: extension A bounds
        ("\U00020000\U0002ffff", ["\U00020000", "\U0002ffff"]),  # supplementary planes
        ("\ufa0e", ["\ufa0e"]),  # a compatibility-block ideograph NFKC keeps
        ("\uf900", ["豈"]),  # one NFKC maps to a unified ideograph
        ("ⅻ", ["xii"]),  # NFKC then lower-case
        ("café", ["caf"]),  # é is not [a-z]
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert M.tokenize(text) == tokens


# --- against the references on chosen cases ---------------------------------------------------

CASES = [
    ("我最近总是失眠，很焦虑。", ["听起来你最近很焦虑，失眠让人很难受。"]),
    ("我最近总是失眠，很焦虑。", ["我最近总是失眠，很焦虑。"]),  # identical
    ("谢谢你愿意说出来", ["你愿意说出来，谢谢你", "说出来需要勇气", "谢谢"]),  # multi-reference
    ("", ["有人在听你说"]),  # empty prediction
    ("……！！？？", ["有人在听你说"]),  # punctuation-only prediction
    ("有人在听你说", ["……"]),  # punctuation-only reference
    ("有人在听你说", ["……", "你说吧，有人在听"]),
    ("I was walking home and feeling 很难过", ["He walks home, 他很难过 and feels sad"]),  # stems
    ("ＡＩ会取代我的工作吗", ["AI会不会取代我的工作"]),  # full-width vs half-width
    ("the the the the", ["the cat is on the mat", "there is a cat on the mat"]),
    ("我我我我我", ["我"]),
    ("难过", ["我真的非常非常难过，不知道怎么办才好"]),  # brevity penalty
    ("我真的非常非常难过，不知道怎么办才好", ["难过"]),
    ("happiness happily happy", ["happy happiness"]),
]


@pytest.mark.parametrize(("prediction", "references"), CASES)
def test_matches_reference_implementations(prediction: str, references: list[str]) -> None:
    assert M.score_sample(prediction, references) == ref_scores(prediction, references)


def test_identical_texts_score_one() -> None:
    text = "我知道你现在很累，愿意说出来已经很不容易了。"
    s = M.score_sample(text, [text])
    n = len(M.tokenize(text))
    assert s["bleu1"] == 1.0 and s["rougeL"] == 1.0
    assert s["meteor"] == pytest.approx((1 - 0.5 * (1 / n) ** 3) * 1.0)  # one chunk


def test_empty_and_punctuation_only_predictions_score_zero() -> None:
    for pred in ["", "。。。", "😀"]:
        assert M.score_sample(pred, ["我在"]) == {"bleu1": 0.0, "rougeL": 0.0, "meteor": 0.0}


def test_long_chinese_multi_reference_exact() -> None:
    rng = random.Random(0)
    vocab = "我你他的了是在有不很想觉得难过焦虑工作家庭朋友父母压力睡眠学习考试关系，。！？ abc walking walked"
    for _ in range(15):
        pred = "".join(rng.choice(vocab) for _ in range(rng.randint(200, 500)))
        refs = ["".join(rng.choice(vocab) for _ in range(rng.randint(100, 500))) for _ in range(rng.randint(1, 4))]
        assert M.score_sample(pred, refs) == ref_scores(pred, refs)


# --- properties --------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [
        *"我你心难过焦虑爱家人工作，。！ ",
        "Ａ",
        "ａ",
        "1",
        "１",
        "x",
        " walk",
        " walking",
        " happily",
        " happy",
        "😀",
        "\u3400",
        "\U00020000",
    ]
)
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(_TEXT, min_size=1, max_size=3))
def test_property_equals_references(prediction: str, references: list[str]) -> None:
    assert M.score_sample(prediction, references) == ref_scores(prediction, references)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcd"), max_size=80), st.lists(st.sampled_from("abcd"), max_size=80))
def test_property_lcs_equals_dp(a: list[str], b: list[str]) -> None:
    assert M.lcs_length(a, b) == lcs_dp(a, b) == M.lcs_length(b, a)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.lists(_TEXT, min_size=1, max_size=3))
def test_property_bounds_and_reference_order(prediction: str, references: list[str]) -> None:
    s = M.score_sample(prediction, references)
    assert all(0.0 <= v <= 1.0 for v in s.values())
    assert M.score_sample(prediction, references[::-1]) == s  # max over references: order-free


# --- distinct-n and the report -----------------------------------------------------------------


def test_distinct_ngrams_never_cross_predictions() -> None:
    # "ab" + "ab": bigrams ab, ab (not the crossing "ba"); 1 distinct of 2.
    assert M.distinct_n([["a", "b"], ["a", "b"]], 2) == 0.5
    assert M.distinct_n([["a"], ["b"]], 2) == 0.0  # no bigrams at all
    assert M.distinct_n([], 1) == 0.0
    assert M.distinct_n([["我", "我", "你"]], 1) == 2 / 3


def test_report_keys_and_navg() -> None:
    preds = ["我很难过，不知道怎么办", "谢谢你听我说", ""]
    refs = [["你很难过，我们一起想想怎么办"], ["谢谢你愿意说", "我在听"], ["我在"]]
    r = M.report(preds, refs)
    assert list(r) == ["n", "bleu1", "rougeL", "meteor", "distinct1", "distinct2", "navg", "distinct1_mean", "distinct2_mean", "navg_mean"]
    samples = [ref_scores(p, rs) for p, rs in zip(preds, refs, strict=True)]
    assert r["n"] == 3
    for key in ("bleu1", "rougeL", "meteor"):
        assert r[key] == pytest.approx(sum(s[key] for s in samples) / 3, abs=1e-15)
    toks = [M.tokenize(p) for p in preds]
    assert r["distinct1"] == len({t for ts in toks for t in ts}) / sum(map(len, toks))
    assert r["navg"] == pytest.approx((r["bleu1"] + r["rougeL"] + r["meteor"] + r["distinct1"]) / 4)
    # Per answer: each prediction's own distinct-1, the empty one counting 0, then the mean.
    own = [len(set(ts)) / len(ts) if ts else 0.0 for ts in toks]
    assert r["distinct1_mean"] == pytest.approx(sum(own) / 3)
    assert r["navg_mean"] == pytest.approx((r["bleu1"] + r["rougeL"] + r["meteor"] + r["distinct1_mean"]) / 4)
    assert M.report(preds, refs, samples=M.per_sample(preds, refs)) == r


def test_whole_set_distinct_falls_with_set_size_and_the_mean_does_not() -> None:
    # The same ten answers, repeated: whole-set Distinct-1 halves each time the set doubles,
    # the per-answer mean stays where it is (why NAvg is only comparable at equal set sizes).
    answers = [M.tokenize(f"我今天{'很' * (i % 3)}难过第{i}次") for i in range(10)]
    d1 = [M.distinct_n(answers * k, 1) for k in (1, 2, 4)]
    assert d1[1] == pytest.approx(d1[0] / 2) and d1[2] == pytest.approx(d1[0] / 4)
    assert M.distinct_n_mean(answers * 4, 1) == pytest.approx(M.distinct_n_mean(answers, 1))


def test_report_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="reference"):
        M.report(["a"], [[]])
    with pytest.raises(ValueError):
        M.report(["a", "b"], [["a"]])
    with pytest.raises(TypeError):
        M.report(["a"], ["a"])  # type: ignore[list-item]


def test_module_imports_neither_torch_nor_trl_nor_nltk() -> None:
    code = "import sys, empathy_r1.evaluation.metrics as m; m.report(['我很好'], [['我很好']]); print(sorted(k for k in ('torch', 'trl', 'nltk') if k in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
