"""Every mistake a user can make on the command line ends in one ``error:`` line and exit code 2.

Run in-process through the console script's ``main`` (the ``cli`` fixture): the same code path as
``empathy-r1 ...``, without an interpreter start-up per case.
"""

from __future__ import annotations

import json
import socket

import pytest

DEPTH = 100_000


def _deep(field: str) -> str:
    return '{"id": "a", "source": "s", "topic": "t", "' + field + '": ' + "[" * DEPTH + "]" * DEPTH + "}\n"


def one_error_line(r, expected_start: str) -> None:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected_start), r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "verb",
    [
        ("safety", "screen", "--input", "{f}"),
        ("coe", "check", "{f}"),
        ("reward", "score", "--model", "{d}", "--input", "{f}"),
        ("data", "prepare", "--input", "{f}", "--output", "{d}/prepared"),
        ("data", "triplets", "--input", "{f}", "--output", "{d}/t.jsonl"),
    ],
    ids=lambda v: " ".join(v[:2]),
)
def test_json_nested_too_deeply_in_every_reader(cli, tmp_path, verb):
    f = tmp_path / "deep.jsonl"
    f.write_text('{"id": "ok", "text": "fine", "completion": "x", "query": "q", "post": "p"}\n' + _deep("text"), encoding="utf-8")
    if verb[0] == "data":
        f.write_text(_deep("post"), encoding="utf-8")
    r = cli(*(a.format(f=f, d=tmp_path) for a in verb))
    line = 1 if verb[0] == "data" else 2
    one_error_line(r, f"error: {f}:{line}: JSON nested too deeply")
    assert not (tmp_path / "prepared").exists()


@pytest.fixture
def sample(cli, tmp_path):
    path = tmp_path / "sample.jsonl"
    assert cli("data", "sample", "--output", path).returncode == 0
    return path


def test_data_prepare_output_that_cannot_be_written(cli, sample, tmp_path):
    one_error_line(cli("data", "prepare", "--input", sample, "--output", "/proc/x"), "error: /proc/x: cannot create")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    one_error_line(cli("data", "prepare", "--input", sample, "--output", busy), f"error: {busy}: output already exists")
    one_error_line(cli("data", "prepare", "--input", sample, "--output", sample), f"error: {sample}: output already exists")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_eval_metrics_output_that_cannot_be_written(cli, tmp_path):
    p, r = tmp_path / "p.jsonl", tmp_path / "r.jsonl"
    p.write_text(json.dumps({"id": 1, "prediction": "我很好"}) + "\n", encoding="utf-8")
    r.write_text(json.dumps({"id": 1, "references": ["我很好"]}) + "\n", encoding="utf-8")
    one_error_line(cli("eval", "metrics", "-p", p, "-r", r, "-o", "/proc/x"), "error: /proc/x: cannot write")
    one_error_line(cli("eval", "metrics", "-p", p, "-r", r, "-o", tmp_path), f"error: {tmp_path}: is a directory")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["p.jsonl", "r.jsonl"]


def test_config_with_a_python_object_tag(cli, tmp_path):
    bad = tmp_path / "evil.yaml"
    bad.write_text("seed: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    one_error_line(cli("config", "check", bad), f"error: {bad}:1: invalid YAML: could not determine a constructor")


def test_serve_port_out_of_range(cli):
    one_error_line(cli("serve", "--port", "70000", "--model", "nowhere"), "error: --port must be between 1 and 65535, got 70000")


def test_serve_port_in_use_fails_before_saying_it_serves(cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = cli("serve", "--port", port, "--upstream", "http://127.0.0.1:9/v1", "--upstream-model", "m")
    one_error_line(r, f"error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert "serving" not in r.stderr


@pytest.mark.parametrize(
    "verb",
    [("data", "review", "--input", "{s}", "--output", "{d}/sft.jsonl", "--reviewer", "Dr. Li"), ("rank", "serve", "--tasks", "{d}")],
    ids=lambda v: " ".join(v[:2]),
)
def test_page_servers_check_their_port(cli, sample, tmp_path, verb):
    r = cli(*(a.format(s=sample, d=tmp_path) for a in verb), "--port", "70000")
    one_error_line(r, "error: --port must be between 1 and 65535, got 70000")
