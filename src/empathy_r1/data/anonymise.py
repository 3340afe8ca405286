"""Personal information -> typed placeholders, with context, as Microsoft Presidio does it.

Rule-based on purpose: auditable, fast enough, no model to download. Three kinds of evidence:

* **shape with a check**: an e-mail, a URL, a mobile or landline number, an 18-character ID number
  whose GB 11643 checksum passes *or* whose region and birth date are plausible, a 16-19 digit
  bank-card number that passes Luhn *or* starts with a known issuer prefix, a licence plate, an
  address (省/市/区/县/镇/乡/村/路/街/巷/弄/号/栋/单元/室 ... combinations);
* **context**: a number or code just after (or just before) a context word is masked even when its
  checksum fails ("身份证", "卡号", "银行卡", "QQ", "微信", "vx", "手机", "电话", "住在", "护照",
  "学号", "工号", ...), as Presidio's context enhancer raises a weak pattern's score;
* **a segmenter**: people's names from jieba's part-of-speech tag ``nr`` (person name), kept when
  the word is not a common dictionary word or when context says it is a person (叫, 名字, 经理,
  老师, 同学, ...). Names become ``[NAME]``. Jieba often splits a name (钱|宇航) or glues it to its
  neighbour (诸葛|明说), so a full name is also read character by character right after a role or
  naming cue (助理, 爷爷, 户名, 收款人, 叫 ...) and right before a title (院士, 医生, 阿姨 ...), with jieba's
  tokens only vetoing ordinary words (妈妈|马上, 朋友|高兴, 同学张|开始); compound surnames need no cue;
  famous three-character names in jieba's dictionary (public figures are names too) count, and so do
  names jieba does not know: a rarer surname its model tags as a name (谷爱凌), a doubled given name (屠呦呦).
  Nicknames (小王, 老张) and surname + title (王老师) are masked on purpose: they name a person to those who
  know the writer, so privacy is worth the precision they cost on sets that do not label them.

Numbers are found in a folded copy of the text (full-width digits, letters, spaces and dashes
mapped to ASCII one character for one), so "１３８ １２３４－５６７８" is a phone number too, and
spans map straight back onto the original. Obfuscated e-mails ("name at qq dot com",
"name#163.com", "name艾特qq点com") count as e-mails.

:func:`find_pii` returns the spans (what ``data pii-eval`` measures); :func:`anonymise` replaces them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = ["PII_TYPES", "PLACEHOLDERS", "Span", "anonymise", "find_pii", "id_card_ok", "id_card_plausible", "luhn_ok"]

#: Every type this module finds, with its placeholder.
PII_TYPES: dict[str, str] = {
    "email": "[EMAIL]",
    "url": "[URL]",
    "id_card": "[ID]",
    "bank_card": "[BANKCARD]",
    "phone": "[PHONE]",
    "qq": "[QQ]",
    "wechat": "[WECHAT]",
    "passport": "[PASSPORT]",
    "student_id": "[STUDENT_ID]",
    "employee_id": "[EMPLOYEE_ID]",
    "plate": "[PLATE]",
    "address": "[ADDRESS]",
    "name": "[NAME]",
}
PLACEHOLDERS = tuple(dict.fromkeys(PII_TYPES.values()))

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (the first two digits of a resident ID number).
_ID_REGIONS = (
    set(range(11, 16))
    | set(range(21, 24))
    | set(range(31, 38))
    | set(range(41, 47))
    | set(range(50, 55))
    | set(range(61, 66))
    | {71, 81, 82}
)


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    type: str

    @property
    def placeholder(self) -> str:
        return PII_TYPES[self.type]


def id_card_ok(number: str) -> bool:
    """GB 11643-1999 checksum of an 18-character resident ID number.

    >>> id_card_ok("11010519491231002X"), id_card_ok("110105194912310021")
    (True, False)
    """
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def id_card_plausible(number: str) -> bool:
    """An 18-character ID shape with a real province code and a possible birth date (1900-today).

    >>> id_card_plausible("110105199003071234"), id_card_plausible("123456789012345678")
    (True, False)
    """
    if not re.fullmatch(r"\d{17}[\dXx]", number) or int(number[:2]) not in _ID_REGIONS:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


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


# Issuer prefixes of cards in China: UnionPay 62 (and 60/9 domestic debit), Visa 4, Mastercard
# 51-55 and 22-27, JCB 35, Amex 34/37, Diners 30/36/38.
_ISSUER = re.compile(r"(?:62|60|9[45]|4|5[1-5]|2[2-7]|35|3[47]|3[068])")


def _bank_shaped(digits: str) -> bool:
    return 16 <= len(digits) <= 19 and (luhn_ok(digits) or bool(_ISSUER.match(digits)))


# --- folding: one character for one, so spans found in the fold are spans of the original ------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc"


def _fold_char(ch: str) -> str:
    if ch in _DASHES:
        return "-"
    if ch in "\u3000\u00a0\u2002\u2003\u2009":
        return " "
    if ch in "\u3002\uff61":  # 。 is a dot in an obfuscated e-mail, never in a number
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def fold(text: str) -> str:
    """Full-width digits, letters, spaces and dashes to ASCII, length kept.

    >>> fold("１３８　１２３４－５６７８ＱＱ")
    '138 1234-5678QQ'
    """
    return "".join(_fold_char(c) for c in text)


# --- e-mail and URL ------------------------------------------------------------------------------

_MAIL_DOMAINS = r"(?:qq|163|126|139|189|sina|sohu|yeah|foxmail|gmail|hotmail|outlook|live|yahoo|icloud|aliyun|tom|21cn|msn|me|protonmail)"
_TLD = r"(?:com|cn|net|org|edu|gov|io|me|cc|info|co|hk|tw|jp|uk|de)"
_AT = r"(?:\s*@\s*|\s*[\(\[\{<（【]\s*(?:at|AT|艾特)\s*[\)\]\}>）】]\s*|\s+(?:at|AT)\s+|\s*(?:艾特|圈a|圈A)\s*|#)"
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<（【]\s*(?:dot|DOT|点)\s*[\)\]\}>）】]\s*|\s+(?:dot|DOT)\s+|\s*点\s*|。)"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_EMAIL_OBFUSCATED = re.compile(
    rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{{1,63}}{_AT}(?:{_MAIL_DOMAINS}|[A-Za-z0-9-]{{2,30}}(?={_DOT}{_TLD}))"
    rf"(?:{_DOT}[A-Za-z0-9-]{{2,30}})*{_DOT}{_TLD}(?![A-Za-z])"  # greedy: "x#hust.edu.cn" keeps its ".cn"
)
_URL = (
    re.compile(r"(?i)(?:https?://|www\.)[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\"'<>]+"),
    re.compile(r"(?i)(?<![@\w.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|cc|io|top|xyz|me|info)(?:/[\w\-./?%&=#]*)?(?![\w])"),
)

# --- numbers: maximal digit runs with single separators, tried group by group ---------------------

_RUN = re.compile(r"(?<![0-9])(?:\+\s?)?\d+(?:(?:[ .-]|\s-\s)\d+)*(?:[ -]?[Xx](?![A-Za-z]))?")
_MOBILE = re.compile(r"(?:\+?0{0,2}86)?1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
_SERVICE = re.compile(r"[48]00\d{7}")
# An area code without its 0 (10, 21, 755 ...) and a 7-8 digit number, after the country code 86.
_INTL_LANDLINE = re.compile(r"0?(?:10|2\d)\d{8}|0?[3-9]\d{2}\d{7,8}")


def _digit_groups(fx: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, characters without separators) of every contiguous group range of each digit run."""
    for m in _RUN.finditer(fx):
        groups = [(g.start(), g.end()) for g in re.finditer(r"\+?\d+|[Xx]", m.group(0))]
        groups = [(m.start() + a, m.start() + b) for a, b in groups]
        for i in range(len(groups)):
            for j in range(len(groups) - 1, i - 1, -1):
                a, b = groups[i][0], groups[j][1]
                yield a, b, re.sub(r"[^0-9Xx+]", "", fx[a:b])


