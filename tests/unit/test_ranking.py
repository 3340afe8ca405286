"""Blind task building, ranking statistics and the judge's parsing, without servers or browsers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau

from empathy_r1.errors import UserError
from empathy_r1.evaluation.ranking import judge as J
from empathy_r1.evaluation.ranking import score as S
from empathy_r1.evaluation.ranking.tasks import Sample, annotator_view, build_tasks, load_task_set, task_set_id, write_task_set

SYSTEMS = ["sys_good_x1", "sys_mid_x2", "sys_bad_x3"]


def samples(n: int = 30) -> list[Sample]:
    return [Sample(f"s{i}", f"帖子{i}：我最近很焦虑。", {s: f"{s}的回复{i}" for s in SYSTEMS}) for i in range(n)]


def test_tasks_are_seeded_blind_and_shuffled_per_annotator():
    a = build_tasks(samples(), annotators=3, seed=7)
    assert a.annotators == build_tasks(samples(), annotators=3, seed=7).annotators  # reproducible
    assert a.annotators != build_tasks(samples(), annotators=3, seed=8).annotators
    # Annotators see different orders of the same sample (per-annotator shuffles).
    assert any(len({tuple(a.label_to_system(ann, s.id).values()) for ann in a.annotators}) > 1 for s in a.samples)
    assert a.annotators["1"]["order"] != a.annotators["2"]["order"]  # and the samples in another order
    # Each system lands in slot A for some sample: the order really is shuffled per sample.
    assert {a.label_to_system("1", s.id)["A"] for s in a.samples} == set(SYSTEMS)
    view = json.dumps(annotator_view(a, "2"), ensure_ascii=False)
    for s in SYSTEMS:  # what an annotator sees never names a system (answers here mention them, so check labels)
        assert f'"{s}"' not in view


def test_sample_subset_and_system_subset():
    ts = build_tasks(samples(), annotators=1, seed=0, n_samples=10, systems=SYSTEMS[:2])
    assert len(ts.samples) == 10 and ts.systems == SYSTEMS[:2]
    assert all(set(s.answers) == set(SYSTEMS[:2]) for s in ts.samples)
    with pytest.raises(UserError, match="unknown systems"):
        build_tasks(samples(), 1, 0, systems=["nope", "sys_good_x1"])


def test_write_and_reload_task_set(tmp_path: Path):
    ts = build_tasks(samples(5), annotators=2, seed=1)
    files = write_task_set(ts, tmp_path / "t")
    assert {f.name for f in files} >= {"key.json", "samples.json", "annotator_1.html", "annotator_2.csv"}
    html = (tmp_path / "t" / "annotator_1.html").read_text(encoding="utf-8")
    assert task_set_id(ts) in html and "fluency" in html and "suggestion" in html
    back = load_task_set(tmp_path / "t")
    assert back.annotators == ts.annotators and task_set_id(back) == task_set_id(ts)
    with pytest.raises(UserError, match="already holds a task set"):
        write_task_set(ts, tmp_path / "t")


def test_html_cannot_be_broken_by_an_answer(tmp_path: Path):
    nasty = [Sample("x", "</script><script>alert(1)</script>", {"a": "<b>hi</b></script>", "b": "ok"})]
    ts = build_tasks(nasty, 1, 0)
    write_task_set(ts, tmp_path / "t")
    html = (tmp_path / "t" / "annotator_1.html").read_text(encoding="utf-8")
    assert html.count("</script>") == 2  # only the page's own two script blocks


def judgments(order_for: dict[str, list[str]], annotators: list[str]) -> list[S.Judgment]:
    return [S.Judgment(a, sid, tuple(order)) for a in annotators for sid, order in order_for.items()]


def test_score_win_rates_mean_rank_and_cis():
    order = {f"s{i}": SYSTEMS for i in range(8)}
    order.update({f"t{i}": [SYSTEMS[1], SYSTEMS[0], SYSTEMS[2]] for i in range(2)})
    r = S.score(judgments(order, ["1", "2"]), SYSTEMS, k=2, n_boot=500)
    good, mid, bad = (r["systems"][s] for s in SYSTEMS)
    assert good["win1"] == 0.8 and mid["win1"] == 0.2 and bad["win1"] == 0.0
    assert good["win2"] == 1.0 and bad["win2"] == 0.0
    assert good["mean_rank"] == pytest.approx(1.2) and bad["mean_rank"] == 3.0
    lo, hi = good["win1_ci"]
    assert 0.0 <= lo <= 0.8 <= hi <= 1.0 and lo < hi
    assert bad["win1_ci"] == [0.0, 0.0]
    assert r["kendall_w"] == {"mean": 1.0, "samples": 10}  # two identical annotators
    assert r["samples"] == 10 and r["judgments"] == 20 and r["annotators"] == 2
    assert "| sys_good_x1 | 80.0% [" in S.to_markdown(r)


def test_kendall_w_and_tau():
    assert S.kendall_w(np.array([[1, 2, 3], [3, 2, 1]])) == 0.0
    # Three raters, four items, by hand: rank totals 4, 6, 8, 12 around their mean 7.5 give
    # S = 12.25 + 2.25 + 0.25 + 20.25 = 35, so W = 12 * 35 / (3^2 * (4^3 - 4)) = 420 / 540.
    m = np.array([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]])
    assert S.kendall_w(m) == pytest.approx(420 / 540)
    a, b = ("p", "q", "r", "s"), ("q", "p", "s", "r")
    tau = kendalltau([a.index(x) for x in a], [b.index(x) for x in a]).statistic
    assert S.kendall_tau(a, b) == pytest.approx(tau)


def test_agreement_of_judge_with_people():
    humans = judgments({"s1": SYSTEMS, "s2": SYSTEMS}, ["1", "2"])
    judge = [S.Judgment("judge:m", "s1", tuple(SYSTEMS)), S.Judgment("judge:m", "s2", tuple(SYSTEMS[::-1]))]
    a = S.agreement(judge, humans)
    assert a["pairs"] == 4 and a["top1_agreement"] == 0.5 and a["kendall_tau"] == 0.0
    assert a["human_top1_agreement"] == 1.0 and a["human_kendall_tau"] == 1.0


def test_read_rankings_json_and_csv(tmp_path: Path):
    ts = build_tasks(samples(4), annotators=2, seed=3)
    write_task_set(ts, tmp_path / "t")
    # Annotator 1 via JSON (labels as the page exports them), always preferring the good system.
    rankings = []
    for sid in ts.annotators["1"]["order"]:
        inv = {v: k for k, v in ts.label_to_system("1", sid).items()}
        rankings.append({"sample": sid, "order": [inv[s] for s in SYSTEMS]})
    f1 = tmp_path / "r1.json"
    f1.write_text(json.dumps({"task_set": task_set_id(ts), "annotator": "1", "rankings": rankings}), encoding="utf-8")
    # Annotator 2 via the CSV, filled in as a spreadsheet would.
    src = (tmp_path / "t" / "annotator_2.csv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(src))
    header = rows[0]
    for row in rows[1:]:
        labels = ts.label_to_system("2", row[header.index("sample")])
        for lab, system in labels.items():
            row[header.index(f"rank_{lab}")] = str(SYSTEMS.index(system) + 1)
    f2 = tmp_path / "r2.csv"
    with f2.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    got = S.read_rankings([f1, f2], ts)
    assert len(got) == 8 and all(j.systems == tuple(SYSTEMS) for j in got)
    # A bad rank names the CSV line.
    rows[2][header.index("rank_A")] = rows[2][header.index("rank_B")]
    with f2.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(UserError) as e:
        S.read_rankings([f2], ts)
    assert e.value.line().startswith(f"error: {f2}:3: ranks must be 1..3")
    with pytest.raises(UserError, match="twice"):
        S.read_rankings([f1, f1], ts)
    f1.write_text(json.dumps({"task_set": "other", "annotator": "1", "rankings": rankings}), encoding="utf-8")
    with pytest.raises(UserError, match="task set 'other'"):
        S.read_rankings([f1], ts)


def test_judge_orders_cancel_position():
    orders = J.answer_orders(SYSTEMS, 2, 0, "s1")
    assert orders[1] == orders[0][::-1]
    four = J.answer_orders(SYSTEMS, 4, 0, "s1")
    assert four[:2] == orders and four[2] == orders[0][1:] + orders[0][:1]


@pytest.mark.parametrize(
    ("text", "k", "expected"),
    [
        ('{"ranking": ["C", "A", "B"]}', 3, ["C", "A", "B"]),
        ('```json\n{"ranking": ["b", "a"]}\n```', 2, ["B", "A"]),
        ("排序：B > A > C", 3, ["B", "A", "C"]),
        ("A, C, B", 3, ["A", "C", "B"]),
        ('{"ranking": ["A", "B"]}', 3, None),
        ("I cannot decide.", 3, None),
    ],
)
def test_parse_ranking(text, k, expected):
    assert J.parse_ranking(text, k) == expected


def test_prompt_lists_every_answer_in_order():
    s = samples(1)[0]
    p = J.build_prompt(s, SYSTEMS[::-1])
    assert p.index(s.answers[SYSTEMS[2]]) < p.index(s.answers[SYSTEMS[0]])
    assert "【回复 A】" in p and "【回复 C】" in p and "sys_" in p  # answer texts mention names here, labels do not
