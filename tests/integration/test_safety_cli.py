"""``empathy-r1 safety screen | eval | reply`` end to end, in-process through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


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
    assert out.stderr.strip() == f'error: {f}:2: expected {{"id", "text"}} or {{"id", "messages": [{{"role", "content"}}, ...]}}'


def test_screen_reads_conversations_whole(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    turns = [{"role": "user", "content": t} for t in ("我有好多安眠药。", "打算今晚。", "都吃掉。")]
    f.write_text(json.dumps({"id": "c", "messages": turns}, ensure_ascii=False) + "\n" + json.dumps({"id": "t", "text": "都吃掉。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = _cli("safety", "screen", "--input", str(f))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["c", "t"] and rows[0]["level"] == "urgent" and rows[1]["level"] == "none"
    assert {"message", "dimension"} <= set(rows[0]["evidence"][0])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1, "messages": [{"role": "assistant", "content": "hi"}]}', "the conversation has no user turn"),
        ('{"id": 1, "messages": [{"role": "user", "content": ""}]}', "messages[0].content is empty"),
        ('{"id": 1, "messages": [{"role": "user", "content": 5}]}', "messages[0].content must be a string, got int"),
        ('{"id": 1, "text": "\\ud800"}', "text holds a lone surrogate (U+D800) at character 0"),
        ('{"id": 1, "text": "' + "好" * 100_000 + '"}', "text has 100,000 characters; the limit is 32,000"),
        ('{"id": 1, "text": ' + "[" * 100_000 + "]" * 100_000 + "}", "JSON nested too deeply"),
    ],
    ids=["no-user-turn", "empty", "non-string", "surrogate", "100k", "deep"],
)
def test_bad_conversations_are_one_error_line(tmp_path: Path, line: str, message: str) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "ok", "text": "好"}\n' + line + "\n", encoding="utf-8")
    out = _cli("safety", "screen", "--input", str(f))
    assert out.returncode == 2 and out.stdout == "", out.stderr[-300:]
    assert out.stderr.strip() == f"error: {f}:2: {message}"


def test_eval_reports_recall_and_false_urgent() -> None:
    out = _cli("safety", "eval")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["recall_urgent"] == 1.0 and report["false_urgent_rate"] < 0.05 and report["n"] >= 150


def test_reply_prints_the_help_lines() -> None:
    out = _cli("safety", "reply")
    assert "12356" in out.stdout and "010-82951332" in out.stdout
