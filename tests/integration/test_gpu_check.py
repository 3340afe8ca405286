"""``make gpu-check`` on CPU: the tiny shape of the GPU check runs every phase (a smoke test: numbers mean nothing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gpu_check_tiny_shape_runs_every_phase(tmp_path):
    out = tmp_path / "gpu_check.json"
    env = os.environ | {"HF_HUB_OFFLINE": "1", "EMPATHY_R1_QUIET": "1", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.gpu_check", "--shape", "tiny", "--output", str(out), "--markdown", str(tmp_path / "B.md")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["shape"] == "tiny" and result["peak_flops"] is None
    assert [p["name"] for p in result["phases"]] == ["sft_lora", "sft_full", "grpo_lora"]
    for phase in result["phases"]:
        assert phase["tokens_per_s"] > 0 and phase["peak_gib"] > 0 and phase["steps_timed"] >= 1
    assert result["phases"][2]["completion_tokens_mean"] == result["settings"]["completion_len"]  # full-length completions
    assert "| SFT LoRA r4 |" in proc.stdout
    assert not (tmp_path / "B.md").exists()  # CPU numbers never go into BENCHMARKS.md


def test_qwen3_8b_architecture_matches_the_estimate():
    from benchmarks import gpu_check, gpu_estimate

    config = gpu_check.model_config(gpu_check.SHAPES["8b"])
    assert (config.num_hidden_layers, config.hidden_size, config.intermediate_size) == (36, 4096, 12288)
    assert (config.num_attention_heads, config.num_key_value_heads, config.head_dim, config.vocab_size) == (32, 8, 128, 151936)
    assert config.tie_word_embeddings is False
    import torch

    with torch.device("meta"):
        from transformers import Qwen3ForCausalLM

        model = Qwen3ForCausalLM(config)
    assert sum(p.numel() for p in model.parameters()) == gpu_estimate.N_TOTAL + 36 * 2 * 128 + (2 * 36 + 1) * 4096  # + q/k and layer norms: 8,190,735,360
