"""Batched and streamed generation from a policy checkpoint, shared by evaluation and serving.

A :class:`Policy` is a causal LM and its tokenizer. Prompts are chat messages, rendered with
the tokenizer's chat template (``add_generation_prompt=True``; ``enable_thinking=False`` so that
Qwen3's template pre-fills an empty ``<think>`` block instead of letting the model think twice:
our reasoning lives in the CoE tags). Batches are left-padded, which decoder-only models need
so that every row's next token sits in the last column.

The completion text keeps the CoE tags (they are ordinary added tokens) and drops special
tokens (``<|im_end|>``, padding).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_r1.models import load_model, load_tokenizer, resolve_policy_dir

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = ["Messages", "Policy"]

Messages = list[dict[str, str]]


class Policy:
    """A model and tokenizer that turn chat prompts into completions.

    One lock serialises generation: a model on one device does one batch at a time anyway,
    and concurrent ``generate`` calls from a server's threads would otherwise interleave.
    """

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, path: Path | None = None) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.path = path
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: str | Path, dtype: str = "float32", attn_implementation: str = "sdpa", device: str | None = None) -> Policy:
        """Load a checkpoint directory, or a pipeline output directory (its ``final/``)."""
        directory = resolve_policy_dir(path)
        tokenizer = load_tokenizer(str(directory))
        model = load_model(directory, dtype=dtype, attn_implementation=attn_implementation)
        if device is None:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        return cls(model.to(device), tokenizer, directory)

    @property
    def device(self) -> Any:
        return self.model.device

    def prompt_text(self, messages: Messages) -> str:
        """The exact text the model continues from (chat template with the generation prompt)."""
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, enable_thinking=False)

    def _encode(self, messages_batch: Sequence[Messages]) -> dict[str, Any]:
        texts = [self.prompt_text(m) for m in messages_batch]
        self.tokenizer.padding_side = "left"
        # The chat template already wrote every special token; add none.
        return self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)

    def _sampling(self, max_new_tokens: int, temperature: float, top_p: float) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "pad_token_id": self.tokenizer.pad_token_id,
            "eos_token_id": self.tokenizer.eos_token_id,
        }
        if temperature > 0:
            kwargs |= {"do_sample": True, "temperature": temperature, "top_p": top_p, "top_k": 0}
        else:
            kwargs |= {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        return kwargs

    def generate(
        self,
        messages_batch: Sequence[Messages],
        max_new_tokens: int = 512,
        temperature: float = 0.0,
        top_p: float = 1.0,
        batch_size: int | None = None,
    ) -> list[str]:
        """One completion per prompt, in order; greedy when ``temperature`` is 0.

        ``batch_size`` splits a long list into chunks (None: one batch).
        """
        import torch

        messages_batch = list(messages_batch)
        step = batch_size or max(len(messages_batch), 1)
        out: list[str] = []
        for start in range(0, len(messages_batch), step):
            chunk = messages_batch[start : start + step]
            inputs = self._encode(chunk)
            with self._lock, torch.inference_mode():
                ids = self.model.generate(**inputs, **self._sampling(max_new_tokens, temperature, top_p))  # [B, P + N]
            new = ids[:, inputs["input_ids"].shape[1] :]  # [B, N]: left padding aligns every prompt's end
            out += self.tokenizer.batch_decode(new, skip_special_tokens=True)
        return [t.strip() for t in out]

    def stream(self, messages: Messages, max_new_tokens: int = 512, temperature: float = 0.0, top_p: float = 1.0) -> Iterator[str]:
        """Yield the completion's text in pieces as it is generated (TextIteratorStreamer in a thread)."""
        import torch
        from transformers import TextIteratorStreamer

        inputs = self._encode([messages])
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []

        def work() -> None:
            try:
                with self._lock, torch.inference_mode():
                    self.model.generate(**inputs, **self._sampling(max_new_tokens, temperature, top_p), streamer=streamer)
            except BaseException as e:  # surfaced in the consumer's thread below
                failure.append(e)
                streamer.end()  # unblock the consumer

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        yield from (piece for piece in streamer if piece)
        thread.join()
        if failure:
            raise failure[0]