# A country code written before a number found without it.
_COUNTRY_CODE = re.compile(r"(?:[(（]\s?(?:\+|00)?86\s?[)）]|(?<![0-9])(?:\+|00)86)[\s-]?$")
_PHONE_EXTENSION = re.compile(r"\s?(?:转|分机|ext\.?\s?|-)\s?\d{1,5}(?!\d)", re.IGNORECASE)


def _shape_numbers(fx: str) -> Iterator[tuple[int, int, str]]:
    for a, b, chars in _digit_groups(fx):
        digits = chars.lstrip("+")
        if len(digits) == 18 and (id_card_ok(digits) or id_card_plausible(digits)):
            yield a, b, "id_card"
        elif digits.isdigit() and _bank_shaped(digits):
            yield a, b, "bank_card"
        elif digits.isdigit() and (_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits) or _SERVICE.fullmatch(digits)):
            yield a, b, "phone"
        elif re.fullmatch(r"(?:\+|00)86", chars[: 3 if chars.startswith("+") else 4]) and _INTL_LANDLINE.fullmatch(
            chars.lstrip("+")[2 if chars.startswith("+") else 4 :]
        ):
            yield a, b, "phone"  # "+86 755 8369 1024", "0086-10-6523 8899": a landline dialled from abroad
    # "(0755)8369 1024", "+86（0755）8369 1024", "+86 (10) 6523-8899": the area code in brackets
    for m in re.finditer(r"(?:(?:\+|00)\s?86\s?-?\s?)?[(（]0?\d{2,3}[)）]\s?-?\s?\d{3,4}[ -]?\d{4}(?:-\d{1,5})?(?!\d)", fx):
        if m.group(0).startswith(("(", "（")) and not re.match(r"[(（]0", m.group(0)):
            continue  # without +86 the area code keeps its 0
        yield m.start(), m.end(), "phone"


# --- context ------------------------------------------------------------------------------------

