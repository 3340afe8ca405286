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
    "IDIOMS",
    "NEGATION",
    "RULES",
    "Rule",
]

Level = Literal["none", "concern", "urgent"]


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
    r"从楼上跳|从天台跳|从桥上跳|一跃而下|自缢)"
)
_DIE = r"(?:死(?!的心)|去死|自杀|轻生|寻死|自尽|了结自己|结束自己|结束生命|结束我的生命|离开这个世界|离开人世)"
_MEANS = r"(?:安眠药|安定片|农药|百草枯|刀片|美工刀|绳子|木炭|炭盆|煤气|老鼠药|一瓶药|一整瓶|一把药|几十片|上百片)"
_OTHER = r"(?:他|她|他们|她们|那个人|那个混蛋|那个贱人|老板|上司|领导|同事|室友|同学|老师|前任|前男友|前女友|老公|老婆|丈夫|妻子|后妈|继父|全家|一家人|所有人|那帮人|这些人)"
_ABUSER = r"(?:他|她|我爸|我妈|爸爸|妈妈|父亲|母亲|继父|后妈|老公|丈夫|男朋友|男友|女朋友|老婆|哥哥|姐姐|舅舅|叔叔|家里人|室友|那个人)"
_NOW = r"(?:正在|现在|此刻|又在|还在|一直在|刚刚|刚才|刚|又|每天都?|天天|经常|总是|动不动就)"
# Between a modal and a death verb only fillers and time words, never a clause ("想起奶奶死的时候").
_GAP = r"(?:去|要|就|直接|还是|早点|今晚|今天|明天|后天|马上|立刻|这周末|周末|这周|下周|月底|过几天|等会儿?){0,3}"

