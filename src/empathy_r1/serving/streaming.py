"""Split a streamed completion into reasoning text that may be shown now and the final reply.

The reasoning (the four layers) is released sentence by sentence, each sentence screened
before it leaves; the answer is held until the completion ends, screened whole, and only then
sent. That costs the answer its token-by-token feel and buys the guarantee that no unscreened
answer text ever reaches a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from empathy_r1 import coe
from empathy_r1.safety import screen_answer
from empathy_r1.serving.turns import LAYER_TITLES

__all__ = ["ReasoningStream"]

_BOUNDARY = re.compile(r"[。！？!?\n]")
_BLANKS = re.compile(r"\n{3,}")


class ReasoningStream:
    """Feed raw pieces; get back reasoning deltas that are safe to show."""

    def __init__(self, language: str = "zh", tags: coe.CoETags = coe.DEFAULT_TAGS) -> None:
        self.tags = tags
        self.titles = LAYER_TITLES.get(language, LAYER_TITLES["en"])
        self.raw = ""
        self.sent = 0
        self.summary: Any = None
        """The stream's closing summary (a ``Completion``), once :meth:`drain` has seen it."""
        self.blocked = False
        """True once a reasoning sentence failed screening: nothing more is released."""

    def drain(self, pieces: Iterable[Any]) -> Iterator[str]:
        """The reasoning deltas of a backend's stream, in order; the closing summary (a non-text
        piece carrying finish reason and token counts) is kept in :attr:`summary`."""
        for piece in pieces:
            if not isinstance(piece, str):
                self.summary = piece
                continue
            delta = self.feed(piece)
            if delta:
                yield delta
        delta = self.close()
        if delta:
            yield delta

    def feed(self, piece: str) -> str:
        self.raw += piece
        return self._release(final=False)

    def close(self) -> str:
        return self._release(final=True)

    def _visible(self, final: bool) -> tuple[str, bool]:
        """Reasoning shown so far, and whether the think block has ended."""
        raw, t = self.raw, self.tags
        cut = raw.rfind("<")
        if not final and cut != -1 and ">" not in raw[cut:]:
            raw = raw[:cut]  # a tag may be half-way through arriving
        ends = [i for i in (raw.find(t.close(t.think)), raw.find(t.open(t.answer))) if i != -1]
        done = bool(ends)
        part = raw[: min(ends)] if ends else raw
        if t.open(t.think) not in part and t.open(t.layers[0]) not in part:
            return "", done  # no reasoning (yet): a bare answer is never shown as reasoning
        for title, layer in zip(self.titles, t.layers, strict=True):
            part = part.replace(t.open(layer), f"【{title}】\n").replace(t.close(layer), "\n\n")
        part = part.replace(t.open(t.think), "")
        # Layer breaks plus the model's own newlines: at most one blank line between layers.
        return _BLANKS.sub("\n\n", t.pattern.sub("", part).lstrip()), done

    def _release(self, final: bool) -> str:
        if self.blocked:
            return ""
        text, done = self._visible(final)
        end = len(text) if (final or done) else max((m.end() for m in _BOUNDARY.finditer(text)), default=0)
        if end <= self.sent:
            return ""
        delta = text[self.sent : end]
        if screen_answer(delta).level == "urgent":
            self.blocked = True
            return ""
        self.sent = end
        return delta
