"""The one place a configured screener is built: rules, the learned detector, a classifier, a guard.

Every path that answers a person (server, page, terminal chat) and the CLI build it here, so a
deployment's ``safety`` section means the same thing everywhere.
"""

from __future__ import annotations

from typing import Any

from empathy_r1.safety.screen import Classifier, Screener

__all__ = ["screener_from_config"]

_RANK = {"none": 0, "concern": 1, "urgent": 2}


def _highest(classifiers: list[Classifier]) -> Classifier:
    """Several classifiers as one: per text, the highest level any of them gives."""

    def classify(texts: list[str]) -> list[tuple[str, float]]:
        verdicts = [c(texts) for c in classifiers]
        return [max(per_text, key=lambda v: (_RANK.get(v[0], 0), v[1])) for per_text in zip(*verdicts, strict=True)]

    return classify


def screener_from_config(cfg: Any) -> Screener:
    """A :class:`Screener` from a ``SafetyConfig`` (``config.safety``)."""
    classifiers: list[Classifier] = []
    if cfg.detector:
        from empathy_r1.safety.detector import load_detector

        classifiers.append(load_detector(cfg.detector))
    if cfg.classifier:
        from empathy_r1.safety.classifier import load_classifier

        classifiers.append(load_classifier(cfg.classifier, cfg.classifier_threshold))
    guard = None
    if cfg.guard.base_url:
        from empathy_r1.safety.guard import openai_guard

        guard = openai_guard(cfg.guard.base_url, cfg.guard.model, cfg.guard.api_key_env, cfg.guard.timeout, cfg.guard.format)
    classifier = None if not classifiers else classifiers[0] if len(classifiers) == 1 else _highest(classifiers)
    return Screener(classifier=classifier, guard=guard)
