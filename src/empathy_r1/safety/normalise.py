"""Text normalisation before any crisis detector, with a map back to the original offsets.

People who do not want a filter to see what they write, and people who simply type fast, write
自殺 (Traditional), 自\u200b杀 (a zero-width space), 自 杀 or 自-杀 (split), 紫砂 or zisha (a
homophone, pinyin), ＺＩＳＨＡ (full-width). Every detector (rules, learned detector) reads the
normalised text; evidence is reported as offsets into the *original* text, so each output
character remembers the original index it came from.

Steps, in order:

1. NFKC and lower case, character by character; format characters (category Cf: zero-width
   spaces and joiners, BOM, bidi marks) and variation selectors are dropped.
2. Traditional → Simplified with OpenCC (``t2s``), the maintained converter.
3. Separators between two CJK characters are removed (自 杀, 自-杀, 自.杀, 自*杀); sentence
   punctuation (，。！？) is kept, because it ends clauses the rules read.
4. Evasions and slang (:data:`EVASIONS`) are rewritten to the plain word they stand for.

>>> n = normalise("我今晚就去自\u200b殺")
>>> n.text
'我今晚就去自杀'
>>> n.span(5, 7)
(5, 8)
>>> normalise("想 zi sha").text
'想自杀'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

__all__ = ["EVASIONS", "Normalised", "normalise"]

#: Characters between two CJK characters that only split a word (自 杀, 自-杀). Not the
#: sentence punctuation the rules read as clause ends.
_SEPARATORS = " \t·•・-_—~*/\\|+=^`'\"#@&%$<>()[]{}"
# A full stop joins too (自.杀), but not one followed by a space: that ends an English-style sentence.
_SEPARATOR_RUN = re.compile(r"(?<=[\u3400-\u9fff])(?:[" + re.escape(_SEPARATORS) + r"]|\.(?!\s)|(?<=\s)\.)+(?=[\u3400-\u9fff])")

#: Spellings people use for risk words, mapped to the plain word. Each is a regular
#: expression on already-normalised text (lower case, Simplified). Pinyin needs a word
#: boundary or a CJK neighbour so that it does not fire inside English words.
EVASIONS: tuple[tuple[str, str], ...] = (
    # 自杀: homophones and pinyin
    (r"紫砂(?![壶杯茶锅器泥])|自鲨|自刹|自沙|自煞|自殺|自纱|子杀|自s(?:ha)?(?![a-z])|(?<![a-z])zi\s?sha(?![a-z])|(?<![a-z])zisa(?![a-z])", "自杀"),
    (r"(?<=[想要去])zs(?![a-z])|(?<![a-z])zs(?=方法|的方法|了吧|算了)", "自杀"),
    (r"(?<=[去想要])4(?![0-9])|(?<![0-9])4(?=了算了|了一了百了)|(?<=想)四(?![川季个点五十百千万年月日号岁])", "死"),
    (r"(?<![a-z])zs(?=的话|怎么|要)", "自杀"),
    ("谂", "想"),
    ("歹匕", "死"),  # 死 written as its two components
    (r"(?<=跳)落去", "下去"),  # Cantonese 跳落去
    (r"(?<![a-z])zs(?=的)", "自杀"),
    ("唔", "不"),  # Cantonese 唔 (not), 冇 (have not): 唔想活 reads as 不想活
    ("冇", "没"),
    (r"(?<=[想要去])sh(?=炭)", "烧"),  # Cantonese 諗 (to think): 唔想, 冇谂过 read as their Mandarin forms
    ("鼠鼠", "我"),  # self-deprecating "I" in mainland slang
    # Emoji people use for means and goodbyes
    ("💊", "药"),
    ("🔪", "刀"),
    ("🪢", "绳子"),
    ("🩸", "血"),
    (r"👋|(?<![a-z])(?:bye|byebye|88)(?![a-z0-9])", "再见"),
    (r"(?<![a-z])qing\s?sheng(?![a-z])|轻sheng|青生", "轻生"),
    (r"(?<![a-z])tiao\s?lou(?![a-z])|跳lou|眺楼", "跳楼"),
    (r"(?<![a-z])ge\s?wan(?![a-z])|割wan|哥腕", "割腕"),
    (r"(?<![a-z])zi\s?can(?![a-z])|自惨|自c(?![a-z])", "自残"),
    (r"(?<![a-z])bu\s?xiang\s?huo(?:\s?le)?(?![a-z])", "不想活了"),
    (r"(?<![a-z])xiang\s?si(?![a-z])", "想死"),
    (r"亖|(?<=[想要去])(?:si|sǐ|s)(?![a-z])", "死"),
    (r"(?<=[想要去])(?:嘎|噶)(?:了|掉)?", "死"),
    # English inside Chinese text
    (r"(?<![a-z])(?:kms|unalive myself|unalive)(?![a-z])", "kill myself"),
    (r"(?<=[\u3400-\u9fff])\s?(?:suicide|kill myself)(?![a-z])", "自杀"),
    (r"(?<=[想要去])\s?die(?![a-z])", "死"),
    (r"(?<![a-z])(?:wanna|want to) die(?![a-z])", "想死"),
)


@dataclass(frozen=True)
class Normalised:
    """A normalised text and, for each of its characters, the original ``[start, end)`` it came from."""

    text: str
    source: tuple[tuple[int, int], ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` that normalised ``[start, end)`` came from."""
        if start >= end:
            return (0, 0)
        return (self.source[start][0], self.source[end - 1][1])


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(chars: list[str]) -> list[str]:
    text = "".join(chars)
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return list(converted)
    return [_converter().convert(ch)[:1] or ch for ch in chars]  # a phrase changed length: per character


Source = list[tuple[int, int]]


def _rewrite(chars: list[str], source: Source, pattern: re.Pattern[str], replacement: str | None) -> tuple[list[str], Source]:
    text = "".join(chars)
    out_chars: list[str] = []
    out_source: Source = []
    last = 0
    for m in pattern.finditer(text):
        out_chars += chars[last : m.start()]
        out_source += source[last : m.start()]
        if replacement and m.end() > m.start():
            out_chars += list(replacement)
            # Every character of the plain word points at the whole evasion it replaced.
            out_source += [(source[m.start()][0], source[m.end() - 1][1])] * len(replacement)
        last = m.end()
    out_chars += chars[last:]
    out_source += source[last:]
    return out_chars, out_source


_COMPILED_EVASIONS = tuple((re.compile(p), r) for p, r in EVASIONS)


def normalise(text: str) -> Normalised:
    """Normalise ``text`` for the detectors (see the module docstring)."""
    chars: list[str] = []
    source: Source = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f":
            continue
        n = unicodedata.normalize("NFKC", ch).lower()
        for c in n or ch:
            chars.append(c)
            source.append((i, i + 1))
    chars = _to_simplified(chars)
    chars, source = _rewrite(chars, source, _SEPARATOR_RUN, None)
    for pattern, word in _COMPILED_EVASIONS:
        chars, source = _rewrite(chars, source, pattern, word)
    chars, source = _rewrite(chars, source, _SEPARATOR_RUN, None)  # 想 zi sha -> 想 自杀 -> 想自杀
    return Normalised("".join(chars), tuple(source))