_NUM = r"\+?\d(?:(?:[ -]|\s-\s)?\d)*"
# A code: up to three letter groups joined by dashes or spaces (BJ-HR-0291, SZ-A0931, EMP 2231), then digits
# and letters; {n} is the least number of characters after the first digit. A leading space stays in the value
# so that "工号 00875，学号" is nearer its own context word (find_pii strips it from the span).
_CODE = r"(?:(?:[A-Za-z]{1,5}[ _-]?){1,3}|[ -]?)\d(?:[ -]?[A-Za-z0-9]){{n},19}"
#: type -> (context words, value pattern). The value may sit up to 8 non-alphanumeric characters
#: after the context word ("身份证号码是：...") or just before it ("...是我的QQ").
_CONTEXT: dict[str, tuple[str, str]] = {
    # Any country's passport: letters and digits mixed (C01X00T47) or digits only (568214093).
    "passport": (
        # 港澳 / 台湾 通行证 and 旅行证 numbers are travel documents of the same kind
        r"护照(?:号码|号|编号|证号)?|通行证(?:号码|号)?|旅行证(?:号码|号)?|passport(?:\s*(?:no\.?|number|#))?",
        r"(?=(?:[A-Za-z -]*\d){5})[A-Za-z0-9]{1,3}[ -]?[A-Za-z0-9]{4,10}",
    ),
    "student_id": (
        r"学号|学生证(?:号码?|编号)?|学籍号|准考证(?:号码?|编号)?|考生号|学生(?:号|编号)|校园卡号|一卡通号|student\s*(?:id|no\.?|number)",
        _CODE.replace("{n}", "3"),
    ),
    "employee_id": (
        r"(?:员工|职工|雇员|工作人员|内部)(?:编号|编码|号码?|卡号|id|代码|工号)|工号|工牌(?:号码?|编号)?|工作证(?:号码?|编号)?|厂牌(?:号|编号)?|"
        r"胸牌(?:号|编号)|人事编号|employee\s*(?:id|no\.?|number)|staff\s*(?:id|no\.?|number)",
        _CODE.replace("{n}", "1"),
    ),
    "id_card": (r"身份证(?:号码|号)?|证件号(?:码)?|身份号码?|id\s*card", r"\d(?:[ -]?\d){13,16}[ -]?[\dXx]"),
    "qq": (r"qq(?:号码|号|群)?|扣扣(?:号)?|企鹅(?:号)?|q号|q我|扣我", r"[1-9](?:[ -]?\d){4,11}"),
    "wechat": (
        r"微信(?:号|id)?|weixin|wei\s?xin|wechat|vx|v信|wx(?:号)?|薇信|威信|vx号|加微|微号",
        r"[A-Za-z][-_A-Za-z0-9]{5,19}|\d(?:[ -]?\d){5,11}",
    ),
    "bank_card": (r"卡号|银行卡(?:号)?|银行账号|账号|帐号|储蓄卡|信用卡|借记卡|工资卡|存折", r"\d(?:[ -]{0,2}\d){11,18}"),
    "phone": (
        r"手机(?:号码|号)?|电话(?:号码)?|联系方式|座机|号码|打给我|打我|call|tel|phone|mobile",
        rf"(?:[(（]\+?\d{{2,4}}[)）]\s?)?{_NUM}",  # "(010)6523 8899": the area code in brackets belongs to it
    ),
    "plate": (r"车牌(?:号码|号)?|牌照", r"[\u4e00-\u9fff][A-Za-z][ ·.-]?[A-Za-z0-9]{4,6}"),
}
_GAP = r"[^0-9A-Za-z\n]{0,8}?"
_CONTEXT_AFTER = {
    # "QQ2984716530", "tel13812345678": a number may follow a Latin context word with no gap at all.
    t: re.compile(rf"(?i)(?P<w>{words})(?:{_GAP}(?<![0-9A-Za-z])|(?=\d))(?P<v>{value})(?![0-9A-Za-z])")
    for t, (words, value) in _CONTEXT.items()
}
_CONTEXT_BEFORE = {
    t: re.compile(rf"(?i)(?<![0-9A-Za-z])(?P<v>{value})(?![0-9A-Za-z])[^0-9A-Za-z\n]{{0,6}}?(?P<w>{words})")
    for t, (words, value) in _CONTEXT.items()
}
_CONTEXT_RANK = {kind: i / 1000 for i, kind in enumerate(_CONTEXT)}
_MAX_DIGITS = {"phone": 13, "qq": 12, "passport": 10}
_MIN_DIGITS = {
    "phone": 7,
    "bank_card": 12,
    "id_card": 15,
    "qq": 5,
    "student_id": 4,
    "employee_id": 3,
    "passport": 5,
    "wechat": 0,
    "plate": 1,
}


def _context_numbers(fx: str) -> Iterator[tuple[int, int, str, int]]:
    """(start, end, type, distance): distance is the number of characters between value and context word."""
    for after, table in ((True, _CONTEXT_AFTER), (False, _CONTEXT_BEFORE)):
        for kind, pattern in table.items():
            for m in pattern.finditer(fx):
                value = m.group("v")
                if not _MIN_DIGITS[kind] <= sum(c.isdigit() for c in value) <= _MAX_DIGITS.get(kind, 20):
                    continue
                if kind == "wechat" and value.isalpha():
                    continue
                distance = m.start("v") - m.end("w") if after else m.start("w") - m.end("v")
                lead = len(value) - len(value.lstrip(" -"))  # "工号 00875": the space is not the number
                yield m.start("v") + lead, m.end("v"), kind, distance


# --- plates and addresses -----------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(rf"[{_PROVINCES}][A-HJ-NP-Z][ ·•.-]?(?=[A-HJ-NP-Z0-9]*\d)[A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警港澳](?![A-Za-z0-9])")

# Chinese passport numbers: E + 8 digits, E + letter + 7 digits, G + 8 digits (no context needed).
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])(?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8})(?![A-Za-z0-9])")

