"""The anonymiser with context (Presidio-style) and its measuring code, on sentences written here.

These sentences were written while the rules were written, so they prove behaviour, not accuracy:
accuracy is measured on blind labelled files (``empathy-r1 data pii-eval FILE``).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from empathy_r1.cli import app
from empathy_r1.data.anonymise import anonymise, find_pii, fold, id_card_ok, id_card_plausible
from empathy_r1.data.pii_eval import evaluate_pii, read_labelled, wilson
from empathy_r1.errors import UserError

# (sentence, the texts that must be masked, their type)
MASKED = [
    ("我的身份证是110105199013071235，帮我看看", "110105199013071235", "id_card"),  # checksum fails, context
    ("号码是 110105199003071230 这个是我的", "110105199003071230", "id_card"),  # plausible birth date, no context
    ("银行卡号6222020200112233440你转过来", "6222020200112233440", "bank_card"),  # Luhn fails, context
    ("转到6228480402564890018就行", "6228480402564890018", "bank_card"),  # UnionPay prefix, no context
    ("QQ号码是12345678，有事找我", "12345678", "qq"),
    ("扣扣 5566778", "5566778", "qq"),
    ("加我vx：zhang_san88", "zhang_san88", "wechat"),
    ("电话：０１０－８２９５１３３２", "０１０－８２９５１３３２", "phone"),  # full-width digits and dash
    ("我的手机号是１３９　１２３４　５６７８", "１３９　１２３４　５６７８", "phone"),  # full-width spaces
    ("联系我：139-1234-5678", "139-1234-5678", "phone"),
    ("邮箱 zhangsan at qq dot com", "zhangsan at qq dot com", "email"),
    ("邮箱是lisi#163.com", "lisi#163.com", "email"),
    ("我的邮箱 zhaoliu艾特qq点com", "zhaoliu艾特qq点com", "email"),
    ("老家在河南省周口市太康县城关镇李庄村3组", "河南省周口市太康县城关镇李庄村3组", "address"),
    ("住在阳光花园5栋2单元302", "阳光花园5栋2单元302", "address"),
    ("车牌号京A12345，停在楼下", "京A12345", "plate"),
    ("护照号码E12345678", "E12345678", "passport"),
    ("学号2019123456，老师查到了", "2019123456", "student_id"),
    ("我的工号是A10234，被扣了工资", "A10234", "employee_id"),
    ("我们经理王建国总是骂我", "王建国", "name"),
    ("她叫王芳，是我大学同学", "王芳", "name"),
    ("室友陈思思每天都很晚回来", "陈思思", "name"),
    ("我的同事小王和老张都知道", "老张", "name"),
    ("座机(021)6234 5678", "(021)6234 5678", "phone"),
    ("加我企鹅 1234567", "1234567", "qq"),
    ("加微 xiaoming2001", "xiaoming2001", "wechat"),
    ("我的证件E12345678过期了", "E12345678", "passport"),  # the shape of a Chinese passport, no context
    ("我们部门的赵经理", "赵经理", "name"),  # jieba: 赵 + 经理
    ("他叫陈浩然", "陈浩然", "name"),  # jieba: 陈 + 浩然
    ("我妈妈刘秀兰总是唠叨", "刘秀兰", "name"),
    ("闺蜜孙丽丽告诉我", "孙丽丽", "name"),
    ("身份证 4403 0119 9001 0112 3X", "4403 0119 9001 0112 3X", "id_card"),
    ("手机 138.0013.8000", "138.0013.8000", "phone"),
    ("成都市武侯区人民南路四段12号", "成都市武侯区人民南路四段12号", "address"),
    ("天津市和平区和平路100号", "天津市和平区和平路100号", "address"),
    ("住在碧桂园3期5栋", "碧桂园3期5栋", "address"),
    # contact and number contexts (set A, first run, exposed these shapes)
    ("她用QQ55667788加我", "55667788", "qq"),  # Latin context word glued to the number
    ("tel13912345678随时找我", "13912345678", "phone"),
    ("办公室座机是（0755）8623 1234，白天打", "（0755）8623 1234", "phone"),  # bracketed area code, context after
    ("他的英国护照号码是 123456789", "123456789", "passport"),  # digits only
    ("同学的护照号 K7X2Y8841 写错了", "K7X2Y8841", "passport"),  # letters and digits mixed
    ("passport no. P1234567", "P1234567", "passport"),
    ("护照丢了，电话13812345678打不通", "13812345678", "phone"),  # the nearest context word wins
    ("论文发到 li.ming#pku.edu.cn 就行", "li.ming#pku.edu.cn", "email"),  # obfuscated, two-level domain
    ("有事q我：3344556677", "3344556677", "qq"),  # slang context
    ("打办公室电话 021-64381234转816", "021-64381234转816", "phone"),  # the extension belongs to the number
    ("我的港澳通行证号码C12345678丢了", "C12345678", "passport"),  # a travel document like a passport
    ("护照号是 P-12345678", "P-12345678", "passport"),
    # addresses: 道 roads, 门/舍 units, pieces that touch, dashed rooms, suffix-less building names
    ("我家在哈尔滨市道里区中央大街明珠小区5号楼2门301", "哈尔滨市道里区中央大街明珠小区5号楼2门301", "address"),
    ("她租在南开区成都道88号", "南开区成都道88号", "address"),
    ("宿舍在武汉大学枫园3舍402", "枫园3舍402", "address"),
    ("他住在杭州市西湖区文三路128号华星公寓12-2-501", "杭州市西湖区文三路128号华星公寓12-2-501", "address"),
    ("地址是青岛市市南区香港中路10号颐和国际B座2305", "青岛市市南区香港中路10号颐和国际B座2305", "address"),
    ("搬到了昆明市五华区翠湖南路8号6栋14-2", "昆明市五华区翠湖南路8号6栋14-2", "address"),
    # names: full names after a role or naming cue, before a title, compound and rarer surnames, famous people
    ("我的秘书韩雪梅今天又请假了", "韩雪梅", "name"),  # role 秘书, jieba splits the name
    ("我外婆孔繁英住院了", "孔繁英", "name"),  # kinship role
    ("收款人许文博，麻烦核对", "许文博", "name"),  # naming cue of a transfer
    ("户名是龙海燕", "龙海燕", "name"),  # a rarer surname after a naming cue
    ("我们班主任诸葛明说我上课走神", "诸葛明", "name"),  # compound surname; jieba glues 明说
    ("上官婉清是我最好的朋友", "上官婉清", "name"),  # a compound surname needs no cue
    ("我的心理咨询师卓雅琴建议我多运动", "卓雅琴", "name"),  # jieba glues the role to the surname
    ("于海洋医生说我的情况不严重", "于海洋", "name"),  # title after the name
    ("我和白云飞经理吵了一架", "白云飞", "name"),
    ("我爸爸叫郑国强，他脾气很差", "郑国强", "name"),
    ("毛泽东的诗词我背了很多", "毛泽东", "name"),  # public figures are names too
    ("我的偶像是刘翔，他很坚强", "刘翔", "name"),  # a two-character famous name after 偶像
    ("王伟和李娜是我的同事", "李娜", "name"),  # the second name of a pair
    ("李强说我是个废物", "李强", "name"),  # a clause opening on a name and a verb of speech
    ("班上的孙悦悦总是欺负我", "孙悦悦", "name"),  # a doubled given name jieba splits off
    ("我的表妹叶子涵今年考研", "叶子涵", "name"),  # surname and first character make a word (叶子)
    # what set B exposed, written anew: +86 landlines, coded staff numbers, address shapes, names
    ("请回拨 +86（021）6543 2100，谢谢", "+86（021）6543 2100", "phone"),  # country code before brackets
    ("他办公室是+86 10 8765 4321", "+86 10 8765 4321", "phone"),  # area code without its 0
    ("座机0086-571-8812 3456没人接", "0086-571-8812 3456", "phone"),
    ("我的员工号GZ-PD-1187被停用了", "GZ-PD-1187", "employee_id"),  # letter groups and dashes
    ("工牌编号：CD-B2207，保安不让进", "CD-B2207", "employee_id"),
    ("职工编号 HZ 00451 的是我", "HZ 00451", "employee_id"),
    ("工作证号码WX0923，别告诉别人", "WX0923", "employee_id"),
    ("学生证编号 NJU-2023-0871 丢了", "NJU-2023-0871", "student_id"),
    ("她住在长沙市岳麓区麓山南路32号学府2000小区C栋803", "长沙市岳麓区麓山南路32号学府2000小区C栋803", "address"),
    ("公司在成都市高新区天府大道999号新希望国际大厦2301", "成都市高新区天府大道999号新希望国际大厦2301", "address"),
    ("他家在西安市雁塔区长安南路西段15号", "西安市雁塔区长安南路西段15号", "address"),  # a road's section
    ("老家是湖南省邵阳市隆回县桃洪镇石门村下湾组7号", "湖南省邵阳市隆回县桃洪镇石门村下湾组7号", "address"),  # villager group
    ("户口在广东省梅州市五华县水寨镇", "广东省梅州市五华县水寨镇", "address"),
    ("寄到湖北省恩施市来凤县翔凤镇解放路5号", "湖北省恩施市来凤县翔凤镇解放路5号", "address"),  # 来 after 市
    ("我前任卢俊凯一直骚扰我", "卢俊凯", "name"),  # role 前任
    ("我是研究生邓宇航，导师不让我毕业", "邓宇航", "name"),  # role 研究生
    ("我哥叫林国平，他欠了很多钱", "林国平", "name"),  # jieba reads 林国 as a word
    ("我崇拜的人是屠呦呦和袁隆平", "屠呦呦", "name"),  # a doubled given name jieba does not know
    ("看了谷爱凌的比赛我很感动", "谷爱凌", "name"),  # a rarer surname jieba's model tags as a name
    ("有急事打（+86）137 0000 1122", "（+86）137 0000 1122", "phone"),  # the country code in brackets belongs to it
    ("他的员工编码 NB_0072 我记得", "NB_0072", "employee_id"),
    ("公司在南京市鼓楼区中山北路8号紫峰大厦A-2座16层", "南京市鼓楼区中山北路8号紫峰大厦A-2座16层", "address"),
    ("我在武汉市江汉区建设大道568号新世界国贸中心2705上班", "武汉市江汉区建设大道568号新世界国贸中心2705", "address"),
    ("我的心理医生是闫振华，她很耐心", "闫振华", "name"),  # a role, 是, a full name
]

KEPT = [
    "这段时间我很明白自己不安静",
    "谢谢你们听我说，我真的很累",
    "我在这个城市生活了三年，市区房价太高",
    "我考了580分，排名第1234名",
    "2019年12月30日我离开了家",
    "我每个月工资8000元，房贷4500",
    "我打了110报警，又打了12356",
    "我的体重是65公斤，身高170厘米",
    "上周四女儿发烧三十八度",
    "小王子这本书我看了三遍",
    "我们小区的保安很凶，我住在学校宿舍",
    "高考考了620分，全省排名12000名",
    "我的GPA是3.2，体重52.5公斤",
    "我的工资卡被冻结了，手机号被别人注册了",
    "我不知道该怎么办，味道很奇怪，换了频道也没用",
    "那条人行道上有个坑，我在北京市知道了这件事",
    # ordinary words next to roles, and 张/段 as measure words, are not names
    "这张卡是我妈妈的，那段时间我很难过",
    "谢谢你们听我说这些，谢谢医生",
    "我妈妈马上就回来了，朋友高兴地说",
    "我同学张开始哭的时候我不知道怎么办",
    "孩子马虎，同桌安静得像不存在一样",
    "我女朋友温柔体贴，妈妈于心不忍",
    "我是高中生，我的初中同学都结婚了，单位领导总是批评我",
    "下个月飞温哥华，儿子查出来对猫毛过敏",
    "这边只有一个冷冰冰的出租屋，让人没安全感",
    "顾问说我的方案不行，陈述说明会很无聊",
    "朋友黄金周去旅游，哥哥江湖气很重",
    "爸爸高兴坏了，妈妈马上来",
    # place and brand names tagged as names, 老/小 inside a word, a verb and its object
    "我们去了张家界和王府井，喝了一瓶王老吉",
    "这是她攒了一辈子的养老钱，我从小张罗家务",
    "我去营业厅查话费，他总是管闲事",
    "方方面面都要考虑，我们常常看看书",
    "考了100分，我在学习小组里排第3个",
    "学校心理咨询中心3楼的老师人很好，我的朋友是个好人",
]


@pytest.mark.parametrize(("sentence", "secret", "kind"), MASKED)
def test_masked(sentence, secret, kind):
    spans = find_pii(sentence)
    start = sentence.index(secret)
    covering = [s for s in spans if s.start <= start and s.end >= start + len(secret)]
    assert covering, (sentence, [(sentence[s.start : s.end], s.type) for s in spans])
    assert covering[0].type == kind
    assert secret not in anonymise(sentence)[0]


@pytest.mark.parametrize("sentence", KEPT)
def test_ordinary_text_is_kept(sentence):
    assert anonymise(sentence)[0] == sentence


def test_context_value_keeps_its_space():
    assert anonymise("工号 00875，学号：2021-0123-45")[0] == "工号 [EMPLOYEE_ID]，学号：[STUDENT_ID]"


def test_checks_and_fold():
    assert id_card_ok("11010519491231002X") and not id_card_ok("110105194912310021")
    assert id_card_plausible("110105194912310021") and not id_card_plausible("990105194912310021")
    assert not id_card_plausible("110105194913310021")  # month 13
    assert fold("１３８－１２３４") == "138-1234" and len(fold("ＡＢ　Ｃ")) == 4
    assert anonymise("王老师说")[0] == "[NAME]说"


def test_wilson_interval():
    lo, hi = wilson(98, 100)
    assert 0.92 < lo < 0.95 and 0.99 < hi <= 1.0
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


LABELLED = [
    {"id": "1", "text": "我叫王芳，手机13812345678", "pii": [{"type": "name", "text": "王芳"}, {"type": "phone", "text": "13812345678"}]},
    {"id": "2", "text": "今天心情不好，考了580分", "pii": []},
    # A miss: the rules do not know this code as an employee number without a context word.
    {"id": "3", "text": "编码X-77A，找前台", "pii": [{"type": "employee_id", "text": "X-77A"}]},
    # Partly masked is not found: every character must go.
    {"id": "4", "text": "我家住在北京市朝阳区建国路88号", "pii": [{"type": "address", "text": "我家住在北京市朝阳区建国路88号"}]},
]


def test_evaluate_pii_counts_recall_and_precision(tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in LABELLED), encoding="utf-8")
    report = evaluate_pii(read_labelled(path))
    assert report["recall"]["name"]["value"] == 1.0 and report["recall"]["phone"]["k"] == 1
    assert report["recall"]["employee_id"]["value"] == 0.0
    assert report["recall"]["address"]["value"] == 0.0  # "我家住在" is not masked
    assert report["recall_all"]["k"] == 2 and report["recall_all"]["n"] == 4
    assert report["precision_all"]["k"] == report["precision_all"]["n"] == 3  # name, phone, address all overlap labels
    assert {m["type"] for m in report["misses"]} == {"employee_id", "address"} and not report["false_spans"]
    # A masked span over nothing labelled is a false positive.
    fp = evaluate_pii([{"id": "x", "text": "我叫王芳", "pii": []}])
    assert fp["precision_all"] == {"k": 0, "n": 1, "value": 0.0, "ci95": [0.0, 0.7935]}


def test_pii_eval_cli_and_bad_files(tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in LABELLED), encoding="utf-8")
    result = CliRunner().invoke(app, ["data", "pii-eval", str(path), "--output", str(tmp_path / "r.json"), "--errors"])
    assert result.exit_code == 0, result.output
    assert "| name | 1.000 (1/1;" in result.output and "miss  3  employee_id: X-77A" in result.output
    assert json.loads((tmp_path / "r.json").read_text())[str(path)]["sentences"] == 4
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "1", "text": "abc", "pii": [{"type": "phone", "text": "123"}]}) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="does not occur"):
        read_labelled(bad)
    bad.write_text(json.dumps({"id": "1", "text": "abc", "pii": [{"type": "ssn", "text": "abc"}]}) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="type must be one of"):
        read_labelled(bad)
