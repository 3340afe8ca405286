"""What the screener accepts: checked before any detector runs, so bad input is never a silent ``none``.

A screener that quietly returned ``none`` for a message it could not read would be the worst
failure a crisis net can have. Every path (CLI, server, chat) checks here and reports the
problem instead: the CLI as an ``error:`` line, the server as an OpenAI-shaped 400.

>>> check_messages([{"role": "user", "content": "你好"}])
>>> check_messages([{"role": "assistant", "content": "你好"}])
Traceback (most recent call last):
...
empathy_r1.safety.inputs.InputError: the conversation has no user turn
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_CHARS", "ROLES", "InputError", "Messages", "check_messages", "check_text"]

Messages = list[dict[str, Any]]

#: Longest text (all turns together) the screener reads. A long forum post is a few thousand
#: characters; past this, a request is more likely an attack on the service than a person.
MAX_CHARS = 32_000
ROLES = ("system", "user", "assistant")


class InputError(ValueError):
    """Input the screener cannot read; the message says what is wrong in one line."""


def check_text(text: Any, what: str = "text") -> None:
    if not isinstance(text, str):
        raise InputError(f"{what} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{what} is empty")
    if len(text) > MAX_CHARS:
        raise InputError(f"{what} has {len(text):,} characters; the limit is {MAX_CHARS:,}")
    bad = next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)
    if bad is not None:
        raise InputError(f"{what} holds a lone surrogate (U+{ord(text[bad]):04X}) at character {bad}")


def check_messages(messages: Any) -> None:
    """A list of ``{"role", "content"}`` with string contents, at least one non-empty user turn."""
    if not isinstance(messages, list) or not messages:
        raise InputError("messages must be a non-empty list of {role, content} objects")
    total = 0
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise InputError(f"messages[{i}] must be an object with role and content")
        if m.get("role") not in ROLES:
            raise InputError(f"messages[{i}].role must be one of {', '.join(ROLES)}")
        content = m.get("content")
        if not isinstance(content, str):
            raise InputError(f"messages[{i}].content must be a string, got {type(content).__name__}")
        if m["role"] == "user":
            check_text(content, f"messages[{i}].content")
        elif content:
            check_text(content, f"messages[{i}].content")
        total += len(content)
    if not any(m["role"] == "user" for m in messages):
        raise InputError("the conversation has no user turn")
    if total > MAX_CHARS:
        raise InputError(f"the conversation has {total:,} characters; the limit is {MAX_CHARS:,}")
