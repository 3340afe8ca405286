"""Shared phrase pools for the synthetic corpus: the cues, the thoughts and the answer parts.

The cues are what a small model must learn to read: every post states its primary emotion in
the feeling paragraph (the emotion's own word or a close synonym) and its intent in the closing
line. Thoughts carry the cognitive distortion. Answers are assembled from parts that each agree
with the labels (emotion named, distortion addressed, intent served).
Slots: ``{stake}`` (topic noun phrase), ``{summary}`` (situation clause), ``{emo}`` (the
emotion's canonical word), ``{tip1}``/``{tip2}`` (topic tips).
"""

from __future__ import annotations

__all__ = [
    "AGES",
    "BACKGROUNDS",
    "BAD_ANSWERS",
    "CLOSINGS",
    "COPING",
    "DISTORTION_REPLIES",
    "DURATIONS",
    "EMOTION_CUES",
    "FEELING_TEMPLATES",
    "GENERIC_TIPS",
    "INTENT_CUES",
    "INTENT_LEADS",
    "INTENT_REPLIES",
    "OPENINGS",
    "SECONDARY_TEMPLATES",
    "THOUGHTS",
    "TIMES",
    "VARIANTS",
]

#: Post-side phrases for each primary emotion; the first one is the canonical word itself.
EMOTION_CUES: dict[str, tuple[str, ...]] = {
    "anxiety": ("焦虑", "焦虑得胃疼", "心慌得厉害", "整个人坐立不安", "紧张得不行", "焦虑到整夜睡不着"),
    "sadness": ("难过", "难过得说不出话", "伤心", "心里发酸", "忍不住想哭", "难过到吃不下饭"),
    "anger": ("愤怒", "愤怒到手都在抖", "气得发抖", "一肚子火", "特别生气", "火冒三丈"),
    "grievance": ("委屈", "委屈得想哭", "憋屈", "觉得特别冤枉", "委屈到胸口发闷", "憋屈得喘不过气"),
    "guilt": ("内疚", "内疚得睡不着", "自责", "愧疚", "满心愧疚", "自责到不停地骂自己"),
    "loneliness": ("孤独", "孤独得可怕", "孤单", "孤零零的", "孤单到想跟墙说话", "像被整个世界隔开了"),
    "fear": ("恐惧", "恐惧到发抖", "害怕", "怕得要命", "害怕到手脚冰凉", "一想到就浑身发冷"),
    "disappointment": ("失望", "失望透顶", "心凉了半截", "寒心", "彻底失望", "期待全部落空"),
    "helplessness": ("无助", "无助到想放弃", "无能为力", "不知所措", "束手无策", "怎么努力都没用"),
    "shame": ("羞耻", "羞耻得抬不起头", "丢人", "没脸见人", "抬不起头", "丢人到想找个地缝钻进去"),
}

#: The feeling paragraph. ``{a}`` and ``{b}`` are two cues of the primary emotion.
FEELING_TEMPLATES: tuple[str, ...] = (
    "说实话，我现在最强烈的感觉就是{a}，有时候甚至{b}。",
    "这些天一想到这些，我就{a}，夜里也常常{b}。",
    "我没办法假装没事，我真的{a}，{b}。",
    "写到这里我又开始{a}了，那种{b}的感觉一直压着我。",
    "身边的人看不出来，可我心里一直{a}，有好几次{b}。",
    "我不知道该怎么形容，大概就是{a}吧，{b}。",
    "一个人的时候，我常常{a}，{b}的时候也越来越多。",
)

#: An optional earlier, weaker mention of a secondary emotion (one cue).
SECONDARY_TEMPLATES: tuple[str, ...] = (
    "除此之外，也有一点{c}。",
    "偶尔还会有些{c}。",
    "另外，我也有点{c}。",
)

#: Closing lines that carry the intent; always the post's last paragraph.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "validation": (
        "我是不是想太多了？",
        "我这样想没错吧？",
        "我只是想有人告诉我，这不是我的错。",
        "我这样的感受正常吗？还是我太矫情了？",
        "是我要求太高了吗？真希望有人告诉我，我没有做错。",
        "我想知道，我有这样的反应是可以的吗？",
    ),
    "understanding": (
        "我只是想找个人说说，不需要建议。",
        "写出来只是想有人听我说说，不用教我怎么做。",
        "不用给我什么方法，我就是想找个人说说。",
        "道理我都懂，现在只是想找个地方倾诉一下，不需要建议。",
        "谢谢你看到这里，我只是想有人听听我的心里话。",
        "我知道没有人能替我解决，只是想说出来，有人听着就好。",
    ),
    "advice": (
        "我该怎么办？",
        "有什么具体的办法可以让我走出来吗？",
        "想请教一下，接下来我具体应该怎么做？",
        "有没有可以马上开始做的方法？求一些实际的办法。",
        "我到底该怎么办才好？有什么具体的办法吗？",
        "请问像我这种情况，第一步应该做什么？",
    ),
}

