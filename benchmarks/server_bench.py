"""Server: p50/p95 latency and requests/s at 1, 8 and 32 concurrent clients, batching on and off.

    python -m benchmarks.run --only server [--smoke]

A tiny random-initialised Qwen3 (configs/tiny.yaml's dimensions, a BPE trained on the shipped
posts) is saved to a temporary directory and served by the real command,
``empathy-r1 serve --model DIR --port P --set serve.batching=true|false``, in its own process;
:mod:`benchmarks.loadgen` drives it from a second process over 127.0.0.1. Every request asks for
32 new tokens, greedy, so batching changes how the work is grouped, not what is generated.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["free_port", "run", "wait_ready"]

MAX_TOKENS = 32


def _checkpoint(directory: Path) -> None:
    from empathy_r1.config import load_config
    from empathy_r1.data.sample import load_sample
    from empathy_r1.models import build_tiny_model, train_bpe_tokenizer

    cfg = load_config(Path(__file__).resolve().parent.parent / "configs" / "tiny.yaml")
    texts = [t for r in load_sample() for t in (r["title"], r["post"], *(a["text"] for a in r["answers"]))]
    tokenizer = train_bpe_tokenizer(texts, cfg.model.bpe_vocab_size)
    build_tiny_model(cfg.model, tokenizer, seed=cfg.seed).save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"empathy-r1 serve exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # a benchmark may wait for its server; tests do not
    raise RuntimeError("empathy-r1 serve did not come up in time")


def _load(url: str, clients: int, requests: int, max_tokens: int = MAX_TOKENS, extra: list[str] | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--clients", str(clients), "--requests", str(requests)]
    cmd += ["--max-tokens", str(max_tokens), *(extra or [])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"load generator saw errors: {result['errors'][:3]}")
    lat = sorted(result["latencies"])
    return {
        "p50": statistics.median(lat),
        "p95": lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))],
        "rps": len(lat) / result["wall"],
        "n": len(lat),
    }


def run(smoke: bool, tick: Callable[[str], None] = print) -> dict[str, Any]:
    import httpx

    levels = [1, 4] if smoke else [1, 8, 32]
    per_client = {1: 2, 4: 1} if smoke else {1: 8, 8: 4, 32: 2}
    max_tokens = 8 if smoke else MAX_TOKENS
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as work:
        tmp = str(Path(work) / "tiny")  # the served model's name is its directory's
        _checkpoint(Path(tmp))
        for batching in (False, True):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            cmd = ["empathy-r1", "serve", "--model", tmp, "--port", str(port), "--set", f"serve.batching={str(batching).lower()}"]
            env = os.environ | {"HF_HUB_OFFLINE": "1"}
            proc = subprocess.Popen(
                [str(Path(sys.executable).parent / cmd[0]), *cmd[1:]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            try:
                wait_ready(url, proc)
                _load(url, 1, 1, max_tokens)  # warm-up
                for clients in levels:
                    tick(f"server: batching {'on' if batching else 'off'}, {clients} clients")
                    row = _load(url, clients, clients * per_client[clients], max_tokens)
                    rows.append({"batching": batching, "clients": clients, **row, "command": " ".join(cmd)})
                stats = httpx.get(url + "/healthz", timeout=5).json()["batching"]
                for r in rows:
                    if r["batching"] == batching:
                        r["largest_batch"] = stats["largest_batch"]
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    return {"rows": rows, "max_tokens": max_tokens}
