"""The fixed crisis reply and the help lines, per locale (``resources/locales/<locale>.yaml``).

The reply is never generated: it is text a person reviewed, with the locale's help lines.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from empathy_r1.errors import UserError

__all__ = ["HelpLine", "Locale", "available_locales", "concern_note", "crisis_messages", "crisis_reply", "load_locale"]


@dataclass(frozen=True)
class HelpLine:
    name: str
    number: str
    note: str = ""

    def text(self) -> str:
        return f"{self.name}：{self.number}" + (f"（{self.note}）" if self.note else "")


@dataclass(frozen=True)
class Locale:
    """One locale's crisis message and help lines."""

    locale: str
    language: str
    title: str
    crisis_message: str
    concern_note: str
    closing: str
    help_lines: tuple[HelpLine, ...]

    def crisis_reply(self) -> str:
        lines = "\n".join(
            f"• {h.text() if self.language == 'zh' else f'{h.name}: {h.number}' + (f' ({h.note})' if h.note else '')}"
            for h in self.help_lines
        )
        return f"{self.crisis_message}\n{lines}\n{self.closing}"

    def to_dict(self) -> dict:
        return {"locale": self.locale, "title": self.title, "help_lines": [h.__dict__ for h in self.help_lines]}


def _locales_dir() -> Path:
    return Path(str(importlib.resources.files("empathy_r1").joinpath("resources", "locales")))


def available_locales() -> list[str]:
    return sorted(p.stem for p in _locales_dir().glob("*.yaml"))


@cache
def load_locale(locale: str = "zh-CN") -> Locale:
    """A shipped locale by name (``zh-CN``, ``en-US``) or a YAML file path of the same shape."""
    path = Path(locale) if locale.endswith((".yaml", ".yml")) else _locales_dir() / f"{locale}.yaml"
    if not path.is_file():
        raise UserError(f"unknown locale {locale!r}; shipped: {', '.join(available_locales())}, or give a YAML file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        lines = tuple(HelpLine(str(h["name"]), str(h["number"]), str(h.get("note", ""))) for h in raw["help_lines"])
        return Locale(
            locale=str(raw["locale"]),
            language=str(raw.get("language", "zh")),
            title=str(raw["title"]),
            crisis_message=str(raw["crisis_message"]).strip(),
            concern_note=str(raw["concern_note"]).strip(),
            closing=str(raw.get("closing", "")).strip(),
            help_lines=lines,
        )
    except (yaml.YAMLError, KeyError, TypeError) as e:
        raise UserError(f"invalid locale file: {e}", path) from None


def crisis_reply(locale: str = "zh-CN") -> str:
    """The fixed, supportive crisis message with the locale's help lines.

    >>> "12356" in crisis_reply("zh-CN") and "010-82951332" in crisis_reply()
    True
    """
    return load_locale(locale).crisis_reply()


def concern_note(locale: str = "zh-CN") -> str:
    """A short line with a help line, appended to a model's answer when the level is concern."""
    return load_locale(locale).concern_note


@cache
def crisis_messages() -> tuple[str, ...]:
    """Every shipped locale's crisis message: an assistant turn holding one means the
    conversation already had the crisis reply, and it stays in crisis handling."""
    return tuple(load_locale(name).crisis_message for name in available_locales())
