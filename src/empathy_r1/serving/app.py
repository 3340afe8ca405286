"""The FastAPI app: OpenAI-compatible chat completions, with the CoE and crisis handling.

- ``POST /v1/chat/completions``: ``message.content`` is the answer only; the layers go to
  ``message.reasoning_content`` (as DeepSeek's API does) and a structured ``coe`` object; every
  reply carries ``safety`` (``{"level", "crisis", ...}``, help lines when it matters).
  ``stream: true`` sends Server-Sent Events: reasoning deltas in ``delta.reasoning_content``,
  answer deltas in ``delta.content``, ``safety`` and ``coe`` in the last chunk.
- ``GET /v1/models``, ``GET /healthz``, and the chat page at ``/``.

Errors use OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from importlib.resources import files
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from empathy_r1.safety import Screener
from empathy_r1.safety.inputs import InputError
from empathy_r1.safety.screen import _DEFAULT as _RULES_ONLY
from empathy_r1.serving.backends import Backend
from empathy_r1.serving.batching import MicroBatcher
from empathy_r1.serving.streaming import ReasoningStream
from empathy_r1.serving.turns import Reply, build_prompt, crisis, finish, screen_input

__all__ = ["ApiError", "create_app"]

STATIC = files("empathy_r1").joinpath("serving", "static")


class ApiError(Exception):
    """An error answered in OpenAI's format."""

    def __init__(self, status: int, message: str, type: str = "invalid_request_error", param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "developer"]
    content: str | list[dict[str, Any]]

    @field_validator("content")
    @classmethod
    def _text(cls, v: str | list[dict[str, Any]]) -> str:
        # OpenAI's content parts: only text parts mean anything here.
        if isinstance(v, list):
            return "".join(str(p.get("text", "")) for p in v if p.get("type") == "text")
        return v


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str
    messages: list[ChatMessage]
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    n: int = Field(1, ge=1, le=1)


def create_app(
    backend: Backend,
    *,
    model_name: str | None = None,
    api_key: str | None = None,
    locale: str = "zh-CN",
    language: str = "zh",
    batching: bool = True,
    max_batch_size: int = 8,
    max_wait_ms: float = 5.0,
    max_new_tokens: int = 512,
    max_request_bytes: int = 256_000,
    max_messages: int = 64,
    screener: Screener | None = None,
) -> FastAPI:
    """An app serving ``backend``. ``api_key`` set: every ``/v1`` call needs ``Authorization: Bearer KEY``.

    ``screener`` screens the whole conversation (default: the rules only; ``serve`` passes the
    configured one from ``safety.factory``: rules, detector, guard). ``batching=False`` generates each request alone.
    """
    name = model_name or backend.name
    batcher = MicroBatcher(backend, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, enabled=batching)
    app = FastAPI(title="Empathy-R1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.batcher = batcher
    app.router.add_event_handler("shutdown", batcher.close)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, e: ApiError) -> JSONResponse:
        return e.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if e.status_code == 404 else None
        return ApiError(e.status_code, str(e.detail), code=code).response()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, e: RequestValidationError) -> JSONResponse:
        return _from_validation(e.errors()).response()

    def check_key(request: Request) -> None:
        if api_key is None:
            return
        given = request.headers.get("authorization", "")
        token = given[7:].strip() if given.lower().startswith("bearer ") else ""
        if not token or not hmac.compare_digest(token.encode(), api_key.encode()):
            raise ApiError(401, "Incorrect or missing API key: send 'Authorization: Bearer <key>'.", code="invalid_api_key")

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        out = {"status": "ok", "model": name, "batching": batcher.stats | {"enabled": batcher.enabled}}
        guard = getattr(screener, "guard", None)
        if guard is not None:
            out["guard"] = {"name": guard.name, **guard.stats}  # calls, failures, timeouts, garbled, verdicts
        return out

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        check_key(request)
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "empathy-r1"}]}

    @app.get("/")
    async def page() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("index.html")), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        check_key(request)
        req = await _read_request(request, max_request_bytes)
        if req.model != name:
            raise ApiError(
                404, f"The model '{req.model}' does not exist; this server serves '{name}'.", param="model", code="model_not_found"
            )
        if not req.messages:
            raise ApiError(400, "'messages' must be a non-empty list.", param="messages", code="empty_messages")
        if len(req.messages) > max_messages:
            raise ApiError(400, f"At most {max_messages} messages per request.", param="messages")
        messages = [{"role": "system" if m.role == "developer" else m.role, "content": m.content} for m in req.messages]
        if messages[-1]["role"] != "user":
            raise ApiError(400, "The last message must come from the user.", param="messages")
        budget = min(req.max_completion_tokens or req.max_tokens or max_new_tokens, max_new_tokens)
        try:
            # In a worker thread: a guard model may take up to its timeout, which must not stall other requests.
            screening = await asyncio.to_thread(screen_input, messages, screener or _RULES_ONLY)
        except InputError as e:
            raise ApiError(400, f"{e}.", param="messages", code="invalid_content") from None
        prompt = build_prompt(messages, language)
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if req.stream:
            events = _stream(backend, prompt, screening, budget, req, locale, language, cid, created, name)
            return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        if screening.level == "urgent":
            reply = crisis(screening, locale, source="input")
        else:
            future = batcher.submit(prompt, budget, req.temperature, req.top_p)
            completion = await asyncio.wrap_future(future)
            reply = finish(completion, screening, locale, language)
        return _completion_body(reply, cid, created, name)

    return app


async def _read_request(request: Request, limit: int) -> ChatRequest:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"Request body is larger than {limit} bytes.", code="request_too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"Request body is larger than {limit} bytes.", code="request_too_large")
    try:
        raw = json.loads(bytes(body) or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApiError(400, f"The request body is not valid JSON: {e}.", code="invalid_json") from None
    if not isinstance(raw, dict):
        raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
    try:
        return ChatRequest.model_validate(raw)
    except ValidationError as e:
        raise _from_validation(e.errors()) from None


def _from_validation(errors: list[Any]) -> ApiError:
    first = errors[0] if errors else {}
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return ApiError(400, f"Invalid value for '{loc}': {first.get('msg', 'invalid request')}.", param=loc or None)


def _completion_body(reply: Reply, cid: str, created: int, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.reasoning_content:
        message["reasoning_content"] = reply.reasoning_content
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        "coe": reply.coe,
        "safety": reply.safety,
    }


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _stream(backend, prompt, screening, budget, req, locale, language, cid, created, model) -> Iterator[str]:
    """SSE events; a sync generator, so Starlette runs it in a worker thread (generation blocks)."""
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    if screening.level == "urgent":
        reply = crisis(screening, locale, source="input")
    else:
        reasoning = ReasoningStream(language)
        for piece in backend.stream(prompt, budget, req.temperature, req.top_p):
            delta = reasoning.feed(piece)
            if delta:
                yield _chunk(cid, created, model, {"reasoning_content": delta})
        delta = reasoning.close()
        if delta:
            yield _chunk(cid, created, model, {"reasoning_content": delta})
        reply = finish(reasoning.raw, screening, locale, language)
    # The answer leaves only now, screened whole; in pieces so clients render it as a stream.
    for i in range(0, len(reply.content), 16):
        yield _chunk(cid, created, model, {"content": reply.content[i : i + 16]})
    yield _chunk(cid, created, model, {}, reply.finish_reason, safety=reply.safety, coe=reply.coe)
    yield "data: [DONE]\n\n"
