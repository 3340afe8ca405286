"""``empathy-r1 safety screen | eval | reply`` end to end, in-process through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "empathy_r1", *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_screen_prints_one_line_per_input(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "text": "笑死了"}\n{"id": "b", "text": "我已经写好了遗书"}\n', encoding="utf-8")
    out = _cli("safety", "screen", "--input", str(f))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["id"], r["level"]) for r in rows] == [("a", "none"), ("b", "urgent")]
    assert rows[1]["categories"] == ["suicide"] and rows[1]["evidence"][0]["rule"]


def test_screen_bad_line_is_one_error_line(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "text": "好"}\n{"id": 2}\n', encoding="utf-8")
    out = _cli("safety", "screen", "--input", str(f))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == f'error: {f}:2: expected an object with a string "text" field'


def test_eval_reports_recall_and_false_urgent() -> None:
    out = _cli("safety", "eval")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["recall_urgent"] == 1.0 and report["false_urgent_rate"] < 0.05 and report["n"] >= 150


def test_reply_prints_the_help_lines() -> None:
    out = _cli("safety", "reply")
    assert "12356" in out.stdout and "010-82951332" in out.stdout
