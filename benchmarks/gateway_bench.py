"""Gateway overhead: our server over ``transformers serve`` against the engine asked directly, 1 and 8 clients.

    python -m benchmarks.run --only gateway [--smoke]

A tiny random checkpoint (configs/tiny.yaml's dimensions) is served by ``transformers serve``
on CPU; ``empathy-r1 serve --upstream`` runs in front of it in its own process. The load
generator (:mod:`benchmarks.loadgen`, a third process) asks the engine directly with exactly what
our server sends it (the CoE system prompt, ``enable_thinking: false``), then asks our server;
the difference is what our layer costs: HTTP hop, validation, screening in and out, CoE parsing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.server_bench import MAX_TOKENS, _checkpoint, _load, free_port, wait_ready

__all__ = ["run"]


def _engine(checkpoint: Path, port: int, timeout: float = 180) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("transformers")
    cmd = [str(exe), "serve", str(checkpoint), "--device", "cpu", "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    ready = threading.Event()

    def drain() -> None:  # uvicorn's "running on" line means the engine listens; keep reading so it never blocks
        for line in proc.stdout:
            if "Uvicorn running on" in line:
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(timeout) or proc.poll() is not None:
        proc.kill()
        raise RuntimeError("transformers serve did not start")
    return proc


def run(smoke: bool, tick: Callable[[str], None] = print) -> dict[str, Any]:
    levels = [1, 2] if smoke else [1, 8]
    per_client = 1 if smoke else 4
    max_tokens = 8 if smoke else MAX_TOKENS
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as work:
        ckpt = Path(work) / "tiny"
        _checkpoint(ckpt)
        engine_port, gateway_port = free_port(), free_port()
        engine = _engine(ckpt, engine_port)
        cmd = ["empathy-r1", "serve", "--upstream", f"http://127.0.0.1:{engine_port}/v1", "--upstream-model", str(ckpt)]
        gateway = subprocess.Popen(
            [str(Path(sys.executable).parent / cmd[0]), *cmd[1:], "--port", str(gateway_port)],
            env=os.environ | {"HF_HUB_OFFLINE": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_ready(f"http://127.0.0.1:{gateway_port}", gateway)
            targets = {"engine": (f"http://127.0.0.1:{engine_port}", ["--coe-prompt"]), "gateway": (f"http://127.0.0.1:{gateway_port}", [])}
            for url, extra in targets.values():
                _load(url, 1, 1, max_tokens, ["--model", str(ckpt), *extra])  # warm-up
            for clients in levels:
                for target, (url, extra) in targets.items():
                    tick(f"gateway: {target}, {clients} clients")
                    row = _load(url, clients, clients * per_client, max_tokens, ["--model", str(ckpt), *extra])
                    rows.append({"target": target, "clients": clients, **row})
        finally:
            for proc in (gateway, engine):
                proc.kill()
                proc.wait(timeout=30)
    return {"rows": rows, "max_tokens": max_tokens, "command": " ".join([*cmd[:3], "URL", "--upstream-model", "DIR"])}
