"""Cleaning, anonymisation and near-duplicate removal."""

from __future__ import annotations

import pytest

from empathy_r1.data.anonymise import anonymise, id_card_ok, luhn_ok
from empathy_r1.data.clean import clean_records, normalise, strip_noise
from empathy_r1.data.dedup import drop_near_duplicates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打我电话13912345678或者+86 139-1234-5678", "打我电话[PHONE]或者[PHONE]"),
        ("座机010-82951332转", "座机[PHONE]转"),
        ("邮箱 zhang.san@example.com.cn 联系", "邮箱 [EMAIL] 联系"),
        ("身份证11010519491231002X", "身份证[ID]"),
        ("身份证110105194912310021", "身份证[ID]"),  # bad checksum, but the context word says what it is
        ("订单123456789012345678", "订单123456789012345678"),  # no context, no plausible birth date, no issuer prefix
        ("卡号6222 0202 0011 2233 446", "卡号[BANKCARD]"),
        ("QQ号：123456789", "QQ号：[QQ]"),
        ("vx: zhang_san99", "vx: [WECHAT]"),
        ("看看 https://t.cn/abc?x=1 和 example.com/page", "看看 [URL] 和 [URL]"),
        ("住在上海市浦东新区世纪大道100号", "住在[ADDRESS]"),
        ("阳光小区3栋2单元401室", "[ADDRESS]"),
        ("1998年我工资8000元，考了620分", "1998年我工资8000元，考了620分"),
    ],
)
def test_anonymise(text, expected):
    assert anonymise(text)[0] == expected


def test_checksums():
    assert id_card_ok("11010519491231002X") and not id_card_ok("11010519491231002")
    assert luhn_ok("6222020200112233446") and not luhn_ok("6222020200112233447")


def test_normalise_and_noise():
    assert normalise("１２３ＡＢＣ，你好！") == "123ABC，你好！"
    text, removed = strip_noise("你的感受很正常。需要的话扫码关注公众号。也可以访问 http://x.cn 了解。祝好。")
    assert text == "你的感受很正常。祝好。" and removed == 2


def test_clean_records_counts():
    long = "这是一段足够长的专业回答。" * 10
    recs = [
        {
            "id": "1",
            "source": "s",
            "topic": "t",
            "title": "t",
            "post": "我的电话13912345678",
            "answers": [{"text": long}, {"text": "太短"}],
        },
        {"id": "2", "source": "s", "topic": "t", "title": "t", "post": "p", "answers": [{"text": "短"}]},
    ]
    out, counts, pii = clean_records(recs, min_answer_chars=100)
    assert [r["id"] for r in out] == ["1"] and out[0]["post"] == "我的电话[PHONE]"
    assert counts["answers_too_short"] == 2 and counts["posts_without_answers"] == 1 and pii == {"[PHONE]": 1}
    assert recs[0]["post"] == "我的电话13912345678"  # input untouched


def test_near_duplicates():
    base = "我最近工作压力很大，每天加班到很晚，回家以后也睡不着，总是想着白天的事情，不知道该怎么调整自己的状态。"
    recs = [
        {"id": "1", "post": base},
        {"id": "2", "post": base.replace("很晚", "很晚很晚")},
        {"id": "3", "post": base},
        {"id": "4", "post": "完全不同的内容" * 5},
    ]
    kept, counts = drop_near_duplicates(recs)
    assert [r["id"] for r in kept] == ["1", "4"]
    assert counts == {"exact_duplicate_posts": 1, "near_duplicate_posts": 1}
