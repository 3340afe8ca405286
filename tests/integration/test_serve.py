"""The server against the official ``openai`` client, on a real socket (uvicorn in a thread)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest

from doubles import ScriptedBackend, running
from empathy_r1 import coe
from empathy_r1.serving import MicroBatcher, create_app

ANSWER = "听起来你真的很辛苦。愿意的话，今晚先给自己留十分钟，做一件让身体放松的小事。"
NAME = "scripted-test-backend"


@pytest.fixture(scope="module")
def backend() -> ScriptedBackend:
    return ScriptedBackend()


@pytest.fixture(scope="module")
def server(backend: ScriptedBackend):
    with running(create_app(backend, api_key="sk-test", max_request_bytes=4096)) as url:
        yield url


@pytest.fixture
def client(server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=server + "/v1", api_key="sk-test", max_retries=0, timeout=30)


def test_plain_reply_has_answer_reasoning_and_coe(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(model=NAME, messages=[{"role": "user", "content": "最近工作压力很大，睡不好"}])
    msg = resp.choices[0].message
    assert msg.content == ANSWER  # the answer only, never the layers
    assert "L1" in msg.reasoning_content and "L4" in msg.reasoning_content and ANSWER not in msg.reasoning_content
    extra = resp.model_extra
    assert extra["coe"]["well_formed"] is True and extra["coe"]["intent"]
    assert extra["safety"] == {"level": "none", "crisis": False, "categories": []}


def test_streamed_reply_separates_reasoning_and_answer(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(model=NAME, messages=[{"role": "user", "content": "最近睡不好"}], stream=True)
    content, reasoning, last = [], [], None
    for chunk in stream:
        delta = chunk.choices[0].delta
        content.append(delta.content or "")
        reasoning.append((delta.model_extra or {}).get("reasoning_content") or "")
        last = chunk
    assert "".join(content) == ANSWER
    assert "【L1 情绪与情境】" in "".join(reasoning) and ANSWER not in "".join(reasoning)
    assert last.choices[0].finish_reason == "stop" and last.model_extra["safety"]["crisis"] is False


@pytest.mark.parametrize("stream", [False, True])
def test_crisis_reply_is_fixed_with_help_lines_and_no_model_call(client: openai.OpenAI, backend: ScriptedBackend, stream: bool) -> None:
    calls = len(backend.calls)
    messages = [{"role": "user", "content": "工作很累。我已经写好了遗书，今晚就结束这一切。"}]
    if stream:
        chunks = list(client.chat.completions.create(model=NAME, messages=messages, stream=True))
        content = "".join(c.choices[0].delta.content or "" for c in chunks)
        safety = chunks[-1].model_extra["safety"]
        assert not any((c.choices[0].delta.model_extra or {}).get("reasoning_content") for c in chunks)
    else:
        resp = client.chat.completions.create(model=NAME, messages=messages)
        content, safety = resp.choices[0].message.content, resp.model_extra["safety"]
        assert resp.model_extra["coe"] is None
    assert "12356" in content and "010-82951332" in content
    assert safety["crisis"] is True and safety["level"] == "urgent" and safety["source"] == "input"
    assert {h["number"] for h in safety["help_lines"]} >= {"12356", "010-82951332", "110 / 120"}
    assert len(backend.calls) == calls


def test_concern_gets_the_answer_and_a_help_line(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(model=NAME, messages=[{"role": "user", "content": "活着好累，每天都不知道意义在哪里"}])
    assert resp.choices[0].message.content.startswith(ANSWER) and "12356" in resp.choices[0].message.content
    assert resp.model_extra["safety"]["level"] == "concern" and resp.model_extra["safety"]["crisis"] is False


def test_harmful_model_output_is_replaced() -> None:
    bad = ScriptedBackend(lambda m: coe.render(coe.Chain("a。", "b。", "c。", "d。", "自杀是一种解脱。")))
    with running(create_app(bad)) as url:
        c = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)
        for stream in (False, True):
            if stream:
                chunks = list(c.chat.completions.create(model=NAME, messages=[{"role": "user", "content": "好累"}], stream=True))
                content, safety = "".join(x.choices[0].delta.content or "" for x in chunks), chunks[-1].model_extra["safety"]
            else:
                resp = c.chat.completions.create(model=NAME, messages=[{"role": "user", "content": "好累"}])
                content, safety = resp.choices[0].message.content, resp.model_extra["safety"]
            assert "解脱" not in content and "12356" in content
            assert safety["crisis"] is True and safety["source"] == "output"


def test_errors_in_openai_shape(client: openai.OpenAI, server: str) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=NAME, messages=[])
    assert e.value.status_code == 400 and e.value.body["code"] == "empty_messages"
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server + "/v1", api_key="wrong", max_retries=0).models.list()
    auth = {"Authorization": "Bearer sk-test"}
    r = httpx.post(server + "/v1/chat/completions", content=b"{not json", headers=auth)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = httpx.post(server + "/v1/chat/completions", json={"model": NAME, "messages": [{"role": "user"}]}, headers=auth)
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages.0.content"
    r = httpx.post(
        server + "/v1/chat/completions", json={"model": NAME, "messages": [{"role": "user", "content": "长" * 5000}]}, headers=auth
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"
    r = httpx.post(server + "/v1/chat/completions", json={"model": NAME, "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"


def test_models_and_health(client: openai.OpenAI, server: str) -> None:
    assert [m.id for m in client.models.list()] == [NAME]
    assert httpx.get(server + "/healthz").json()["status"] == "ok"  # no key needed for health


def test_concurrent_requests_are_batched() -> None:
    backend = ScriptedBackend()
    with running(create_app(backend, max_wait_ms=300, max_batch_size=8)) as url:
        c = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)
        ask = lambda i: c.chat.completions.create(model=NAME, messages=[{"role": "user", "content": f"第{i}个问题"}])  # noqa: E731
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(ask, range(4)))
    assert all(r.choices[0].message.content == ANSWER for r in replies)
    assert max(backend.calls) >= 2 and sum(backend.calls) == 4


def test_micro_batcher_collects_what_arrives_while_busy() -> None:
    gate, started = threading.Event(), threading.Event()

    class Slow(ScriptedBackend):
        def generate(self, batch, *args):
            started.set()
            gate.wait(10)
            return super().generate(batch, *args)

    slow = Slow()
    batcher = MicroBatcher(slow, max_batch_size=8, max_wait_ms=0)
    first = batcher.submit([{"role": "user", "content": "0"}], 8, 0.0, 1.0)
    started.wait(10)  # the worker is inside generate with a batch of one
    rest = [batcher.submit([{"role": "user", "content": str(i)}], 8, 0.0, 1.0) for i in range(1, 4)]
    gate.set()
    assert [f.result(10) for f in [first, *rest]] and slow.calls == [1, 3]
    off = MicroBatcher(ScriptedBackend(), enabled=False)
    assert off.max_batch_size == 1
    batcher.close()


def test_reasoning_stream_handles_split_tags_and_blocks_harm() -> None:
    from empathy_r1.serving.streaming import ReasoningStream

    text = coe.render(coe.Chain("很累。", "压力大。", "想被理解。", "先共情。", ANSWER))
    stream = ReasoningStream()
    shown = "".join(stream.feed(ch) for ch in text) + stream.close()  # one character at a time
    assert "【L1 情绪与情境】" in shown and "很累。" in shown and "<" not in shown and ANSWER not in shown
    bad = ReasoningStream()
    harmful = coe.render(coe.Chain("很累。", "吃30片就会死。", "c。", "d。", "e"))
    shown = "".join(bad.feed(ch) for ch in harmful) + bad.close()
    assert "30片" not in shown and bad.blocked
