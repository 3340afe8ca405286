"""``empathy-r1 eval metrics`` and ``eval compare`` from the command line; the metrics benchmark's smoke run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from empathy_r1.evaluation import metrics as M


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


PREDS = [
    {"id": "a", "prediction": "我能感受到你很焦虑，可以试着写下来。"},
    {"id": 2, "prediction": "谢谢你愿意说出来"},
]
REFS = [
    {"id": 2, "references": ["你愿意说出来，谢谢你", "说出来需要勇气"]},
    {"id": "a", "references": ["听起来你很焦虑。试着把担心写下来吧。"]},
]


def test_metrics_prints_report_and_per_sample(tmp_path, capsys, monkeypatch, cli):
    p, r = write_jsonl(tmp_path / "p.jsonl", PREDS), write_jsonl(tmp_path / "r.jsonl", REFS)
    code, out, err = cli("eval", "metrics", "--predictions", str(p), "--references", str(r))
    assert code == 0, err
    got = json.loads(out)
    expected = M.report([x["prediction"] for x in PREDS], [REFS[1]["references"], REFS[0]["references"]])
    assert got == expected
    out_file = tmp_path / "out" / "m.json"
    code, out, _ = cli("eval", "metrics", "-p", str(p), "-r", str(r), "--per-sample", "--output", str(out_file))
    got = json.loads(out)
    assert code == 0 and json.loads(out_file.read_text(encoding="utf-8")) == got
    assert [s["id"] for s in got["samples"]] == ["a", "2"]
    assert set(got["samples"][0]) == {"id", "bleu1", "rougeL", "meteor"}
    assert got["samples"][1]["rougeL"] == M.score_sample(PREDS[1]["prediction"], REFS[0]["references"])["rougeL"]


def test_metrics_missing_ids_are_an_error_unless_allowed(tmp_path, capsys, monkeypatch, cli):
    p = write_jsonl(tmp_path / "p.jsonl", [*PREDS, {"id": "extra", "prediction": "多出来的"}])
    r = write_jsonl(tmp_path / "r.jsonl", REFS)
    out_file = tmp_path / "m.json"
    code, out, err = cli("eval", "metrics", "-p", str(p), "-r", str(r), "-o", str(out_file))
    assert code == 2 and out == "" and not out_file.exists()
    assert err.strip() == f"error: {p}:3: id 'extra' has no references in {r} (1 such ids; --allow-missing skips them)"
    code, out, err = cli("eval", "metrics", "-p", str(p), "-r", str(r), "--allow-missing")
    assert code == 0 and json.loads(out)["n"] == 2 and "skipped 1" in err


@pytest.mark.parametrize(
    ("pred_text", "ref_text", "where", "message"),
    [
        ('{"id": "a", "prediction": "x"}\n{oops\n', None, "p:2", "invalid JSON"),
        ("[1, 2]\n", None, "p:1", "expected a JSON object"),
        ('{"prediction": "x"}\n', None, "p:1", 'missing "id"'),
        ('{"id": "a", "prediction": 3}\n', None, "p:1", '"prediction" must be a string'),
        ('{"id": "a", "prediction": "x"}\n\n{"id": "a", "prediction": "y"}\n', None, "p:3", "duplicate id 'a' (first on line 1)"),
        ('{"id": "a", "prediction": "x"}\n', '{"id": "a", "references": []}\n', "r:1", '"references" must be a non-empty list of strings'),
        ('{"id": "a", "prediction": "x"}\n', '{"id": "a", "references": "x"}\n', "r:1", '"references" must be a non-empty list of strings'),
    ],
)
def test_metrics_bad_lines_name_file_and_line(tmp_path, capsys, monkeypatch, cli, pred_text, ref_text, where, message):
    p, r = tmp_path / "p", tmp_path / "r"
    p.write_text(pred_text, encoding="utf-8")
    r.write_text(ref_text or '{"id": "a", "references": ["x"]}\n', encoding="utf-8")
    code, out, err = cli("eval", "metrics", "-p", str(p), "-r", str(r))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {tmp_path / where}: {message}") and "Traceback" not in err


def test_metrics_missing_file_in_a_real_process(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "empathy_r1", "eval", "metrics", "-p", str(tmp_path / "nope.jsonl"), "-r", str(tmp_path / "r.jsonl")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and r.stderr.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"


def test_compare_eval_files_run_dirs_and_pipeline_report(tmp_path, capsys, monkeypatch, cli):
    (tmp_path / "runA").mkdir()
    (tmp_path / "runA" / "eval.json").write_text(
        json.dumps(
            {
                "name": "",
                "checkpoint": "ckA",
                "n": 10,
                "metrics": {"bleu1": 0.2, "rougeL": 0.3, "meteor": 0.1, "distinct1": 0.05, "navg": 0.1625, "format_rate": 1.0},
            }
        ),
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "eval": {
                    "base": {
                        "n": 10,
                        "metrics": {"bleu1": 0.1, "rougeL": 0.2, "meteor": 0.05, "distinct1": 0.04, "navg": 0.0975, "format_rate": 0.0},
                    },
                    "grpo": {
                        "name": "grpo",
                        "n": 10,
                        "metrics": {
                            "bleu1": 0.25,
                            "rougeL": 0.31,
                            "meteor": 0.12,
                            "distinct1": 0.06,
                            "navg": 0.185,
                            "format_rate": 0.9,
                            "reward": 1.7,
                        },
                    },
                }
            }
        ),
        encoding="utf-8",
    )
    flat = write_jsonl(tmp_path / "m.json", [M.report(["我很好"], [["我很好"]])])
    out_base = tmp_path / "cmp" / "table"
    code, out, err = cli("eval", "compare", str(tmp_path / "runA"), str(report), str(flat), "--output", str(out_base))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert (
        lines[0]
        == "| System | n | BLEU-1 | ROUGE-L | METEOR | Distinct-1 | Distinct-2 | NAvg | Distinct-1 (per answer) | NAvg (per-answer D-1) | Format | Reward |"
    )
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["runA", "base", "grpo", "m"]
    assert "**1.7000**" in lines[4] and "| 0.3100 |" in lines[4]  # best reward in bold; "m" has the best ROUGE-L
    assert "| **1.0000** |" in lines[5] and "| – |" in lines[5]  # no format rate in a metrics-only file
    rows = json.loads((tmp_path / "cmp" / "table.json").read_text(encoding="utf-8"))
    assert rows[0]["checkpoint"] == "ckA" and rows[2]["reward"] == 1.7
    assert (tmp_path / "cmp" / "table.md").read_text(encoding="utf-8") == out
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    code, _, err = cli("eval", "compare", str(bad))
    assert code == 2 and err.startswith(f"error: {bad}: no evaluation results found")


def test_metrics_benchmark_smoke():
    from benchmarks import metrics_bench

    table = metrics_bench.main(["--smoke"])
    assert table.count("| yes |") == 2
