"""Hub ids as transformers takes them, resolved offline from a local Hugging Face cache (never the network)."""

from __future__ import annotations

import json

import pytest

from empathy_r1.errors import UserError
from empathy_r1.models import load_model, load_tokenizer, resolve_checkpoint, resolve_policy_dir

pytestmark = pytest.mark.slow


@pytest.fixture
def hub(tmp_path, monkeypatch, tiny_checkpoint, hub_cache_layout):
    cache = tmp_path / "hub"
    snapshot = hub_cache_layout(cache, "empathy-test/tiny-qwen3", tiny_checkpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return snapshot


def test_a_hub_id_resolves_from_the_cache_and_a_missing_one_is_one_error(hub, monkeypatch):
    assert resolve_checkpoint("empathy-test/tiny-qwen3") == hub
    assert resolve_policy_dir("empathy-test/tiny-qwen3") == hub
    assert load_tokenizer("empathy-test/tiny-qwen3")("你好")["input_ids"]
    assert load_model("empathy-test/tiny-qwen3").config.model_type == "qwen3"
    with pytest.raises(UserError) as e:
        resolve_checkpoint("empathy-test/not-there")
    assert "'empathy-test/not-there'" in e.value.line() and "HF_HUB_OFFLINE=1" in e.value.line()


def test_eval_serve_and_sft_take_a_hub_id_offline(hub, tmp_path, capsys, monkeypatch, cli):
    code, out, err = cli(
        "eval", "run", "--model", "empathy-test/tiny-qwen3", "--data", "sample", "--output", str(tmp_path / "ev"),
        "--set", "eval.n=2", "--set", "eval.max_new_tokens=4",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["n"] == 2
    from empathy_r1.cli.serve_cmd import build
    from empathy_r1.config import Config

    app = build("empathy-test/tiny-qwen3", Config(), None)
    assert app.state.model_name == "empathy-test/tiny-qwen3"
    code, out, err = cli(
        "sft", "--output", str(tmp_path / "sft"), "--data", "sample", "--config", "configs/tiny.yaml",
        "--set", "model.path=empathy-test/tiny-qwen3", "--set", "sft.max_steps=1", "--set", "data.sft_n=4",
        "--set", "sft.max_length=4096",
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "sft" / "model" / "config.json").is_file()
    for verb in (["eval", "run", "--data", "sample", "--output", str(tmp_path / "x")], ["serve"]):
        code, _, err = cli(*verb, "--model", "empathy-test/missing")
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and "'empathy-test/missing'" in err, err
