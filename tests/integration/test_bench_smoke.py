"""The benchmarks run end to end at their smallest sizes (a smoke check: the numbers mean nothing).

``python -m benchmarks.run --smoke`` builds toy models, runs a GRPO step through ours and a plain
TRL script, scores rewards, checks metrics against rouge-score and nltk, loads a served tiny
checkpoint from a second process, and measures a pipeline stage's RSS. The timed runs are
``make bench``; CI only checks that every piece still works.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_smoke_writes_every_section(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    env = os.environ | {"HF_HUB_OFFLINE": "1", "EMPATHY_R1_QUIET": "1"}
    subprocess.run([sys.executable, "-m", "benchmarks.run", "--smoke", "--output", str(out)], cwd=ROOT, env=env, check=True, timeout=600)
    text = out.read_text(encoding="utf-8")
    assert "SMOKE RUN" in text
    for heading in (
        "## 1. GRPO step",
        "## 1b. LM head on CPU",
        "## 2. Reward model",
        "## 3. Metrics",
        "## 4. Server",
        "## 4b. Gateway",
        "## 5. Memory",
        "## 6. GPU: ESTIMATE",
    ):
        assert heading in text, heading
    assert "ratio ours / plain" in text and "settings EXCEPT" not in text  # ours and plain ran with the same settings
    assert "Rewards identical across modes: yes" in text
    assert "| NO |" not in text  # metrics equal the reference implementations
    assert text.count("python -m benchmarks.run --only") >= 5  # every section names its command


def test_bench_rejects_unknown_benchmark():
    proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--only", "nope"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown benchmark" in proc.stderr
