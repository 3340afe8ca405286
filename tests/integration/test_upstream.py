"""``serve --upstream``: our layer (CoE parsing, screening, crisis reply, auth) in front of an inference engine.

The real engine is ``transformers serve`` on a tiny checkpoint trained to write one CoE chain
(tests/conftest.py); a few failure modes an engine rarely shows on demand (slow, garbage, 5xx,
harmful text) come from small fake engines in this file.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from doubles import running
from empathy_r1.config import load_config
from empathy_r1.endpoints import EndpointSettings
from empathy_r1.serving import create_app
from empathy_r1.serving.upstream import UpstreamBackend

ANSWER = "听起来你真的很辛苦。愿意的话，今晚先给自己留十分钟，做一件让身体放松的小事。"  # what the CoE checkpoint learnt
USER = [{"role": "user", "content": "最近工作压力很大，睡不好"}]
CRISIS = [{"role": "user", "content": "工作很累。我已经写好了遗书，今晚就结束这一切。"}]


def gateway(url: str, model: str = "engine-model", timeout: float = 30.0, **kw):
    backend = UpstreamBackend(EndpointSettings(url, model, timeout=timeout, max_retries=0))
    return running(create_app(backend, **kw))


def client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0, timeout=60)


def fake_engine(behaviour: str, calls: list[dict]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request):
        body = await request.json()
        calls.append(body)
        if behaviour == "slow":
            await asyncio.sleep(3)
        if behaviour == "garbage":
            return PlainTextResponse("<html>502 Bad Gateway</html>")
        if behaviour == "5xx":
            return PlainTextResponse("boom", status_code=500)
        if behaviour == "too-long":
            return PlainTextResponse(json.dumps({"error": {"message": "prompt is longer than 4096 tokens"}}), status_code=400)
        text = "<empathy_think><L1>a。</L1><L2>b。</L2><L3>c。</L3><L4>d。</L4></empathy_think><answer>自杀是一种解脱。</answer>"
        if body.get("stream"):
            head = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
            events = [
                {**head, "choices": [{"index": 0, "delta": {"content": text[i : i + 9]}, "finish_reason": None}]}
                for i in range(0, len(text), 9)
            ]
            events.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
            return PlainTextResponse(sse, media_type="text/event-stream")
        message = {"role": "assistant", "content": text}
        return {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }

    return app


@pytest.mark.slow
def test_plain_streamed_and_multi_turn_coe_replies_over_transformers_serve(engine) -> None:
    with gateway(engine.url, engine.model) as url:
        c = client(url)
        r = c.chat.completions.create(model=engine.model, messages=USER, temperature=0)
        msg = r.choices[0].message
        assert msg.content == ANSWER and "【L1 情绪与情境】" in msg.reasoning_content and ANSWER not in msg.reasoning_content
        assert r.model_extra["coe"]["well_formed"] is True and r.model_extra["safety"]["crisis"] is False
        assert r.choices[0].finish_reason == "stop" and r.usage.prompt_tokens > 20 and r.usage.completion_tokens > 10

        chunks = list(c.chat.completions.create(model=engine.model, messages=USER, temperature=0, stream=True))
        kinds = [
            ("r" if (ch.choices[0].delta.model_extra or {}).get("reasoning_content") else "c")
            for ch in chunks
            if ch.choices[0].delta.content or (ch.choices[0].delta.model_extra or {}).get("reasoning_content")
        ]
        assert "".join(ch.choices[0].delta.content or "" for ch in chunks) == ANSWER
        assert kinds[0] == "r" and kinds[-1] == "c" and "".join(kinds).count("rc") == 1  # the reasoning, then the answer
        assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].usage.completion_tokens > 10

        turns = [*USER, {"role": "assistant", "content": ANSWER}, {"role": "user", "content": "谢谢，我试试看"}]
        r = c.chat.completions.create(model=engine.model, messages=turns, temperature=0, max_tokens=8)
        assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 8


@pytest.mark.slow
def test_the_engine_receives_our_prompt_and_chat_template_settings(engine) -> None:
    backend = UpstreamBackend(EndpointSettings(engine.url, engine.model, max_retries=0))
    sent: list[dict] = []
    create = backend.endpoint.async_client.chat.completions.create

    async def spy(**kw):
        sent.append(kw)
        return await create(**kw)

    backend.endpoint.async_client.chat.completions.create = spy
    with running(create_app(backend)) as url:
        client(url).chat.completions.create(model=engine.model, messages=[{"role": "system", "content": "请简短"}, *USER])
    (kw,) = sent
    assert (
        kw["messages"][0]["role"] == "system"
        and "<empathy_think>" in kw["messages"][0]["content"]
        and "请简短" in kw["messages"][0]["content"]
    )
    assert kw["messages"][1:] == USER and kw["extra_body"] == {"chat_template_kwargs": {"enable_thinking": False}}


@pytest.mark.slow
def test_killing_the_engine_gives_json_503_and_the_server_stays_up(coe_checkpoint) -> None:
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1]))
    from conftest import Engine

    own = Engine(coe_checkpoint)  # its own engine: killing the shared one would break other tests
    try:
        with gateway(own.url, own.model) as url:
            c = client(url)
            assert c.chat.completions.create(model=own.model, messages=USER, max_tokens=4).choices[0].message is not None
            own.stop()
            for stream in (False, True):
                with pytest.raises(openai.APIStatusError) as e:
                    r = c.chat.completions.create(model=own.model, messages=USER, stream=stream)
                    list(r) if stream else None
                assert e.value.status_code == 503 and e.value.body["code"] == "engine_unavailable"
            assert httpx.get(url + "/healthz").json()["status"] == "ok"
            r = c.chat.completions.create(model=own.model, messages=CRISIS)  # the crisis reply needs no engine
            assert "12356" in r.choices[0].message.content
    finally:
        own.stop()


@pytest.mark.parametrize("stream", [False, True])
def test_crisis_reply_never_calls_the_engine(stream: bool) -> None:
    calls: list[dict] = []
    with running(fake_engine("harmful", calls)) as engine_url, gateway(engine_url + "/v1") as url:
        r = client(url).chat.completions.create(model="engine-model", messages=CRISIS, stream=stream)
        content = "".join(c.choices[0].delta.content or "" for c in r) if stream else r.choices[0].message.content
        assert "12356" in content and calls == []


def test_engine_output_is_screened_like_the_local_backend() -> None:
    calls: list[dict] = []
    with running(fake_engine("harmful", calls)) as engine_url, gateway(engine_url + "/v1") as url:
        for stream in (False, True):
            r = client(url).chat.completions.create(model="engine-model", messages=[{"role": "user", "content": "好累"}], stream=stream)
            if stream:
                chunks = list(r)
                content, safety = "".join(c.choices[0].delta.content or "" for c in chunks), chunks[-1].model_extra["safety"]
            else:
                content, safety = r.choices[0].message.content, r.model_extra["safety"]
            assert "解脱" not in content and "12356" in content and safety["source"] == "output"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("behaviour", "status", "code"),
    [
        ("slow", 504, "engine_timeout"),
        ("garbage", 502, "engine_bad_response"),
        ("5xx", 502, "engine_error"),
        ("too-long", 400, "engine_rejected_request"),
    ],
)
def test_engine_failures_map_to_gateway_errors(behaviour: str, status: int, code: str) -> None:
    calls: list[dict] = []
    with running(fake_engine(behaviour, calls)) as engine_url, gateway(engine_url + "/v1", timeout=0.5) as url:
        for stream in (False, True):
            r = httpx.post(url + "/v1/chat/completions", json={"model": "engine-model", "messages": USER, "stream": stream}, timeout=30)
            assert r.status_code == status and r.json()["error"]["code"] == code, (stream, r.text)
        assert httpx.get(url + "/healthz").status_code == 200


def test_serve_cli_builds_the_gateway_from_flags_and_config(tmp_path) -> None:
    from empathy_r1.cli.serve_cmd import build
    from empathy_r1.errors import UserError

    cfg = tmp_path / "serve.yaml"
    cfg.write_text("serve:\n  upstream:\n    base_url: http://127.0.0.1:9/v1\n    model: qwen3-8b-empathy\n    timeout: 5\n")
    app = build(None, load_config(cfg), None)
    assert app.state.model_name == "qwen3-8b-empathy"
    backend = app.state.batcher.backend
    assert backend.endpoint.settings.timeout == 5.0 and backend.chat_template_kwargs == {"enable_thinking": False}
    app = build(None, load_config(cfg), None, upstream="http://127.0.0.1:10/v1", upstream_model="other")
    assert app.state.batcher.backend.endpoint.settings.base_url == "http://127.0.0.1:10/v1" and app.state.model_name == "other"
    with pytest.raises(UserError, match="cannot be reached"):
        build(None, load_config(None), None, upstream="http://127.0.0.1:9/v1")  # no model name and no engine to ask
    with pytest.raises(UserError, match="not both"):
        build(tmp_path, load_config(cfg), None)


@pytest.mark.slow
def test_eval_run_through_the_engine_scores_exactly_as_the_local_path(engine, coe_checkpoint, tmp_path, capsys, monkeypatch) -> None:
    import sys

    from empathy_r1.cli import main

    def cli(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["empathy-r1", *args])
        try:
            main()
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    sets = ["--set", "eval.n=4", "--set", "eval.max_new_tokens=64", "--set", "eval.batch_size=4"]
    common = ["eval", "run", "--data", "sample", *sets]
    code, local, err = cli(*common, "--model", str(coe_checkpoint), "--output", str(tmp_path / "local"))
    assert code == 0, err
    cache = tmp_path / "engine.cache.jsonl"
    args = [*common, "--upstream", engine.url, "--upstream-model", engine.model, "--upstream-cache", str(cache)]
    code, remote, err = cli(*args, "--output", str(tmp_path / "engine"))
    assert code == 0, err
    local, remote = json.loads(local)["metrics"], json.loads(remote)["metrics"]
    local.pop("generate_seconds"), remote.pop("generate_seconds")
    assert remote == local  # the same scoring code on the same completions
    rows = lambda d: [json.loads(x)["completion"] for x in (tmp_path / d / "predictions.jsonl").read_text().splitlines()]  # noqa: E731
    assert rows("engine") == rows("local") and all(rows("local"))  # greedy: the engine writes what the local policy writes
    assert len(cache.read_text().splitlines()) == 4
    code, _, err = cli(*common, "--model", str(coe_checkpoint), "--upstream", engine.url, "--output", str(tmp_path / "x"))
    assert code == 2 and "not both" in err
