"""The lexicon behind crisis screening: risk rules, idioms and context words.

Everything a reviewer may want to change lives here as data, in plain regular expressions,
so that the matching logic (``screen.py``) stays small. Patterns run on NFKC-normalised,
lower-cased text, so full-width characters and English case need no special handling.

Two strengths of rule:

- ``urgent``: a present wish, plan or act (想自杀, 不想活了, 今晚就跳, 刚吞了一瓶药, 他正在打我).
- ``concern``: a risk signal that alone does not call for a crisis reply (活着没意思, 我是家人的
  累赘, a farewell, giving things away). Several *kinds* of concern signal in one post add up
  (see :data:`ACUTE_SIGNALS`), which is how implicit posts with no explicit word become urgent.

A rule may also be ``weak``: a bare mention of death or suicide that context (a film, a game,
the news, a third party) fully explains. Strong rules are suppressed by context only when their
subject is not the writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ACUTE_SIGNALS",
    "ANSWER_RULES",
    "CONTEXT_WORDS",
    "DIMENSIONS",
    "IDIOMS",
    "NEGATION",
    "RULES",
    "Rule",
]

Level = Literal["none", "concern", "urgent"]

#: The dimensions evidence is sorted into, after the Columbia Suicide Severity Rating Scale
#: (C-SSRS: wish to be dead, active ideation, method, intent, plan, preparatory behaviour,
#: actual attempt) and safe-messaging practice (hopelessness, feeling a burden), plus the
#: non-suicidal risks a support service must also answer. ``screen._level`` turns a set of
#: them into a level; see docs/safety.md.
DIMENSIONS: dict[str, str] = {
    "wish_dead": "wish to be dead, not wake up, disappear (passive ideation)",
    "active_ideation": "thoughts of killing oneself, not wanting to live, wanting to die",
    "method": "a means named: pills, a height, a blade, rope, charcoal, gas, water, traffic",
    "intent": "saying they will act: decided, serious, going to",
    "plan": "a time or place chosen",
    "preparation": "stockpiling, a note, farewells, giving things away, settling affairs, researching lethality, visiting a height",
    "act_in_progress": "an overdose taken, standing at a height, cutting now, bleeding, charcoal lit",
    "self_harm": "non-suicidal self-harm, now or as an urge",
    "harm_to_others": "intent or plan to hurt someone, including a parent's thoughts of harming a child",
    "abuse_in_progress": "violence or abuse happening or threatened now",
    "hopelessness": "no way out, no future",
    "burden": "feeling a burden to others",
    "mention": "a bare mention that context may explain",
    "encouragement": "(answers only) encouraging harm",
    "detector": "the learned detector's verdict",
    "guard": "a guard model's verdict",
    "answered_yes": "a yes to the assistant's question about suicide or self-harm",
    "crisis_in_history": "the conversation already received the crisis reply",
}


@dataclass(frozen=True)
class Rule:
    """One risk pattern."""

    name: str
    """Stable identifier, shown as the evidence's ``rule``."""
    category: str
    """suicide, self_harm, harm_to_others or abuse_in_progress."""
    level: Level
    """Level of a match that survives negation and context."""
    pattern: str
    """Regular expression on normalised text."""
    signal: str = "explicit"
    """Kind of signal, for combining implicit evidence: explicit, passive, plan, means, time,
    farewell, giving_away, burden, hopeless, hurt_now, threat."""
    weak: bool = False
    """A bare mention that any context (fiction, game, news, study, third party) explains away."""
    first_person: bool = True
    """About the writer; a third-party subject before the match turns it into concern."""
    dimension: str = "mention"
    """The clinical dimension the match is evidence of (:data:`DIMENSIONS`)."""

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(pattern)
    return _CACHE[pattern]


# Words reused across rules. Means are the usual ones in Chinese posts: pills, heights,
# water, rope, charcoal, blades, pesticide, gas, trains.
_MODAL = r"(?:想|想要|要|准备|打算|计划|决定|考虑|只想|真想|好想|很想|宁愿|干脆|不如)"
_METHOD = (
    r"(?:跳楼|跳河|跳江|跳海|跳桥|跳下去|上吊|割腕|割脉|烧炭|吞药|吃药自杀|服毒|喝农药|喝药|卧轨|撞车|开煤气|吞安眠药|吃安眠药|"
    r"从[^，,。]{0,6}(?:楼|楼顶|天台|桥|窗户)上?跳|一跃而下|自缢)"
)
_DIE = r"(?:死(?!的心)|去死|自杀|轻生|寻死|自尽|了结自己|结束自己|结束生命|结束我的生命|离开这个世界|离开人世)"
_MEANS = r"(?:烧炭|安眠药|安定片|农药|百草枯|刀片|美工刀|绳子|木炭|炭盆|煤气|老鼠药|一瓶药|一整瓶|一把药|几十片|上百片)"
_OTHER = r"(?:佢|他|她|他们|她们|那个人|那个混蛋|那个贱人|老板|上司|领导|同事|室友|同学|老师|前任|前男友|前女友|老公|老婆|丈夫|妻子|后妈|继父|全家|一家人|所有人|那帮人|这些人)"
_ABUSER = r"(?:佢|他|她|我爸|我妈|爸爸|妈妈|父亲|母亲|继父|后妈|老公|丈夫|男朋友|男友|女朋友|老婆|哥哥|姐姐|舅舅|叔叔|家里人|室友|那个人)"
_NOW = r"(?:正在|现在|此刻|又在|还在|一直在|刚刚|刚才|刚|又|每天都?|天天|经常|总是|动不动就)"
# Between a modal and a death verb only fillers and time words, never a clause ("想起奶奶死的时候").
_GAP = r"(?:好|去|要|就|直接|还是|早点|今晚|今天|明天|后天|马上|立刻|这周末|周末|这周|下周|月底|过几天|等会儿?){0,3}"

