"""The bundled sample corpus: shape, labels, CoE chains, and that it is not templated."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from empathy_r1 import coe
from empathy_r1.data import labels as labels_vocab
from empathy_r1.data.sample import load_sample, sample_path

EMOTION_ZH = labels_vocab.EMOTIONS
DISTORTION_ZH = labels_vocab.DISTORTIONS
INTENT_ZH = labels_vocab.INTENTS
NO_DISTORTION = "none"
BAD_KINDS = {"dismissive", "platitude", "misplaced_advice"}
LABEL_KEYS = {"emotions", "emotion", "cause", "distortion", "intent", "strategy"}
RECORD_KEYS = {"id", "source", "topic", "subtopic", "title", "post", "answers", "bad_answers", "labels", "coe"}
CRISIS_WORDS = ("自杀", "自残", "轻生", "不想活", "结束生命", "割腕")

RECORDS = load_sample()


def _ids(records: list[dict]) -> list[str]:
    return [r["id"] for r in records]


def test_size_ids_and_topics():
    assert len(RECORDS) >= 40
    ids = _ids(RECORDS)
    assert len(set(ids)) == len(ids)
    assert all(r["source"] == "sample" for r in RECORDS)
    assert len({r["topic"] for r in RECORDS}) >= 20


def test_file_is_one_json_object_per_line():
    path = sample_path()
    assert path.name == "sample.jsonl" and path.is_file()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == len(RECORDS)
    assert [json.loads(line)["id"] for line in lines] == _ids(RECORDS)


def test_load_returns_fresh_copies():
    first = load_sample()
    first[0]["post"] = "changed"
    assert load_sample()[0]["post"] != "changed"


@pytest.mark.parametrize("record", RECORDS, ids=_ids(RECORDS))
def test_record_shape(record: dict):
    assert set(record) == RECORD_KEYS
    for key in ("subtopic", "title", "post"):
        assert isinstance(record[key], str) and record[key].strip()
    assert 200 <= len(record["post"]) <= 700
    assert "\n" in record["post"], "posts are written in paragraphs"
    assert not any(w in record["post"] for w in CRISIS_WORDS), "crisis posts belong to the safety tests"
    answers = record["answers"]
    assert len(answers) >= 3
    assert all(len(a["text"]) >= 100 and a["author"] for a in answers)
    assert len({a["text"] for a in answers}) == len(answers)
    assert len({a["author"] for a in answers}) == len(answers)
    bad = record["bad_answers"]
    assert 2 <= len(bad) <= 3
    assert all(b["kind"] in BAD_KINDS and b["text"].strip() for b in bad)
    good_texts = {a["text"] for a in answers} | {record["coe"]["answer"]}
    assert not good_texts & {b["text"] for b in bad}


@pytest.mark.parametrize("record", RECORDS, ids=_ids(RECORDS))
def test_labels(record: dict):
    labels = record["labels"]
    assert set(labels) == LABEL_KEYS
    assert 2 <= len(labels["emotions"]) <= 3
    assert set(labels["emotions"]) <= set(EMOTION_ZH)
    assert len(set(labels["emotions"])) == len(labels["emotions"])
    assert labels["emotion"] == labels["emotions"][0]
    assert labels["distortion"] in {*DISTORTION_ZH, NO_DISTORTION}
    assert labels["intent"] in INTENT_ZH
    assert labels["cause"].strip() and labels["strategy"].strip()


@pytest.mark.parametrize("record", RECORDS, ids=_ids(RECORDS))
def test_chain_round_trips_and_names_labels(record: dict):
    chain = coe.Chain(**record["coe"])
    parsed = coe.parse(coe.render(chain))
    assert parsed.ok, parsed.errors
    assert parsed.chain == chain
    labels = record["labels"]
    assert chain.emotions.startswith(EMOTION_ZH[labels["emotion"]])
    assert chain.intent.startswith(INTENT_ZH[labels["intent"]])
    if labels["distortion"] == NO_DISTORTION:
        assert not any(word in chain.causes for word in DISTORTION_ZH.values())
    else:
        assert DISTORTION_ZH[labels["distortion"]] in chain.causes
    assert 150 <= len(chain.answer) <= 500


@pytest.mark.parametrize("record", RECORDS, ids=_ids(RECORDS))
def test_labels_read_back_from_chain(record: dict):
    """Evaluation reads labels back from a chain; the gold chains must read back as their labels."""
    chain, labels = record["coe"], record["labels"]
    assert labels_vocab.named_emotion(chain["emotions"]) == labels["emotion"]
    assert labels_vocab.named_intent(chain["intent"]) == labels["intent"]
    expected = None if labels["distortion"] == NO_DISTORTION else labels["distortion"]
    assert labels_vocab.named_distortion(chain["causes"]) == expected


def test_balance():
    intents = Counter(r["labels"]["intent"] for r in RECORDS)
    assert set(intents) == set(INTENT_ZH)
    assert min(intents.values()) >= len(RECORDS) // 5
    emotions = Counter(r["labels"]["emotion"] for r in RECORDS)
    assert len(emotions) >= 8
    assert max(emotions.values()) <= len(RECORDS) // 4


def test_not_templated():
    """No two posts share a 20-character run: each was written, not filled in."""
    n = 20
    seen: dict[str, str] = {}
    for record in RECORDS:
        text = record["post"]
        for gram in {text[i : i + n] for i in range(len(text) - n + 1)}:
            other = seen.setdefault(gram, record["id"])
            assert other == record["id"], f"{other} and {record['id']} share {gram!r}"


def test_answers_not_templated():
    """Best answers do not reuse sentence frames across posts either."""
    n = 16
    seen: dict[str, str] = {}
    for record in RECORDS:
        text = record["coe"]["answer"]
        for gram in {text[i : i + n] for i in range(len(text) - n + 1)}:
            other = seen.setdefault(gram, record["id"])
            assert other == record["id"], f"{other} and {record['id']} share {gram!r}"


def test_no_crisis_content():
    """The sample is the non-crisis set: the safety screen passes every post and every answer."""
    from empathy_r1.safety.screen import screen

    for record in RECORDS:
        texts = [record["title"] + "\n" + record["post"], record["coe"]["answer"]]
        texts += [a["text"] for a in record["answers"]] + [b["text"] for b in record["bad_answers"]]
        texts += [record["coe"][key] for key in coe.LAYER_KEYS]
        for text in texts:
            result = screen(text)
            assert result.level == "none", (record["id"], [span.text for span in result.evidence])
