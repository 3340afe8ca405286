"""The tokenisation of docs/metrics.md, shared by the metrics and the rewards (one definition).

Pure Python; imports nothing from the package, so both :mod:`empathy_r1.rewards` and
:mod:`empathy_r1.evaluation.metrics` use it without depending on each other.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["tokenize"]

# One CJK ideograph per token (the four blocks docs/metrics.md names), or one maximal run of [a-z0-9].
# Everything else (punctuation, spaces, emoji, kana, hangul) matches neither and is dropped.
_TOKEN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]|[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """The tokens of docs/metrics.md: NFKC, lower-case, one token per CJK ideograph or per run of ``[a-z0-9]``.

    NFKC comes first so that full-width Latin letters and digits (``ＡＩ２``) become ASCII and
    then match ``[a-z0-9]``.

    >>> tokenize("Ｈｅｌｌｏ，世界！ 😀 123abc")
    ['hello', '世', '界', '123abc']
    """
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())