# An address component may not start on a function word, so "我住在北京市..." keeps "我住在".
_AC = r"(?:(?![我你他她它在住于到是的了从去来就也还个这那每以问或与及等被把让给对要想说看吗呢吧啊呀么很再又才只没不])[\u4e00-\u9fff])"
_NUMERAL = r"(?:\d+|[一二三四五六七八九十百零〇两]+)"
_ADMIN = rf"(?:{_AC}{{1,7}}?(?:省|自治区|自治州|市|地区|区|县|旗|镇|乡|街道|村|社区)|(?<=[村屯寨])[\u4e00-\u9fff]{{1,3}}?组(?!织|成|合|长|员))"
# Roads: 路/街/巷 ..., and 道 (天津 鞍山西道, 香港 弥敦道) with two characters at least before it and not
# the 道 of 知道, 味道, 频道 ...
_ROAD = (
    rf"(?:{_AC}{{1,10}}?(?:路|街|大道|大街|巷|胡同|弄|里)(?:[东西南北中]段)?"
    rf"|{_AC}{{2,10}}?(?<![知味难通轨频渠跑车隧管报霸厚地公王街赛水航栈国干坑步古弯孔一二两])道)"
)
_BUILDING = rf"(?:{_AC}(?:{_AC}|[0-9A-Za-z]){{0,9}}?(?:小区|花园|公寓|新村|家园|大厦|苑|村|宿舍|家属院|广场|园|城|府|湾|庭|居|山庄|公馆|华庭|大楼|坊|阁|轩))"
# Office towers (富力中心, 金融中心) only after a house number: 咨询中心3楼 alone is not an address.
_TOWER = rf"(?:{_AC}(?:{_AC}|[0-9A-Za-z]){{0,9}}?(?:中心|写字楼|商厦|商场|大楼|大厦|广场))"
# Units: 号, 栋, 单元, 室 ..., 门 (天津 "3门" an entrance), 舍 (a dormitory block), A座 / B栋 / C区.
_UNIT = (
    rf"(?:{_NUMERAL}(?:号院|号楼|号舍|号门|号|栋|幢|座|单元|室|楼|层|组|队|弄|巷|户|段|期|门|舍|斋|房|区)"
    r"|[A-Za-z]\d*(?:-[A-Za-z0-9]{1,3})?(?:座|栋|幢|区|单元))"
)
_DASHED = r"\d{1,5}(?:-\d{1,5}){1,3}(?![\d年月日岁元块分个次天人])"  # "12-2-501": building-unit-room
# the room written bare after a unit: "5栋2单元302", "7栋18-3", "11号2-1-3"
_BARE_ROOM = rf"(?:(?<=[号栋幢座元楼层门舍斋])[-\s]?(?:{_DASHED}|\d{{2,5}}(?![\d年月日岁元块分个次天人])))?"
_ADDRESS = re.compile(
    rf"(?:{_ADMIN}+(?:{_ROAD}|{_BUILDING}){{0,3}}(?:[-\s]?{_UNIT})*|(?:{_ROAD}|{_BUILDING}){{1,3}}(?:[-\s]?{_UNIT})+)(?:[-\s]?{_UNIT})*"
    + _BARE_ROOM
)
# After a house number, a building named without a suffix ("...10号颐和国际B座2305", "...128号华星公寓12-2-501").
# Or a building with its suffix, then units or the room written bare ("...588号环球航运广场1806").
_ADDRESS_MORE = re.compile(
    rf"{_AC}{{2,8}}?(?:(?:[-\s]?{_UNIT})+{_BARE_ROOM}|[-\s]?{_DASHED})"
    rf"|(?:{_TOWER}|{_BUILDING})(?:(?:[-\s]?{_UNIT})+{_BARE_ROOM}|[-\s]?{_DASHED}|\d{{2,5}}(?![\d年月日岁元块分个次天人号]))?"
)
_ADDRESS_CONTEXT = re.compile(
    r"(?:住在|住址(?:是|为)?|地址(?:是|为)?|家住|家在|住的地方是|搬到了?|寄到|收货地址|户籍|老家在|租在)[:：]?\s*"
)


_ADMIN_START = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:省|自治区|自治州|市|地区|区|县|旗|镇|乡)")
_COMPONENT = re.compile(rf"{_ADMIN}|{_ROAD}|{_BUILDING}")
# Ordinary words that end like an address component.
_NOT_PLACES = set(
    "市区 城区 郊区 山区 景区 误区 地区 社区 校区 园区 雷区 灾区 城市 都市 超市 股市 楼市 夜市 菜市 节省 反省 县城 城里 村里 心里 这里 那里 哪里 "
    "家里 公里 夜里 手里 梦里 脑子里 屋里 街道 大街 马路 公路 道路 思路 出路 退路 套路 弯路 走路 网路 小巷 里弄 花园 公寓 宿舍 广场 "
    "人行道 下水道 林荫道 羊肠道 高速公路 小区".split()
)


def _components(text: str) -> int:
    return sum(m.group(0) not in _NOT_PLACES and len(m.group(0)) >= 2 for m in _COMPONENT.finditer(text))


def _addresses(fx: str) -> Iterator[tuple[int, int, str]]:
    # Pieces that touch ("...鞍山西道迎风里" + "小区12号楼3门501", "...汉口路22号" + "南园7舍405") are one address.
    chains: list[list[int]] = []
    for m in _ADDRESS.finditer(fx):
        gap = fx[chains[-1][1] : m.start()] if chains else None
        if gap is not None and (
            gap in ("", " ", "-")
            or (len(gap) == 1 and "\u4e00" <= gap <= "\u9fff" and fx[chains[-1][1] - 1] in "省市州县区盟旗" and _ADMIN_START.match(fx, m.start()))
        ):
            chains[-1][1] = m.end()
        else:
            chains.append([m.start(), m.end()])
    for chain in chains:
        while re.search(r"[\d号栋幢座元楼层门舍斋室]$", fx[chain[0] : chain[1]]) and (more := _ADDRESS_MORE.match(fx, chain[1])):
            chain[1] = more.end()
    for start, end in chains:
        text = fx[start:end]
        components = _components(text)
        has_unit = bool(re.search(_UNIT, text))
        context = bool(_ADDRESS_CONTEXT.search(fx[max(0, start - 8) : start]))
        # One place name alone ("北京市", "朝阳区") is not an address; two components, a house
        # number, or an address context word make it one.
        if components >= 2 or (has_unit and components >= 1) or (context and components >= 1 and len(text) >= 4):
            yield start, end, "address"


