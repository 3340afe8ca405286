"""``empathy-r1 rank export | score | judge`` from the command line; the judge against a fake endpoint.

The fake OpenAI-compatible server runs in a thread on 127.0.0.1 (stdlib http.server, bound before
the thread starts, so no waiting). Its "judge" prefers answers with more 好, and, when asked, is
position-biased: it always puts reply A first, which the two answer orders must cancel.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SYSTEMS = ["good", "mid", "bad"]
QUALITY = {"good": "好好好", "mid": "好", "bad": "嗯"}


def write_systems(path: Path, n: int = 6) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            answers = {s: f"<answer>第{i}条回复：{QUALITY[s]}，我在听。</answer>" for s in SYSTEMS}
            f.write(json.dumps({"id": f"q{i}", "post": f"第{i}个求助帖：最近总是睡不着。", "answers": answers}, ensure_ascii=False) + "\n")
    return path


class FakeJudge:
    def __init__(self) -> None:
        self.calls = 0
        self.fail_after: int | None = None
        self.position_bias = False
        self.lock = threading.Lock()

    def reply(self, prompt: str) -> str:
        blocks = re.findall(r"【回复 ([A-Z])】\n(.*?)\n", prompt)
        if self.position_bias:
            labels = [lab for lab, _ in blocks]
        else:
            labels = [lab for lab, text in sorted(blocks, key=lambda b: -b[1].count("好"))]
        return "My ranking: " + json.dumps({"ranking": labels})


@pytest.fixture
def fake_judge() -> Iterator[tuple[str, FakeJudge]]:
    judge = FakeJudge()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with judge.lock:
                judge.calls += 1
                failing = judge.fail_after is not None and judge.calls > judge.fail_after
            if failing:
                payload, status = {"error": {"message": "quota exhausted", "type": "invalid_request_error"}}, 400
            else:
                content = judge.reply(body["messages"][-1]["content"])
                payload = {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                status = 200
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", judge
    server.shutdown()
    server.server_close()


def human_rankings(tasks: Path, annotator: str, prefer: list[str]) -> Path:
    """What the page exports for an annotator who ranks by ``prefer``."""
    key = json.loads((tasks / "key.json").read_text(encoding="utf-8"))
    rankings = []
    for sid in key["annotators"][annotator]["order"]:
        inv = {system: label for label, system in key["annotators"][annotator]["labels"][sid].items()}
        rankings.append({"sample": sid, "order": [inv[s] for s in prefer]})
    out = tasks / "rankings" / f"annotator_{annotator}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"task_set": key["task_set"], "annotator": annotator, "rankings": rankings}), encoding="utf-8")
    return out


def test_export_then_score(tmp_path, capsys, monkeypatch, cli):
    src = write_systems(tmp_path / "systems.jsonl")
    tasks = tmp_path / "tasks"
    code, out, err = cli("rank", "export", "-i", str(src), "-o", str(tasks), "--annotators", "2", "--seed", "5")
    assert code == 0, err
    assert "6 samples x 3 systems for 2 annotators" in out
    page = (tasks / "annotator_1.html").read_text(encoding="utf-8")
    assert "<answer>" not in page and "第0条回复：好好好，我在听。" in page  # only the reply part is shown
    human_rankings(tasks, "1", SYSTEMS)
    human_rankings(tasks, "2", ["mid", "good", "bad"])
    code, out, err = cli("rank", "score", "--tasks", str(tasks), "--bootstrap", "200", "-o", str(tmp_path / "score"))
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["systems"]["good"]["win1"] == 0.5 and result["systems"]["bad"]["mean_rank"] == 3.0
    assert result["kendall_w"]["mean"] == pytest.approx(0.75)  # totals 3, 3, 6 over 2 raters
    assert (tmp_path / "score.md").read_text(encoding="utf-8").startswith("| System | Win@1 (95% CI) | Win@2 (95% CI) |")
    # Exporting over an existing task set refuses rather than replace the key.
    code, _, err = cli("rank", "export", "-i", str(src), "-o", str(tasks))
    assert code == 2 and "already holds a task set" in err


def test_export_from_prediction_files_and_errors(tmp_path, capsys, monkeypatch, cli):
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({"id": i, "post": f"帖子{i}"}) + "\n" for i in range(3)), encoding="utf-8")
    files = []
    for s in SYSTEMS:
        f = tmp_path / f"{s}.jsonl"
        f.write_text("".join(json.dumps({"id": i, "prediction": f"{s} {i}"}) + "\n" for i in range(3)), encoding="utf-8")
        files += ["-i", f"{s.upper()}={f}"]
    code, _, err = cli("rank", "export", *files, "--posts", str(posts), "-o", str(tmp_path / "t"))
    assert code == 0, err
    assert json.loads((tmp_path / "t" / "key.json").read_text(encoding="utf-8"))["systems"] == ["GOOD", "MID", "BAD"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": 1, "post": "p", "answers": {"a": "x", "b": "y"}}\n{"id": 2, "post": "p", "answers": {"a": "x"}}\n', encoding="utf-8"
    )
    code, _, err = cli("rank", "export", "-i", str(bad), "-o", str(tmp_path / "t2"))
    assert code == 2 and err.startswith(f'error: {bad}:2: "answers" must map at least two') and not (tmp_path / "t2").exists()


def test_judge_cancels_position_bias_caches_and_resumes(tmp_path, capsys, monkeypatch, cli, fake_judge):
    url, judge = fake_judge
    tasks = tmp_path / "tasks"
    cli("rank", "export", "-i", str(write_systems(tmp_path / "s.jsonl")), "-o", str(tasks), "--seed", "1")
    human_rankings(tasks, "1", SYSTEMS)
    # The endpoint gives out after 5 of the 12 calls: a clean error, and what arrived is kept.
    judge.fail_after = 5
    args = ["rank", "judge", "--tasks", str(tasks), "--base-url", url, "--model", "fake/judge-1", "--concurrency", "1"]
    code, out, err = cli(*args)
    assert code == 2 and "5/12 responses cached, rerun to resume" in err and "Traceback" not in err
    judge.fail_after, judge.calls = None, 0
    code, out, err = cli(*args, "-o", str(tmp_path / "judge"))
    assert code == 0, err
    assert judge.calls == 7 and "7 calls, 5 cached, 0 unparsable" in err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["systems"]["good"]["win1"] == 1.0 and result["systems"]["bad"]["mean_rank"] == 3.0
    assert result["agreement"]["top1_agreement"] == 1.0 and result["agreement"]["kendall_tau"] == 1.0
    assert "Judge vs people (6 pairs): top-1 agreement 1.000" in out
    # A third run is free: everything comes from the cache.
    judge.calls = 0
    code, out, err = cli(*args)
    assert code == 0 and judge.calls == 0 and "0 calls, 12 cached" in err
    # The judge's rankings file scores like a person's.
    saved = tasks / "judge" / "fake_judge-1.rankings.json"
    code, out, _ = cli("rank", "score", "--tasks", str(tasks), "-r", str(saved), "--bootstrap", "100")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["systems"]["good"]["win1"] == 1.0


def test_judge_position_bias_is_measured_and_averaged_out(tmp_path, capsys, monkeypatch, cli, fake_judge):
    url, judge = fake_judge
    judge.position_bias = True  # always ranks reply A first, B second, ...
    tasks = tmp_path / "tasks"
    cli("rank", "export", "-i", str(write_systems(tmp_path / "s.jsonl", n=12)), "-o", str(tasks))
    code, out, err = cli("rank", "judge", "--tasks", str(tasks), "--base-url", url, "--model", "biased")
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["judge"]["position_first_rate"] == 1.0
    # An order and its reverse give every system the same mean position (1.0 out of 0..2): the
    # judge's verdict falls back to the seeded first order, so wins spread over the systems.
    wins = [result["systems"][s]["win1"] for s in SYSTEMS]
    assert max(wins) < 1.0 and sum(wins) == pytest.approx(1.0)


def test_serve_app_validates_what_it_saves(tmp_path, capsys, monkeypatch, cli):
    from fastapi.testclient import TestClient

    from empathy_r1.evaluation.ranking.serve import create_app

    tasks = tmp_path / "tasks"
    cli("rank", "export", "-i", str(write_systems(tmp_path / "s.jsonl", n=2)), "-o", str(tasks), "--annotators", "2")
    client = TestClient(create_app(tasks))
    assert "annotator_1.html" in client.get("/").text
    assert client.get("/annotator_1.html").status_code == 200 and client.get("/annotator_9.html").status_code == 404
    key = json.loads((tasks / "key.json").read_text(encoding="utf-8"))
    good = {"task_set": key["task_set"], "annotator": "1", "rankings": [{"sample": "q0", "order": ["C", "B", "A"]}]}
    assert client.post("/api/rankings/2", json=good).status_code == 400  # body and URL disagree
    bad = {**good, "rankings": [{"sample": "q0", "order": ["A", "A", "B"]}]}
    r = client.post("/api/rankings/1", json=bad)
    assert r.status_code == 400 and "each of" in r.json()["detail"]
    assert not (tasks / "rankings" / "annotator_1.json").exists()
    assert client.post("/api/rankings/1", json=good).json()["saved"] == 1
    assert (tasks / "rankings" / "annotator_1.json").exists()
