"""The FastAPI app: OpenAI-compatible chat completions, with the CoE and crisis handling.

- ``POST /v1/chat/completions``: ``message.content`` is the answer only; the layers go to
  ``message.reasoning_content`` (as DeepSeek's API does) and a structured ``coe`` object; every
  reply carries ``safety`` (``{"level", "crisis", ...}``, help lines when it matters).
  ``stream: true`` sends Server-Sent Events: reasoning deltas in ``delta.reasoning_content``,
  answer deltas in ``delta.content``, ``safety`` and ``coe`` in the last chunk.
- ``GET /v1/models``, ``GET /healthz``, and the chat page at ``/``.

Errors use OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``, every one of them:
a catch-all handler answers anything unexpected with a JSON 500 and no traceback, and a stream
that fails after it started ends with an ``{"error": ...}`` event.

Every request is checked before it joins a batch (strict JSON types, no lone surrogates, no
absurd nesting, a prompt the backend can encode), so a bad request gets its 400 alone; a batch
that still fails is retried one request at a time by the micro-batcher.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import queue
import time
import uuid
from collections.abc import Iterator
from importlib.resources import files
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from empathy_r1.safety import Screener, Screening
from empathy_r1.safety.inputs import InputError
from empathy_r1.safety.screen import _DEFAULT as _RULES_ONLY
from empathy_r1.serving.backends import Backend, BackendError, Completion, as_completion
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

    @property
    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        # ASCII-escaped: a message that quotes a client's broken text (a lone surrogate) still encodes.
        return _AsciiJSON(self.body, status_code=self.status)

    @classmethod
    def of_backend(cls, e: BackendError) -> ApiError:
        return cls(e.status, e.message, type="server_error" if e.status >= 500 else "invalid_request_error", code=e.code)


class _AsciiJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


MAX_DEPTH = 32
"""Deepest JSON nesting a request may have (a chat request needs about five)."""
MAX_STOP = 4


class ChatMessage(BaseModel):
    # strict: "stream": "yes" or "max_tokens": "8" is a 400, not silently coerced.
    model_config = ConfigDict(extra="ignore", strict=True)
    role: Literal["system", "user", "assistant", "developer"]
    content: str | list[dict[str, Any]] | None

    @field_validator("content")
    @classmethod
    def _text(cls, v: str | list[dict[str, Any]] | None) -> str:
        # OpenAI's content parts: only text parts mean anything here.
        if v is None:
            return ""
        if isinstance(v, list):
            parts = [p.get("text") for p in v if p.get("type") == "text"]
            if not all(isinstance(p, str) for p in parts):
                raise ValueError("a text part's 'text' must be a string")
            return "".join(parts)
        return v


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    include_usage: bool = False


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    model: str
    messages: list[ChatMessage]
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    n: int = Field(1, ge=1, le=1)
    stop: str | list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _nulls(cls, data: Any) -> Any:
        # Some clients send null for "not set": that means the default, not an error.
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data

    @field_validator("stop")
    @classmethod
    def _stop(cls, v: str | list[str] | None) -> list[str]:
        stops = [v] if isinstance(v, str) else list(v or [])
        if len(stops) > MAX_STOP or any(not s for s in stops):
            raise ValueError(f"'stop' takes at most {MAX_STOP} non-empty strings")
        return stops


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
    configured one from ``safety.factory``: rules, detector, guard). ``batching=False`` generates
    each request alone. A backend whose ``self_batching`` is true (an engine that batches on its
    own) is called once per request, concurrently, instead of through the micro-batcher.
    """
    name = model_name or backend.name
    batcher = MicroBatcher(backend, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, enabled=batching)
    direct = bool(getattr(backend, "self_batching", False))
    app = FastAPI(title="Empathy-R1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.batcher = batcher
    app.state.model_name = name
    app.router.add_event_handler("shutdown", batcher.close)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, e: ApiError) -> JSONResponse:
        return e.response()

    @app.exception_handler(BackendError)
    async def _backend_error(_: Request, e: BackendError) -> JSONResponse:
        return ApiError.of_backend(e).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if e.status_code == 404 else "method_not_allowed" if e.status_code == 405 else None
        return ApiError(e.status_code, str(e.detail), code=code).response()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, e: RequestValidationError) -> JSONResponse:
        return _from_validation(e.errors()).response()

    @app.exception_handler(Exception)
    async def _internal_error(_: Request, e: Exception) -> JSONResponse:
        # The catch-all: whatever went wrong, the client gets OpenAI's shape and no traceback.
        return _internal(e).response()

    def check_key(request: Request) -> None:
        if api_key is None:
            return
        given = request.headers.get("authorization", "")
        token = given[7:].strip() if given.lower().startswith("bearer ") else ""
        if not token or not hmac.compare_digest(token.encode("utf-8", "replace"), api_key.encode()):
            raise ApiError(401, "Incorrect or missing API key: send 'Authorization: Bearer <key>'.", code="invalid_api_key")

    # HEAD wherever GET is (monitors and curl -I use it).
    @app.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz() -> dict[str, Any]:
        out = {"status": "ok", "model": name, "batching": batcher.stats | {"enabled": batcher.enabled and not direct}}
        guard = getattr(screener, "guard", None)
        if guard is not None:
            out["guard"] = {"name": guard.name, **guard.stats}  # calls, failures, timeouts, garbled, verdicts
        return out

    @app.api_route("/v1/models", methods=["GET", "HEAD"])
    async def models(request: Request) -> dict[str, Any]:
        check_key(request)
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "empathy-r1"}]}

    @app.api_route("/", methods=["GET", "HEAD"])
    async def page() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("index.html")), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    async def prepare(req: ChatRequest) -> tuple[list[dict[str, str]], Screening, list[dict[str, str]], int]:
        """Everything that can fail because of the request, before any generation starts."""
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
        check = getattr(backend, "check", None)
        if screening.level != "urgent" and check is not None:
            try:
                check(prompt)
            except ValueError as e:
                raise ApiError(400, f"The messages cannot be used as a prompt: {e}.", param="messages", code="invalid_content") from None
        return messages, screening, prompt, budget

    async def generate(prompt: list[dict[str, str]], budget: int, req: ChatRequest) -> Completion:
        if direct and hasattr(backend, "agenerate"):
            return await backend.agenerate(prompt, budget, req.temperature, req.top_p)
        if direct:
            results = await asyncio.to_thread(backend.generate, [prompt], budget, req.temperature, req.top_p)
            return as_completion(results[0])
        return await asyncio.wrap_future(batcher.submit(prompt, budget, req.temperature, req.top_p))

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        check_key(request)
        req = await _read_request(request, max_request_bytes)
        _, screening, prompt, budget = await prepare(req)
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if req.stream:
            pieces: Iterator[str | Completion] = iter(())
            if screening.level != "urgent":
                # Start generating before the 200 goes out: an engine that is down or a prompt that
                # fails is still an HTTP error status, not a stream that breaks off.
                if batcher.enabled and not direct and getattr(backend, "batch_streaming", False):
                    pieces = _batched_stream(batcher, prompt, budget, req)  # streamed requests join the batches too
                else:
                    pieces = iter(backend.stream(prompt, budget, req.temperature, req.top_p))
                first = await asyncio.to_thread(next, pieces, None)
                pieces = itertools.chain([] if first is None else [first], pieces)
            events = _stream(pieces, screening, req, locale, language, cid, created, name)
            return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        usage = Completion("")
        if screening.level == "urgent":
            reply = crisis(screening, locale, source="input")
        else:
            completion = await generate(prompt, budget, req)
            reply = finish(completion.text, screening, locale, language, completion.finish_reason == "length", req.stop)
            usage = completion
        return _completion_body(reply, cid, created, name, usage)

    return app