RULES: tuple[Rule, ...] = (
    # --- suicide: explicit wish or intent, present tense -------------------------------------
    Rule(
        "wish_to_die",
        "suicide",
        "urgent",
        r"(?:想死(?!的心)|(?:就|便|马上)去死|想去死|要去死|好想死|真想死|想一死了之|一死了之|死了算了|死了一了百了|不如死了|不如去死|还不如死|死掉算了|想死掉|求死)",
    ),
    Rule(
        "not_want_live",
        "suicide",
        "urgent",
        r"(?:不想活|活不下去|活不下来|不想再活|没法活|活够了|不愿意再活|不愿再活|活着也是多余|没有活下去的(?:理由|意义|勇气|动力)|失去了活下去的|撑不下去了?.{0,6}(?:想死|去死|结束))",
    ),
    Rule("intent", "suicide", "urgent", _MODAL + _GAP + _DIE + r"|(?:宁愿|干脆|准备|打算|决定|计划)(?:去)?死"),
    Rule("method_intent", "suicide", "urgent", _MODAL + _GAP + _METHOD),
    Rule(
        "end_it",
        "suicide",
        "urgent",
        r"(?:结束这一切|结束自己的生命|结束我的生命|了结自己|了断自己|自我了断|一了百了|做傻事|想不开|轻生的念头|自杀的念头|自杀的想法|轻生的想法|死的念头)",
    ),
    Rule(
        "again",
        "suicide",
        "urgent",
        r"(?:又|再次|重新|最近又|现在又|这几天又).{0,4}(?:有了?|出现|开始|冒出|涌上来).{0,4}(?:这种|那种|这个|那个|轻生|自杀|死的)?的?(?:念头|想法|冲动)",
    ),
    Rule(
        "jump",
        "suicide",
        "urgent",
        r"(?:我|今晚|今天|明天)(?:(?!不|没|别)[^，,。]){0,4}(?:就|要|会|准备|打算)+(?:(?!不|没|别)[^，,。]){0,10}(?:跳下去|跳楼|跳河|跳江|跳海)",
    ),
    Rule("then_die", "suicide", "urgent", r"(?:就|便|马上|立刻)(?:去|要|会)?(?:自杀|去死|轻生|了断自己|了结自己|结束自己|跳楼|上吊|割腕)"),
    Rule(
        "method_stated",
        "suicide",
        "urgent",
        r"(?:我|今晚|今天|明天|等会儿?|一会儿|马上|现在)(?:就|要|会|去|准备|打算|想|真的|还是)+" + _METHOD,
    ),
    # --- suicide: weak mentions (context may explain them) ---------------------------------
    Rule(
        "serious",
        "suicide",
        "urgent",
        r"(?:自杀|去死|轻生|结束自己).{0,12}(?:这次是认真的|我是认真的|不是开玩笑|没开玩笑)|(?:想|考虑|研究|查|搜|琢磨)(?:过)?.{0,6}怎么(?:自杀|去死|死比较|死才|结束自己|了结自己)",
    ),
    Rule(
        "farewell_strong",
        "suicide",
        "urgent",
        r"永别|诀别|下辈子(?:再见|见|再做|再当|再报答|再还|再陪)|来世再见|(?:这是|这会是)我?(?:的)?最后一(?:次|条|篇|封)(?:发|说|留言|帖子|动态|朋友圈|消息|信)|留(?:下)?(?:了)?遗言",
        signal="farewell",
    ),
    Rule("hyperbole", "suicide", "concern", r"想死的心都有", signal="hopeless"),
    Rule("mention", "suicide", "concern", r"(?:自杀|轻生|寻死|自尽|跳楼|上吊|割腕)", weak=True),
    Rule(
        "i_die",
        "suicide",
        "concern",
        r"(?:我死了|我死后|我死之后|我不在了|我走了以后|我离开以后|我消失了?|我不见了)",
        signal="passive",
        weak=True,
    ),
    # --- suicide: passive ideation, hopelessness, burden -----------------------------------
    Rule(
        "passive",
        "suicide",
        "concern",
        r"(?:活着(?:没|没有|有什么)意思|活着(?:真的|真|好|太|很|也|实在)*累|活着有什么意义|活着没意义|不想醒来|(?:希望|但愿|想|要是)(?:(?!不想)[^，,。]){0,4}(?:不要|不再|别|永远不|再也不)醒|睡(?:着|过去)?(?:了)?(?:就)?(?:不要|别|不用|再也不)醒|永远睡过去|一睡不醒|消失就好了|想消失|从这个世界消失|不如没(?:有)?出生|没来到这个世界|要是没有我|不想存在|不想再醒|想永远睡|被车撞死就好了|出个意外死了|彻底解脱|永远解脱|想要解脱|想解脱)",
        signal="passive",
    ),
    Rule(
        "hopeless",
        "suicide",
        "concern",
        r"(?:看不到(?:任何)?(?:希望|出路|未来)|没有(?:任何)?(?:希望|出路|未来)了|撑不下去了|撑不住了|熬不下去|坚持不下去了|彻底绝望|太绝望了|好绝望|走投无路|没有意义了|一切都没有意义)",
        signal="hopeless",
    ),
    Rule(
        "burden",
        "suicide",
        "concern",
        r"(?:我|自己)(?:只是|就是|是|只会|成了|变成了?|一直是|简直是)(?:一?个)?(?:大家的|家里的|家人的|所有人的|全家的|他们的|你们的|别人的)?(?:累赘|负担|包袱|拖累|多余的人|没用的人|废物)|(?:拖累|连累)(?:了)?(?:家人|家里|大家|你们|他们|爸妈|父母|所有人)|(?:没有我|我不在了?|我消失了?|我死了).{0,10}(?:更好|更轻松|更幸福|解脱|少个麻烦|不用再)",
        signal="burden",
    ),
    # --- suicide: implicit acute signals ---------------------------------------------------
    Rule(
        "farewell",
        "suicide",
        "concern",
        r"(?:我先走了|对不起(?:爸爸|妈妈|爸妈|大家|你们)|下辈子|永别了|永别|诀别|再见了?[，,。 ]?(?:这个世界|世界|大家|所有人|各位|爸妈|妈妈|爸爸)|下辈子(?:再见|见|再做|再当|再报答|再还|再陪)|来世再见|遗书|遗言|最后一(?:次|条|篇)(?:发|和|跟|说|写|留言|帖子|动态|朋友圈|消息)|替我(?:照顾|向|跟|和|好好)|别(?:为|替)我难过|不要(?:为|替)我难过|不会再(?:麻烦|打扰|拖累)(?:你们|大家|任何人|你)|以后(?:就)?不能陪(?:你|你们)了|谢谢(?:你们|大家).{0,12}(?:这些年|一直以来|陪伴|照顾).{0,12}(?:再见|永别|最后|走了))",
        signal="farewell",
    ),
    Rule(
        "giving_away",
        "suicide",
        "concern",
        r"托付给|留作纪念|当作纪念|做个纪念|(?:东西|衣服|书|收藏|手办|账号|猫|狗|宠物|存款|积蓄|游戏机|电脑).{0,6}(?:都|全)(?:送人|送掉|送出去|分给|留给|转给)|(?:银行卡|密码|存款|保险).{0,10}(?:写在|放在|留在|留给)|(?:我|以后)(?:再也)?用不(?:上|着)了",
        signal="giving_away",
    ),
    Rule(
        "plan",
        "suicide",
        "urgent",
        r"(?:(?:已经|都|早就|偷偷|慢慢)?(?:买好|准备好|攒好|攒够|攒了|囤了|买了|找好|查好|选好|写好).{0,8}(?:"
        + _MEANS
        + r"|遗书|地方|楼顶|天台|方法|时间|绳子))|"
        + _MEANS
        + r".{0,6}(?:已经|都|早就)?(?:攒够|攒好|买好|准备好|囤好|囤了|藏好)",
        signal="plan",
    ),
    Rule(
        "means",
        "suicide",
        "concern",
        _MEANS + r"|(?:药|绳子|炭)[^，,。]{0,3}(?:都|已经)?(?:准备好|买好|攒好|备好)",
        signal="means",
        weak=True,
    ),
    Rule(
        "time",
        "suicide",
        "concern",
        r"就等(?:今晚|今天|明天|周末|那天)|(?:今晚|今天晚上|明天|后天|这周末|月底|生日那天|过完年|等.{1,8}(?:之后|以后)).{0,6}(?:就|我就|便).{0,4}(?:永远离开|离开这个世界|结束|解脱|去死|跳|动手|了断|消失|走了)",
        signal="time",
    ),
    # --- self-harm ---------------------------------------------------------------------------
    Rule(
        "self_harm_urge",
        "self_harm",
        "urgent",
        r"(?:想|又想|很想|好想|忍不住|控制不住|停不下来|又开始|还是会|一直在|每天都)(?:(?!不|没|别|起|到|过)[^，,。]){0,5}(?:自残|割自己|划自己|割手|划手|伤害自己|用刀划|烫自己|割腕|撞墙|拿头撞|掐自己|咬自己|打自己)",
    ),
    Rule("self_harm_act", "self_harm", "urgent", _NOW + r".{0,4}(?:割了|划了|割破|划破|自残|烫了|伤了自己)"),
    Rule("self_harm_mention", "self_harm", "concern", r"(?:自残|自伤|割自己|划自己|割手腕|划手臂|手臂上的伤|伤害自己)", weak=True),
    # --- hurt right now (overdose, bleeding, at the edge) -----------------------------------
    Rule(
        "overdose",
        "suicide",
        "urgent",
        r"(?:吞了|吃了|喝了|服了|吃下了|吞下了).{0,4}(?:[1-9][0-9]+|[二三四五六七八九两几]?十[一二三四五六七八九]?|几十|上百)多?(?:片|粒|颗)|(?:吞了|吃了|喝了|服了|吃下了|吞下了).{0,6}(?:一瓶|一整瓶|一整板|一把|很多|好多|一堆|几十|上百|所有的?|全部).{0,6}(?:药|安眠药|片|农药|百草枯)|(?:喝了|吃了)(?:农药|百草枯|老鼠药)",
        signal="hurt_now",
    ),
    Rule("bleeding", "self_harm", "urgent", r"(?:血(?:止不住|一直流|流了好多|流了很多|流个不停)|流了(?:好多|很多)血)", signal="hurt_now"),
    Rule(
        "at_edge",
        "suicide",
        "urgent",
        r"(?:站在|坐在|现在在|我在).{0,6}(?:楼顶|天台|顶楼|桥上|桥边|江边|河边|窗台|阳台边|铁轨上|栏杆外)",
        signal="hurt_now",
    ),
    # --- harm to others ----------------------------------------------------------------------
    Rule(
        "kill_other",
        "harm_to_others",
        "urgent",
        r"(?:想|要|准备|打算|计划|决定|真想|迟早要|一定要|非要|我会)(?:去|要|把)?(?:杀了|杀死|弄死|捅死|砍死|掐死|毒死|宰了|捅了|砍了|干掉|杀掉)(?:"
        + _OTHER
        + r"|(?:那个|这个|那些|这些|那帮|这帮)[^，,。]{0,8}(?:人|家伙|混蛋|畜生))",
    ),
    Rule(
        "kill_plan",
        "harm_to_others",
        "urgent",
        r"(?:带(?:着)?刀|买了(?:把)?刀|磨好了刀|藏了刀|准备好了刀).{0,12}(?:去|找|等)|同归于尽|报复社会|拉.{0,4}垫背|一起去死|让他们(?:都)?(?:付出代价|陪葬)|炸了(?:学校|公司)|在.{0,4}(?:饭|水|汤|杯子|饮料|菜|茶)里下(?:药|毒)|(?:打算|准备|想|要)(?:给|对|往).{0,6}下毒",
    ),
    Rule("weapon", "harm_to_others", "concern", r"刀[^，,。]{0,3}(?:都|已经)?(?:磨好|买好|准备好|藏好)了?", signal="weapon"),
    Rule("rage_kill", "harm_to_others", "concern", r"(?:恨不得|气得想|真想|想).{0,4}(?:杀了|弄死|掐死|打死)|想杀人", weak=True),
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
        + r".{0,6}(?:被|在被).{0,6}(?:打|掐|踢|揍|锁|关|绑|拖|砍|捅|性侵|侵犯|强奸)",
        first_person=False,
    ),
    Rule(
        "threat_to_me",
        "abuse_in_progress",
        "urgent",
        _ABUSER
        + r".{0,8}(?:说要|扬言要|威胁(?:要|说)?|要|会).{0,4}(?:杀了我|弄死我|打死我|砍死我|掐死我|烧死我|杀我)|(?:被|把我)(?:锁|关|反锁)在.{0,8}(?:房间|屋|家|厕所|卫生间|地下室|车)里.{0,6}(?:出不去|不让我|不放我|不给我)|(?:他|她|有人)在(?:门外|外面|楼下).{0,8}(?:砸门|踹门|拿刀|堵我)",
        first_person=False,
    ),
    Rule(
        "abuse_hit",
        "abuse_in_progress",
        "urgent",
        _ABUSER + r"(?:又|还|竟然|居然|今天|昨晚|刚刚?|刚才)?(?:打|掐|踢|揍|扇|勒|砍|捅)(?:了)?我(?!过)",
        first_person=False,
    ),
    Rule(
        "abuse_ongoing",
        "abuse_in_progress",
        "concern",
        r"(?:家暴|被打|打我|性侵|猥亵|虐待|被霸凌|被欺负|被威胁)",
        weak=True,
        first_person=False,
    ),
    # --- English: enough for the en-US locale, not a full English screener -------------------
    Rule(
        "en_intent",
        "suicide",
        "urgent",
        r"\b(?:want|wanna|going|plan|planning|decided|ready)\s+(?:to\s+)?(?:die|kill myself|end (?:my|it all)|take my (?:own )?life|commit suicide)\b|\bkill myself\b|\bend my life\b|\bsuicidal\b|\bdon'?t want to (?:live|be alive|wake up)\b",
    ),
    Rule("en_self_harm", "self_harm", "urgent", r"\b(?:cut|cutting|hurt|hurting|harm|harming)\s+myself\b|\bself[- ]harm(?:ing)?\b"),
    Rule(
        "en_overdose",
        "suicide",
        "urgent",
        r"\b(?:took|swallowed|taken)\s+(?:a (?:whole )?bottle|all (?:my|the)|a lot of|dozens of)\b.{0,20}\b(?:pills|tablets)\b",
        signal="hurt_now",
    ),
    Rule("en_mention", "suicide", "concern", r"\bsuicide\b|\bwant to disappear\b|\bburden to\b|\bno reason to live\b", weak=True),
)