# --- names ------------------------------------------------------------------------------------

# Common surnames that rarely begin an ordinary word (so "明白", "安静", "段时间" are not names).
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "廖贾夏韦付傅邹孟熊秦邱尹薛闫段雷侯史陶黎贺顾毛郝龚邵钱严覃戴莫孔汤温康施牛樊葛邢齐乔伍庞颜倪聂鲁岳翟殷詹"
    "耿俞柳祝阮纪梅童凌裴霍涂苗翁冉骆靳柴鲍喻祁蒲滕饶牟穆缪褚娄窦戚岑晏瞿佟臧闵苟邬卞姬仇栾隋刁巫寇桑甄虞敖巩佘邝"
)
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "端木", "长孙")
_TITLES = (
    "老师|经理|总监|主管|总|董|医生|大夫|主任|老板|师傅|阿姨|叔叔|伯伯|先生|女士|小姐|教授|同学|律师|护士|科长|处长|局长|"
    "部长|校长|院长|班长|组长|书记|师兄|师姐|学长|学姐|老公|老婆|同事|室友|前男友|前女友|男友|女友|男朋友|女朋友|领导|上司|导师|"
    "辅导员|邻居|妈妈|爸爸|母亲|父亲|哥哥|姐姐|弟弟|妹妹|儿子|女儿|丈夫|妻子|对象|闺蜜|朋友|好友|表哥|表姐|表妹|表弟|堂哥|堂姐|"
    "舅舅|姑姑|舅妈|婶婶|学生|孩子|客户|助理|秘书|司机|保姆|房东|租客|队友|搭档|合伙人|前夫|前妻|未婚夫|未婚妻|爷爷|奶奶|"
    "外公|外婆|姥姥|姥爷|侄子|侄女|外甥|班主任|队长|医师|咨询师|网友|发小|老乡|舍友|宿管|保安|店长|院士|教练|学妹|学弟|师弟|"
    "师妹|师父|婆婆|公公|岳父|岳母|嫂子|姐夫|妹夫|继父|继母|后妈|同桌|主播|作家|演员|歌手|导演|主持人|选手|总裁|董事长|专家|"
    "法官|警官|民警|记者|会计|顾问|前任|现任|新生|研究生|实习生|大学生|高中生|初中生|员工|职员|病友|患者|家长|哥|姐|姨|叔"
)
# Words after which a full name follows: a role ("助理钱宇航", "爷爷郭守义") or a naming cue ("户名罗志强").
_ROLES_BEFORE = "|".join(t for t in _TITLES.split("|") if len(t) >= 2)
_FULL_NAME_CUE = re.compile(
    rf"(?:(?:{_ROLES_BEFORE})(?:是|叫)?|叫做?|名叫|名字(?:是|叫)|姓名(?:是|叫|为)?|开户名|户名(?:是|为)?|收款人(?:是|为)?|持卡人(?:是|为)?|"
    r"联系人(?:是|为)?|负责人(?:是|为)?|我是)[:：\s]?"
)
# Titles after which a full name ends: "钟南山院士", "杨桂兰阿姨".
_FULL_NAME_TITLE_AFTER = re.compile(rf"(?=(?:{_ROLES_BEFORE}))")
# Verbs of admiration before a public figure's two-character name: "崇拜姚明".
_FAN_CUE = re.compile(r"(?:崇拜|偶像(?:是)?|粉丝|迷上了?|追星)$")
_TITLE = re.compile(rf"(?:{_TITLES})")
_NAME_CUE_BEFORE = re.compile(rf"(?:叫做?|名叫|名字(?:是|叫)|姓名(?:是|叫)?|我是|称呼|{_TITLES})[:：\s]?$")
_NAME_CUE_AFTER = re.compile(rf"^(?:{_TITLES})")
_COMMON_FREQ = 50  # a jieba dictionary word more frequent than this is an ordinary word, not a name


@lru_cache(maxsize=1)
def _jieba() -> tuple:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg.dt, jieba.dt.FREQ


# Characters a name never holds (pronouns, particles): "谢谢你们" is tagged nr by jieba's dictionary.
_NOT_IN_NAMES = set("你我他她它们的了吗呢吧啊呀么这那是在有不没很都也就还说和跟")
_NICKNAME = re.compile(rf"(?<![大多最])[老小]([{''.join(sorted(_SURNAMES))}])(?![子国朝府])")  # not 小王子
_NOT_NICKNAMES = {"小马", "老马", "小林", "小叶", "小田", "小时"}


# Rarer surnames, trusted only with a name tag or a role next to them (they begin ordinary words too often
# to make nicknames: 小白, 小花, 小路).
_MORE_SURNAMES = set(
    "宁石白方万向龙常武易文关于申江蓝柏庄单洪包车管华焦尚谷毕舒阎连季景麦房解花甘蔺卓符欧商司伏盛米丛郎应晋宫游兰艾宗练云初"
    "苑左鞠荣权邸洛冀燕边卫费麻屈强桂匡农萧谈赖湛谌危安尤奚荆支曲言况储裘伊屠郜乐池贝居衣战浦查鄢冷闻丰"
)
_ALL_SURNAMES = _SURNAMES | _MORE_SURNAMES
# A surname and a doubled given name jieba does not know (屠呦呦, 范冰冰): not 方方面面.
_DOUBLED = re.compile(rf"([{''.join(sorted(_ALL_SURNAMES))}])([\u4e00-\u9fff])\2(?!\2)")
# A famous name in jieba's dictionary ends a three-character nr word; these endings make it a place or a thing
# (钟祥市, 张家口, 黄金周, 许可证, 胡萝卜).
_NOT_NAME_ENDINGS = set("市县省区镇村口楼证花周家湖冲港岛园路街卜顿嫩夷斯姆克尔特松山寺宫庙界井府庄营屯堡坊店桥坝峡塔")
# Characters of transliterated place and brand names (温哥华, 麦肯基), rare in Chinese given names.
_FOREIGN = set("哥斯尔克特亚拉巴维纳基普姆莱奥坦")
_FUNCTION_FLAGS = ("v", "vn", "d", "c", "p", "u", "uj", "ul", "uz", "ug", "uv", "r", "m", "q", "t", "f", "ad", "y", "e", "o", "x")


