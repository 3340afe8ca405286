"""A small hand-written sample corpus that ships with the package.

``resources/sample.jsonl`` holds realistic long Chinese help-seeking posts, each with several
answers in different styles, deliberately bad answers (for triplet negatives and tests), labels,
and a reviewed Chain-of-Empathy whose answer is the best reply. Demos, tests and the tiny
default pipeline read it through :func:`load_sample`; nothing here needs the network.

Each line is one canonical record::

    {"id": "sample-001", "source": "sample", "topic": "work", "subtopic": "...", "title": "...",
     "post": "...", "answers": [{"text": "...", "author": "counselor-a"}, ...],
     "bad_answers": [{"kind": "dismissive", "text": "..."}, ...],
     "labels": {"emotions": [...], "emotion": "...", "cause": "...", "distortion": "...",
                "intent": "validation" | "understanding" | "advice", "strategy": "..."},
     "coe": {"emotions": "...", "causes": "...", "intent": "...", "strategy": "...", "answer": "..."}}
"""

from __future__ import annotations

import json
import pathlib
from functools import cache
from importlib import resources

__all__ = ["SAMPLE_RESOURCE", "load_sample", "sample_path"]

SAMPLE_RESOURCE = "sample.jsonl"
"""File name of the sample corpus inside ``empathy_r1/data/resources``."""


def sample_path() -> pathlib.Path:
    """Filesystem path of the bundled ``sample.jsonl`` (the package is installed unzipped)."""
    return pathlib.Path(str(resources.files("empathy_r1.data").joinpath("resources", SAMPLE_RESOURCE)))


@cache
def _load() -> tuple[str, ...]:
    text = resources.files("empathy_r1.data").joinpath("resources", SAMPLE_RESOURCE).read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line.strip())


def load_sample() -> list[dict]:
    """All sample records, in file order (a fresh copy on every call, safe to mutate)."""
    return [json.loads(line) for line in _load()]
