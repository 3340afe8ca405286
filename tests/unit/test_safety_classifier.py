"""The optional classifier: a local HF text-classification directory, and no torch without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from empathy_r1.errors import UserError
from empathy_r1.safety import LEVELS, Screener
from empathy_r1.safety.classifier import load_classifier


def test_safety_imports_neither_torch_nor_trl() -> None:
    code = "import sys, empathy_r1.safety; print('torch' in sys.modules, 'trl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False", out.stderr


def test_a_tiny_local_classifier_loads_and_only_raises(tmp_path: Path) -> None:
    from transformers import BertConfig, BertForSequenceClassification

    from empathy_r1 import models

    tok = models.train_bpe_tokenizer(["今天天气不错。", "我不想活了。", "笑死了。"] * 10, vocab_size=300)
    tok.model_max_length = 64
    cfg = BertConfig(
        vocab_size=len(tok), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=64, id2label={0: "none", 1: "urgent"}, label2id={"none": 0, "urgent": 1}, pad_token_id=tok.pad_token_id,
    )  # fmt: skip
    BertForSequenceClassification(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    screener = Screener(classifier=load_classifier(tmp_path, threshold=0.0))
    assert screener.screen("今天天气不错。").level in LEVELS
    assert screener.screen("我不想活了。").level == "urgent"  # whatever the random model says


def test_a_directory_without_config_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no config\.json"):
        load_classifier(tmp_path)
