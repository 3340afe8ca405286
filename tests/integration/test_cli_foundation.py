"""The foundation verbs, run as a user runs them: a subprocess, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from empathy_r1 import coe
from empathy_r1.coe import Chain


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "empathy_r1", *args], capture_output=True, text=True, input=stdin, timeout=120)


def test_config_check_ok_and_errors(tmp_path):
    ok = run("config", "check", "configs/tiny.yaml")
    assert ok.returncode == 0 and "ok: configs/tiny.yaml" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("grpo:\n  num_generations: 1\n", encoding="utf-8")
    r = run("config", "check", str(bad))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"error: {bad}:2: grpo.num_generations must be at least 2 (advantages need a group)"]
    assert "Traceback" not in r.stderr
    r = run("config", "check", "configs/tiny.yaml", "--set", "grpo.nope=1")
    assert r.returncode == 2 and r.stderr.startswith("error: <override>: unknown key 'grpo.nope'")
    r = run("config", "check", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and r.stderr.strip() == f"error: {tmp_path / 'missing.yaml'}: no such file"


def test_config_show_prints_resolved_yaml():
    r = run("config", "show", "configs/tiny.yaml", "--set", "grpo.max_steps=3")
    assert r.returncode == 0 and "max_steps: 3" in r.stdout


def test_coe_check(tmp_path):
    good = coe.render(Chain("a", "b", "c", "d", "e"))
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps({"completion": good}) + "\n" + json.dumps({"completion": "no"}) + "\n", encoding="utf-8")
    r = run("coe", "check", str(f))
    assert r.returncode == 0
    assert json.loads(r.stdout.strip().splitlines()[-1])["chain"] == 0.5
    f.write_text("{broken\n", encoding="utf-8")
    r = run("coe", "check", str(f))
    assert r.returncode == 2 and r.stderr.startswith(f"error: {f}:1: invalid JSON")


def test_unknown_verb_is_a_clean_error():
    r = run("nosuchverb")
    assert r.returncode == 2 and "Traceback" not in r.stderr