#: Optional lead-ins for the closing line.
INTENT_LEADS: tuple[str, ...] = ("", "写了这么多，", "絮絮叨叨说了一堆，", "", "最后想问一句，", "说到底，")

#: The distorted thought, one template per distortion; ``{stake}`` is a topic noun phrase.
THOUGHTS: dict[str, tuple[str, ...]] = {
    "catastrophising": (
        "我总忍不住往最坏处想，一旦{stake}，后面的一切就都完了。",
        "脑子里一直在放最坏的剧本：{stake}，然后整个人生都毁掉。",
    ),
    "all_or_nothing": (
        "在我看来，只要出现{stake}，就说明我这个人彻底失败了。",
        "对我来说没有中间状态，{stake}就等于全盘皆输。",
    ),
    "mind_reading": (
        "虽然没人明说，但我知道大家心里都在议论{stake}这件事，都觉得是我不行。",
        "我能感觉到别人看我的眼神变了，他们一定认为{stake}是我活该。",
    ),
    "should_statements": (
        "我总觉得自己本应该处理得完美，绝不应该出现{stake}。",
        "我一遍遍告诉自己，一个合格的人就不该让{stake}这种事发生。",
    ),
    "personalisation": (
        "我觉得{stake}全都是我的责任，一定是我哪里没做好。",
        "如果不是因为我，就不会有{stake}，所有的问题都出在我身上。",
    ),
    "overgeneralisation": (
        "每次都是这样，{stake}只会一次又一次地发生在我身上。",
        "我发现我的人生就是一个循环，{stake}永远不会停下来。",
    ),
    "labelling": (
        "走到{stake}这一步，我觉得自己就是个彻头彻尾的废物。",
        "我给自己下了结论：一个会走到{stake}的人，本来就是个失败者。",
    ),
    "fortune_telling": (
        "我已经能预见到了，{stake}是迟早的事，以后也不会有转机。",
        "不管怎么努力，结局都会是{stake}，我几乎可以肯定。",
    ),
    "emotional_reasoning": (
        "我心里一直有种很糟的预感，既然感觉这么糟，{stake}就一定会成真。",
        "我的直觉告诉我{stake}就要来了，感觉这么强烈，不可能是假的。",
    ),
    "discounting_positive": (
        "就算别人夸我几句，那也只是客气，{stake}才说明了真实的我。",
        "以前做成的那些事都只是运气，{stake}才是我真正的水平。",
    ),
}

#: Something the writer already tried; makes posts longer and more natural.
COPING: tuple[str, ...] = (
    "我试过跑步、听歌，也试过让自己忙起来，可一停下来那些念头就又回来了。",
    "我跟一个朋友提过几句，她说想开点就好了，之后我就没再说。",
    "我在备忘录里写过很多遍，写完好像轻松一点，过一会儿又回到原样。",
    "这些事我没有跟家里人说，怕他们跟着操心。",
    "我也劝过自己别钻牛角尖，可越劝越清醒。",
    "白天我还能装作若无其事，到了晚上就绷不住了。",
    "我在网上看了很多文章，道理都明白，可就是做不到。",
    "我试着把注意力放到别的事情上，追剧、打游戏、加班，可效果都维持不了多久。",
)

#: Who is writing: a neutral self-introduction that opens some posts.
BACKGROUNDS: tuple[str, ...] = (
    "我今年{age}岁，平时算是一个比较要强的人。",
    "先介绍一下自己，{age}岁，性格偏内向，很少跟别人讲心事。",
    "我{age}岁，在别人眼里一直是个懂事、让人放心的人。",
    "我是个{age}岁的普通人，第一次在这里发帖，有点语无伦次，见谅。",
    "{age}岁，平时话不多，习惯什么事都自己消化。",
    "我今年{age}岁，这件事憋了很久，今天终于想写下来。",
    "匿名发一下。我{age}岁，身边的人都觉得我过得挺好。",
    "",
)
AGES: tuple[str, ...] = ("十七", "十九", "二十二", "二十四", "二十六", "二十九", "三十一", "三十四", "三十八", "四十二", "四十六", "五十")