_END = object()


def _batched_stream(batcher: MicroBatcher, prompt: list[dict[str, str]], budget: int, req: ChatRequest) -> Iterator[str | Completion]:
    """A streamed request through the micro-batcher: its pieces as its batch generates them, then its Completion."""
    pieces: queue.SimpleQueue[Any] = queue.SimpleQueue()
    future = batcher.submit(prompt, budget, req.temperature, req.top_p, on_text=pieces.put)
    future.add_done_callback(lambda _: pieces.put(_END))
    while (piece := pieces.get()) is not _END:
        yield piece
    yield future.result()  # the Completion, or the batch's failure


def _internal(e: BaseException) -> ApiError:
    if isinstance(e, BackendError):
        return ApiError.of_backend(e)
    if isinstance(e, ApiError):
        return e
    return ApiError(500, f"The server failed while answering ({type(e).__name__}).", type="server_error", code="internal_error")


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
    except RecursionError:
        raise ApiError(400, f"The request body nests deeper than {MAX_DEPTH} levels.", code="invalid_json") from None
    if not isinstance(raw, dict):
        raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
    _check_json(raw)
    try:
        return ChatRequest.model_validate(raw)
    except ValidationError as e:
        raise _from_validation(e.errors()) from None


def _check_json(raw: Any) -> None:
    """No nesting deeper than ``MAX_DEPTH`` and no lone surrogates in any string (keys included).

    JSON allows ``"\\ud800"``; UTF-8 cannot encode it, so a tokenizer (or our own reply) would
    fail on it later, inside a batch. Iterative, so that depth itself cannot break the check.
    """
    todo: list[tuple[Any, str, int]] = [(raw, "", 0)]
    while todo:
        node, path, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise ApiError(400, f"The request body nests deeper than {MAX_DEPTH} levels.", param=path or None, code="invalid_json")
        if isinstance(node, str):
            if not _encodable(node):
                raise ApiError(
                    400,
                    f"Invalid value for '{path}': the text holds a lone surrogate (not valid Unicode).",
                    param=path or None,
                    code="invalid_unicode",
                )
        elif isinstance(node, dict):
            for k, v in node.items():
                if not _encodable(k):
                    raise ApiError(
                        400, "A key of the request holds a lone surrogate (not valid Unicode).", param=path or None, code="invalid_unicode"
                    )
                todo.append((v, f"{path}.{k}" if path else k, depth + 1))
        elif isinstance(node, list):
            todo.extend((v, f"{path}.{i}", depth + 1) for i, v in enumerate(node))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _from_validation(errors: list[Any]) -> ApiError:
    first = errors[0] if errors else {}
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return ApiError(400, f"Invalid value for '{loc}': {msg}.", param=loc or None)


