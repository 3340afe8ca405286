"""The terminal chat screens the whole conversation and stays in crisis handling once urgent."""

from __future__ import annotations

import io
import sys

from doubles import ScriptedBackend
from empathy_r1.safety import Screener


def test_chat_adds_up_turns_and_stays_in_crisis_handling(monkeypatch) -> None:
    from rich.console import Console

    from empathy_r1.cli.chat_cmd import run_chat

    monkeypatch.setattr(sys, "stdin", io.StringIO("我有好多安眠药。\n打算今晚。\n都吃掉。\n谢谢\n"))
    buf = io.StringIO()
    backend = ScriptedBackend()
    run_chat(backend, Console(file=buf, width=100), "zh-CN", "zh", 64, 0.0, False, Screener())
    text = buf.getvalue()
    # The pills alone get the model; with 打算今晚 the conversation is urgent, and it stays so.
    assert text.count("听起来你真的很辛苦") == 1
    assert text.count("安全提示") == 3 and text.count("12356") == 3
