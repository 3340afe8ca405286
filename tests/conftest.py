"""Shared fixtures. Nothing here touches the network: models and tokenizers are built locally."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import dataclasses
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from doubles import COE_ANSWER, running  # COE_ANSWER: the answer the CoE checkpoint below learns by heart


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny random Qwen3 and a BPE tokenizer trained locally (ChatML, CoE tags): seconds to build."""
    from empathy_r1 import models
    from empathy_r1.config import ModelConfig

    d = tmp_path_factory.mktemp("tiny")
    texts = ["最近工作压力很大，晚上睡不好。", "我和父母的关系很紧张。", "听起来你真的很辛苦。"] * 20
    tok = models.train_bpe_tokenizer(texts, vocab_size=400)
    model = models.build_tiny_model(ModelConfig(hidden_size=32, num_heads=2, num_kv_heads=1, intermediate_size=64), tok)
    model.save_pretrained(d)
    tok.save_pretrained(d)
    return d


@pytest.fixture(scope="session")
def coe_checkpoint(tmp_path_factory) -> Path:
    """A tiny Qwen3 trained (overfitted, ~100 steps on CPU) to answer our CoE prompt with one fixed chain.

    Greedy decoding then writes a well-formed chain whose answer is :data:`COE_ANSWER`: a real
    engine serving it must give the CoE parsing, streaming and screening something real to do.
    """
    import torch

    from empathy_r1 import coe, models
    from empathy_r1.config import ModelConfig
    from empathy_r1.serving.turns import build_prompt

    d = tmp_path_factory.mktemp("coe-tiny")
    completion = coe.render(
        coe.Chain("来访者感到疲惫和孤单。", "长期压力让他觉得必须独自扛下一切。", "希望被理解。", "先共情，再给一个小建议。", COE_ANSWER)
    )
    prompts = [build_prompt([{"role": "user", "content": u}]) for u in ("最近工作压力很大，睡不好", "我和父母吵架了")]
    tok = models.train_bpe_tokenizer([p[0]["content"] for p in prompts] * 5 + [completion] * 5, vocab_size=3000)
    torch.manual_seed(0)
    model = models.build_tiny_model(ModelConfig(hidden_size=64, num_heads=4, num_kv_heads=2, intermediate_size=128), tok)
    rows, masks = [], []
    for p in prompts:
        head = tok(tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True), add_special_tokens=False)["input_ids"]
        tail = tok(completion + "<|im_end|>", add_special_tokens=False)["input_ids"]
        rows.append(head + tail)
        masks.append([-100] * len(head) + tail)
    width = max(map(len, rows))
    ids = torch.tensor([r + [tok.pad_token_id] * (width - len(r)) for r in rows])  # [2, L]
    labels = torch.tensor([m + [-100] * (width - len(m)) for m in masks])  # [2, L]
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(60):
        model(input_ids=ids, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval().save_pretrained(d)
    tok.save_pretrained(d)
    return d


class Engine:
    """A ``transformers serve`` process on a loopback port: a real OpenAI-compatible engine, on CPU."""

    def __init__(self, checkpoint: Path, timeout: float = 120.0) -> None:
        import subprocess
        import sys
        import time

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        self.model = str(checkpoint)
        exe = Path(sys.executable).with_name("transformers")
        cmd = [str(exe), "serve", str(checkpoint), "--device", "cpu", "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.log: list[str] = []
        ready = threading.Event()

        def drain() -> None:  # reads the engine's log; the line uvicorn prints once it listens means ready
            for line in self.proc.stdout:
                self.log.append(line)
                if "Uvicorn running on" in line:
                    ready.set()
            ready.set()  # the process ended

        threading.Thread(target=drain, daemon=True).start()
        start = time.monotonic()
        if not ready.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("transformers serve did not start:\n" + "".join(self.log[-30:]))
        self.startup_s = time.monotonic() - start

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


@pytest.fixture(scope="session")
def engine(coe_checkpoint: Path):
    """``transformers serve`` on the CoE checkpoint, shared by the tests that only read from it."""
    e = Engine(coe_checkpoint)
    yield e
    e.stop()


# --- shared helpers --------------------------------------------------------------------------



@pytest.fixture
def serve_app() -> Callable:
    """``with serve_app(app) as url:`` runs an ASGI app on loopback for the test."""
    return running


@dataclasses.dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys, monkeypatch) -> Callable[..., CliResult]:
    """``cli("config", "check", path)`` runs the console script in this process (no interpreter start-up)."""
    from empathy_r1.cli import main

    def run(*args: str) -> CliResult:
        monkeypatch.setattr("sys.argv", ["empathy-r1", *map(str, args)])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