TIMES: tuple[str, ...] = (
    "最近",
    "这段时间",
    "这半年来",
    "从去年开始",
    "今年开春以来",
    "过完年以后",
    "这几个星期",
    "这一两个月",
    "入秋以来",
    "自从上次那件事以后",
    "前阵子",
    "这一年里",
)
DURATIONS: tuple[str, ...] = ("两个月", "小半年", "大半年", "一年多", "快三年", "五六年", "四个多月", "两年")

#: Word-level alternatives applied at random to fragments (never to cues), so posts built
#: from the same fragment still differ in their 8-grams.
VARIANTS: dict[str, tuple[str, ...]] = {
    "很": ("很", "特别", "挺"),
    "很久": ("很久", "好久", "很长时间"),
    "已经": ("已经", "早就"),
    "现在": ("现在", "如今", "眼下"),
    "每天": ("每天", "天天"),
    "但是": ("但是", "可是", "不过"),
    "可我": ("可我", "但我", "可是我"),
    "然后": ("然后", "接着"),
    "觉得": ("觉得", "感觉"),
    "知道": ("知道", "明白", "清楚"),
    "因为": ("因为", "由于"),
    "好几": ("好几", "好多", "几"),
    "有时候": ("有时候", "有时", "偶尔"),
    "家里人": ("家里人", "家人"),
    "以后": ("以后", "之后"),
}

#: Answer openings: reflect the situation and name the emotion.
OPENINGS: tuple[str, ...] = (
    "读完你写的这些，{summary}，这样的经历放在谁身上都不好受，你感到{emo}是很自然的。",
    "谢谢你愿意把这些说出来。{summary}，这份{emo}已经在你心里压了很久了吧。",
    "能感受到你这段时间过得很辛苦：{summary}，心里的{emo}一直没有离开你。",
    "看到你的文字，我能体会到那种{emo}。{summary}，你一个人扛了这么多，真的不容易。",
    "你描述得很清楚，{summary}。在这样的处境里感到{emo}，一点也不奇怪。",
)

#: Answer middles that loosen the distortion; ``{stake}`` repeats the post's stake.
DISTORTION_REPLIES: dict[str, tuple[str, ...]] = {
    "catastrophising": (
        "你提到一旦{stake}后面就全完了，这种往最坏处想的习惯会把担心放大很多倍。事情很少按最坏的剧本走，即使真的出现{stake}，也还有调整和补救的空间。",
        "当我们很紧绷的时候，大脑会自动跳到最坏的结局。可以试着问问自己：如果{stake}真的发生，最可能的结果是什么？通常它比想象中可承受。",
    ),
    "all_or_nothing": (
        "你把{stake}看成了全盘失败，可人生并不是非黑即白的考卷。一件事没做好，不等于你这个人不好，中间有很多灰色地带。",
        "“要么完美要么失败”的标准太苛刻了。{stake}只是一段经历的一部分，它不能给你整个人下定义。",
    ),
    "mind_reading": (
        "你很确定别人在议论{stake}，但我们其实很难真正知道别人在想什么。很多时候，他们并没有像我们以为的那样关注我们。",
        "当我们心里不安时，很容易替别人把话说完。关于{stake}，别人的真实想法也许比你猜的温和得多。",
    ),
    "should_statements": (
        "“绝不应该出现{stake}”这样的要求，本身就很难做到。人不是机器，出错和力不从心都是正常的一部分。",
        "你对自己有很多“应该”，这些“应该”让你一直处在被审判的位置。允许{stake}这样的事发生，并不代表你放弃了自己。",
    ),
    "personalisation": (
        "你把{stake}都归到自己身上，可一件事的发生往往有很多原因，很多并不在你的掌控之内。",
        "愿意承担责任是你的善良，但{stake}不是你一个人造成的，不必把所有的重量都压在自己肩上。",
    ),
    "overgeneralisation": (
        "你说{stake}会一次又一次发生，这是把一两次经历推广成了永远。过去发生过，不代表未来一定重复。",
        "“每次都这样”的感受很真实，但如果仔细回想，也许能找到不是这样的时候。{stake}并不是你命运的全部。",
    ),
    "labelling": (
        "因为{stake}就给自己贴上“废物”的标签，对你并不公平。你经历了一件难事，这和你是什么样的人是两回事。",
        "一个标签会遮住你身上所有其他的部分。{stake}只是发生在你身上的事，而不是你本身。",
    ),
    "fortune_telling": (
        "你已经预见了{stake}的结局，可未来并没有写好。我们的预测常常被当下的心情染上颜色。",
        "“迟早会{stake}”听起来很确定，但它只是一个猜测。给未来留一点不确定，也就留了一点希望。",
    ),
    "emotional_reasoning": (
        "感觉很糟，并不等于事情真的很糟。情绪是真实的信号，但它不是证据，不能证明{stake}一定会发生。",
        "强烈的预感会让人信以为真，可感受和事实需要分开看。关于{stake}，我们可以去找找真实的证据。",
    ),
    "discounting_positive": (
        "你把别人的肯定都当成客气，只把{stake}当成真实的自己，这对你并不公平。那些做成的事同样是你的一部分。",
        "你很快地否定了自己的好，却牢牢记住了{stake}。试着让那些被你忽略的成绩也算数。",
    ),
}

