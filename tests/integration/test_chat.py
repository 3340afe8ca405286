"""``empathy-r1 chat`` and ``serve`` on a real (tiny, random) checkpoint, plus the chat loop on a scripted backend."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from doubles import ScriptedBackend


@pytest.fixture(scope="module")
def tiny_dir(tiny_checkpoint: Path) -> Path:
    return tiny_checkpoint  # shared with the other serving tests (tests/conftest.py)


def _chat(model: Path, stdin: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "empathy_r1", "chat", "--model", str(model), "--max-new-tokens", "8"]
    return subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "100"},
    )


@pytest.mark.slow
def test_chat_streams_a_real_model_and_screens(tiny_dir: Path) -> None:
    out = _chat(tiny_dir, "最近睡不好\n我已经写好了遗书，今晚就结束这一切\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("你>") == 2
    assert "回复" in out.stdout  # the model's (gibberish) answer panel
    assert "安全提示" in out.stdout and "12356" in out.stdout and "010-82951332" in out.stdout


def test_chat_loop_on_scripted_backend(monkeypatch) -> None:
    from rich.console import Console

    from empathy_r1.cli.chat_cmd import run_chat

    monkeypatch.setattr(sys, "stdin", io.StringIO("最近睡不好\n活着好累\n我想自杀\n"))
    buf = io.StringIO()
    run_chat(ScriptedBackend(), Console(file=buf, width=100), "zh-CN", "zh", 64, 0.0, True)
    text = buf.getvalue()
    assert "L1 情绪与情境" in text and "听起来你真的很辛苦" in text  # layers (dimmed) and the answer
    assert text.count("12356") == 2  # the concern note, then the crisis reply
    assert "安全提示" in text


def test_chat_and_serve_reject_a_missing_model(tmp_path: Path) -> None:
    for verb in ("chat", "serve"):
        out = subprocess.run(
            [sys.executable, "-m", "empathy_r1", verb, "--model", str(tmp_path / "nope")], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 2 and out.stderr.strip() == f"error: {tmp_path / 'nope'}: no such directory"


@pytest.mark.slow
def test_server_on_a_real_tiny_model(tiny_dir: Path) -> None:
    import openai

    from doubles import running
    from empathy_r1.serving import PolicyBackend, create_app

    backend = PolicyBackend.load(tiny_dir, name="tiny")
    with running(create_app(backend, max_new_tokens=8)) as url:
        c = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0, timeout=60)
        resp = c.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "最近睡不好"}], temperature=0)
        assert isinstance(resp.choices[0].message.content, str) and resp.model_extra["safety"]["crisis"] is False
        chunks = list(
            c.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "最近睡不好"}], stream=True, max_tokens=8)
        )
        assert chunks[-1].choices[0].finish_reason in ("stop", "length")
