"""The learned crisis detector: USE sentence embeddings under a scikit-learn logistic regression.

Features: the multilingual Universal Sentence Encoder's 512-d embedding (meaning: a farewell is
near a farewell however it is worded) next to hashed character 1-3-grams (``HashingVectorizer``,
2^16 buckets: the exact words that separate 天台晾衣服 from 在天台上往下看). The n-grams are
the project's addition; on the first validation split they raised urgent recall at a 5%
false-urgent rate from 0.66 (USE alone) to about 0.8.

An independent second signal beside the rules. It reads what the rules read (each user turn,
windows of a long turn, all user turns together; see ``screen._windows``), normalised the same
way, and may only *raise* a level. Its thresholds are chosen on the validation split for
recall: the highest threshold at which rules and detector together still find the target share
of urgent items (``train``), so the detector catches what the rules miss without calling every
sad message a crisis.

Training uses scikit-learn; the shipped model is plain numbers in an ``.npz`` file (weights,
intercepts, thresholds), read back with numpy: no pickle to trust, no scikit-learn version to
match, ~1 ms of arithmetic per text on top of the encoder.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from empathy_r1.errors import UserError
from empathy_r1.safety.normalise import normalise

__all__ = ["Detector", "builtin_path", "item_text", "load_detector"]

CLASSES = ("none", "concern", "urgent")
USE_DIM = 512
NGRAM_BUCKETS = 2**16


@cache
def _hasher():
    """Stateless and built once: screening calls it for every message."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char", ngram_range=(1, 3), n_features=NGRAM_BUCKETS, alternate_sign=False, norm="l2")


def features(texts: Sequence[str], encoder: Any) -> Any:
    """[N, 512 + 2^16] sparse: USE embedding, then hashed character n-grams, of the normalised texts."""
    import scipy.sparse as sp

    norm = [normalise(t).text for t in texts]
    return sp.hstack([sp.csr_matrix(encoder.encode(norm)), _hasher().transform(norm)]).tocsr()


def builtin_path() -> Path:
    return Path(str(importlib.resources.files("empathy_r1").joinpath("resources", "safety", "detector.npz")))


def item_text(item: dict[str, Any]) -> str:
    """What the detector reads of a labelled item: its text, or its user turns joined."""
    if "messages" in item:
        return "\n".join(m["content"] for m in item["messages"] if m.get("role") == "user")
    return item["text"]


@dataclass
class Detector:
    """Multinomial logistic regression over USE embeddings; thresholds per level."""

    weight: np.ndarray
    """[3, 512 + 2^16]: one row per class in :data:`CLASSES`."""
    bias: np.ndarray
    """[3]"""
    urgent_threshold: float
    """P(urgent) at or above which a text counts as urgent."""
    concern_threshold: float
    """P(concern) + P(urgent) at or above which a text counts as concern."""
    meta: dict[str, Any]
    encoder: Any = None

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """[N, 3] class probabilities."""
        if self.encoder is None:
            from empathy_r1.encoders import UseEncoder

            # One thread: a message is one short matrix pass, and with two threads on a busy
            # 2-core machine OpenMP waiting made it 100x slower (1.8 ms vs 236 ms median, measured).
            self.encoder = UseEncoder(threads=1, cache_size=4096)
        x = features(texts, self.encoder)  # [N, D] sparse
        logits = np.asarray(x @ self.weight.T) + self.bias  # [N, 3]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def __call__(self, texts: list[str]) -> list[tuple[str, float]]:
        """The screener's classifier interface: (level, score) per text."""
        if not texts:
            return []
        out = []
        for _p_none, p_concern, p_urgent in self.probabilities(texts):
            if p_urgent >= self.urgent_threshold:
                out.append(("urgent", float(p_urgent)))
            elif p_concern + p_urgent >= self.concern_threshold:
                out.append(("concern", float(p_concern + p_urgent)))
            else:
                out.append(("none", float(p_urgent)))
        return out

    def save(self, path: str | Path) -> None:
        import io

        from empathy_r1.io import write_bytes

        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            weight=self.weight.astype(np.float32),
            bias=self.bias.astype(np.float32),
            thresholds=np.array([self.urgent_threshold, self.concern_threshold], dtype=np.float32),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False)),
        )
        write_bytes(path, buffer.getvalue())


def load_detector(path: str | Path | None = None) -> Detector:
    """The shipped detector (``path`` None or ``builtin``) or one trained with ``safety train-detector``."""
    path = builtin_path() if path in (None, "builtin") else Path(path)
    if not path.is_file():
        raise UserError("no such detector file (train one with `empathy-r1 safety train-detector`)", path)
    try:
        with np.load(path, allow_pickle=False) as z:
            weight, bias, thresholds, meta = z["weight"], z["bias"], z["thresholds"], json.loads(str(z["meta"]))
    except (OSError, ValueError, KeyError) as e:
        raise UserError(f"not a detector file: {e}", path) from None
    expected = (len(CLASSES), USE_DIM + NGRAM_BUCKETS)
    if weight.shape != expected or bias.shape != (len(CLASSES),):
        raise UserError(f"not a detector file: weight {weight.shape}, expected {expected}", path)
    return Detector(weight, bias, float(thresholds[0]), float(thresholds[1]), meta)


