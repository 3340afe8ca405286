"""Latency of the server on a tiny random Qwen3 (CPU), through the official openai client.

``python -m benchmarks.latency [--requests 9] [--tokens 32]`` builds the model in a
temporary directory, serves it with ``empathy-r1 serve`` on a loopback port and prints the p50 of plain and streamed
requests. The numbers measure our serving path (HTTP, screening, batching, parsing) plus a
model so small that generation is cheap; a real model's time is dominated by generation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.server_bench import free_port, wait_ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=9)
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()

    import openai

    from empathy_r1 import models
    from empathy_r1.config import ModelConfig

    d = tempfile.mkdtemp(prefix="empathy-r1-latency-")
    tok = models.train_bpe_tokenizer(["最近工作压力很大，晚上睡不好。", "听起来你真的很辛苦。"] * 20, vocab_size=400)
    models.build_tiny_model(ModelConfig(hidden_size=32, num_heads=2, num_kv_heads=1, intermediate_size=64), tok).save_pretrained(d)
    tok.save_pretrained(d)
    messages = [{"role": "user", "content": "最近工作压力很大，晚上睡不好，怎么办？"}]
    url = f"http://127.0.0.1:{free_port()}"
    cmd = [sys.executable, "-m", "empathy_r1", "serve", "--model", d, "--port", url.rsplit(":", 1)[1]]
    proc = subprocess.Popen(cmd, env=os.environ | {"HF_HUB_OFFLINE": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_ready(url, proc)
        client = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)
        model = client.models.list().data[0].id
        client.chat.completions.create(model=model, messages=messages, max_tokens=args.tokens)  # warm-up
        for name, stream in (("plain", False), ("stream", True)):
            times = []
            for _ in range(args.requests):
                t = time.perf_counter()
                reply = client.chat.completions.create(
                    model=model, messages=messages, max_tokens=args.tokens, temperature=0, stream=stream
                )
                if stream:
                    list(reply)
                times.append(time.perf_counter() - t)
            p50 = statistics.median(times) * 1000
            print(f"{name}: p50 {p50:.0f} ms over {args.requests} requests ({args.tokens} new tokens, tiny Qwen3, CPU)")
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