#: Implicit signals whose *combination* with any other suicide signal in the post makes it urgent:
#: a farewell or things given away next to a death wish, a means next to a time, a plan.
ACUTE_SIGNALS: frozenset[str] = frozenset({"farewell", "giving_away", "means", "time", "plan", "weapon"})

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
    r"累成狗|社死|社会性死亡|气得(?:要死|半死|发抖)",
    r"\b(?:dying (?:of|to|for)|i'?m dead|killing it|kill(?:ed)? it|dead tired|to die for|laughed to death)\b",
)

#: Per-sentence context that explains a weak mention (or a strong one whose subject is not the writer).
CONTEXT_WORDS: dict[str, str] = {
    "fiction": r"电影|电视剧|剧里|剧中|影片|片子|小说|书里|书中|故事里|故事中|漫画|动漫|动画|番剧|主角|主人公|男主|女主|剧情|台词|歌词|纪录片|话剧|舞台剧|悬疑片|推理|剧本杀|这部剧|那部剧|这本书|那本书|结局",
    "game": r"游戏|王者|吃鸡|原神|英雄联盟|\blol\b|副本|\bboss\b|血条|复活|团灭|打怪|\bnpc\b|关卡|通关|刷本|残血|掉线|段位|排位|我方|队友|野怪",
    "news": r"新闻|报道|热搜|据悉|微博上|网上看到|看到一则|新闻里|通报|警方",
    "english": r"\b(?:film|movie|book|novel|series|game|news|prevention|class|lecture|research|character)s?\b",
    "study": r"论文|研究|课题|科普|讲座|预防|干预培训|作业题|考试题|心理学课|统计数据|课上",
}

