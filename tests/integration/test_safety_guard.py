"""The guard model over a real OpenAI-compatible HTTP endpoint: verdicts raise, failures never block."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from empathy_r1.safety import Screener
from empathy_r1.safety.guard import openai_guard


def fake_guard() -> tuple[FastAPI, dict]:
    """A guard endpoint whose behaviour the test sets: a verdict, slow, 500 or garbage."""
    app = FastAPI()
    state = {"mode": "unsafe", "calls": 0}

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        state["calls"] += 1
        body = await request.json()
        assert body["messages"][-1]["role"] == "user"
        if state["mode"] == "slow":
            await asyncio.sleep(3)
        if state["mode"] == "error":
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if state["mode"] == "garbage":
            return PlainTextResponse("<html>not json</html>")
        text = {"unsafe": "Safety: Unsafe\nCategories: Suicide & Self-Harm", "safe": "Safety: Safe\nCategories: None"}[state["mode"]]
        message = {"role": "assistant", "content": text}
        return {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"], "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}

    return app, state


def test_guard_raises_and_failures_fall_back_to_the_rules(serve_app) -> None:
    app, state = fake_guard()
    with serve_app(app) as url:
        guard = openai_guard(f"{url}/v1", "qwen3guard", None, timeout=0.5)
        screener = Screener(guard=guard)
        calm = [{"role": "user", "content": "今天有点累"}]
        assert screener.screen_conversation(calm).level == "urgent"  # the guard raised it
        state["mode"] = "safe"
        assert screener.screen_conversation(calm).level == "none"
        assert screener.screen("我今晚就从楼顶跳下去").level == "urgent"  # a safe guard never lowers
        for mode in ("slow", "error", "garbage"):
            state["mode"] = mode
            assert screener.screen_conversation(calm).level == "none"
            assert screener.screen("我今晚就从楼顶跳下去").level == "urgent"
    assert guard.stats["calls"] == 9
    assert guard.stats["timeouts"] == 2 and guard.stats["failures"] + guard.stats["garbled"] == 4
