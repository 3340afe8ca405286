"""The paper's cleaning: Unicode normalisation, advertisement/contact noise, short answers, PII.

Applied to titles, posts and answers of canonical records. Each rule counts what it did so the
data card can say what was dropped and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from empathy_r1.data.anonymise import anonymise

__all__ = ["NOISE_PATTERNS", "clean_records", "clean_text", "normalise", "strip_noise"]

# NFKC would turn Chinese full-width punctuation into ASCII (，-> ,), which changes how the text
# reads and tokenises; keep these and normalise everything else (full-width digits and letters,
# compatibility ideographs, ligatures).
_KEEP = set("，！？：；（）")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff]")

#: A sentence matching any of these is advertisement or contact noise, not counseling.
NOISE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"加(?:我)?(?:微信|V信|vx|wx|qq|扣扣)",
        r"(?:扫码|二维码|关注(?:我的)?公众号|点击链接|私信我|私聊我|戳链接)",
        r"(?:咨询热线|预约电话|联系电话|客服电话|免费咨询|限时优惠|优惠券|折扣|包过|代写|代考)",
        r"(?:https?://|www\.)",
    )
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*\n?|\n")


def normalise(text: str) -> str:
    """NFKC except Chinese full-width punctuation; no zero-width characters; tidy whitespace.

    >>> normalise("ＡＢＣ１２３，好！\\u200b  多   空格\\n\\n\\n\\n段落")
    'ABC123，好！ 多 空格\\n\\n段落'
    """
    text = "".join(ch if ch in _KEEP else unicodedata.normalize("NFKC", ch) for ch in _ZERO_WIDTH.sub("", text))
    text = re.sub(r"[ \t\u3000]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def strip_noise(text: str) -> tuple[str, int]:
    """Remove advertisement and contact sentences; returns the text and how many were removed.

    >>> strip_noise("谢谢你的分享。想聊聊可以加我微信。祝好！")
    ('谢谢你的分享。祝好！', 1)
    """
    kept, removed = [], 0
    for sentence in _SENTENCE.findall(text):
        if any(p.search(sentence) for p in NOISE_PATTERNS):
            removed += 1
            continue
        kept.append(sentence)
    return "".join(kept).strip(), removed


def _clean_text(text: str, counts: Counter[str], pii: Counter[str], noise: bool = True) -> str:
    text = normalise(text)
    if noise:
        text, removed = strip_noise(text)
        counts["noise_sentences_removed"] += removed
    text, found = anonymise(text)
    pii.update(found)
    return text


def clean_text(text: str, pii: Counter[str]) -> str:
    """Normalise and anonymise one text (no noise stripping); adds its replacements to ``pii``."""
    return _clean_text(text, Counter(), pii, noise=False)


def clean_records(records: list[dict], min_answer_chars: int = 100) -> tuple[list[dict], dict[str, int], dict[str, int]]:
    """Clean every record; returns (kept records, counts per rule, PII replacements per type).

    Posts are anonymised but never stripped of "noise" (a seeker's own words stay whole); answers
    lose ad sentences, then those shorter than ``min_answer_chars`` are dropped, then posts left
    without answers are dropped.
    """
    counts: Counter[str] = Counter()
    pii: Counter[str] = Counter()
    out = []
    for rec in records:
        rec = dict(rec)
        rec["title"] = _clean_text(rec["title"], counts, pii, noise=False)
        rec["post"] = _clean_text(rec["post"], counts, pii, noise=False)
        answers = []
        for a in rec["answers"]:
            text = _clean_text(a["text"], counts, pii)
            if len(text) < min_answer_chars:
                counts["answers_too_short"] += 1
                continue
            answers.append({**a, "text": text})
        rec["answers"] = answers
        if "bad_answers" in rec:
            rec["bad_answers"] = [{**b, "text": _clean_text(b["text"], counts, pii, noise=False)} for b in rec["bad_answers"]]
        if "coe" in rec:
            rec["coe"] = {k: _clean_text(v, counts, pii, noise=False) for k, v in rec["coe"].items()}
        if not rec["post"]:
            counts["empty_posts"] += 1
            continue
        if not answers:
            counts["posts_without_answers"] += 1
            continue
        out.append(rec)
    return out, dict(counts), dict(pii)
