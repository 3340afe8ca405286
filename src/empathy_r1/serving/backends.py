"""Generator backends: anything with ``generate`` (a batch) and ``stream`` (one prompt).

``PolicyBackend`` wraps :class:`empathy_r1.generation.Policy` (a local checkpoint).
``UpstreamBackend`` (in ``serving.upstream``) asks an OpenAI-compatible engine (vLLM, SGLang, ...).
``ScriptedBackend`` returns fixed completions: it exists for tests and offline demos of the
page, and says so in its name, so that nobody mistakes its text for a model's.

``generate`` returns :class:`Completion` objects (plain strings are accepted from older
backends); ``stream`` yields text pieces and may end with one ``Completion`` carrying the finish
reason and token counts. ``check`` (optional) raises ``ValueError`` for a prompt that cannot be
generated (the server answers 400 before the request joins a batch). A failure of the engine
itself is a :class:`BackendError`, which the server answers with its status (502/503/504).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from empathy_r1 import coe
from empathy_r1.generation import Completion

__all__ = ["Backend", "BackendError", "Completion", "Messages", "PolicyBackend", "ScriptedBackend", "as_completion"]

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


def _default_script(messages: Messages) -> str:
    post = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    return coe.render(
        coe.Chain(
            emotions=f"来访者感到疲惫和孤单（{post[:12]}）。",
            causes="长期压力让他觉得自己必须独自扛下一切。",
            intent="希望被理解，也想要一点可行的建议。",
            strategy="先共情和肯定，再给一个小而具体的建议。",
            answer="听起来你真的很辛苦。愿意的话，今晚先给自己留十分钟，做一件让身体放松的小事。",
        )
    )


class ScriptedBackend:
    """FOR TESTS AND DEMOS ONLY: returns a fixed, well-formed CoE completion, no model involved.

    ``script`` maps the prompt messages to a completion; ``calls`` records every batch size, so
    tests can see that concurrent requests were batched.
    """

    def __init__(self, script: Callable[[Messages], str] = _default_script, name: str = "scripted-test-backend", piece: int = 7) -> None:
        self.script = script
        self.name = name
        self.piece = piece
        self.calls: list[int] = []

    batch_streaming = True

    def generate(
        self, messages_batch: Sequence[Messages], max_new_tokens: int, temperature: float, top_p: float, on_text=None
    ) -> list[Completion]:
        self.calls.append(len(messages_batch))
        texts = [self.script(m) for m in messages_batch]
        if on_text is not None:
            for row, text in enumerate(texts):
                for i in range(0, len(text), self.piece):
                    on_text(row, text[i : i + self.piece])
        return [Completion(t, "stop", 0, len(t)) for t in texts]

    def stream(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Iterator[str | Completion]:
        text = self.script(messages)
        for i in range(0, len(text), self.piece):
            yield text[i : i + self.piece]
        yield Completion(text, "stop", 0, len(text))
