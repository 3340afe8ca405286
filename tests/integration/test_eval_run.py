"""``empathy-r1 eval run`` on a tiny local checkpoint, then ``eval compare`` on its output."""

from __future__ import annotations

import json

import pytest

from empathy_r1.config import ModelConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory):
    from empathy_r1.data.sample import load_sample
    from empathy_r1.models import build_tiny_model, train_bpe_tokenizer

    texts = [r["post"] for r in load_sample()]
    tok = train_bpe_tokenizer(texts, vocab_size=400)
    model = build_tiny_model(ModelConfig(hidden_size=32, num_heads=2, num_kv_heads=1, intermediate_size=64, num_layers=1), tok)
    out = tmp_path_factory.mktemp("policy")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_eval_run_writes_results_and_compares(policy_dir, tmp_path, capsys, monkeypatch, cli):
    out = tmp_path / "eval_tiny"
    args = ["eval", "run", "--model", str(policy_dir), "--data", "sample", "--output", str(out), "--name", "tiny"]
    code, stdout, err = cli(*args, "--set", "eval.n=3", "--set", "eval.max_new_tokens=6", "--set", "eval.batch_size=2")
    assert code == 0, err
    result = json.loads(stdout)
    assert result["name"] == "tiny" and result["n"] == 3
    for key in ("format_rate", "bleu1", "rougeL", "meteor", "distinct1", "navg"):
        assert 0.0 <= result["metrics"][key] <= 1.0
    assert {p.name for p in out.iterdir()} >= {"eval.json", "eval.md", "predictions.jsonl"}
    assert len((out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    code, table, err = cli("eval", "compare", str(out), str(out / "eval.json"), "--names", "a,b")
    assert code == 0, err
    assert "| a | 3 |" in table and "| b | 3 |" in table and "Format" in table
    # The split option re-draws the pipeline's split; a bad one is a one-line error.
    code, _, err = cli(*args, "--split", "nope")
    assert code == 2 and err.startswith("error: --split must be train, valid or test")
    code, _, err = cli(
        "eval", "run", "--model", str(tmp_path / "none"), "--data", "sample", "--output", str(tmp_path / "o")
    )
    assert code == 2 and "no such directory" in err
