"""The whole pipeline on a micro config, killed during GRPO and resumed: SFT is not redone, GRPO resumes.

Micro means seconds: a 1-layer, 32-wide Qwen3, a 400-token BPE, 60 synthetic posts, a few
steps per stage, 16-token completions. It proves the plumbing, not learning (the tiny config
and `make demo` show learning).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import TrainerCallback
from typer.testing import CliRunner

from empathy_r1.cli import app
from empathy_r1.training import grpo as grpo_module

MICRO = """
seed: 1
model: {bpe_vocab_size: 400, hidden_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1, intermediate_size: 64}
data: {source: synth, synth_n: 60, sft_n: 16, allow_unreviewed: true}
sft: {max_steps: 4, batch_size: 4, learning_rate: 1.0e-3, save_steps: 2, logging_steps: 1}
reward: {epochs: 2, head_dim: 64, auto_threshold: true}
grpo: {max_steps: 3, batch_size: 4, num_generations: 4, learning_rate: 1.0e-4, max_completion_length: 16, save_steps: 1}
eval: {n: 4, max_new_tokens: 16, batch_size: 4}
"""

pytestmark = pytest.mark.slow


class FailAfterStep(TrainerCallback):
    """Crashes GRPO after a checkpoint is saved at ``step``: a kill mid-training, injected through TRL's callbacks."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):
        if state.global_step >= self.step:
            raise RuntimeError(f"injected failure after GRPO step {state.global_step}")


def crash_grpo_after(monkeypatch, step: int) -> None:
    real = grpo_module.run_grpo
    monkeypatch.setattr(grpo_module, "run_grpo", lambda *a, **kw: real(*a, **kw, callbacks=[FailAfterStep(step)]))


@pytest.fixture(scope="module")
def micro_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "micro.yaml"
    path.write_text(MICRO, encoding="utf-8")
    return path


def test_pipeline_killed_in_grpo_resumes_without_redoing_sft(micro_config, tmp_path, monkeypatch):
    out = tmp_path / "run"
    runner = CliRunner()
    monkeypatch.setenv("EMPATHY_R1_QUIET", "1")
    crash_grpo_after(monkeypatch, 2)
    result = runner.invoke(app, ["pipeline", "--config", str(micro_config), "--output", str(out)])
    assert isinstance(result.exception, RuntimeError) and "injected failure" in str(result.exception)
    assert (out / "sft" / "DONE").is_file() and (out / "reward" / "DONE").is_file()
    assert not (out / "grpo" / "DONE").exists() and (out / "grpo" / "checkpoint-2").is_dir()
    sft_done = (out / "sft" / "DONE").stat().st_mtime_ns

    monkeypatch.undo()  # no crash this time
    monkeypatch.setenv("EMPATHY_R1_QUIET", "1")
    resumed_from: list[str | None] = []
    real = grpo_module.last_checkpoint
    monkeypatch.setattr(grpo_module, "last_checkpoint", lambda d: resumed_from.append(real(d)) or resumed_from[-1])
    result = runner.invoke(app, ["pipeline", "--config", str(micro_config), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "sft" / "DONE").stat().st_mtime_ns == sft_done  # SFT not redone
    assert resumed_from and resumed_from[0] is not None and resumed_from[0].endswith("checkpoint-2")
    assert "report:" in result.output

    report = json.loads((out / "report.json").read_text())
    assert set(report["eval"]) == {"base", "sft", "grpo"}
    for metrics in report["eval"].values():
        assert {
            "format_rate",
            "reward",
            "answer_reward",
            "bleu1",
            "rougeL",
            "meteor",
            "distinct1",
            "navg",
            "distinct1_mean",
            "navg_mean",
            "emotion_acc",
            "intent_acc",
        } <= set(metrics)
    assert report["reward_model"]["n_heldout"] > 0 and report["threshold"] == report["reward_model"]["suggested_threshold"]
    assert report["grpo_stability"]["steps"] == 3 and "kl_max" in report["grpo_stability"]
    assert "GRPO over 3 steps" in (out / "report.md").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text())
    assert (
        manifest["config"]["seed"] == 1 and "trl" in manifest["versions"] and set(manifest["stages"]) >= {"data", "sft", "reward", "grpo"}
    )
    assert (out / "final" / "config.json").is_file() and (out / "final" / "tokenizer.json").is_file()
    for name in ("rewards", "format_layers", "completion_length", "distinct1", "frac_reward_zero_std", "kl"):
        assert (out / "plots" / f"grpo_{name}.png").is_file(), name
    history = json.loads((out / "grpo" / "log_history.json").read_text())
    assert [h["step"] for h in history if "reward" in h] == [1, 2, 3]
    assert all(f"format/{layer}" in history[0] for layer in ("L1", "L2", "L3", "L4"))
    assert not list((out / "grpo").glob("checkpoint-*"))  # cleaned once done
    # The console shows bars, not TRL's metrics dicts; the full dicts are in the log file.
    assert "{'loss'" not in result.output and "'rewards/" not in result.output
    logged = [json.loads(x) for x in (out / "grpo" / "metrics.jsonl").read_text().splitlines()]
    assert {1, 2, 3} <= {row["step"] for row in logged if "reward" in row} and all("kl" in row for row in logged if "reward" in row)
    preds = (out / "eval" / "grpo" / "predictions.jsonl").read_text().splitlines()
    assert set(json.loads(preds[0])) == {"id", "completion", "answer", "ok", "errors", "reward"}
    # Each stage's reward against the one before, prompt by prompt, with its standard error
    assert set(report["paired"]) == {"sft-base", "grpo-sft"}
    assert all(d["n"] == report["n_eval"] and d["se"] >= 0 for d in report["paired"].values())
    assert "Reward grpo − sft:" in (out / "report.md").read_text()

    # Finished: a third run skips everything; a different config is refused, not mixed in.
    result = runner.invoke(app, ["pipeline", "--config", str(micro_config), "--output", str(out)])
    assert result.exit_code == 0 and "report:" in result.output
    result = runner.invoke(app, ["pipeline", "--config", str(micro_config), "--output", str(out), "--set", "seed=2"])
    assert result.exit_code != 0 and "different config" in str(result.exception)


def test_ablation_switches_no_coe_and_drop_layer_sft_only(micro_config, tmp_path, monkeypatch):
    monkeypatch.setenv("EMPATHY_R1_QUIET", "1")
    runner = CliRunner()
    common = ["--config", str(micro_config), "--set", "pipeline.stages=[data,sft,eval]", "--set", "pipeline.evaluate=[sft]"]
    out = tmp_path / "nocoe"
    result = runner.invoke(app, ["pipeline", *common, "--output", str(out), "--set", "pipeline.coe=false"])
    assert result.exit_code == 0, result.output
    sft_rows = [json.loads(x) for x in (out / "data" / "sft.jsonl").read_text().splitlines()]
    report = json.loads((out / "report.json").read_text())
    assert set(report["eval"]) == {"sft"} and report["final"]["policy"] == "sft"
    assert "emotion_acc" not in report["eval"]["sft"]  # no chain, no labels to read back
    assert sft_rows
    out = tmp_path / "drop"
    result = runner.invoke(app, ["pipeline", *common, "--output", str(out), "--set", "data.drop_layers=[L2]"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "report.json").read_text())["eval"]["sft"]
    assert "format/L2" not in metrics and "format/L1" in metrics
