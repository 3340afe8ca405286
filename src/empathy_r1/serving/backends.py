"""Generator backends: anything with ``generate`` (a batch) and ``stream`` (one prompt).

``PolicyBackend`` wraps :class:`empathy_r1.generation.Policy` (a local checkpoint).
``UpstreamBackend`` (in ``serving.upstream``) asks an OpenAI-compatible engine (vLLM, SGLang, ...).
(The tests' scripted backend, which returns fixed completions, lives in ``tests/doubles.py``.)

``generate`` returns :class:`Completion` objects (plain strings are accepted from older
backends); ``stream`` yields text pieces and may end with one ``Completion`` carrying the finish
reason and token counts. ``check`` (optional) raises ``ValueError`` for a prompt that cannot be
generated (the server answers 400 before the request joins a batch). A failure of the engine
itself is a :class:`BackendError`, which the server answers with its status (502/503/504).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from empathy_r1.generation import Completion

__all__ = ["Backend", "BackendError", "Completion", "Messages", "PolicyBackend", "as_completion"]

Messages = list[dict[str, str]]


class BackendError(Exception):
    """The generator failed for a reason that is not the request's fault (an engine down, slow or broken)."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def as_completion(result: str | Completion) -> Completion:
    return result if isinstance(result, Completion) else Completion(str(result))


class Backend(Protocol):
    """What the server and the terminal chat need from a generator."""

    name: str

    def generate(self, messages_batch: Sequence[Messages], max_new_tokens: int, temperature: float, top_p: float) -> list[Completion]: ...

    def stream(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Iterator[str | Completion]: ...


class PolicyBackend:
    """A local checkpoint (or pipeline output directory) through ``generation.Policy``."""

    def __init__(self, policy, name: str) -> None:  # policy: empathy_r1.generation.Policy
        self.policy = policy
        self.name = name

    @classmethod
    def load(cls, path: str | Path, dtype: str = "float32", name: str | None = None, merge_adapter: bool = True) -> PolicyBackend:
        """``path``: a checkpoint, a LoRA adapter (merged into its base unless ``merge_adapter`` is off), a run directory or a hub id."""
        from empathy_r1.generation import Policy

        policy = Policy.load(path, dtype=dtype, merge_adapter=merge_adapter)
        return cls(policy, name or (Path(path).resolve().name if Path(path).exists() else str(path)))

    def check(self, messages: Messages) -> None:
        """Tokenise the prompt now, so that a prompt that cannot be encoded fails alone, with a 400."""
        self.policy.prompt_ids(messages)

    batch_streaming = True
    """``generate`` takes ``on_text``: streamed requests join the micro-batches."""

    def generate(
        self, messages_batch: Sequence[Messages], max_new_tokens: int, temperature: float, top_p: float, on_text=None
    ) -> list[Completion]:
        return self.policy.complete(messages_batch, max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, on_text=on_text)

    def stream(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Iterator[str | Completion]:
        return self.policy.stream(messages, max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, details=True)
