"""How steady a GRPO run was, from TRL's log history: the numbers behind "GRPO-only is unstable".

Pure Python (no torch): the ablation table and the pipeline report read it from
``grpo/log_history.json``.

* reward: mean, standard deviation over steps, first and last tenth of the run;
* KL to the reference: mean, maximum, last;
* format reward: first and last tenth, lowest; **format collapse** when the last tenth's format
  reward is below half of the best tenth's (which must have reached 0.5): the policy learned the
  Chain-of-Empathy structure and lost it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from empathy_r1.rewards import REWARD_NAMES, logged_key

__all__ = ["grpo_stability"]


def _mean(xs: Sequence[float]) -> float | None:
    return math.fsum(xs) / len(xs) if xs else None


def _std(xs: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def _tenths(xs: list[float]) -> list[float]:
    k = max(1, len(xs) // 10)
    return [math.fsum(xs[i : i + k]) / len(xs[i : i + k]) for i in range(0, len(xs), k)]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def grpo_stability(log_history: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Summary of one GRPO run's per-step logs (empty dict when there are none).

    >>> log = [{"step": i, "reward": 1.0 + i / 10, "kl": i / 100, "rewards/format_reward/mean": 1.0 if i < 8 else 0.2} for i in range(1, 11)]
    >>> s = grpo_stability(log)
    >>> s["steps"], s["reward_first"], s["reward_last"], s["kl_max"], s["format_collapse"]
    (10, 1.1, 2.0, 0.1, True)
    """
    rows = [h for h in log_history if "step" in h and "reward" in h]
    if not rows:
        return {}
    reward = [float(h["reward"]) for h in rows]
    kl = [float(h["kl"]) for h in rows if h.get("kl") is not None]
    key = logged_key(REWARD_NAMES[0])
    fmt = [float(h[key]) for h in rows if h.get(key) is not None]
    r10 = _tenths(reward)
    out: dict[str, Any] = {
        "steps": len(rows),
        "reward_mean": _r(_mean(reward)),
        "reward_std_over_steps": _r(_std(reward)),
        "reward_first": _r(r10[0]),
        "reward_last": _r(r10[-1]),
        "kl_mean": _r(_mean(kl)),
        "kl_max": _r(max(kl)) if kl else None,
        "kl_last": _r(kl[-1]) if kl else None,
    }
    if fmt:
        f10 = _tenths(fmt)
        best = max(f10)
        out |= {
            "format_first": _r(f10[0]),
            "format_last": _r(f10[-1]),
            "format_min": _r(min(fmt)),
            "format_collapse": best >= 0.5 and f10[-1] < best / 2,
        }
    return out
