"""Crisis screening and the fixed crisis reply. Imports neither torch nor trl.

Rules along clinical dimensions read normalised text (``normalise``), whole conversations at a
time (``screen_conversation``); a learned detector (``detector``) and a guard model (``guard``)
may raise the level, never lower it; ``factory.screener_from_config`` builds the configured one.

>>> from empathy_r1.safety import screen, crisis_reply
>>> screen("我已经写好了遗书，今晚就结束这一切").level
'urgent'
>>> screen("这个游戏太难了，我的角色又死了，气死我了").level
'none'
"""

from empathy_r1.safety.inputs import InputError
from empathy_r1.safety.locales import HelpLine, Locale, available_locales, concern_note, crisis_reply, load_locale
from empathy_r1.safety.screen import LEVELS, Classifier, Screener, Screening, Span, screen, screen_answer, screen_conversation

__all__ = [
    "LEVELS",
    "Classifier",
    "HelpLine",
    "InputError",
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
    "screen_conversation",
]
