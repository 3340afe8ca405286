"""``empathy-r1 data ...`` as a user runs it: files out, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from empathy_r1.data.synth import synthesize

GOOD = {"id": "a", "source": "s", "topic": "t", "title": "标题", "post": "正文很长", "answers": [{"text": "回答" * 60}]}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "empathy_r1", "data", *args], capture_output=True, text=True, timeout=120)


def test_synth_writes_corpus_and_card(tmp_path):
    out = tmp_path / "synth.jsonl"
    r = run("synth", "--n", "60", "--seed", "3", "--output", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 60 and json.loads(lines[0]) == synthesize(60, 3)[0]
    card = json.loads((tmp_path / "synth.card.json").read_text(encoding="utf-8"))
    assert len(card["stats"]["topics"]) >= 20 and 0 < card["overlap"]["mean_share"] < 1
    assert json.loads(r.stdout)["posts"] == 60


def test_prepare_synth_and_triplets(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in synthesize(80, 0)), encoding="utf-8")
    out = tmp_path / "prepared"
    r = run("prepare", "--input", str(src), "--output", str(out), "--seed", "1")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {
        "train.jsonl",
        "valid.jsonl",
        "test.jsonl",
        "card.json",
        "card.md",
        "post_lengths.png",
        "answer_lengths.png",
    }
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert sum(card["splits"].values()) == 80 and (out / "post_lengths.png").read_bytes()[:4] == b"\x89PNG"
    ids = [
        json.loads(line)["id"] for s in ("train", "valid", "test") for line in (out / f"{s}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(ids) == len(set(ids)) == 80
    trip = tmp_path / "trip.jsonl"
    r = run("triplets", "--input", str(out / "train.jsonl"), "--output", str(trip), "--seed", "0")
    assert r.returncode == 0, r.stderr
    first = json.loads(trip.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) >= {"query", "positive", "negative", "kind"}


def test_prepare_psyqa_and_csv(tmp_path):
    psyqa = [
        {
            "questionID": i,
            "question": f"问题{i}",
            "description": f"描述{i}，我的手机是1391234567{i}。" * 3,
            "keywords": "情绪,压力",
            "answers": [{"answer_text": "谢谢你的信任。" * 20, "has_label": False, "labels_sequence": None}],
        }
        for i in range(10)
    ]
    f = tmp_path / "psyqa.json"
    f.write_text(json.dumps(psyqa, ensure_ascii=False), encoding="utf-8")
    r = run("prepare", "--input", str(f), "--format", "psyqa", "--output", str(tmp_path / "p"))
    assert r.returncode == 0, r.stderr
    card = json.loads((tmp_path / "p" / "card.json").read_text(encoding="utf-8"))
    assert card["anonymised"]["[PHONE]"] == 30 and "[PHONE]" in (tmp_path / "p" / "train.jsonl").read_text(encoding="utf-8")
    c = tmp_path / "t.csv"
    c.write_text("subject,body,reply\n" + "".join(f"标题{i},正文{i}{'内容' * i},{'回答' * 60}{i}\n" for i in range(6)), encoding="utf-8")
    r = run(
        "prepare", "--input", str(c), "--format", "csv", "--map", "title=subject,post=body,answers=reply", "--output", str(tmp_path / "c")
    )
    assert r.returncode == 0, r.stderr


def _bad_inputs(tmp_path):
    good = json.dumps(GOOD, ensure_ascii=False)
    return {
        "broken_json": (good + "\n{broken\n").encode(),
        "wrong_type": (json.dumps({**GOOD, "answers": "x"}) + "\n").encode(),
        "missing_field": (json.dumps({k: v for k, v in GOOD.items() if k != "post"}) + "\n").encode(),
        "duplicate_id": (good + "\n" + good + "\n").encode(),
        "empty": b"",
        "not_utf8": good.encode() + b"\n" + '{"id": "caf\xe9"}'.encode("latin-1") + b"\n",
        "binary": b"\x00\x01\x02\x03\xff" * 20,
        "json_array": json.dumps([GOOD]).encode(),
    }


EXPECTED = {
    "broken_json": (2, "invalid JSON"),
    "wrong_type": (1, "field 'answers' must be a list, got str"),
    "missing_field": (1, "missing required field 'post'"),
    "duplicate_id": (2, "duplicate id 'a' (first on line 1)"),
    "empty": (1, "empty file"),
    "not_utf8": (2, "not UTF-8 text"),
    "binary": (1, "binary data"),
    "json_array": (1, "found a JSON array"),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_prepare_bad_input_is_one_line_and_leaves_nothing(tmp_path, case):
    f = tmp_path / f"{case}.jsonl"
    f.write_bytes(_bad_inputs(tmp_path)[case])
    out = tmp_path / "out"
    r = run("prepare", "--input", str(f), "--output", str(out))
    line, message = EXPECTED[case]
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"error: {f}:{line}: "), r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == [f.name]


def test_prepare_skip_invalid_counts_in_card(tmp_path):
    f = tmp_path / "mixed.jsonl"
    lines = [json.dumps({**GOOD, "id": str(i)}, ensure_ascii=False) for i in range(5)] + [
        "{broken",
        json.dumps({**GOOD, "id": "0"}),
        json.dumps({"id": "z"}),
    ]
    f.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    r = run("prepare", "--input", str(f), "--output", str(tmp_path / "out"), "--skip-invalid")
    assert r.returncode == 0, r.stderr
    card = json.loads((tmp_path / "out" / "card.json").read_text(encoding="utf-8"))
    assert card["skipped_invalid"] == {"invalid_json": 1, "duplicate_id": 1, "missing_field": 1, "not_utf8": 1}
    assert "invalid: invalid_json | 1" in (tmp_path / "out" / "card.md").read_text(encoding="utf-8")


def test_prepare_refuses_existing_output(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    r = run("prepare", "--input", str(f), "--output", str(tmp_path / "out"))
    assert r.returncode == 2 and "already exists" in r.stderr and (tmp_path / "out" / "keep.txt").exists()


def test_sample_export_prepares(tmp_path):
    out = tmp_path / "sample.jsonl"
    r = run("sample", "--output", str(out))
    assert r.returncode == 0, r.stderr
    n = json.loads(r.stdout)["posts"]
    assert n == len(out.read_text(encoding="utf-8").splitlines()) > 0
    r = run("prepare", "--input", str(out), "--output", str(tmp_path / "prepared"))
    assert r.returncode == 0, r.stderr


def test_prepare_card_reports_the_anonymiser_on_labelled_sentences(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    labelled = tmp_path / "pii.jsonl"
    rows = [
        {
            "id": "1",
            "text": "我叫王芳，手机13812345678",
            "pii": [{"type": "name", "text": "王芳"}, {"type": "phone", "text": "13812345678"}],
        },
        {"id": "2", "text": "今天心情不好", "pii": []},
    ]
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = run("prepare", "--input", str(src), "--output", str(tmp_path / "p"), "--pii-labelled", str(labelled))
    assert r.returncode == 0, r.stderr
    card = json.loads((tmp_path / "p" / "card.json").read_text(encoding="utf-8"))
    report = card["anonymiser_eval"][str(labelled)]
    assert report["recall"]["phone"]["value"] == 1.0 and "misses" not in report  # no labelled text copied into the card
    assert "| phone | 1.000 (1/1;" in (tmp_path / "p" / "card.md").read_text(encoding="utf-8")