def _usage(c: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": c.prompt_tokens,
        "completion_tokens": c.completion_tokens,
        "total_tokens": c.prompt_tokens + c.completion_tokens,
    }


def _completion_body(reply: Reply, cid: str, created: int, model: str, usage: Completion) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.reasoning_content:
        message["reasoning_content"] = reply.reasoning_content
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        "usage": _usage(usage),
        "coe": reply.coe,
        "safety": reply.safety,
    }


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any] | None, finish_reason: str | None = None, **extra: Any) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices, **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _stream(pieces, screening, req, locale, language, cid, created, model) -> Iterator[str]:
    """SSE events; a sync generator, so Starlette runs it in a worker thread (generation blocks).

    Once the 200 and the first event are out, a failure can only be told in the stream: it ends
    with one ``{"error": ...}`` event (the openai client raises it as an ``APIError``).
    """
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    try:
        usage = Completion("")
        if screening.level == "urgent":
            reply = crisis(screening, locale, source="input")
        else:
            reasoning = ReasoningStream(language)
            for delta in reasoning.drain(pieces):
                yield _chunk(cid, created, model, {"reasoning_content": delta})
            if isinstance(reasoning.summary, Completion):
                usage = reasoning.summary
            reply = finish(reasoning.raw, screening, locale, language, usage.finish_reason == "length", req.stop)
    except Exception as e:
        yield f"data: {json.dumps(_internal(e).body, ensure_ascii=True)}\n\n"
        return
    # The answer leaves only now, screened whole; in pieces so clients render it as a stream.
    for i in range(0, len(reply.content), 16):
        yield _chunk(cid, created, model, {"content": reply.content[i : i + 16]})
    yield _chunk(cid, created, model, {}, reply.finish_reason, safety=reply.safety, coe=reply.coe, usage=_usage(usage))
    if req.stream_options is not None and req.stream_options.include_usage:
        yield _chunk(cid, created, model, None, usage=_usage(usage))
    yield "data: [DONE]\n\n"