def _surnamed(word: str, wide: bool = False) -> bool:
    return word[:2] in _COMPOUND or word[0] in (_ALL_SURNAMES if wide else _SURNAMES)


def _full_name(text: str, start: int, end: int, tokens: dict, freq: dict, strict: bool = True) -> bool:
    """Whether text[start:end] (next to a role or cue) is a surname and a given name, by jieba's tokens."""
    word = text[start:end]
    k = 2 if word[:2] in _COMPOUND else 1
    if not 2 <= len(word) <= k + 2 or not _surnamed(word, wide=True) or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
        return False
    if _NOT_IN_NAMES & set(word[k:]) or _TITLE.match(text, start + k):  # 王老师 is the other rule's
        return False
    if strict and end not in tokens["ends"] and end != len(text):
        return False
    first = tokens["at"].get(start)  # the surname must not begin an ordinary word: 高兴, 马上, 张罗, 江苏, 安静
    if first is None:
        if strict:
            return False
        first = ("", "")  # jieba glued the cue to the surname (师卓雅|琴): nothing to say against it
    if len(first[0]) > len(word):  # the surname begins a longer word: 温柔体贴, 于心不忍
        return False
    if not _surnamed(word) and first[0] and len(first[0]) > k and not first[1].startswith("nr"):
        return False  # a rarer surname needs jieba to agree it begins a name: not 江湖气
    rest = tokens["at"].get(start + len(first[0]))
    if k < len(first[0]) < len(word) and not first[1].startswith("nr") and rest is not None and rest[1] in _FUNCTION_FLAGS:
        return False  # 周记|里: the surname begins a word and a particle follows (not 郑国|强)
    if first[0] == word and first[1] in _FUNCTION_FLAGS:  # 查出来 (v)
        return False
    if len(first[0]) > k and (freq.get(first[0]) or 0) > _COMMON_FREQ:
        # a dictionary word: only a famous three-character name (jieba tags 安静, 马虎 nr too)
        famous = first[0] == word and first[1] == "nr" and len(word) == 3 and word[-1] not in _NOT_NAME_ENDINGS
        # 叶子|涵 after 表妹: a word and one rarer character that ends where jieba's word ends (not 马上|来)
        glued = (
            len(word) == len(first[0]) + 1 == 3
            and (end in tokens["ends"] or end == len(text))
            and word[-1] not in _NOT_IN_NAMES
            and (
                (freq.get(word[-1]) or 0) < 1000
                # 魏国|强 after 叫: a place or noun word, then a one-character adjective or noun token (not 马上|好)
                or (
                    first[1] in ("ns", "nr", "nz", "n")
                    and rest is not None
                    and rest[0] == word[-1]
                    and rest[1] in ("a", "ag", "n", "ng", "nr")
                    and word[-1] not in _NOT_NAME_ENDINGS
                )
            )
        )
        if not (famous or glued):
            return False
    given = tokens["at"].get(start + k)  # nor the given name be a verb or a particle: 张|开始, 李|打
    if given is not None and start + k + len(given[0]) > end and not (end < len(text) and text[end] in _NOT_IN_NAMES):
        return False  # the given name runs on into a word (张|开始); 诸葛|明说 is the name and 说
    if (
        given is not None
        and start + k + len(given[0]) <= end
        and given[1] in _FUNCTION_FLAGS
        and not given[1].startswith("nr")
        and (freq.get(given[0]) or 0) > _COMMON_FREQ
    ):
        return False
    return True


def _names_near_roles(text: str, tokens: dict, freq: dict) -> Iterator[tuple[int, int, str]]:
    """Full names just after a role or naming cue, and just before a title (jieba often splits them)."""
    starts = [m.end() for m in _FULL_NAME_CUE.finditer(text)]
    # a compound surname needs no cue (上官, 诸葛 begin no ordinary word; 东方 does)
    starts += [m.start() for m in re.finditer("|".join(c for c in _COMPOUND if c != "东方"), text)]
    for s in starts:
        k = 2 if text[s : s + 2] in _COMPOUND else 1
        # 王建国 before 王建, a name that ends where jieba's word ends before one that does not (诸葛|明说)
        for strict, g in ((True, 2), (True, 1), (False, 2), (False, 1)):
            if _full_name(text, s, s + k + g, tokens, freq, strict):
                yield s, s + k + g, "name"
                break
    for m in _FULL_NAME_TITLE_AFTER.finditer(text):
        e = m.start()
        for n in (4, 3, 2):
            s = e - n
            if s < 0 or (n == 4 and text[s : s + 2] not in _COMPOUND):
                continue
            first = tokens["at"].get(s)
            if first is None or (n >= 3 and len(first[0]) == 1 and first[1] in _FUNCTION_FLAGS):  # 向|王明 老师
                continue
            if _full_name(text, s, e, tokens, freq):
                yield s, e, "name"
                break