#: Anger hyperbole: "恨不得杀了他" in a fit of rage is concern, not a plan (a plan stays urgent).
RAGE = r"恨不得|气得|气死|气疯|气炸|恨死|真想掐死|火大"

#: A third party as the subject of a sentence; the writer's "我" after it takes the subject back.
THIRD_PARTY = (
    r"他们|她们|他|她|朋友|闺蜜|同学|室友|同事|舍友|网友|妈妈|爸爸|我妈|我爸|母亲|父亲|姐姐|哥哥|弟弟|妹妹|老公|老婆|丈夫|妻子|"
    r"男朋友|女朋友|男友|女友|孩子|儿子|女儿|表姐|表哥|奶奶|爷爷|外婆|外公|邻居|学生|病人|来访者|主角|角色|有人|别人|人物|网红|明星|歌手|演员"
)
#: A third party as an object (和他们同归于尽, 杀了他) is not the subject.
OBJECT_OTHER = r"(?:和|跟|与|对|给|把|让|找|帮|被|陪|为|替|向|离开|杀了|弄死|报复)(?:我的|我|好|最好的|那个)?(?:" + THIRD_PARTY + r")"
#: Signals that alone mean nothing (安眠药 for sleep, 明天就走, a keepsake); they only count together.
SILENT_ALONE: frozenset[str] = frozenset({"means", "time", "giving_away", "weapon"})
#: "我" as an object (told me, to me) does not take the subject back.
OBJECT_ME = r"(?:跟|对|和|给|告诉|问|让|把|叫|劝|拉着|找)我"

