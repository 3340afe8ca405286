"""A closed-loop load generator for the OpenAI-compatible server, run as its own process.

    python -m benchmarks.loadgen --url http://127.0.0.1:PORT --clients 8 --requests 32

``clients`` threads each send chat completions one after another (each waits for its reply
before sending the next) until ``requests`` have been sent in all; prints one JSON line with
every latency in seconds and the wall time. A separate process, so the client's Python does not
share the server's interpreter lock.
"""

from __future__ import annotations

import argparse
import json
import threading
import time

PROMPTS = [
    "最近工作压力很大，晚上总是睡不好，白天也提不起精神，我该怎么办？",
    "和父母吵架以后很难过，觉得他们一点也不理解我。",
    "考研失败了，身边的同学都上岸了，我觉得自己很没用。",
    "分手三个月了，还是每天都会想起他，不知道怎么走出来。",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--model", default="tiny", help="model name to ask for")
    parser.add_argument(
        "--coe-prompt", action="store_true", help="send what our server would send an engine (CoE system prompt, enable_thinking false)"
    )
    args = parser.parse_args(argv)

    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    sent = iter(range(args.requests))

    def client(k: int) -> None:
        with httpx.Client(base_url=args.url, timeout=600) as http:
            while True:
                with lock:
                    i = next(sent, None)
                if i is None:
                    return
                messages = [{"role": "user", "content": PROMPTS[(i + k) % len(PROMPTS)]}]
                body = {"model": args.model, "messages": messages, "max_tokens": args.max_tokens, "temperature": 0}
                if args.coe_prompt:
                    from empathy_r1.serving.turns import build_prompt

                    body |= {"messages": build_prompt(messages), "chat_template_kwargs": {"enable_thinking": False}}
                t0 = time.perf_counter()
                reply = http.post("/v1/chat/completions", json=body)
                dt = time.perf_counter() - t0
                with lock:
                    (latencies if reply.status_code == 200 else errors).append(dt if reply.status_code == 200 else reply.text[:200])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    print(json.dumps({"latencies": latencies, "errors": errors, "wall": wall}))


if __name__ == "__main__":
    main()
