"""The production reward-model path: a local sentence-transformers encoder fine-tuned with TripletLoss.

The encoder is a 1-layer BERT built here from a config with a BPE trained on a few sentences:
nothing is downloaded, and a few steps are enough to see the triplet loss move it.
"""

from __future__ import annotations

import numpy as np
import pytest

from empathy_r1.reward_model import load_reward_model
from empathy_r1.reward_model.st import STRewardModel

pytestmark = pytest.mark.slow

TRIPLETS = [
    {"query": "我最近总是失眠，很焦虑", "positive": "失眠让你很焦虑，我们慢慢来", "negative": "多喝热水"},
    {"query": "和父母吵架了很难过", "positive": "和父母吵架后难过很正常", "negative": "比你惨的人多了"},
] * 4


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel

    from empathy_r1.models import train_bpe_tokenizer

    out = tmp_path_factory.mktemp("st")
    tok = train_bpe_tokenizer([t for tr in TRIPLETS for t in tr.values()] * 5, vocab_size=300)
    bert = BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64))
    bert.save_pretrained(out / "hf")
    tok.save_pretrained(out / "hf")
    word = Transformer(str(out / "hf"), max_seq_length=64)
    SentenceTransformer(modules=[word, Pooling(word.get_embedding_dimension(), "mean")], device="cpu").save(str(out / "st"))
    return out / "st"


def test_st_backend_fine_tunes_with_triplet_loss_and_round_trips(encoder_dir, tmp_path):
    model = STRewardModel.from_encoder(encoder_dir)
    losses = model.fit(TRIPLETS, margin=0.3, epochs=3, learning_rate=1e-3, batch_size=4, output_dir=tmp_path / "run")
    assert losses and losses[-1] <= losses[0]
    model.save(tmp_path / "rm")
    again = load_reward_model(tmp_path / "rm")
    texts = ["我很焦虑", "多喝热水"]
    assert np.allclose(again.embed(texts), model.embed(texts), atol=1e-5)
    assert np.allclose(np.linalg.norm(again.embed(texts), axis=1), 1.0, atol=1e-5)
    assert again.similarity(texts, texts).shape == (2,)


def test_reward_encoder_by_hub_id_from_the_local_cache(encoder_dir, tmp_path, monkeypatch, hub_cache_layout):
    """reward.encoder takes a hub id; offline it is read from HF_HUB_CACHE (sentence-transformers' subfolders included)."""
    from empathy_r1.errors import UserError

    hub_cache_layout(tmp_path / "hub", "empathy-test/tiny-st", encoder_dir)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    rm = STRewardModel.from_encoder("empathy-test/tiny-st")
    local = STRewardModel.from_encoder(encoder_dir)
    np.testing.assert_allclose(rm.embed(["失眠"]), local.embed(["失眠"]), atol=1e-6)
    with pytest.raises(UserError, match="'empathy-test/missing'"):
        STRewardModel.from_encoder("empathy-test/missing")