#: A negator right before a match (after optional fillers) cancels it: 我不想死, 从来没想过自杀.
NEGATION = r"(?:不|没|没有|从没|从来没有?|从未|绝不|决不|绝对不|并不|并没有|不是|不再|别|不会|也不|都不|才不)(?:是|会|再|去|要|想|打算|真的|有|曾|过)*$"

#: Past markers: ideation that belongs to the past (以前想过自杀, 现在好多了) is concern, not urgent.
PAST = r"以前|曾经|那时候|那时|那段时间|那几年|几年前|多年前|小时候|当年|去年|前年|初中|高中时|高中的时候|大学时|过去|上学时|青春期"
#: ...unless the same sentence says it is back now.
CURRENT = r"又|再次|重新|最近|现在还|现在也|至今|这几天|今天|今晚|还是想|仍然|依然|一直"

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
    ),
    Rule(
        "encourage",
        "suicide",
        "urgent",
        r"(?:你|您)(?:就|可以|应该|不如|还是)?(?:去死|死了算了|自杀吧|结束生命吧|跳下去吧|一了百了)|(?:死|自杀|轻生|结束生命)(?:是|才是|也是)?(?:一种|最好的|唯一的|正确的)?(?:解脱|出路|选择|办法)(?![吗？?])|支持你(?:的)?(?:决定)?(?:去死|自杀|结束生命)|(?:杀了|弄死|报复)(?:他|她|他们).{0,4}(?:吧|是对的|没错|也可以)",
        signal="encourage",
    ),
    Rule(
        "en_method",
        "suicide",
        "urgent",
        r"\blethal dose\b|\bhow many (?:pills|tablets)\b.{0,20}\b(?:kill|die|lethal)\b|\bpainless (?:way|method) to die\b",
        signal="method",
    ),
    Rule(
        "en_encourage", "suicide", "urgent", r"\byou should (?:kill yourself|die|end it)\b|\bgo (?:kill yourself|die)\b", signal="encourage"
    ),
)