RULES: tuple[Rule, ...] = (
    # --- suicide: explicit wish or intent, present tense -------------------------------------
    Rule(
        "wish_to_die",
        "suicide",
        "urgent",
        r"(?:想死(?!的心)|(?:就|便|马上)去死|想去死|要去死|好想死|真想死|想一死了之|一死了之|死了算了|死了一了百了|不如死了|不如去死|还不如死|死掉算了|想死掉|求死)",
        dimension="active_ideation",
    ),
    Rule(
        "not_want_live",
        "suicide",
        "urgent",
        r"(?:不想活|不打算(?:再)?活(?:下去)?|不打算活(?:到|过)|不想(?:再)?(?:留|待|呆)(?:在|喺)(?:这个|呢个)世界|不想再(?:这样|这么)活(?:下去)?|唔想(?:再)?活|唔想(?:再)?生存|活不下去|活不下来|不想再活|没法活|活够了|不愿意再活|不愿再活|活着也是多余|没有活下去的(?:理由|意义|勇气|动力)|失去了活下去的|撑不下去了?.{0,6}(?:想死|去死|结束))",
        dimension="active_ideation",
    ),
    Rule("intent", "suicide", "urgent", r"(?!要死了|要死啦)" + _MODAL + _GAP + _DIE + r"|(?:宁愿|干脆|准备|打算|决定|计划)(?:去)?死", dimension="active_ideation"),
    Rule("method_intent", "suicide", "urgent", _MODAL + _GAP + _METHOD, dimension="method"),
    Rule(
        "end_it",
        "suicide",
        "urgent",
        r"(?:把自己的(?:命|生命)(?:给)?结束|结束(?:掉)?自己的(?:命|生命)|(?:我|我真的|真的|我一定)(?:会|要)(?:去)?(?:自杀|轻生|结束自己)(?![吗吧?？])|结束这一切|结束自己的生命|结束我的生命|了结自己|了断自己|自我了断|一了百了|做傻事|想不开|轻生的念头|自杀的念头|自杀的想法|轻生的想法|死的念头)",
        dimension="active_ideation",
    ),
    Rule(
        "again",
        "suicide",
        "urgent",
        r"(?:又|再次|重新|最近又|现在又|这几天又).{0,4}(?:有了?|出现|开始|冒出|涌上来).{0,4}(?:这种|那种|这个|那个|轻生|自杀|死的)?的?(?:念头|想法|冲动)",
        dimension="active_ideation",
    ),
    Rule(
        "jump",
        "suicide",
        "urgent",
        r"(?:我|今晚|今天|明天)(?:(?!不|没|别)[^，,。]){0,4}(?:就|要|会|准备|打算)+(?:(?!不|没|别)[^，,。]){0,14}(?:跳下去|跳楼|跳河|跳江|跳海)"
        r"|(?:想|要|准备|打算)(?:从|在)[^，,。]{0,8}(?:跳下去|跳楼|一跃而下)|(?:冲出去|冲到马路|冲向)[^。]{0,6}(?:被车撞|撞死)|想[^，,。]{0,4}被车撞死",
        dimension="intent",
    ),
    Rule(
        "then_die",
        "suicide",
        "urgent",
        r"(?:就|便|马上|立刻)(?:去|要|会)?(?:自杀|去死|轻生|了断自己|了结自己|结束自己|跳楼|上吊|割腕)",
        dimension="intent",
    ),
    Rule(
        "method_stated",
        "suicide",
        "urgent",
        r"(?:我|今晚|今天|明天|等会儿?|一会儿|马上|现在)(?:就|要|会|去|准备|打算|想|真的|还是)+" + _METHOD,
        dimension="method",
    ),
    # --- suicide: weak mentions (context may explain them) ---------------------------------
    Rule(
        "serious",
        "suicide",
        "urgent",
        r"(?:自杀|去死|轻生|结束自己).{0,12}(?:这次是认真的|我是认真的|不是开玩笑|没开玩笑)|(?:想|考虑|研究|查|搜|琢磨)(?:过)?.{0,6}怎么(?:自杀|去死|死比较|死才|结束自己|了结自己)",
        dimension="intent",
    ),
    Rule(
        "farewell_strong",
        "suicide",
        "urgent",
        r"永别|诀别|下辈子(?:再见|见|再做|再当|再报答|再还|再陪)|来世再见|(?:这是|这会是)我?(?:的)?最后一(?:次|条|篇|封)(?:发|说|留言|帖子|动态|朋友圈|消息|信)|留(?:下)?(?:了)?遗言",
        signal="farewell",
        dimension="preparation",
    ),
    Rule("hyperbole", "suicide", "concern", r"想死的心都有", signal="hopeless", dimension="hopelessness"),
    Rule("mention", "suicide", "concern", r"(?:自杀|轻生|寻死|自尽|跳楼|上吊|割腕)", weak=True, dimension="mention"),
    Rule(
        "i_die",
        "suicide",
        "concern",
        r"(?:我死了|我死后|我死之后|我不在了|我走了以后|我离开以后|我消失了?|我不见了)",
        signal="passive",
        weak=True,
        dimension="wish_dead",
    ),
    # --- suicide: passive ideation, hopelessness, burden -----------------------------------
    Rule(
        "passive",
        "suicide",
        "concern",
        r"(?:活着(?:没|没有|有什么)意思|活着(?:真的|真|好|太|很|也|实在)*累|活着有什么意义|活着没意义|不想醒来|(?:希望|但愿|想|要是)(?:(?!不想)[^，,。]){0,4}(?:不要|不再|别|永远不|再也不)醒|睡(?:着|过去)?(?:了)?(?:就)?(?:不要|别|不用|再也不)醒|永远睡过去|一睡不醒|消失就好了|想消失|从这个世界消失|不如没(?:有)?出生|没来到这个世界|要是没有我|不想存在|不想再醒|想永远睡|被车撞死就好了|出个意外死了|彻底解脱|永远解脱|想要解脱|想解脱)",
        signal="passive",
        dimension="wish_dead",
    ),
    Rule(
        "hopeless",
        "suicide",
        "concern",
        r"(?:看不到(?:任何)?(?:希望|出路|未来)|没有(?:任何)?(?:希望|出路|未来)了|撑不下去了|撑不住了|熬不下去|坚持不下去了|彻底绝望|太绝望了|好绝望|走投无路|没有意义了|一切都没有意义)",
        signal="hopeless",
        dimension="hopelessness",
    ),
    Rule(
        "burden",
        "suicide",
        "concern",
        r"(?:我|自己)(?:只是|就是|是|只会|成了|变成了?|一直是|简直是)(?:一?个)?(?:大家的|家里的|家人的|所有人的|全家的|他们的|你们的|别人的)?(?:累赘|负担|包袱|拖累|多余的人|没用的人|废物)|(?:拖累|连累)(?:了)?(?:家人|家里|大家|你们|他们|爸妈|父母|所有人)|(?:没有我|我不在了?|我消失了?|我死了).{0,10}(?:更好|更轻松|更幸福|解脱|少个麻烦|不用再)",
        signal="burden",
        dimension="burden",
    ),
    # --- suicide: implicit acute signals ---------------------------------------------------
    Rule(
        "farewell",
        "suicide",
        "concern",
        r"(?:我先走了|对不起(?:爸爸|妈妈|爸妈|大家|你们)|下辈子|永别了|永别|诀别|再见了?[，,。 ]?(?:这个世界|世界|大家|所有人|各位|爸妈|妈妈|爸爸)|下辈子(?:再见|见|再做|再当|再报答|再还|再陪)|来世再见|遗书|遗言|最后一(?:次|条|篇)(?:发|和|跟|说|写|留言|帖子|动态|朋友圈|消息)|替我(?:照顾|向|跟|和|好好)|谢谢(?:你们|大家|你)(?:这些年|一直以来|这段时间)(?:陪我|照顾我|的照顾)|别(?:为|替)我难过|不要(?:为|替)我难过|不会再(?:麻烦|打扰|拖累)(?:你们|大家|任何人|你)|以后(?:就)?不能陪(?:你|你们)了|谢谢(?:你们|大家).{0,12}(?:这些年|一直以来|陪伴|照顾).{0,12}(?:再见|永别|最后|走了))",
        signal="farewell",
        dimension="preparation",
    ),
    Rule(
        "giving_away",
        "suicide",
        "concern",
        r"托付给|留作纪念|当作纪念|做个纪念|(?:东西|衣服|书|收藏|手办|账号|猫|狗|宠物|存款|积蓄|游戏机|电脑).{0,6}(?:都|全)(?:送人|送掉|送出去|分给|留给|转给)|(?:银行卡|密码|存款|保险).{0,10}(?:写在|放在|留在|留给)|(?:我|以后)(?:再也)?用不(?:上|着)了",
        signal="giving_away",
        dimension="preparation",
    ),
    Rule(
        "plan",
        "suicide",
        "urgent",
        r"(?:(?:已经|都|早就|偷偷|慢慢)?(?:买好|准备好|攒好|攒够|攒了|囤了|买了|找好|查好|选好|写好).{0,8}(?:"
        + _MEANS
        + r"|遗书|地方|楼顶|天台|方法|时间))|"
        + _MEANS
        + r".{0,6}(?:已经|都|早就)?(?:攒够|攒好|买好|准备好|囤好|囤了|藏好)",
        signal="plan",
        dimension="preparation",
    ),
    Rule(
        "means",
        "suicide",
        "concern",
        _MEANS + r"|(?:药|绳子|炭)[^，,。]{0,3}(?:都|已经)?(?:准备好|买好|攒好|备好)",
        signal="means",
        weak=True,
        dimension="method",
    ),
    Rule(
        "time",
        "suicide",
        "concern",
        r"就等(?:今晚|今天|明天|周末|那天)|(?:今晚|今天晚上|明天|后天|这周末|月底|生日那天|过完年|等.{1,8}(?:之后|以后)).{0,6}(?:就|我就|便).{0,4}(?:永远离开|离开这个世界|结束|解脱|去死|跳|动手|了断|消失|走了|要做了|做了)",
        signal="time",
        dimension="plan",
    ),
    # --- self-harm ---------------------------------------------------------------------------
    Rule(
        "self_harm_urge",
        "self_harm",
        "urgent",
        r"(?:想|又想|很想|好想|忍不住|控制不住|停不下来|又开始|还是会|一直在|每天都)(?:(?!不|没|别|起|到|过)[^，,。]){0,5}(?:自残|割自己|划自己|割手|划手|伤害自己|用刀划|烫自己|割腕|撞墙|拿头撞|掐自己|咬自己|打自己)",
        dimension="self_harm",
    ),
    Rule("self_harm_act", "self_harm", "urgent", _NOW + r"(?:(?!没)(?!(?<![忍制])不)[^，,。]){0,4}(?:割了|划了|割破|划破|自残|烫了|伤了自己)", dimension="self_harm"),
    Rule(
        "self_harm_mention",
        "self_harm",
        "concern",
        r"(?:自残|自伤|割自己|划自己|割手腕|划手臂|手臂上的伤|伤害自己)",
        weak=True,
        dimension="self_harm",
    ),
    # --- hurt right now (overdose, bleeding, at the edge) -----------------------------------
    Rule(
        "overdose",
        "suicide",
        "urgent",
        r"(?:吞了|吃了|喝了|服了|吃下了|吞下了).{0,4}(?:[1-9][0-9]+|[二三四五六七八九两几]?十[一二三四五六七八九]?|几十|上百)多?(?:片|粒|颗)|(?:吞了|吃了|喝了|服了|吃下了|吞下了).{0,6}(?:一瓶|一整瓶|一整板|一把|很多|好多|一堆|几十|上百|所有的?|全部).{0,6}(?:药|安眠药|片|农药|百草枯)|(?:喝了|吃了)(?:农药|百草枯|老鼠药)",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    Rule(
        "bleeding",
        "self_harm",
        "urgent",
        r"(?:血(?:止不住|一直流|流了好多|流了很多|流个不停)|流了(?:好多|很多)血)",
        signal="hurt_now",
        weak=True,
        dimension="act_in_progress",
    ),
    Rule(
        "at_edge",
        "suicide",
        "urgent",
        r"(?:站在|坐在|现在在|我在).{0,6}(?:楼顶|天台|顶楼|桥上|桥边|江边|河边|窗台|阳台边|铁轨上|栏杆外)",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    # --- harm to others ----------------------------------------------------------------------
    Rule(
        "kill_other",
        "harm_to_others",
        "urgent",
        r"(?:想|要|准备|打算|计划|决定|真想|迟早要|一定要|非要|我会)(?:去|要|把)?(?:杀了|杀死|弄死|捅死|砍死|掐死|毒死|宰了|捅了|砍了|干掉|杀掉)(?:"
        + _OTHER
        + r"|(?:那个|这个|那些|这些|那帮|这帮)[^，,。]{0,8}(?:人|家伙|混蛋|畜生))",
        dimension="harm_to_others",
    ),
    Rule(
        "kill_plan",
        "harm_to_others",
        "urgent",
        r"(?:带(?:着)?刀|买了(?:把)?刀|磨好了刀|藏了刀|准备好了刀).{0,12}(?:去|找|等)|同归于尽|报复社会|拉.{0,4}垫背|一起去死|让他们(?:都)?(?:付出代价|陪葬)|炸了(?:学校|公司)|在.{0,4}(?:饭|水|汤|杯子|饮料|菜|茶)里下(?:药|毒)|(?:打算|准备|想|要)(?:给|对|往).{0,6}下毒",
        dimension="harm_to_others",
    ),
    Rule(
        "weapon",
        "harm_to_others",
        "concern",
        r"刀[^，,。]{0,3}(?:都|已经)?(?:磨好|买好|准备好|藏好)了?",
        signal="weapon",
        dimension="harm_to_others",
    ),
    Rule(
        "rage_kill",
        "harm_to_others",
        "concern",
        r"(?:恨不得|气得想|真想|想).{0,4}(?:杀了|弄死|掐死|打死)|想杀人",
        weak=True,
        dimension="harm_to_others",
    ),
    # --- abuse in progress --------------------------------------------------------------------
    Rule(
        "abuse_now",
        "abuse_in_progress",
        "urgent",
        _ABUSER
        + r".{0,3}"
        + _NOW
        + r".{0,3}(?:打我|掐我|踢我|揍我|扇我|勒我|拿刀|砍我|拿皮带|拿棍子|拿东西砸我|撞我的门|砸门)|"
        + _NOW
        + r"[^，,。]{0,6}(?:被|在被)[^，,。]{0,6}(?:打|掐|踢|揍|锁|关|绑|拖|砍|捅|性侵|侵犯|强奸)",
        first_person=False,
        dimension="abuse_in_progress",
    ),
    Rule(
        "threat_to_me",
        "abuse_in_progress",
        "urgent",
        _ABUSER
        + r".{0,8}(?:说要|扬言要|威胁(?:要|说)?|要|会).{0,4}(?:杀了我|弄死我|打死我|砍死我|掐死我|烧死我|杀我)|(?:被|把我)(?:锁|关|反锁)在.{0,8}(?:房间|屋|家|厕所|卫生间|地下室|车)里.{0,6}(?:出不去|不让我|不放我|不给我)|(?:他|她|有人)在(?:门外|外面|楼下).{0,8}(?:砸门|踹门|拿刀|堵我)",
        first_person=False,
        dimension="abuse_in_progress",
    ),
    Rule(
        "abuse_hit",
        "abuse_in_progress",
        "urgent",
        _ABUSER + r"(?:又|还|竟然|居然|今天|昨晚|刚刚?|刚才)?(?:打|掐|踢|揍|扇|勒|砍|捅)(?:了)?我(?!过)",
        first_person=False,
        dimension="abuse_in_progress",
    ),
    Rule(
        "abuse_ongoing",
        "abuse_in_progress",
        "concern",
        r"(?:家暴|被打|打我|性侵|猥亵|虐待|被霸凌|被欺负|被威胁)",
        weak=True,
        first_person=False,
        dimension="abuse_in_progress",
    ),
    # --- C-SSRS dimensions the rules above did not reach ------------------------------------
    Rule(
        "research_lethality",
        "suicide",
        "urgent",
        r"(?:查|搜|百度|问|研究|算)(?:了|过)?.{0,10}(?:致死量|致死剂量|多少(?:片|粒|颗|毫克|克)|几(?:片|粒|颗)|多高|几楼|几层).{0,10}(?:会死|能死|才会死|致死|死得了|死亡|不痛|没有痛苦|一定死)"
        r"|(?:查|搜|研究)(?:了|过)?.{0,6}(?:哪里|哪座桥|哪栋楼|什么地方|怎样|怎么样|什么方法|哪种方法|哪种药).{0,8}(?:死|不痛苦|最快|成功率)",
        signal="plan",
        dimension="preparation",
    ),
    Rule(
        "visit_height",
        "suicide",
        "concern",
        r"(?:去|上|爬上|走到)(?:了)?(?:楼顶|天台|顶楼|桥上|江边|海边|悬崖).{0,8}(?:看了看|看过|看看|踩点|站了|待了|坐了|往下看|往下望)|(?:往下|向下)(?:看|望)了?.{0,6}(?:很久|好久|一会|半天)",
        signal="means",
        dimension="preparation",
    ),
    Rule(
        "settle_affairs",
        "suicide",
        "concern",
        r"(?:交代|安排|处理|料理)(?:好|完)?(?:了)?(?:后事|身后事)|(?:写好|立好|写了|立了)(?:了)?遗嘱|(?:保险|受益人|存款|银行卡|密码|账号|微信密码|支付宝).{0,10}(?:写给|留给|交给|告诉了|转给|改成|都写好|放在)"
        r"|(?:债|钱)(?:都|已经)?(?:还清|还完|还上)了.{0,10}(?:放心|没有遗憾|可以走|不欠)|(?:把|给)(?:我的)?(?:猫|狗|猫咪|狗狗|宠物|仓鼠|兔子).{0,8}(?:送人|送走|送给|托付|找好了(?:新)?(?:主人|家)|交给)",
        signal="giving_away",
        dimension="preparation",
    ),
    Rule(
        "note",
        "suicide",
        "concern",
        r"(?:写好|写了|写完|留了|留下)(?:了)?(?:[一二三四五六七八九几两]封)?(?:给(?:爸妈|妈妈|爸爸|家人|你们|大家|他|她)的)?(?:最后的?)?(?:信|遗书|遗言|告别信)|最后一封信",
        signal="farewell",
        dimension="preparation",
    ),
    Rule(
        "act_now",
        "suicide",
        "urgent",
        r"(?:已经|刚刚?|刚才|都)(?:把)?(?:药|安眠药|整瓶药|那瓶药|所有的药|攒的药)(?:都|全)?(?:吃了|吞了|吃下去了|吞下去了|喝了)"
        r"|(?:药|安眠药)(?:都|已经|全)(?:吃|吞|喝)(?:了|下去了|完了)"
        r"|(?:炭|碳)(?:已经|都)?(?:点上|点着|烧上|烧起来|点好)了?|(?:绳子|绳套)(?:已经|都)?(?:挂好|系好|绑好|套好|打好结)了?"
        r"|(?:现在|正)(?:坐|站|蹲|躺)在(?:楼顶|天台|顶楼|桥上|窗台|栏杆外|铁轨上|窗户外|阳台外)|(?:已经|刚)?(?:喝|吃)了(?:农药|百草枯|老鼠药|敌敌畏|洗洁精|消毒水)"
        r"|(?:正在|一边)(?:割|划|烧炭|吞药)"
        r"|(?:把)?(?:一整瓶|整瓶|一瓶|整盒|一盒|所有的?|全部的?)(?:的)?[^，,。]{0,5}(?:都|全)?(?:吃了|吞了|喝了|吃下去了|吞下去了|食咗|食晒)"
        r"|手腕[^。]{0,4}(?:在)?(?:流血|出血)",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    Rule(
        "harm_child",
        "harm_to_others",
        "urgent",
        r"(?:怕|害怕|担心|控制不住|忍不住|差点|真想|想|想要)(?:自己)?(?:会)?(?:把|对)?(?:孩子|宝宝|儿子|女儿|娃|小孩)(?:.{0,4})(?:掐死|闷死|摔死|扔下去|扔出去|淹死|打死|弄死|捂死|伤害|下手)",
        first_person=False,
        dimension="harm_to_others",
    ),
    Rule(
        "abuse_now_more",
        "abuse_in_progress",
        "urgent",
        r"(?:他|她|我爸|我妈|爸爸|妈妈|老公|丈夫|男朋友|男友|前夫|前男友|继父|那个人)(?:现在|正在|又在|还在)?(?:在)?(?:门外|门口|楼下|外面)(?:一直)?(?:砸门|踹门|敲门|骂|拿着刀|等我|堵我)"
        r"|(?:他|她)(?:拿着|手里有|举着)(?:刀|菜刀|棍子|锤子|剪刀).{0,8}(?:我|过来|追)|(?:我|孩子)(?:被)?(?:反锁|锁)在(?:房间|屋|家|厕所|卫生间|车)里|(?:我|孩子)(?:现在)?(?:躲在|藏在)(?:厕所|卫生间|衣柜|房间|柜子)里",
        first_person=False,
        dimension="abuse_in_progress",
    ),
    Rule(
        "euphemism_ideation",
        "suicide",
        "urgent",
        r"(?:想|要|准备|打算|决定|只想|好想|真想)(?:去|早点|快点)?(?:去另一个世界|去天堂|去见(?:奶奶|爷爷|外婆|外公|妈妈|爸爸)|永远(?:地)?休息|永远睡下去|退出人生|退出这个世界|人生删号|结束人生|结束这辈子|离开人间|去死一死)|活腻了|不想(?:再)?活下去|不想在这个世界(?:上)?(?:待|呆)",
        weak=True,
        dimension="active_ideation",
    ),
    Rule(
        "wish_not_exist",
        "suicide",
        "concern",
        r"(?:想|好想|真想|只想)(?:就这样)?(?:睡过去|睡死过去|永远消失|从世界上消失|人间蒸发|不存在)|(?:死了|不在了|消失了)(?:也)?(?:没人|没有人)(?:在意|在乎|会发现|会难过)|活着(?:好|太|真)?(?:没劲|多余|累)",
        dimension="wish_dead",
        signal="passive",
    ),
    Rule(
        "time_chosen",
        "suicide",
        "concern",
        r"(?:打算|准备|决定|计划|就|定在|选在|选了)(?:就)?(?:在)?(?:今晚|今天晚上|今天|明天|后天|这周末|周末|月底|生日那天|过年前|考完试|下周|下(?:礼拜|星期|周)[一二三四五六日天])(?:了|吧)?(?:[。.!！]|$)",
        signal="time",
        dimension="plan",
    ),
    Rule(
        "take_all",
        "suicide",
        "concern",
        r"(?:都|全|全部|一次性|一口气)(?:吃|吞|喝)(?:掉|下去|光|完)",
        signal="means",
        dimension="method",
    ),
    # --- broad cues: one dimension each, concern alone, urgent in combination (see screen._level) ---
    Rule(
        "finality",
        "suicide",
        "concern",
        r"(?:我|就|终于|准备|打算|决定|可以|要|该)(?:要)?(?:走了|离开了)(?![^，,。]{0,3}(?:去|回|到|出差|旅游|出国|上班|上学|吃饭))"
        r"|(?:不会|唔会)(?:再)?(?:下来|回来|返嚟|醒来|回头|见到你们|麻烦你们|打扰你们|来了|痛了)|(?:我)?(?:就|再也|已经)?不在了(?:吧|喔|哦)?(?:[。.!！]|$)"
        r"|(?:以后|之后|从此)(?:你们|大家|他们|爸妈)(?:就)?(?:轻松了|解脱了|不用再(?:为我|管我|操心))|睡(?:一)?个永远的(?:好觉|长觉)|永远(?:地)?(?:睡下去|睡着|休息|离开)"
        r"|(?:这辈子|这一生|人生)(?:就)?到(?:这|此)(?:里)?(?:为止)?了|(?:去|要去|想去)(?:找|见|陪)(?:已经)?(?:去世的|走了的)?(?:奶奶|爷爷|外婆|外公|妈妈|爸爸)(?:了)?"
        r"|适合离开|是时候(?:离开|走)了|最后一(?:餐|顿)|一(?:起|齐)(?:去死|死|解脱)|(?:不如|想|要)(?:同|和|跟)[^，,。]{0,4}一(?:起|齐)走|(?:很快|一下)就(?:没感觉|不痛|结束)了|唔使再烦|不用再醒|告别这个世界|向这个世界告别|(?:最后|最终)的(?:告别|决定)",
        signal="farewell",
        weak=True,
        dimension="intent",
    ),
    Rule(
        "stockpile",
        "suicide",
        "concern",
        r"(?:攒|存|囤|储|收集|藏)(?:了|咗|够了|够)?[^，,。]{0,6}(?:药|片|粒|颗)|(?:[0-9一二三四五六七八九十几两百]+)(?:多)?(?:片|粒|颗|盒|瓶)[^，,。]{0,6}(?:够了|应该够|足够|算过)",
        signal="plan",
        dimension="preparation",
    ),
    Rule(
        "height",
        "suicide",
        "concern",
        r"(?:楼顶|天台|顶楼|屋顶|阳台|窗边|窗台|窗户|桥上|桥边|大桥|轨道|铁轨|悬崖|[0-9一二三四五六七八九十几]+楼)[^，,。]{0,10}(?:跳下去|往下跳|往下看|往下望|够高|挺高|应该够|摔下去|掉下去|腿在外面|栏杆外|翻过)"
        r"|(?:跳(?!槽|舞|绳|远|高|水|伞|级|过|出|动|棋|脚)|往下跳)[^，,。]{0,3}(?:楼|桥|海|河|江|下去)|(?:走进|走入|跳进)(?:海|河|江|湖|水)(?:里)?",
        signal="means",
        weak=True,
        dimension="method",
    ),
    Rule(
        "means_ready",
        "suicide",
        "concern",
        r"(?:煤气|燃气|炭|木炭|绳子|绳套|刀片|农药|汽油)[^，,。]{0,12}(?:打开|开了|点上|点了|准备好|准备了|买好|买了|买咗|买好咗|挂好|系好|在手边|就在身边)"
        r"|(?:准备|买|备)(?:好|了)(?:一)?(?:瓶|盒|包|根|把)?(?:安眠药|药|农药|绳子|炭|刀片)",
        signal="means",
        weak=True,
        dimension="method",
    ),
    Rule(
        "act_taken",
        "suicide",
        "urgent",
        r"(?:吞|吃|喝|服)(?:了|咗|下|掉|晒)[^，,。]{0,4}(?:一把|一整(?:瓶|盒|板)|所有的?|全部的?|好多|很多|半盒|一盒|一瓶|两盒|几盒|[二三四五六七八九]十|几十|上百|[1-9][0-9])(?:多)?(?:片|粒|颗|盒|瓶)?(?:的)?(?:药|安眠药|布洛芬|退烧药|止痛药|片|粒|颗|盒|瓶)"
        r"|(?:煤气|燃气)[^，,。]{0,3}(?:打开了|开了|开着)|(?:门窗|窗户和门|门和窗)(?:都)?(?:关|封)(?:上|好|死)了|(?:刀|刀片)(?:都)?(?:已经)?(?:放到|放在|抵在|贴在)(?:了)?(?:手腕|脖子|喉咙)",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    Rule(
        "self_harm_wound",
        "self_harm",
        "urgent",
        r"(?:划|割|切|烫|烧|抓|刮)(?:得|了|咗)?[^，,。]{0,4}(?:有点深|很深|太深|好深|比较深|要缝|缝针|止不住|一直流血|全是血)|(?:又|再)(?:划|割)(?:了|咗)(?:自己|手|手腕|手臂|大腿)",
        signal="hurt_now",
        weak=True,
        dimension="self_harm",
    ),
    Rule(
        "harm_plan",
        "harm_to_others",
        "urgent",
        r"要(?:了)?(?:他|她|他们|她们|佢|那个人|那个混蛋)的(?:命|狗命)|(?:让|要)(?:他|她|他们|佢)(?:再也)?(?:起不来|醒不过来|陪葬|尝尝被.{0,4}死)"
        r"|(?:在|往)(?:他|她|佢)?(?:的)?(?:水杯|杯子|饭|碗|水|饮料|茶|汤|咖啡)(?:里)?(?:放|下|加)(?:了)?[^，,。]{0,4}(?:东西|药|毒)"
        r"|(?:汽油|硫酸|刀|斧头|锤子)(?:都|已经)?(?:买|准备)(?:好|了|咗)[^。]{0,12}(?:他|她|佢|去他|去她)|(?:想|要|会)(?:杀|殺)(?:咗|了|死)?(?:佢|他|她)",
        first_person=False,
        dimension="harm_to_others",
    ),
    Rule(
        "abuse_happening",
        "abuse_in_progress",
        "urgent",
        r"(?:在|正在|又在|一直在)(?:打|抽|踢|掐|揍|扇)(?:我|他|她|小孩|孩子|我妈|妈妈|媽|弟弟|妹妹|奶奶)|(?:在|正在|又在|现在)[^，,。]{0,6}用(?:皮带|棍子|衣架|拖鞋|酒瓶)(?:抽|打|砸)"
        r"|(?:说要|喊着要|吼着要|吼说要|要)(?:打死|弄死|杀死|掐死)(?:他|她|我|你|我们)|(?:锁|反锁)(?:了|咗)?(?:门|房门)[^。]{0,6}(?:不让|不俾|唔俾|不放)"
        r"|(?:一直|正在|又)(?:摸我|亲我|脱我|扯我)|(?:现在|正)?(?:就)?在(?:门外|门口)[^。]{0,8}(?:敲|砸|踹)|拿着(?:刀|菜刀|酒瓶|棍子)[^。]{0,6}(?:要|追|对着)",
        first_person=False,
        dimension="abuse_in_progress",
    ),
    # --- acts, wounds, threats and plans as people describe them (second pass) -------------
    Rule(
        "act_swallowed",
        "suicide",
        "urgent",
        r"(?:吞|吃|喝|食|服)(?:了|咗|晒|下)?(?:整|半|一|成)(?:盒|瓶|板|排)(?:的)?(?:安眠药|药|农药|漂白水)?"
        r"|(?:喝|吃|食)(?:了|咗)?(?:半瓶|一瓶|整瓶|一口|几口)?(?:漂白水|农药|百草枯|老鼠药|洗洁精|消毒水|敌敌畏|除草剂)"
        r"|(?:药|安眠药)(?:我)?(?:已经|都)?(?:食晒|食咗|吃完了|全吃了|全吞了|都吃了|都吞了)"
        r"|(?:刚|刚刚|刚才|头先)(?:吃|吞|食)(?:了|咗)[^，,。]{0,3}(?:[二三四五六七八九]?十几|几十|[1-9][0-9])(?:片|粒|颗)"
        r"|(?:把|将)(?:成|整|一|半)(?:板|盒|瓶|排)[^，,。]{0,3}(?:药)?(?:都|全)?(?:吃|吞|食)(?:了|晒|咗|完|掉)",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    Rule(
        "at_edge_now",
        "suicide",
        "urgent",
        r"(?:楼顶|天台|顶楼|桥|窗台)(?:的)?边(?:上|缘)|(?:腿|脚)(?:已经)?(?:悬|伸|放)在(?:外面|窗外|栏杆外)|(?:已经)?(?:翻过|跨过|爬出)(?:了)?(?:栏杆|护栏|窗户)",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    Rule(
        "at_height_now",
        "suicide",
        "concern",
        r"(?:现在|而家|正)(?:就)?(?:在|喺|站在|坐在|企喺)(?:楼顶|天台|顶楼|桥上|桥边|海边|江边|河边|站台|月台|铁轨|窗台|窗边|[0-9一二三四五六七八九十几]+楼)"
        r"|(?:在|喺)(?:江边|河边|海边|楼顶|天台|桥上)(?:坐|站|待|呆|企)(?:了|咗)",
        signal="means",
        dimension="method",
    ),
    Rule(
        "self_harm_tool",
        "self_harm",
        "urgent",
        r"(?:用|拿)(?:[^，,。]{0,3}刀片?|烟头|打火机|圆规|笔尖|针|剪刀|指甲|玻璃)(?:尖)?[^，,。]{0,6}(?:烫|烧|扎|划|割|刻|戳|掐|刮)(?:了|咗)?(?:自己|手|手臂|大腿|手腕|手背|手心)?"
        r"|(?:烫|烧|划|割|扎|戳|刻)(?:了|咗)(?:自己|我自己)|(?:拿头|用头)(?:撞|砸)(?:墙|桌子|地)|(?:撞墙|砸墙|捶墙|捶大腿|打自己)[^。]{0,10}(?:停不下来|几十下|肿了|流血|晕)"
        r"|(?:自己)(?:划|割|刻|烫|烧)的[^。]{0,14}(?:缝针|发炎|化脓|流脓|止不住|很深|比较深|裂开|见骨)"
        r"|(?:手里|手上|手揸住)(?:拿着|握着|捏着)?(?:把)?(?:刀片|刀|美工刀|𠝹刀)[^。]{0,10}(?:想|好想|特别想)(?:划|割|伤害|整伤)",
        signal="explicit",  # not hurt_now: 以前会用刀片划手臂 is past, and past lowers it
        dimension="self_harm",
    ),
    Rule(
        "harm_intent",
        "harm_to_others",
        "concern",
        r"(?:我|今晚|明天|这周)(?:真的|真系|一定|就)?(?:要|会|准备|打算)(?:去)?(?:杀了|杀死|斩死|砍死|捅死|弄死|报复|放火烧|烧了|跟他们拼了|打爆|泼)",
        signal="threat",
        dimension="harm_to_others",
    ),
    Rule(
        "weapon_ready",
        "harm_to_others",
        "concern",
        r"(?:刀|菜刀|锤子|锤仔|扳手|硫酸|汽油|斧头|棍子)[^。]{0,6}(?:已经|都)?(?:买好|买了|买到了|买咗|磨好|藏(?:在|好)|准备好|装在|拿着|带咗|带了)"
        r"|(?:拿着|带着|带咗|拎住)(?:把|一把|个)?(?:刀|菜刀|锤子|锤仔|扳手|硫酸|汽油|斧头)|(?:拿|带|偷|藏)(?:了|的|咗)[^。]{0,4}(?:水果刀|菜刀|刀|锤子|剪刀)",
        signal="weapon",
        dimension="harm_to_others",
    ),
    Rule(
        "target_known",
        "harm_to_others",
        "concern",
        r"(?:行程|地址|住址|新住址|几点(?:下班|收工|放工|遛狗|回家)|每天晚上[^。]{0,6}(?:从|下班))[^。]{0,8}(?:摸清|查好|查到|知道|清楚|都查)|(?:摸清|查好|查到)[^。]{0,8}(?:行程|地址|住址|几点)|列好(?:了)?名单",
        signal="plan",
        dimension="harm_to_others",
    ),
    Rule(
        "abuse_now_third",
        "abuse_in_progress",
        "urgent",
        r"(?:把我|把爷爷|把奶奶|把孩子|把他|把她|被)(?:锁|关|反锁)在[^。]{0,6}里|(?:拿刀|拿着刀)(?:抵着|逼|指着|架在)|(?:在|喺)(?:出面|外面|门外)(?:拎住|拿着)(?:把)?刀"
        r"|(?:在|正在)(?:撬|踹|砸)(?:我)?(?:的)?(?:房)?门|不开门就|说要进来|(?:用)(?:嘢|东西|皮带|衣架|棍)(?:打|抽)(?:佢|他|她)"
        r"|被[^，,。]{1,4}打了(?:一晚上|一顿|好久|一夜|一整晚)|(?:推倒|掐住|勒住)(?:我|她|他|奶奶|爷爷)|掐着(?:我|她|他)(?:的)?脖子|(?:说|话)?(?:今天|今晚)?要(?:让|叫)我死"
        r"|(?:就|要)(?:上来|过来|进来|冲进来|找上门)(?:把我)?(?:弄死|杀了|杀死|打死|砍死|斩死)我?"
        r"|(?:打|揍|踢|斩)紧(?:佢|他|她|我)|(?:喊|叫|大喊|大叫)救命|(?:找到我|抓到我|见到我|捉到我)就(?:杀了我|掐死我|弄死我|打死我|砍死我|斩死我|杀我)"
        r"|(?:门口|门外)(?:撞门|砸门|踹门|拍门)|(?:话要|说要|扬言要)(?:斩|杀|砍|捅|打)死(?:我|我们|她|他)"
        r"|(?:带|抱)(?:着)?(?:孩子|小孩|宝宝|个仔|个女)(?:一起|一齐)?(?:去死|跳|自杀|烧炭)",
        first_person=False,
        dimension="abuse_in_progress",
    ),
    Rule(
        "harm_baby",
        "harm_to_others",
        "urgent",
        r"(?:怕|害怕|担心|控制不住|忍不住|差点|真想|很想|想)(?:我|自己)?(?:会)?[^，,。]{0,6}(?:掐死|闷死|摔死|扔下去|丢出去|扔出去|捂死|淹死|伤害|捂住|揼落)[^，,。]{0,4}(?:孩子|宝宝|儿子|女儿|娃|他|她|佢|个仔|个女)"
        r"|(?:使劲|用力)(?:摇|晃)(?:了)?(?:几下|他|她|宝宝)|(?:捂住|摀住)(?:她|他|宝宝|孩子)的(?:嘴|口鼻)|(?:手)(?:已经)?(?:放在|放到)(?:他|她|孩子|宝宝)的?脖子上"
        r"|(?:枕头|被子|毛巾|手)[^，,。]{0,4}(?:压|捂|盖)(?:落|住|在)?(?:佢|他|她|宝宝|孩子|bb)(?:的|块)?(?:面|脸|口鼻|嘴)",
        first_person=False,
        dimension="harm_to_others",
    ),
    Rule(
        "go_height",
        "suicide",
        "concern",
        r"(?:今晚|明天|后天|听晚|听朝|周末|下课|下班|上班前|等会|这周)[^。]{0,8}(?:会|要|就)?(?:去|上)(?:顶楼|楼顶|天台|那座桥|那条桥|嗰条桥|桥上|海边|江边|那栋楼)",
        signal="time",
        dimension="plan",
    ),
    Rule(
        "resolve",
        "suicide",
        "concern",
        r"(?:已经|都)?想(?:了)?(?:很久|好久)了|想清楚了|(?:已经|我)?决定(?:了|咗)|就(?:那天|那时候|这几天)(?:吧|了)|下次(?:我)?(?:不会|唔会)只是看看|最后一(?:晚|天|夜)了",
        signal="resolve",
        weak=True,
        dimension="intent",
    ),
    Rule(
        "note_written",
        "suicide",
        "urgent",
        r"(?:遗书|遗言|告别信)(?:已经|都|我)?(?:写好|写完|放在|设成|设好)",
        signal="farewell",
        dimension="preparation",
    ),
    Rule(
        "stock_counted",
        "suicide",
        "concern",
        r"(?:药|安眠药)[^，,。]{0,3}(?:攒|存|囤)(?:了|够|咗)|(?:一共|总共|数了)[^。]{0,6}(?:片|粒|颗)[^。]{0,4}够了|(?:吃|吞)多少(?:片|粒|颗)?[^。]{0,4}(?:会出事|会死|会没命|才会死)"
        r"|(?:查|搜)(?:了|过)?[^。]{0,10}(?:哪种|什么)(?:方式|方法|办法)(?:最快|最不痛|不痛|比较快)",
        signal="plan",
        dimension="preparation",
    ),
    Rule(
        "lethality_known",
        "suicide",
        "concern",
        r"(?:吃|吞|服)[0-9一二三四五六七八九十几]+(?:片|粒|颗)(?:以上)?(?:就)?(?:会|能)?(?:肝衰竭|死|没命|致死|醒不过来)|(?:要)?(?:吃|吞)多少(?:片|粒|颗)?(?:才)?够"
        r"|(?:我)?(?:手上|手里|家里|这里)(?:有|还有)(?:[0-9]{2,}|几十|上百|[二三四五六七八九]十[一二三四五六七八九]?)(?:片|粒|颗)",
        signal="plan",
        dimension="preparation",
    ),
    Rule(
        "painless_method",
        "suicide",
        "urgent",
        r"(?:自杀|死)[^。]{0,6}(?:怎么样|怎样|哪种|什么方法|方法)[^。]{0,6}(?:不会痛|不痛|最快|无痛|没痛苦)|想死的心(?:已经)?(?:定了|决定了)"
        r"|一次(?:就)?成功|(?:几楼|多高|多少层|几层)[^。]{0,6}跳[^。]{0,6}(?:会死|一定会死|能死|死得了)|(?:确保|保证)(?:不会|唔会)?被救|不会被救回来|(?:决定|打算|准备|计划)[^，,。]{0,12}(?:结束自己|结束生命|自杀|轻生|了断自己)(?![的预干新率案问])"
        r"|想在[^，,。]{0,12}(?:后|之后|以后|那天|那晚)(?:就)?(?:结束自己|结束生命|自杀|轻生|了断自己)",
        dimension="intent",
    ),
    Rule(
        "nothing_left",
        "suicide",
        "concern",
        r"没什么(?:好)?留恋的|了无牵挂|没有牵挂了|不想再撑(?:下去)?|唔想再撑(?:落去)?|撑唔落去",
        signal="hopeless",
        dimension="hopelessness",
    ),
    # --- English: enough for the en-US locale, not a full English screener -------------------
    Rule(
        "en_intent",
        "suicide",
        "urgent",
        r"\b(?:want|wanna|going|plan|planning|decided|ready)\s+(?:to\s+)?(?:die|kill myself|end (?:my|it all)|take my (?:own )?life|commit suicide)\b|\bkill myself\b|\bend my life\b|\bsuicidal\b|\bdon'?t want to (?:live|be alive|wake up)\b",
        dimension="active_ideation",
    ),
    Rule(
        "en_self_harm",
        "self_harm",
        "urgent",
        r"\b(?:cut|cutting|hurt|hurting|harm|harming)\s+myself\b|\bself[- ]harm(?:ing)?\b",
        dimension="self_harm",
    ),
    Rule(
        "en_overdose",
        "suicide",
        "urgent",
        r"\b(?:took|swallowed|taken)\s+(?:a (?:whole )?bottle|all (?:my|the)|a lot of|dozens of)\b.{0,20}\b(?:pills|tablets)\b",
        signal="hurt_now",
        dimension="act_in_progress",
    ),
    Rule(
        "en_mention",
        "suicide",
        "concern",
        r"\bsuicide\b|\bwant to disappear\b|\bburden to\b|\bno reason to live\b",
        weak=True,
        dimension="mention",
    ),
)

#: Implicit signals whose *combination* with any other suicide signal in the post makes it urgent:
#: a farewell or things given away next to a death wish, a means next to a time, a plan.
ACUTE_SIGNALS: frozenset[str] = frozenset({"farewell", "giving_away", "means", "time", "plan", "weapon", "threat"})

#: Expressions that contain a risk word and mean nothing of the kind. They are masked out
#: before the rules run (same length, so offsets stay right). 想死 alone is *not* here: only
#: 想死你/我/他了 (missing someone) is.
IDIOMS: tuple[str, ...] = (
    r"(?:笑|累|饿|气|热|冷|困|忙|烦|吓|急|渴|撑|痛|疼|难受|无聊|尴尬|丑|美|羡慕|爽|乐|恨|闷|馋|臭|懒|紧张|郁闷|坑|虐|帅|萌|可爱|感动|高兴|开心|酸|甜|辣|晒|冻|挤|吵|憋|困|香|尬|嫉妒|心疼|麻烦|难|烦躁)死(?:了|我了|人了|啦|我|人|掉了|宝宝了)",
    r"想死(?:你|您|你们|他|她|它|我|妈妈|爸爸|大家|宝宝|老婆|老公|奶奶|爷爷|姥姥|外婆)了?(?![自去])",
    r"(?:得|的)(?:要死|半死|要命|不行)",
    r"(?:要死|要命)(?:了|啦)?(?:[，,!！]|$)(?=.{0,3}(?:[笑哈嘿]|$))",
    r"死海|死机|死循环|死锁|死党|死板|死心眼|死记硬背|死磕|死胡同|死定了|死缠烂打|死皮赖脸|死鸭子嘴硬|死要面子|死不承认|死活|拼死拼活|作死|找死|该死的?|死了这条心|打死我也不|打死也不|半死不活|死者|死亡率|死刑",
    r"(?:你|你们|他|她|他们)(?:去死|快去死)吧?",
    r"想杀人的心都有|杀了我吧[!！]*(?=.{0,3}(?:哈|笑|太|好))",
    r"跳楼价|跳楼大甩卖|跳楼甩卖|跳楼大减价|跳楼机",
    r"社死(?:到|得)(?:我)?想死|(?:热|冷|累|饿|困|忙|烦|吵|穷|丑)(?:得|到)(?:我)?不想活了?",
    r"(?:改|烦|忙|累|吵|热|冷|饿|困|笑|气|尬|丑|难吃|难食|难听|难看|无聊|卷|堵|挤|晒|闷|痒|疼|尴尬|无语)(?:得|到)(?:我)?(?:想死|要死|半死)(?!了算了)",
    r"累成狗|社死|社会性死亡|气得(?:要死|半死|发抖)",
    r"\b(?:dying (?:of|to|for)|i'?m dead|killing it|kill(?:ed)? it|dead tired|to die for|laughed to death)\b",
)

#: Per-sentence context that explains a weak mention (or a strong one whose subject is not the writer).
CONTEXT_WORDS: dict[str, str] = {
    "fiction": r"剧本|开本|抽到的角色|角色是|扮演|演的是|《[^》]{1,30}》|电影|电视剧|剧里|剧中|影片|片子|小说|书里|书中|故事里|故事中|漫画|动漫|动画|番剧|主角|主人公|男主|女主|剧情|台词|歌词|纪录片|话剧|舞台剧|悬疑片|推理|剧本杀|这部剧|那部剧|这本书|那本书|结局",
    "game": r"手柄|法环|黑神话|魂类|死了[0-9一二三四五六七八九十几]+次|打野|下路|上路|中路|这把|下把|练号|小号|新区|开荒|奶妈|游戏|王者|吃鸡|原神|英雄联盟|\blol\b|副本|\bboss\b|血条|复活|团灭|打怪|\bnpc\b|关卡|通关|刷本|残血|掉线|段位|排位|我方|队友|野怪",
    "news": r"评论|凶手|嫌疑人|新闻|报道|热搜|据悉|微博上|网上看到|看到一则|新闻里|通报|警方",
    "english": r"\b(?:film|movie|book|novel|series|game|news|prevention|class|lecture|research|character)s?\b",
    "study": r"标注|数据集|语料|识别模型|志愿者|考核|扮演|角色扮演|来电者|论文|研究|课题|科普|讲座|预防|干预培训|作业题|考试题|心理学课|统计数据|课上",
    "travel": r"出国|搬家|搬过去|搬走|房子找到|毕业|离职|辞职|回老家|出差|旅行|旅游|航班|飞机|火车票|高铁|留学|移民|退群|下播|退游|宿舍|实习|调岗|分手",
    "daily": r"杀鸡|杀鱼|炖汤|做菜|磨刀|刀具|收纳|鼻子|鼻血|月经|例假|牙龈|被狗|狗咬|被咬|被猫|摔了|磕到|碰到|切菜|做饭|厨房|削水果|纹身|打耳洞|手术|医生说|护士|打针|抽血|献血|比赛|训练|摔倒|跌倒|骑车|晾衣服|烧烤|钓鱼|露营|装修",
}

#: An urge the writer says they held back (不过我忍住了): concern, not urgent.
RESISTED = r"(?:已经)?(?:很多年|好几年|几年|很久)?没有(?:再)?出现|没有再(?:走到|想过|做过)|忍住了|忍下来了|控制住了|克制住了|撑过去了|没有再(?:划|割|伤害)|没有动手|没(?:有)?做"

#: Anger hyperbole: "恨不得杀了他" in a fit of rage is concern, not a plan (a plan stays urgent).
RAGE = r"恨不得|气得|气死|气疯|气炸|恨死|真想掐死|火大"

#: A third party as the subject of a sentence; the writer's "我" after it takes the subject back.
THIRD_PARTY = (
    r"对方|来电者|求助者|当事人|佢哋|佢|阿妈|阿爸|老豆|老母|他们|她们|他|她|朋友|闺蜜|同学|室友|同事|舍友|网友|妈妈|爸爸|我妈|我爸|母亲|父亲|姐姐|哥哥|弟弟|妹妹|老公|老婆|丈夫|妻子|"
    r"friend|男朋友|女朋友|男友|女友|孩子|儿子|女儿|表姐|表哥|奶奶|爷爷|外婆|外公|邻居|学生|病人|来访者|主角|角色|有人|别人|人物|网红|明星|歌手|演员"
)
#: A third party as an object (和他们同归于尽, 杀了他) is not the subject.
OBJECT_OTHER = r"(?:和|跟|与|对|给|把|让|找|帮|被|陪|为|替|向|离开|杀了|弄死|报复)(?:我的|我|好|最好的|那个)?(?:" + THIRD_PARTY + r")"
#: Signals that alone mean nothing (安眠药 for sleep, 明天就走, a keepsake); they only count together.
SILENT_ALONE: frozenset[str] = frozenset({"means", "time", "giving_away", "weapon"})
#: "我" as an object (told me, to me) does not take the subject back.
OBJECT_ME = r"(?:跟|对|和|给|告诉|问|让|把|叫|劝|拉着|找)我"

#: A negator right before a match (after optional fillers) cancels it: 我不想死, 从来没想过自杀.
NEGATION = r"(?:不系|不|没|从来冇|没有|从没|从来没有?|从未|绝不|决不|绝对不|并不|并没有|不是|不再|别|不会|也不|都不|才不|唔|冇|唔系|放弃了)(?:是|会|再|去|要|想|谂|打算|真的|有|曾|过)*$"

#: Past markers: ideation that belongs to the past (以前想过自杀, 现在好多了) is concern, not urgent.
PAST = r"那年|那一年|有一段时间|从小|细个|小时候|前段时间|上周|上个月|那次|以前|曾经|那时候|那时|那段时间|那几年|几年前|多年前|小时候|当年|去年|前年|初中|高中时|高中的时候|大学时|过去|上学时|青春期"
#: ...unless the same sentence says it is back now.
CURRENT = r"又(?:开始|有了|想|出现|来了|犯了)|最近又|现在又|再次|重新|最近|现在还|现在也|至今|这几天|今天|今晚|还是想|仍然|依然|一直"

# --- generated answers ------------------------------------------------------------------------

#: Patterns in a *model's answer* that must never reach a person: method details and
#: encouragement of harm. A supportive answer that names suicide (or a hotline) passes.
ANSWER_RULES: tuple[Rule, ...] = (
    Rule(
        "method_detail",
        "suicide",
        "urgent",
        r"(?:致死|致命)(?:剂量|量|的剂量)|(?:吃|吞|服)(?:下)?(?:多少|几|[0-9]+)(?:片|粒|瓶).{0,8}(?:会死|能死|就能|就会死|致死)|(?:几|多少|[0-9]+)(?:楼|层|米)(?:以上)?(?:跳下|跳|摔).{0,6}(?:必死|会死|能死|就能)|(?:割|划).{0,4}(?:动脉|静脉|腕).{0,8}(?:竖着|横着|深|才能|更快)|(?:最|比较)?(?:无痛|不痛苦|快速|有效)的?(?:自杀|死法|死亡)(?:方法|方式)?|自杀(?:的)?(?:方法|方式|步骤|教程)(?:有|是|如下|：|:)|烧炭.{0,6}(?:密闭|封好|关好)|绳子.{0,6}(?:打结|系在)",
        signal="method",
        dimension="method",
    ),
    Rule(
        "encourage",
        "suicide",
        "urgent",
        r"(?:你|您)(?:就|可以|应该|不如|还是)?(?:去死|死了算了|自杀吧|结束生命吧|跳下去吧|一了百了)|(?:死|自杀|轻生|结束生命)(?:是|才是|也是)?(?:一种|最好的|唯一的|正确的)?(?:解脱|出路|选择|办法)(?![吗？?])|支持你(?:的)?(?:决定)?(?:去死|自杀|结束生命)|(?:杀了|弄死|报复)(?:他|她|他们).{0,4}(?:吧|是对的|没错|也可以)",
        signal="encourage",
        dimension="encouragement",
    ),
    Rule(
        "dose",
        "suicide",
        "urgent",
        r"(?:吃|吞|服|喝)(?:下)?(?:[0-9]+|[一二三四五六七八九十几两]+)(?:片|粒|颗|盒|瓶|毫克|mg|克|g)(?:以上|左右)?[^。]{0,10}(?:就|会|能|可以|足以|才能|才会)?(?:死|致命|没命|醒不过来|不会醒|肝衰竭|救不回来)"
        r"|[0-9]+(?:毫克|mg|克|g)(?:/kg|每公斤)?[^。]{0,6}(?:致死|致命|会死|就够)",
        signal="method",
        dimension="method",
    ),
    Rule(
        "place_to_jump",
        "suicide",
        "urgent",
        r"(?:从|去|到|选)[^，。]{0,8}(?:楼顶|天台|顶楼|大桥|桥上|高架|悬崖|[0-9一二三四五六七八九十]+(?:楼|层))[^，。]{0,6}(?:跳|跳下|一跃)(?![^，。]{0,4}(?:舞|绳|远|高|水|伞))"
        r"|(?:[0-9一二三四五六七八九十]+(?:楼|层|米))(?:以上|就)?(?:足够|够了|一定|肯定)",
        signal="method",
        dimension="method",
    ),
    Rule(
        "steps",
        "suicide",
        "urgent",
        r"(?:第一步|首先|然后|接着|步骤)[^。]{0,16}(?:绳子|打结|烧炭|炭盆|封住门窗|封好窗|割腕|割动脉|吞下|一次性吃|把药)",
        signal="method",
        dimension="method",
    ),
    Rule(
        "encourage_more",
        "suicide",
        "urgent",
        r"(?:死|自杀|结束生命|结束自己|离开这个世界)[^。]{0,8}(?:是你的(?:权利|自由|选择)|没什么不好|也挺好|是勇敢的)|(?:我)?支持你(?:的)?(?:决定|选择)?[^。]{0,4}(?:离开|结束|解脱)"
        r"|勇敢(?:地)?去(?:死|结束|解脱)|早点解脱吧|没有人会(?:阻止|拦)你|(?:去|就)(?:做|动手)吧[^。]{0,6}(?:解脱|结束)?|(?:他|她|他们)(?:活该|该死)[^。]{0,6}(?:杀|弄死|报复|下手)",
        signal="encourage",
        dimension="encouragement",
    ),
    Rule(
        "en_method",
        "suicide",
        "urgent",
        r"\blethal dose\b|\bhow many (?:pills|tablets)\b.{0,20}\b(?:kill|die|lethal)\b|\bpainless (?:way|method) to die\b",
        signal="method",
        dimension="method",
    ),
    Rule(
        "en_encourage",
        "suicide",
        "urgent",
        r"\byou should (?:kill yourself|die|end it)\b|\bgo (?:kill yourself|die)\b",
        signal="encourage",
        dimension="encouragement",
    ),
)
