"""The one endpoint client: settings from a config section and flags, key from the environment, the response cache."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from empathy_r1.config import load_config
from empathy_r1.endpoints import Endpoint, EndpointSettings, failure_message, settings_from
from empathy_r1.errors import UserError


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **kw):
        self.calls.append(kw)
        return SimpleNamespace(choices=[SimpleNamespace(message=SimpleNamespace(content=f"reply {len(self.calls)}"))])


def test_cache_replays_and_survives_a_cut_line(tmp_path) -> None:
    s = EndpointSettings("http://127.0.0.1:9/v1", "m", cache=str(tmp_path / "c.jsonl"))
    fake = FakeClient()
    e = Endpoint(s, client=fake)
    msgs = [{"role": "user", "content": "你好"}]
    assert e.chat(msgs, temperature=0.0) == "reply 1" and e.chat(msgs, temperature=0.0) == "reply 1"
    assert e.chat(msgs, temperature=0.5) == "reply 2" and len(fake.calls) == 2
    with (tmp_path / "c.jsonl").open("a") as f:
        f.write('{"key": "cut sho')  # an interrupted write
    again = Endpoint(s, client=FakeClient())
    assert again.chat(msgs, temperature=0.0) == "reply 1" and again.chat(msgs, temperature=0.5) == "reply 2"


def test_key_comes_from_the_environment_and_flags_override_the_config(tmp_path, monkeypatch) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("serve:\n  upstream:\n    base_url: http://127.0.0.1:8001/v1\n    api_key_env: MY_KEY\n    timeout: 5\n")
    section = load_config(cfg).serve.upstream
    monkeypatch.setenv("MY_KEY", "sk-1")
    assert section.api_key() == "sk-1" and EndpointSettings("http://x/v1").api_key() == "EMPTY"
    merged = settings_from(section, model="qwen3-8b", timeout=None, max_retries=0)
    assert (merged.base_url, merged.model, merged.timeout, merged.max_retries) == ("http://127.0.0.1:8001/v1", "qwen3-8b", 5.0, 0)
    with pytest.raises(UserError, match="base_url"):
        settings_from(None, base_url="127.0.0.1:8001")
    cfg.write_text("serve:\n  upstream:\n    timeout: -1\n")
    with pytest.raises(UserError, match=r"c.yaml:\d+: serve.upstream: timeout must be positive"):
        load_config(cfg)


def test_failure_messages_are_one_line() -> None:
    import httpx
    import openai

    s = EndpointSettings("http://127.0.0.1:9/v1", "m", api_key_env="K")
    req = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    assert "cannot be reached" in failure_message(openai.APIConnectionError(request=req), s)
    auth = openai.AuthenticationError("no", response=httpx.Response(401, request=req), body=None)
    assert "rejected the API key (key from $K)" in failure_message(auth, s)
    assert failure_message(ValueError("x"), s) is None
