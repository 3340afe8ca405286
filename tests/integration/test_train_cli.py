"""The training verbs as a user runs them: a subprocess, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from empathy_r1.coe import Chain, render
from empathy_r1.reward_model.head import HeadRewardModel


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "empathy_r1", *args], capture_output=True, text=True, timeout=300)


def test_reward_score_with_the_frozen_use_and_user_errors(tmp_path):
    HeadRewardModel.initial(512).save(tmp_path / "rm")  # identity head: plain USE similarity
    good = render(Chain("焦虑", "担心考试", "被理解", "共情", "考试前焦虑失眠很常见，你已经很努力了。"))
    r = run("reward", "score", "--model", str(tmp_path / "rm"), "--query", "考试前总是焦虑失眠", "--answer", good, "--answer", "<answer>x")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0]["format"] == 1.0 and rows[0]["similarity"] > 0.2
    assert rows[1]["format"] == 0.0 and rows[1]["answer"] == 0.0 and rows[1]["reward"] == 0.0
    r = run("reward", "score", "--model", str(tmp_path / "nope"), "--query", "q", "--answer", "a")
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    r = run("pipeline", "--config", "configs/tiny.yaml", "--output", str(tmp_path / "x"), "--set", "pipeline.stages=[sft]")
    assert r.returncode == 2 and "pipeline.stages must include data" in r.stderr
