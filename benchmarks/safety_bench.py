"""Crisis screening latency: one message, rules alone and rules + the learned detector.

    python -m benchmarks.run --only safety [--smoke]

Each message is screened cold (the encoder's text cache is cleared before every call), as a
server sees a new message; the detector's model and the encoder are loaded once beforehand.
Messages are the user turns of the shipped validation corpus: short chat messages and long posts
(up to ~900 characters), reported together and by length. The aim (issue 12): p95 under 20 ms
for one message with rules and detector on the 2-core CPU.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["run"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timings(screen: Callable[[str], Any], texts: list[str], clear: Callable[[], None]) -> list[float]:
    out = []
    for text in texts:
        clear()
        t0 = time.perf_counter()
        screen(text)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(smoke: bool, tick: Callable[[str], None]) -> dict[str, Any]:
    from empathy_r1.safety import Screener
    from empathy_r1.safety.detector import load_detector
    from empathy_r1.safety.evaluate import corpus_path, read_labelled

    rows = read_labelled(corpus_path("validation"))
    texts = [r["text"] if "text" in r else m["content"] for r in rows for m in (r.get("messages") or [None]) if m is None or m["role"] == "user"]
    texts = texts[:20] if smoke else texts
    detector = load_detector()
    rules, both = Screener(), Screener(classifier=detector)
    both.screen("预热")  # load USE and the detector once, as a server does at start
    result: dict[str, Any] = {"n": len(texts)}
    for name, screener in (("rules", rules), ("rules+detector", both)):
        tick(f"safety: {name}, {len(texts)} messages")
        ms = _timings(screener.screen, texts, lambda: detector.encoder._cache.clear())
        short = [t for t, text in zip(ms, texts, strict=True) if len(text) <= 200]
        long = [t for t, text in zip(ms, texts, strict=True) if len(text) > 200]
        result[name] = {
            "p50": statistics.median(ms),
            "p95": _percentile(ms, 0.95),
            "p99": _percentile(ms, 0.99),
            "short_n": len(short),
            "short_p95": _percentile(short, 0.95) if short else 0.0,
            "long_n": len(long),
            "long_p95": _percentile(long, 0.95) if long else 0.0,
        }
    return result
