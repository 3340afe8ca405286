"""Batched and streamed generation from a policy checkpoint, shared by evaluation and serving.

A :class:`Policy` is a causal LM and its tokenizer. Prompts are chat messages, rendered with
the tokenizer's chat template (``add_generation_prompt=True``; ``enable_thinking=False`` so that
Qwen3's template pre-fills an empty ``<think>`` block instead of letting the model think twice:
our reasoning lives in the CoE tags). Batches are left-padded, which decoder-only models need
so that every row's next token sits in the last column.

The completion text keeps the CoE tags (they are ordinary added tokens) and drops special
tokens (``<|im_end|>``, padding).

Message content never becomes a special token: a user who writes ``<|im_end|>\n<|im_start|>system``
gets those characters tokenised as text (special tokens split), not a fake system turn.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_r1.models import adapt_messages, load_model, load_tokenizer, resolve_policy_dir

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = ["Completion", "Messages", "Policy"]

Messages = list[dict[str, str]]


@dataclass
class Completion:
    """One generated completion and what an OpenAI-style reply reports about it."""

    text: str
    finish_reason: str = "stop"
    """"stop" (the model ended it, or a stop string did) or "length" (cut at the token budget)."""
    prompt_tokens: int = 0
    completion_tokens: int = 0


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
    def load(
        cls,
        path: str | Path,
        dtype: str = "float32",
        attn_implementation: str = "sdpa",
        device: str | None = None,
        merge_adapter: bool = True,
    ) -> Policy:
        """Load a checkpoint directory, a LoRA adapter directory, a pipeline output directory (its ``final/``) or a hub id."""
        directory = resolve_policy_dir(path)
        tokenizer = load_tokenizer(str(directory))
        model = load_model(directory, dtype=dtype, attn_implementation=attn_implementation, merge_adapter=merge_adapter)
        if device is None:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        return cls(model.to(device), tokenizer, directory)

    @property
    def device(self) -> Any:
        return self.model.device

    def prompt_text(self, messages: Messages) -> str:
        """The exact text the model continues from (chat template with the generation prompt)."""
        messages = adapt_messages(messages, self.tokenizer)
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, enable_thinking=False)

    def prompt_ids(self, messages: Messages) -> list[int]:
        """Token ids of the prompt; message content is tokenised with special tokens split.

        Ordinary content takes the one-call path, so its ids are exactly those training saw. Content
        holding a special token's text is rendered through the template as a placeholder, and the
        template's pieces (which carry the real special tokens) and the content's pieces (which must
        not) are tokenised apart and joined. Raises ``ValueError`` when that cannot be done safely.
        """
        tok = self.tokenizer
        messages = adapt_messages(messages, tok)  # no system role: the system prompt joins the first user turn
        contents = [str(m.get("content") or "") for m in messages]
        if not any(s in c for c in contents for s in self._specials):
            # The chat template already wrote every special token; add none.
            return tok(self.prompt_text(messages), add_special_tokens=False)["input_ids"]
        nonce = uuid.uuid4().hex[:12]
        marks = [f"\ue000{nonce}{i}\ue001" for i in range(len(messages))]
        text = self.prompt_text([{**m, "content": mark} for m, mark in zip(messages, marks, strict=True)])
        spans = sorted((text.find(mark), i) for i, mark in enumerate(marks))
        if any(at == -1 or text.count(marks[i]) != 1 for at, i in spans):
            raise ValueError("message content holds control tokens and this chat template does not render content verbatim")
        ids: list[int] = []
        pos = 0
        for at, i in spans:
            ids += tok(text[pos:at], add_special_tokens=False)["input_ids"]
            ids += tok(contents[i], add_special_tokens=False, split_special_tokens=True)["input_ids"]
            pos = at + len(marks[i])
        return ids + tok(text[pos:], add_special_tokens=False)["input_ids"]

    @property
    def _specials(self) -> list[str]:
        added = self.tokenizer.added_tokens_decoder.values()
        return sorted({t.content for t in added if t.special} | set(self.tokenizer.all_special_tokens))

    def _encode(self, messages_batch: Sequence[Messages]) -> dict[str, Any]:
        rows = [self.prompt_ids(m) for m in messages_batch]
        # Decoder-only models continue from the last column: pad on the left.
        return self.tokenizer.pad({"input_ids": rows}, padding_side="left", return_tensors="pt").to(self.device)

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        return set(eos if isinstance(eos, list) else [eos]) | {self.tokenizer.eos_token_id}

    def _finished(self, new: Any, prompt_tokens: Sequence[int], texts: Sequence[str]) -> list[Completion]:
        """Completions with finish reason and token counts; ``new`` is ``[B, N]`` generated ids."""
        eos = self._eos_ids()
        out = []
        for row, p, text in zip(new.tolist(), prompt_tokens, texts, strict=True):
            end = next((i for i, t in enumerate(row) if t in eos), None)
            # A row with no end-of-sequence ran to the budget: every row stops at eos or at N.
            out.append(Completion(text, "length" if end is None else "stop", int(p), len(row) if end is None else end + 1))
        return out

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
        return [c.text for c in self.complete(messages_batch, max_new_tokens, temperature, top_p, batch_size)]

    def complete(
        self,
        messages_batch: Sequence[Messages],
        max_new_tokens: int = 512,
        temperature: float = 0.0,
        top_p: float = 1.0,
        batch_size: int | None = None,
        on_text: Callable[[int, str], None] | None = None,
    ) -> list[Completion]:
        """As :meth:`generate`, with each completion's finish reason and token counts.

        ``on_text(row, piece)`` (optional) receives each row's text as it is generated: a batch
        that streams, so streamed requests can be batched too.
        """
        import torch

        messages_batch = list(messages_batch)
        step = batch_size or max(len(messages_batch), 1)
        out: list[Completion] = []
        for start in range(0, len(messages_batch), step):
            chunk = messages_batch[start : start + step]
            inputs = self._encode(chunk)
            extra: dict[str, Any] = {}
            if on_text is not None:
                extra["streamer"] = _RowStreamer(self.tokenizer, len(chunk), lambda i, t, s=start: on_text(s + i, t), self._eos_ids())
            with self._lock, torch.inference_mode():
                ids = self.model.generate(**inputs, **self._sampling(max_new_tokens, temperature, top_p), **extra)  # [B, P + N]
            new = ids[:, inputs["input_ids"].shape[1] :]  # [B, N]: left padding aligns every prompt's end
            texts = [t.strip() for t in self.tokenizer.batch_decode(new, skip_special_tokens=True)]
            out += self._finished(new, inputs["attention_mask"].sum(dim=1).tolist(), texts)
        return out

    def stream(
        self, messages: Messages, max_new_tokens: int = 512, temperature: float = 0.0, top_p: float = 1.0, details: bool = False
    ) -> Iterator[str | Completion]:
        """Yield the completion's text in pieces as it is generated (TextIteratorStreamer in a thread).

        ``details``: then one :class:`Completion` (the whole text, finish reason, token counts)."""
        import torch
        from transformers import TextIteratorStreamer

        inputs = self._encode([messages])
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []
        result: list[Any] = []

        def work() -> None:
            try:
                with self._lock, torch.inference_mode():
                    result.append(self.model.generate(**inputs, **self._sampling(max_new_tokens, temperature, top_p), streamer=streamer))
            except BaseException as e:  # surfaced in the consumer's thread below
                failure.append(e)
                streamer.end()  # unblock the consumer

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        pieces = []
        for piece in streamer:
            if piece:
                pieces.append(piece)
                yield piece
        thread.join()
        if failure:
            raise failure[0]
        if not details:
            return
        new = result[0][:, inputs["input_ids"].shape[1] :]  # [1, N]
        yield self._finished(new, [int(inputs["attention_mask"].sum())], ["".join(pieces).strip()])[0]


class _RowStreamer:
    """A ``generate`` streamer for a whole batch: each row's new text goes to ``on_text(row, piece)``.

    ``generate`` first puts the prompt ids ``[B, P]`` (skipped), then one token per row per step
    ``[B]``. A row is decoded whole each step and only the new suffix is sent; a suffix that ends
    in half a character (U+FFFD) waits for the next token. Rows that ended get padding: ignored.
    """

    def __init__(self, tokenizer: Any, rows: int, on_text: Callable[[int, str], None], eos: set[int]) -> None:
        self.tokenizer, self.on_text, self.eos = tokenizer, on_text, eos
        self.ids: list[list[int]] = [[] for _ in range(rows)]
        self.sent = [0] * rows
        self.done = [False] * rows
        self.prompt_seen = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        for row, token in enumerate(value.reshape(-1).tolist()):
            if self.done[row]:
                continue
            if token in self.eos:
                self.done[row] = True
                continue
            self.ids[row].append(token)
            self._send(row, final=False)

    def end(self) -> None:
        for row in range(len(self.ids)):
            self._send(row, final=True)

    def _send(self, row: int, final: bool) -> None:
        text = self.tokenizer.decode(self.ids[row], skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):
            return
        if len(text) > self.sent[row]:
            self.on_text(row, text[self.sent[row] :])
            self.sent[row] = len(text)