# --- training ----------------------------------------------------------------------------------


def fit(items: Sequence[dict[str, Any]], c: float = 4.0, seed: int = 0, encoder: Any = None) -> Detector:
    """Fit the regression on labelled items (``{"text"|"messages", "level"}``); thresholds still 0.5."""
    from sklearn.linear_model import LogisticRegression

    from empathy_r1.encoders import UseEncoder

    encoder = encoder or UseEncoder(threads=1)
    x = features([item_text(it) for it in items], encoder)
    y = np.array([CLASSES.index(it["level"]) for it in items])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(x, y)
    weight = np.zeros((len(CLASSES), x.shape[1]), dtype=np.float32)
    bias = np.zeros(len(CLASSES), dtype=np.float32)
    for row, cls in enumerate(model.classes_):
        weight[cls], bias[cls] = model.coef_[row], model.intercept_[row]
    return Detector(weight, bias, 0.5, 0.5, {"c": c, "n_train": len(items)}, encoder)


def choose_thresholds(
    detector: Detector,
    validation: Sequence[dict[str, Any]],
    rules_level: Callable[[dict[str, Any]], str],
    window_scores: Callable[[Detector, dict[str, Any]], np.ndarray],
    target_recall: float = 0.98,
    max_false_urgent: float = 0.03,
) -> dict[str, Any]:
    """Pick the urgent threshold on validation: rules OR detector reach ``target_recall``.

    ``rules_level(item)`` is the rules-only level; ``window_scores(detector, item)`` the [W, 3]
    probabilities of the windows the screener would show the detector. Among thresholds whose
    false-urgent rate stays within ``max_false_urgent``, the lowest that reaches the target
    recall, or else the one with the best recall. The concern threshold is chosen the same way
    for "any risk" (concern or urgent) at the same recall target.
    """
    rules = [rules_level(it) for it in validation]
    probs = [window_scores(detector, it) for it in validation]
    urgent_score = np.array([p[:, 2].max() for p in probs])
    risk_score = np.array([(p[:, 1] + p[:, 2]).max() for p in probs])
    want_urgent = np.array([it["level"] == "urgent" for it in validation])
    want_risk = np.array([it["level"] != "none" for it in validation])
    rules_urgent = np.array([lv == "urgent" for lv in rules])
    rules_risk = np.array([lv != "none" for lv in rules])

    def pick(score: np.ndarray, want: np.ndarray, floor: np.ndarray) -> tuple[float, float, float]:
        # Thresholds from high (the detector adds nothing) to low (it calls everything risky).
        allowed = max(max_false_urgent, float((floor & ~want).sum() / max((~want).sum(), 1)))
        best = (1.0, -1.0, 1.0)
        for t in np.unique(np.concatenate([score, [1.0]]))[::-1]:
            got = floor | (score >= t)
            recall = float((got & want).sum() / max(want.sum(), 1))
            false = float((got & ~want).sum() / max((~want).sum(), 1))
            if false > allowed:
                break
            best = (float(t), recall, false)
            if recall >= target_recall:
                break
        return best

    t_urgent, recall, false_urgent = pick(urgent_score, want_urgent, rules_urgent)
    t_risk, risk_recall, false_risk = pick(risk_score, want_risk, rules_risk)
    detector.urgent_threshold, detector.concern_threshold = t_urgent, t_risk
    return {
        "urgent_threshold": round(t_urgent, 4),
        "validation_recall_urgent": round(recall, 4),
        "validation_false_urgent_rate": round(false_urgent, 4),
        "concern_threshold": round(t_risk, 4),
        "validation_recall_risk": round(risk_recall, 4),
        "validation_false_risk_rate": round(false_risk, 4),
        "rules_only_recall_urgent": round(float((rules_urgent & want_urgent).sum() / max(want_urgent.sum(), 1)), 4),
        "target_recall": target_recall,
        "max_false_urgent": max_false_urgent,
    }


def train(
    train_items: Sequence[dict[str, Any]],
    validation_items: Sequence[dict[str, Any]],
    target_recall: float = 0.98,
    max_false_urgent: float = 0.03,
    c: float = 4.0,
) -> tuple[Detector, dict[str, Any]]:
    """Fit on ``train_items``; choose thresholds on ``validation_items`` with the rules beside it."""
    from empathy_r1.safety.evaluate import screen_item
    from empathy_r1.safety.screen import Screener, _windows

    rules = Screener()
    detector = fit(train_items, c=c)

    def window_scores(d: Detector, item: dict[str, Any]) -> np.ndarray:
        single = "messages" not in item
        messages = [{"role": "user", "content": item["text"]}] if single else item["messages"]
        return d.probabilities([w[3] for w in _windows(messages, single)])

    report = choose_thresholds(
        detector, validation_items, lambda it: screen_item(it, rules).level, window_scores, target_recall, max_false_urgent
    )
    report = {"n_train": len(train_items), "n_validation": len(validation_items), "c": c, **report}
    detector.meta = {**detector.meta, **report}
    return detector, report
