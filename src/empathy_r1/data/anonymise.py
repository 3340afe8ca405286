"""Personal information -> typed placeholders ([PHONE], [EMAIL], [ID], [BANKCARD], [QQ], [WECHAT], [URL], [ADDRESS]).

Rule-based on purpose: it is auditable, fast and needs no model. Numbers are only replaced
when they are what they claim to be (ID cards pass the GB 11643 checksum, bank cards the Luhn
check), so ordinary long numbers in a story survive. Run it after NFKC normalisation, which
turns full-width digits into ASCII ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

__all__ = ["PLACEHOLDERS", "anonymise", "id_card_ok", "luhn_ok"]

PLACEHOLDERS = ("[EMAIL]", "[URL]", "[ID]", "[BANKCARD]", "[PHONE]", "[QQ]", "[WECHAT]", "[ADDRESS]")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_card_ok(number: str) -> bool:
    """GB 11643-1999 checksum of an 18-character resident ID number.

    >>> id_card_ok("11010519491231002X"), id_card_ok("110105194912310021")
    (True, False)
    """
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """Luhn check of a card number (digits only).

    >>> luhn_ok("6222020200112233446"), luhn_ok("6222020200112233445")
    (True, False)
    >>> luhn_ok("4111111111111111")
    True
    """
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_HAN = r"[\u4e00-\u9fff]"
# Address prefixes may not start on a function word, so "我住在北京市..." keeps "我住在".
_ADDR_CH = r"(?:(?![我你他她它在住于到是的了和从去来就也都还个])[\u4e00-\u9fff])"

_RULES: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], bool] | None, int]] = [
    # (placeholder, pattern, validator or None, group to replace: 0 = whole match)
    ("[EMAIL]", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), None, 0),
    ("[URL]", re.compile(r"(?i)(?:https?://|www\.)[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\"'<>]+"), None, 0),
    (
        "[URL]",
        re.compile(
            r"(?i)(?<![@\w.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|cc|io|top|xyz|me|info)(?:/[\w\-./?%&=#]*)?(?![\w])"
        ),
        None,
        0,
    ),
    ("[ID]", re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"), lambda m: id_card_ok(m.group(0)), 0),
    (
        "[BANKCARD]",
        re.compile(r"(?<!\d)\d{4}(?:[ -]?\d){12,15}(?!\d)"),
        lambda m: 16 <= len(re.sub(r"\D", "", m.group(0))) <= 19 and luhn_ok(re.sub(r"\D", "", m.group(0))),
        0,
    ),
    ("[PHONE]", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"), None, 0),
    ("[PHONE]", re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[- ]?\d{7,8}(?:-\d{1,5})?(?!\d)"), None, 0),
    ("[PHONE]", re.compile(r"(?<!\d)[48]00[- ]?\d{3}[- ]?\d{4}(?!\d)"), None, 0),
    ("[QQ]", re.compile(r"(?i)(?:qq|扣扣)(?:号|群)?\s*(?:是|为)?\s*[:：]?\s*(\d{5,11})(?!\d)"), None, 1),
    ("[WECHAT]", re.compile(r"(?i)(?:微信|wechat|vx|v信|wx)(?:号)?\s*(?:是|为)?\s*[:：]?\s*([A-Za-z][-_A-Za-z0-9]{5,19})"), None, 1),
    ("[WECHAT]", re.compile(r"(?i)\bwxid_[a-z0-9]{6,20}"), None, 0),
    (
        "[ADDRESS]",
        re.compile(
            rf"(?:{_ADDR_CH}{{1,6}}(?:省|自治区|市|区|县|镇|乡))*{_ADDR_CH}{{1,10}}(?:路|街|大道|巷|胡同|弄)\d+号"
            rf"(?:院)?(?:\d+(?:号楼|栋|幢|座))?(?:\d+单元)?(?:\d+(?:室|号))?"
        ),
        None,
        0,
    ),
    (
        "[ADDRESS]",
        re.compile(rf"{_ADDR_CH}{{1,10}}(?:小区|花园|公寓|新村|家园)\d+(?:号楼|栋|幢|座)(?:\d+单元)?(?:\d+(?:室|号))?"),
        None,
        0,
    ),
]


def anonymise(text: str) -> tuple[str, Counter[str]]:
    """Replace personal information with typed placeholders; returns the text and counts.

    >>> anonymise("我的手机13812345678，邮箱a.b@qq.com，微信号：abc_12345")[0]
    '我的手机[PHONE]，邮箱[EMAIL]，微信号：[WECHAT]'
    >>> anonymise("我住在北京市朝阳区建国路88号3号楼2单元501室")[0]
    '我住在[ADDRESS]'
    """
    counts: Counter[str] = Counter()
    for placeholder, pattern, valid, group in _RULES:

        def replace(m: re.Match[str], placeholder: str = placeholder, valid=valid, group: int = group) -> str:
            if valid is not None and not valid(m):
                return m.group(0)
            counts[placeholder] += 1
            if group == 0:
                return placeholder
            start, end = m.start(group) - m.start(), m.end(group) - m.start()
            whole = m.group(0)
            return whole[:start] + placeholder + whole[end:]

        text = pattern.sub(replace, text)
    return text, counts
