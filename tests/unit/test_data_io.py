"""Readers: canonical, PsyQA and mapped CSV/JSONL; every bad input names its file and line."""

from __future__ import annotations

import json

import pytest

from empathy_r1.data.io import parse_mapping, read_records
from empathy_r1.errors import UserError
from empathy_r1.io import write_jsonl

GOOD = {"id": "a", "source": "s", "topic": "t", "title": "标题", "post": "正文", "answers": [{"text": "回答"}]}


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_canonical_roundtrip(tmp_path):
    recs = [GOOD, {**GOOD, "id": "b"}]
    write_jsonl(tmp_path / "x.jsonl", recs)
    assert read_records(tmp_path / "x.jsonl") == (recs, {})
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        ([json.dumps(GOOD), "{broken"], 2, "invalid JSON"),
        ([json.dumps({**GOOD, "post": 3})], 1, "field 'post' must be a string, got int"),
        ([json.dumps({k: v for k, v in GOOD.items() if k != "answers"})], 1, "missing required field 'answers'"),
        ([json.dumps(GOOD), json.dumps(GOOD)], 2, "duplicate id 'a' (first on line 1)"),
        ([json.dumps([GOOD])], 1, "found a JSON array"),
        ([json.dumps({**GOOD, "answers": ["plain"]})], 1, "answers[0] must be an object"),
        ([json.dumps({**GOOD, "labels": {"emotion": "joy"}})], 1, "labels.emotion 'joy'"),
    ],
)
def test_canonical_errors(tmp_path, lines, line, message):
    f = _write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(UserError) as e:
        read_records(f)
    assert e.value.lineno == line and message in e.value.message and e.value.file == str(f)


def test_encoding_errors(tmp_path):
    f = tmp_path / "latin.jsonl"
    f.write_bytes(json.dumps(GOOD).encode() + b"\n" + '{"x": "caf\xe9"}'.encode("latin-1") + b"\n")
    with pytest.raises(UserError, match="not UTF-8") as e:
        read_records(f)
    assert e.value.lineno == 2
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(UserError, match=r"binary|not UTF-8"):
        read_records(f)
    f.write_bytes(b"")
    with pytest.raises(UserError, match="empty file"):
        read_records(f)


def test_skip_invalid_counts_reasons(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(
        "\n".join(
            [json.dumps(GOOD), "{broken", json.dumps({**GOOD, "id": "b", "post": 1}), json.dumps(GOOD), json.dumps({"id": "c"})]
        ).encode()
        + b"\n\xff\xfe\n"
    )
    recs, skipped = read_records(f, skip_invalid=True)
    assert [r["id"] for r in recs] == ["a"]
    assert skipped == {"invalid_json": 1, "wrong_type": 1, "duplicate_id": 1, "missing_field": 1, "not_utf8": 1}


PSYQA = [
    {
        "questionID": 7,
        "question": "总是失眠怎么办",
        "description": "最近压力很大，晚上睡不着。",
        "keywords": "睡眠,压力",
        "answers": [
            {
                "answer_text": "你好，" * 40,
                "has_label": True,
                "labels_sequence": [{"start": 0, "end": 3, "type": "Approval and Reassurance"}],
            }
        ],
    },
    {"questionID": 8, "question": "q", "description": "d", "keywords": "", "answers": []},
]


def test_psyqa(tmp_path):
    f = tmp_path / "psyqa.json"
    f.write_text(json.dumps(PSYQA, ensure_ascii=False, indent=2), encoding="utf-8")
    recs, _ = read_records(f, "psyqa")
    assert recs[0]["id"] == "psyqa-7" and recs[0]["topic"] == "睡眠" and recs[0]["subtopic"] == "压力"
    assert recs[0]["answers"][0]["strategies"] == ["Approval and Reassurance"]
    assert recs[1]["topic"] == "unknown"
    bad = [PSYQA[0], {**PSYQA[1], "description": None}]
    f.write_text(json.dumps(bad, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(UserError, match="'description' has the wrong type") as e:
        read_records(f, "psyqa")
    assert f.read_text(encoding="utf-8").splitlines()[e.value.lineno - 1].strip() == "{"
    f.write_text('[{"questionID": 1,', encoding="utf-8")
    with pytest.raises(UserError, match="invalid JSON"):
        read_records(f, "psyqa")


def test_csv_and_jsonl_with_mapping(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text(
        'qid,subject,body,reply,board\n1,标题,"第一行\n第二行",很长的回答,情感\n2,t2,p2,"[""a1"", ""a2""]",工作\n', encoding="utf-8"
    )
    mapping = parse_mapping("id=qid,title=subject,post=body,answers=reply,topic=board")
    recs, _ = read_records(f, "csv", mapping)
    assert recs[0]["post"] == "第一行\n第二行" and recs[0]["topic"] == "情感" and recs[0]["source"] == "t"
    assert [a["text"] for a in recs[1]["answers"]] == ["a1", "a2"]
    with pytest.raises(UserError, match="column 'nope'"):
        read_records(f, "csv", {"post": "nope"})
    j = _write(tmp_path / "t.jsonl", [json.dumps({"body": "p", "reply": ["x"]}), json.dumps({"reply": ["x"]})])
    with pytest.raises(UserError, match="missing required field 'body'") as e:
        read_records(j, "jsonl", {"post": "body", "answers": "reply"})
    assert e.value.lineno == 2


def test_parse_mapping_errors():
    with pytest.raises(UserError, match="unknown field"):
        parse_mapping("body=post")
    with pytest.raises(UserError, match="field=column"):
        parse_mapping("post")
