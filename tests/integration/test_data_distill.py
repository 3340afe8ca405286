"""``data distill`` end to end against a fake OpenAI-compatible server running in a thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from doubles import running as serve
from empathy_r1 import coe
from empathy_r1.data.synth import synthesize


def fake_teacher() -> tuple[FastAPI, list[dict]]:
    """First call: 429. Second: a reply without the CoE structure. Then valid chains."""
    app = FastAPI()
    calls: list[dict] = []

    @app.post("/v1/chat/completions")
    async def complete(request: Request):
        body = await request.json()
        calls.append(body)
        if len(calls) == 1:
            return JSONResponse(
                {"error": {"message": "slow down", "type": "rate_limit"}}, status_code=429, headers={"retry-after-ms": "10"}
            )
        if len(calls) == 2:
            content = "我理解你的感受，你辛苦了。"
        else:
            post = body["messages"][-1]["content"]
            chain = coe.Chain("核心情绪是焦虑。", "原因。", "来访者最需要的是被理解。", "倾听。", f"回复：{post[:10]}")
            content = "<think>teacher's own reasoning</think>\n" + coe.render(chain)
        return {
            "id": f"c{len(calls)}",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    return app, calls


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "empathy_r1", "data", *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


def test_distill_retries_caches_and_resumes(tmp_path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in synthesize(5, 0)), encoding="utf-8")
    out = tmp_path / "distilled.jsonl"
    app, calls = fake_teacher()
    with serve(app) as url:
        env = {"EMPATHY_TEACHER_BASE_URL": f"{url}/v1", "EMPATHY_TEACHER_MODEL": "fake-r1", "EMPATHY_TEACHER_API_KEY": "k"}
        r = run("distill", "--input", str(posts), "--output", str(out), "--n", "3", env=env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout.strip().splitlines()[-1]) == {
            "output": str(out),
            "written": 3,
            "invalid": 0,
            "from_cache": 0,
            "asked": 4,
        }
        assert len(calls) == 5  # 429, invalid, three valid
        items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [i["teacher"]["attempts"] for i in items] == [2, 1, 1]
        assert items[0]["coe"]["emotions"] == "核心情绪是焦虑。" and "teacher's own" not in items[0]["coe"]["answer"]
        assert calls[2]["messages"] == coe.prompt_messages(items[0]["post"], title=items[0]["title"])

        # Interrupted and started again (here: simply again, with more posts): finished items
        # come from the cache; only the new ones reach the teacher.
        r = run("distill", "--input", str(posts), "--output", str(out), "--n", "4", env=env)
        assert r.returncode == 0, r.stderr
        stats = json.loads(r.stdout.strip().splitlines()[-1])
        assert stats["from_cache"] == 4 and stats["asked"] == 1 and len(calls) == 6


def test_distill_needs_a_teacher(tmp_path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps(synthesize(1, 0)[0], ensure_ascii=False) + "\n", encoding="utf-8")
    env = {k: "" for k in ("EMPATHY_TEACHER_BASE_URL", "EMPATHY_TEACHER_MODEL")}
    r = run("distill", "--input", str(posts), "--output", str(tmp_path / "o.jsonl"), env=env)
    assert r.returncode == 2 and r.stderr.startswith("error: the teacher needs --base-url") and not (tmp_path / "o.jsonl").exists()
