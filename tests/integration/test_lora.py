"""LoRA end to end on CPU: adapters saved, resumed, merged on request, served merged or as an adapter, exported."""

from __future__ import annotations

import json

import pytest
import torch

from empathy_r1.config import load_config
from empathy_r1.data.sample import load_sample
from empathy_r1.models import load_model, load_tokenizer

pytestmark = pytest.mark.slow

SETS = ["model.lora.enabled=true", "model.lora.r=4", "sft.batch_size=2", "sft.save_steps=1", "sft.logging_steps=1", "sft.max_length=4096"]


def test_lora_saved_resumed_merged_served_and_exported(tiny_checkpoint, tmp_path, capsys, monkeypatch, cli):
    from peft import PeftModel

    from empathy_r1.cli.serve_cmd import build
    from empathy_r1.serving import PolicyBackend
    from empathy_r1.training.sft import run_sft

    records = load_sample()[:4]
    tok = load_tokenizer(str(tiny_checkpoint))
    # Saved: an adapter directory (PEFT's files and the tokenizer), not a full checkpoint.
    sft = tmp_path / "sft"
    adapter = run_sft(load_config("configs/tiny.yaml", [*SETS, "sft.max_steps=2"]), load_model(tiny_checkpoint), tok, records, sft)
    assert (adapter / "adapter_config.json").is_file() and not (adapter / "config.json").is_file()
    assert json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"] == str(tiny_checkpoint)
    # Resumed: a longer run in the same directory continues from checkpoint-2 instead of starting over.
    run_sft(load_config("configs/tiny.yaml", [*SETS, "sft.max_steps=3"]), load_model(tiny_checkpoint), tok, records, sft)
    state = json.loads((sft / "checkpoint-3" / "trainer_state.json").read_text())
    assert [e["step"] for e in state["log_history"] if "loss" in e] == [1, 2, 3]
    # Merged on request: a plain checkpoint.
    merged = run_sft(
        load_config("configs/tiny.yaml", [*SETS, "sft.max_steps=1", "model.lora.merge=true"]),
        load_model(tiny_checkpoint), tok, records, tmp_path / "sft-merged",
    )  # fmt: skip
    assert (merged / "config.json").is_file() and not (merged / "adapter_config.json").is_file()
    # GRPO from the SFT adapter: trained on its merged copy on disk, which the new adapter names as its base.
    from empathy_r1.models import merged_start
    from empathy_r1.training.grpo import run_grpo

    start = merged_start(adapter, tmp_path / "start")
    grpo_cfg = load_config(
        "configs/tiny.yaml",
        [*SETS, "grpo.max_steps=1", "grpo.num_generations=4", "grpo.batch_size=4", "grpo.max_completion_length=4", "grpo.save_steps=1"],
    )
    grpo = run_grpo(grpo_cfg, load_model(start), tok, records, None, tmp_path / "grpo")
    assert json.loads((grpo / "adapter_config.json").read_text())["base_model_name_or_path"] == str(start)
    assert merged_start(adapter, tmp_path / "start") == start  # reused, not merged again
    # Served as an adapter and merged: the same greedy text.
    kept = PolicyBackend.load(adapter, merge_adapter=False)
    assert isinstance(kept.policy.model, PeftModel)
    folded = PolicyBackend.load(adapter)
    assert not isinstance(folded.policy.model, PeftModel)
    prompt = [[{"role": "user", "content": "最近工作压力很大，晚上睡不好。"}]]
    assert [c.text for c in kept.generate(prompt, 6, 0.0, 1.0)] == [c.text for c in folded.generate(prompt, 6, 0.0, 1.0)]
    assert build(str(adapter), load_config(None, []), None, merge_adapter=False).state.model_name == "model"
    # Exported: safetensors + tokenizer, no PEFT files, the adapter's logits.
    code, _, err = cli("export", "--model", str(adapter), "--output", str(tmp_path / "export"))
    assert code == 0, err
    files = {p.name for p in (tmp_path / "export").iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= files and "adapter_config.json" not in files
    ids = torch.tensor([tok("最近工作压力很大")["input_ids"]])
    with torch.no_grad():
        expected = load_model(adapter, merge_adapter=False)(ids).logits
        got = load_model(tmp_path / "export")(ids).logits
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)
    capsys.readouterr()  # the loading progress above
    code, _, err = cli("export", "--model", str(adapter), "--output", str(tmp_path / "export"))
    assert code == 2 and err.startswith("error: ") and "not empty" in err