def _false_name(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if len(word) == 2 and word[0] == word[1]:  # 谢谢, 常常: a surname is never doubled
        return True
    if len(word) == 3 and word[1] == "老" and not _TITLE.fullmatch(word[1:]):  # 王老吉, 王老五; 王老师 is kept
        return True
    # 张, 段, 包 as measure words: 这张卡, 一段话, 两包烟
    return word[0] in "张段包项管" and re.search(r"[这那有一两二三四五六七八九十几每哪整某半\d]$", text[:start]) is not None


def _names(text: str) -> Iterator[tuple[int, int, str]]:
    if not re.search(r"[\u4e00-\u9fff]", text):
        return
    tagger, freq = _jieba()
    tokens, pos = [], 0
    for token in tagger.cut(text):
        tokens.append((pos, pos + len(token.word), token.word, token.flag))
        pos += len(token.word)
    index = {"ends": {t[1] for t in tokens}, "at": {t[0]: (t[2], t[3]) for t in tokens}}
    found = [
        (a, b, kind)
        for a, b, kind in (*_names_from_tokens(text, tokens, freq), *_names_near_roles(text, index, freq))
        if not _false_name(text, a, b)
    ]
    starts, ends = {a for a, _, _ in found}, {b for _, b, _ in found}
    for i, (start, end, word, flag) in enumerate(tokens):
        if not (flag.startswith("nr") and 2 <= len(word) <= 3 and _surnamed(word)) or _false_name(text, start, end):
            continue
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        # names in a pair: 王伟和李娜, 李娜、王伟 (one of them found by another rule)
        paired = (before is not None and before[2] in ("和", "跟", "与", "、", "及") and before[0] in ends) or (
            after is not None and after[2] in ("和", "跟", "与", "、", "及") and after[1] in starts
        )
        # a clause that opens on a name and a verb of speech: 李强说我..., 刘洋问我
        nxt = tokens[i + 2][2] if i + 2 < len(tokens) else ""
        speaker = (
            (start == 0 or not re.match(r"[\u4e00-\u9fff]", text[start - 1]))
            and (freq.get(word) or 0) < 300  # not 顾问说, 王朝说
            and after is not None
            and (after[2] in ("说", "问", "骂", "告诉", "说过") or (after[2] in ("让", "叫", "跟", "对", "给") and nxt == "我"))
        )
        if paired or speaker:
            found.append((start, end, "name"))
    token_at = {a: (b, w) for a, b, w, _ in tokens}
    for m in _DOUBLED.finditer(text):
        s, x = m.start(), m.group(2)
        if (
            (s == 0 or text[s - 1] != text[s])  # not 方方面面, 安安静静
            and x not in _NOT_IN_NAMES
            and x != text[s]
            and (freq.get(x + x) or 0) < 200  # not 看看, 天天, 常常, 悄悄
            and token_at.get(s, (0, ""))[1] == text[s]  # the surname stands alone (not 黄澄澄, 乐呵呵)
            and (s + 1) in token_at
            and not any(a <= s < b for a, b, _ in found)
        ):
            found.append((s, s + 3, "name"))
    for a, b, kind in found:
        # a doubled given name split off by jieba: 孙悦|悦
        if b - a == 2 and b < len(text) and text[b] == text[b - 1] and text[b] not in _NOT_IN_NAMES:
            b += 1
        yield a, b, kind


def _names_from_tokens(text: str, tokens: list, freq: dict) -> Iterator[tuple[int, int, str]]:
    for i, (start, end, word, flag) in enumerate(tokens):
        if len(word) == 1 and word in _SURNAMES and flag.startswith("nr") and i + 1 < len(tokens):
            # jieba splits some names: 赵 + 经理, 陈 + 浩然 (after 叫)
            _, n_end, n_word, _ = tokens[i + 1]
            if _TITLE.fullmatch(n_word) or (
                _NAME_CUE_BEFORE.search(text[max(0, start - 6) : start])
                and re.fullmatch(r"[\u4e00-\u9fff]{1,2}", n_word)
                and not _NOT_IN_NAMES & set(n_word)
            ):
                yield start, n_end, "name"
            continue
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", word) or _NOT_IN_NAMES & set(word):
            continue
        before, after = text[max(0, start - 6) : start], text[end : end + 6]
        cue = bool(_NAME_CUE_BEFORE.search(before) or _NAME_CUE_AFTER.match(after))
        common = (freq.get(word) or 0) > _COMMON_FREQ
        titled = re.fullmatch(rf"[\u4e00-\u9fff]{{1,2}}(?:{_TITLES})", word) is not None
        if flag in ("nr", "nrfg", "nrt"):
            if (
                common
                and len(word) == 3
                and flag == "nr"
                and _surnamed(word)  # common surnames only: 安全感, 冷冰冰 are tagged nr too
                and word[-1] not in _NOT_NAME_ENDINGS
                and not _FOREIGN & set(word)
                and not titled
            ):
                yield start, end, "name"  # a famous person in jieba's dictionary: 毛泽东, 鲁迅's peers
            elif (
                not common
                and flag == "nr"
                and len(word) == 3
                and word[0] in _MORE_SURNAMES
                and (freq.get(word[1:]) or 0) <= _COMMON_FREQ  # a verb and its object: not 查|话费, 管|闲事
                and word[-1] not in _NOT_NAME_ENDINGS
                and not _FOREIGN & set(word)
                and not titled
            ):
                yield start, end, "name"  # a rarer surname that jieba's model reads as a name: 谷爱凌, 屈家豪
            elif common and len(word) == 2 and _surnamed(word, wide=True) and _FAN_CUE.search(text[:start]):
                yield start, end, "name"  # 崇拜姚明
            elif titled and _surnamed(word):  # 王老师, 李经理, 张总: the whole form names the person
                yield start, end, "name"
            elif len(word) >= 2 and re.fullmatch(r"[小老阿][\u4e00-\u9fff]", word) and (word[1] in _SURNAMES or cue):
                yield start, end, "name"  # 小王, 老张, 阿明 (with context)
            elif not common and (
                (_surnamed(word) and len(word) <= 3 + (word[:2] in _COMPOUND))  # 王建国, 欧阳娜娜; not 康复训练
                or (word[0] in "小阿" and len(word) == 2)  # 小芳, 阿明; not 小叔子
                or (cue and len(word) <= 3 and flag == "nr" and not re.match(r"[上下本这那每前后今明昨]", word))
            ):
                yield start, end, "name"
            elif (
                cue
                and 2 <= len(word) <= 3 + (word[:2] in _COMPOUND)
                and _surnamed(word)
                and (not common or (len(word) == 3 and word[-1] not in _NOT_NAME_ENDINGS))
            ):
                yield start, end, "name"  # not 孩子马虎
        elif (
            cue
            and 2 <= len(word) <= 3 + (word[:2] in _COMPOUND)
            and not common
            and _surnamed(word)
            and flag not in ("v", "d", "c", "p", "u", "r", "m", "q", "t")
        ):
            yield start, end, "name"  # a segmenter miss right after 叫 / before 老师
    inside = {p for a, b, _, _ in tokens for p in range(a + 1, b)}
    for m in _NICKNAME.finditer(text):  # 小王, 老张, 小李: jieba splits some of them
        if m.group(0) not in _NOT_NICKNAMES and m.start() not in inside:  # not 养老|钱, 从小|张: 老/小 ends a word
            yield m.start(), m.end(), "name"


# --- putting it together ------------------------------------------------------------------------

#: Lower is stronger when two findings overlap: context beats shape, shape beats names.
_PRIORITY = {
    "email": 0,
    "url": 1,
    "ctx": 2,
    "id_card": 3,
    "bank_card": 4,
    "phone": 5,
    "plate": 6,
    "address": 7,
    "name": 8,
}


def find_pii(text: str, names: bool = True) -> list[Span]:
    """Non-overlapping personal-information spans of ``text`` (character offsets), in order.

    >>> [(text[s.start:s.end], s.type) for text in ["我的QQ号码：１２３４５６７"] for s in find_pii(text)]
    [('１２３４５６７', 'qq')]
    """
    fx = fold(text)
    found: list[tuple[float, int, int, int, str]] = []  # (priority, -length, start, end, type), sorted below

    def add(a: int, b: int, kind: str, prio: float) -> None:
        if kind == "phone" and (ext := _PHONE_EXTENSION.match(fx, b)):  # "021-64381234转816"
            b = ext.end()
        if kind == "phone" and (cc := _COUNTRY_CODE.search(fx, max(0, a - 8), a)):  # "(+86)139...", "+86-139..."
            a = cc.start()
        if b > a:
            found.append((prio, -(b - a), a, b, kind))

    for m in _EMAIL.finditer(fx):
        add(m.start(), m.end(), "email", _PRIORITY["email"])
    for m in _EMAIL_OBFUSCATED.finditer(fx):
        add(m.start(), m.end(), "email", _PRIORITY["email"])
    for pattern in _URL:
        for m in pattern.finditer(fx):
            add(m.start(), m.end(), "url", _PRIORITY["url"])
    for a, b, kind, distance in _context_numbers(fx):
        # The nearest context word wins ("护照丢了，电话138...": a phone); at equal distance the specific
        # context (QQ号码) beats the generic one (号码).
        add(a, b, kind, _PRIORITY["ctx"] + min(distance, 9) / 100 + _CONTEXT_RANK[kind])
    for a, b, kind in _shape_numbers(fx):
        add(a, b, kind, _PRIORITY[kind])
    for m in _PLATE.finditer(fx):
        add(m.start(), m.end(), "plate", _PRIORITY["plate"])
    for m in _PASSPORT.finditer(fx):
        add(m.start(), m.end(), "passport", _PRIORITY["plate"])
    for a, b, kind in _addresses(fx):
        add(a, b, kind, _PRIORITY["address"])
    if names:
        for a, b, kind in _names(text):
            add(a, b, kind, _PRIORITY["name"])
    taken: list[Span] = []
    for _prio, _neg, a, b, kind in sorted(found):
        if any(a < s.end and s.start < b for s in taken):
            continue
        taken.append(Span(a, b, kind))
    return sorted(taken)


def anonymise(text: str, names: bool = True) -> tuple[str, Counter[str]]:
    """Replace personal information with typed placeholders; returns the text and counts per placeholder.

    >>> anonymise("我的手机13812345678，邮箱a.b@qq.com，微信号：abc_12345")[0]
    '我的手机[PHONE]，邮箱[EMAIL]，微信号：[WECHAT]'
    >>> anonymise("我住在北京市朝阳区建国路88号3号楼2单元501室")[0]
    '我住在[ADDRESS]'
    >>> anonymise("身份证号：110105199003071235，卡号6222 0202 0011 2233 445")[0]
    '身份证号：[ID]，卡号[BANKCARD]'
    """
    counts: Counter[str] = Counter()
    out, last = [], 0
    for span in find_pii(text, names=names):
        out += [text[last : span.start], span.placeholder]
        counts[span.placeholder] += 1
        last = span.end
    out.append(text[last:])
    return "".join(out), counts
