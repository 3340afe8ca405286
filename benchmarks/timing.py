"""Timing helpers shared by the benchmarks: medians (the machine is shared) and the machine's peak.

Every figure in BENCHMARKS.md is a ratio of two things measured in the same run, so a busy
neighbour slows both sides alike; medians over repeats keep one slow repeat from deciding it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["median_time", "peak_matmul_flops"]


def median_time(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall seconds of ``repeat`` calls after ``warmup`` untimed ones; also every sample."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def peak_matmul_flops(n: int = 2048, repeat: int = 7) -> float:
    """The machine's matmul ceiling now: FLOP/s of ``torch.matmul`` on two [n, n] fp32 matrices.

    This is what MFU divides by: measured in the same run (same threads, same neighbours), not a
    datasheet number. 2n^3 FLOPs per product (n^3 multiply-adds).
    """
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    seconds, _ = median_time(lambda: torch.matmul(a, b), repeat, warmup=2)
    return 2 * n**3 / seconds