#: Answer parts that serve the intent.
INTENT_REPLIES: dict[str, tuple[str, ...]] = {
    "validation": (
        "我想很明确地告诉你：你的感受是真实而合理的，这不是你的错，也不是你想太多。任何一个认真生活的人，在这样的处境里都会有同样的反应。",
        "你问自己是不是太矫情，我的回答是：不是。你的反应说明这件事对你很重要，你有权利为它难受，也值得被好好对待。",
        "你没有做错什么。能察觉到自己的感受，并且愿意说出来，本身就是一种力量。请先允许自己有这些情绪。",
    ),
    "understanding": (
        "你不需要马上想明白什么，也不用急着让自己好起来。能把这些写下来已经很不容易，我在这里，愿意听你慢慢说。",
        "这些话可能在你心里憋了很久，说出来就好。此刻不用找答案，也不用讲道理，你的感受值得被好好听见。",
        "我不急着给你建议，只想让你知道，你说的每一句我都认真看了。那些说不出口的辛苦，我都能感受到一些。",
    ),
    "advice": (
        "如果你愿意，可以先从几件小事开始：第一，{tip1}；第二，{tip2}；第三，如果这种状态持续两周以上并影响到睡眠和生活，可以找专业的心理咨询师聊一聊。",
        "给你几个可以马上去做的步骤：先{tip1}；然后{tip2}；同时留意自己的睡眠和饮食，必要时寻求专业帮助。",
        "具体可以这样试试：一是{tip1}；二是{tip2}；三是每天给自己留一点喘息的时间，哪怕只有十分钟。一步一步来就好。",
    ),
}

#: Generic tips used when a topic's own are exhausted.
GENERIC_TIPS: tuple[str, ...] = (
    "每天花五分钟写下当下的感受和引发它的事",
    "和一个你信任的人约一次不被打扰的谈话",
    "保持规律的作息，每天出门晒二十分钟太阳",
)

CLOSINGS: tuple[str, ...] = (
    "你已经很努力了，愿你对自己温柔一点。",
    "慢慢来，你不是一个人。",
    "如果愿意，随时可以再来说说后来的事。",
    "请记得照顾好自己，你值得被好好对待。",
    "希望这些话能让你今晚稍微轻松一点。",
)

#: Bad answers by kind (``off_topic`` is an answer to another post, added by the composer).
BAD_ANSWERS: dict[str, tuple[str, ...]] = {
    "dismissive": (
        "这有什么大不了的，谁还没遇到过点事？别想太多了，过几天就好了。",
        "你这就是闲的，忙起来就没空想这些了。",
        "比你惨的人多了去了，这点事不值得发这么长的帖子。",
    ),
    "platitude": (
        "一切都会好起来的！要相信明天会更好，加油，你是最棒的！",
        "阳光总在风雨后，保持积极乐观的心态就好啦，加油加油！",
        "人生就是起起落落，想开点，开心最重要！",
    ),
    "misplaced_advice": (
        "你应该马上做个计划：每天早起跑步，列清单，把时间排满，这样就没空胡思乱想了。",
        "建议你立刻去报个班学点新东西，再多运动多喝水，问题自然就解决了。",
        "你需要做的就是换个环境，辞职或者搬家，别再纠结了。",
    ),
    "harmful": (
        "说到底还是你自己太脆弱了，别人都能扛你为什么不行？实在难受就喝点酒，睡一觉就忘了。",
        "别去看什么心理医生，都是骗钱的，忍一忍就过去了。",
        "这都是你自己造成的，怪不了别人，你就该受着。",
    ),
}
