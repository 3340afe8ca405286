"""Crisis screening and the fixed crisis reply. Pure Python: imports neither torch nor trl.

>>> from empathy_r1.safety import screen, crisis_reply
>>> screen("我已经写好了遗书，今晚就结束这一切").level
'urgent'
>>> screen("这个游戏太难了，我的角色又死了，气死我了").level
'none'
"""

from empathy_r1.safety.locales import HelpLine, Locale, available_locales, concern_note, crisis_reply, load_locale
from empathy_r1.safety.screen import LEVELS, Classifier, Screener, Screening, Span, screen, screen_answer

__all__ = [
    "LEVELS",
    "Classifier",
    "HelpLine",
    "Locale",
    "Screener",
    "Screening",
    "Span",
    "available_locales",
    "concern_note",
    "crisis_reply",
    "load_locale",
    "screen",
    "screen_answer",
]
