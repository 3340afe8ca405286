"""The synthetic corpus: reproducible, long, varied, and its cues agree with its labels."""

from __future__ import annotations

import random

import pytest

from empathy_r1 import coe
from empathy_r1.data import synth_phrases as P
from empathy_r1.data.labels import EMOTIONS, INTENTS, named_emotion, named_intent
from empathy_r1.data.schema import check_record
from empathy_r1.data.synth import synthesize
from empathy_r1.data.synth_topics import TOPICS


@pytest.fixture(scope="module")
def corpus():
    return synthesize(300, seed=7)


def test_reproducible_and_seed_dependent():
    assert synthesize(20, 3) == synthesize(20, 3)
    assert [r["post"] for r in synthesize(20, 3)] != [r["post"] for r in synthesize(20, 4)]


def test_does_not_touch_the_global_rng():
    random.seed(123)
    expected = random.random()
    random.seed(123)
    synthesize(10, 0)
    assert random.random() == expected


def test_records_are_canonical_and_long(corpus):
    for rec in corpus:
        check_record(rec)
        assert len(rec["post"]) >= 200 and "\n\n" in rec["post"]
        texts = [a["text"] for a in rec["answers"]]
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert all(len(t) >= 100 for t in texts)
        kinds = {b["kind"] for b in rec["bad_answers"]}
        assert {"dismissive", "platitude", "harmful", "off_topic"} <= kinds
        assert ("misplaced_advice" in kinds) == (rec["labels"]["intent"] != "advice")


def test_covers_at_least_twenty_topics(corpus):
    assert len(TOPICS) >= 20
    assert len({r["topic"] for r in corpus}) == len(TOPICS)
    assert {t.key for t in TOPICS} >= {"romance", "marriage", "family", "parenting", "work", "sleep", "grief", "health", "ai_jobs"}


def test_gold_chain_parses_and_names_the_labels(corpus):
    for rec in corpus:
        chain = coe.Chain(**rec["coe"])
        parsed = coe.parse(coe.render(chain))
        assert parsed.ok and parsed.chain == chain
        assert named_emotion(chain.emotions) == rec["labels"]["emotion"]
        assert named_intent(chain.intent) == rec["labels"]["intent"]
        assert chain.answer == rec["answers"][0]["text"]
        assert EMOTIONS[rec["labels"]["emotion"]] in rec["answers"][1]["text"]


def test_post_carries_the_cues_of_its_labels(corpus):
    for rec in corpus:
        last = rec["post"].split("\n\n")[-1]
        assert any(cue in last for cue in P.INTENT_CUES[rec["labels"]["intent"]])
        for other in INTENTS.keys() - {rec["labels"]["intent"]}:
            assert not any(cue in rec["post"] for cue in P.INTENT_CUES[other])
        assert any(cue in rec["post"] for cue in P.EMOTION_CUES[rec["labels"]["emotion"]])


def test_topic_fragments_carry_no_cues():
    # Fragments must not smuggle in emotion or intent words: the cues alone carry the labels.
    cues = [c for cs in P.EMOTION_CUES.values() for c in cs] + list(EMOTIONS.values()) + ["我该怎么办", "想找个人说说", "想太多"]
    for topic in TOPICS:
        texts = [*topic.titles, *topic.details, *topic.stakes, *(s for sit in topic.situations for s in sit[:2]), *topic.people]
        for text in texts:
            hits = [c for c in cues if c in text]
            assert not hits, (topic.key, text, hits)
    shared = [
        *P.COPING,
        *P.BACKGROUNDS,
        *P.TIMES,
        *P.SCENES,
        *P.INTENT_LEADS,
        *P.INTENT_TAILS,
        *P.COMMA_FILLERS,
        *(v for vs in P.VARIANTS.values() for v in vs),
        *(t for ts in P.THOUGHTS.values() for t in ts),
    ]
    assert not [(t, c) for t in shared for c in cues if c in t]


def test_held_out_posts_are_not_copies():
    from empathy_r1.data.synth_card import synth_card

    card = synth_card(synthesize(600, seed=0), seed=0)
    assert card["overlap"]["test_texts"] > 0
    # The share of a held-out post's 8-grams already in training posts: 0.46 here (0.63 at
    # n=2000); the first, fixed-fragment generator gave 0.93 at n=2000.
    assert card["overlap"]["mean_share"] < 0.55
    assert card["overlap"]["copies"] == 0
    assert len(card["stats"]["topics"]) >= 20
