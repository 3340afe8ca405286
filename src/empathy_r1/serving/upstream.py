"""The server in front of an inference engine: vLLM, SGLang, llama.cpp's server, ``transformers serve``.

The engine does what engines are good at (batching, paged attention, tensor parallelism) and
returns the raw completion; everything Empathy-R1 adds stays in our layer, unchanged: the CoE
system prompt goes out with the conversation, the completion comes back and is parsed into
``reasoning_content`` and the answer, input and output are screened, and a crisis reply never
reaches the engine at all (the app decides that before any backend is called).

The engine is asked with the chat-template settings the policy was trained with: for Qwen3,
``chat_template_kwargs: {"enable_thinking": false}`` (vLLM, SGLang and ``transformers serve``
accept it), so the template pre-fills an empty ``<think>`` block and the model writes CoE tags.

Engine failures become :class:`BackendError` with the status a gateway should answer:
unreachable 503, rate-limited 503, timed out 504, a 5xx or a reply that is not a chat
completion 502, a 400 (say, a prompt longer than its context) 400 with the engine's reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from empathy_r1.endpoints import Endpoint, EndpointSettings
from empathy_r1.generation import Completion
from empathy_r1.serving.backends import BackendError, Messages

__all__ = ["UpstreamBackend", "engine_error"]


class UpstreamBackend:
    """Generates through an OpenAI-compatible engine; one engine request per chat request."""

    self_batching = True
    """The engine batches on its own: the app calls ``generate`` per request, concurrently."""

    def __init__(
        self, endpoint: Endpoint | EndpointSettings, name: str | None = None, chat_template_kwargs: dict[str, Any] | None = None
    ) -> None:
        self.endpoint = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
        self.chat_template_kwargs = {"enable_thinking": False} if chat_template_kwargs is None else dict(chat_template_kwargs)
        self.name = name or self.endpoint.settings.model
        """The model name our clients use; the engine's model name by default."""

    @property
    def model(self) -> str:
        try:
            return self.endpoint.model
        except Exception as e:
            raise engine_error(e, self.endpoint.settings) from None

    def _params(self, max_new_tokens: int, temperature: float, top_p: float) -> dict[str, Any]:
        extra = {"chat_template_kwargs": self.chat_template_kwargs} if self.chat_template_kwargs else {}
        return {"model": self.model, "max_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p, "extra_body": extra}

    def generate(self, messages_batch: Sequence[Messages], max_new_tokens: int, temperature: float, top_p: float) -> list[Completion]:
        return [self._one(m, max_new_tokens, temperature, top_p) for m in messages_batch]

    def _one(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Completion:
        try:
            resp = self.endpoint.client.chat.completions.create(messages=messages, **self._params(max_new_tokens, temperature, top_p))
            return _completion(resp)
        except BackendError:
            raise
        except Exception as e:
            raise engine_error(e, self.endpoint.settings) from None

    async def agenerate(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Completion:
        """One completion without holding a thread: the app awaits this for plain requests."""
        try:
            params = self._params(max_new_tokens, temperature, top_p)
            resp = await self.endpoint.async_client.chat.completions.create(messages=messages, **params)
            return _completion(resp)
        except BackendError:
            raise
        except Exception as e:
            raise engine_error(e, self.endpoint.settings) from None

    def stream(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Iterator[str | Completion]:
        """Text pieces as the engine sends them, then one :class:`Completion` (finish reason, usage)."""
        try:
            events = self.endpoint.client.chat.completions.create(
                messages=messages, stream=True, stream_options={"include_usage": True}, **self._params(max_new_tokens, temperature, top_p)
            )
        except BackendError:
            raise
        except Exception as e:
            raise engine_error(e, self.endpoint.settings) from None
        pieces: list[str] = []
        finish, usage, chunks = "stop", None, 0
        try:
            for chunk in events:
                chunks += 1
                usage = getattr(chunk, "usage", None) or usage
                for choice in chunk.choices or []:
                    piece = getattr(choice.delta, "content", None)
                    if piece:
                        pieces.append(piece)
                        yield piece
                    if choice.finish_reason:
                        finish = choice.finish_reason
            if not chunks:
                raise TypeError("an empty event stream")
        except BackendError:
            raise
        except Exception as e:
            raise engine_error(e, self.endpoint.settings) from None
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # a client that went away must not keep the engine generating
        yield Completion(
            "".join(pieces).strip(),
            "length" if finish == "length" else "stop",
            int(getattr(usage, "prompt_tokens", 0) or 0),
            int(getattr(usage, "completion_tokens", 0) or 0),
        )


def _completion(resp: Any) -> Completion:
    choice = resp.choices[0]
    text = choice.message.content
    if not isinstance(text, str):
        raise TypeError("no message content")
    usage = getattr(resp, "usage", None)
    return Completion(
        text.strip(),
        "length" if choice.finish_reason == "length" else "stop",
        int(getattr(usage, "prompt_tokens", 0) or 0),
        int(getattr(usage, "completion_tokens", 0) or 0),
    )


def engine_error(e: BaseException, settings: EndpointSettings) -> BackendError:
    """The gateway's answer to an engine failure (never the engine's traceback or key)."""
    import openai

    where = "the inference engine"
    if isinstance(e, openai.APITimeoutError):
        return BackendError(504, f"{where} did not answer within {settings.timeout:g} s.", "engine_timeout")
    if isinstance(e, openai.APIConnectionError):
        return BackendError(503, f"{where} cannot be reached; try again shortly.", "engine_unavailable")
    if isinstance(e, openai.RateLimitError):
        return BackendError(503, f"{where} is overloaded; try again shortly.", "engine_busy")
    if isinstance(e, openai.BadRequestError):
        reason = e.body.get("message") if isinstance(e.body, dict) else None
        return BackendError(400, f"{where} rejected the request: {reason or e.message}", "engine_rejected_request")
    if isinstance(e, openai.APIStatusError):
        return BackendError(502, f"{where} failed (HTTP {e.status_code}).", "engine_error")
    return BackendError(502, f"{where} sent a reply that is not a chat completion ({type(e).__name__}).", "engine_bad_response")
