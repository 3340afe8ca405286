"""The training console: a bar with the watched numbers; every logged dict to metrics.jsonl, none to the terminal."""

from __future__ import annotations

import json
from types import SimpleNamespace

from empathy_r1.training.console import WATCH, ConsoleCallback, watched


def test_watched_keys_follow_the_reward_names():
    from empathy_r1.rewards import make_format_reward

    assert WATCH["format"] == f"rewards/{make_format_reward().__name__}/mean"
    assert watched({"loss": float("nan"), "kl": 0.5, "grad_norm": 3.0}) == {"kl": "0.5"}


def test_the_bar_carries_a_few_numbers_and_the_log_file_all(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("EMPATHY_R1_QUIET", raising=False)
    cb = ConsoleCallback(tmp_path / "metrics.jsonl", "grpo")
    state = SimpleNamespace(is_world_process_zero=True, max_steps=3, global_step=0)
    cb.on_train_begin(None, state, None)
    logs = {"loss": 0.25, "reward": 1.5, "rewards/format_reward/mean": 0.75, "kl": 0.01, "completions/mean_length": 12.0}
    for step in (1, 2, 3):
        state.global_step = step
        cb.on_step_end(None, state, None)
        cb.on_log(None, state, None, logs=logs)
    assert cb.bar.n == 3 and cb.bar.postfix == "loss=0.25, reward=1.5, format=0.75, kl=0.01"
    cb.on_train_end(None, state, None)
    out, err = capsys.readouterr()
    assert "completions/mean_length" not in out + err and "{" not in out
    rows = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3] and rows[0]["completions/mean_length"] == 12.0


def test_quiet_runs_show_no_bar(tmp_path, monkeypatch):
    monkeypatch.setenv("EMPATHY_R1_QUIET", "1")
    cb = ConsoleCallback(tmp_path / "m.jsonl", "sft")
    state = SimpleNamespace(is_world_process_zero=True, max_steps=3, global_step=0)
    cb.on_train_begin(None, state, None)
    cb.on_log(None, state, None, logs={"loss": 1.0})
    assert cb.bar is None and (tmp_path / "m.jsonl").is_file()
