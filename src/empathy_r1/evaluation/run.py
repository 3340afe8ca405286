"""Evaluate one policy checkpoint on held-out posts: format, rewards, text metrics, label accuracy.

For each record the policy answers the same prompt training used (greedy by default, batched);
the completion is parsed as a Chain-of-Empathy and scored:

- ``format_rate`` and ``format/<layer>`` (per-layer pass rates),
- ``reward`` (mean composite, weighted as GRPO sums it), ``answer_reward`` and ``similarity``
  when a reward model is given,
- ``bleu1``, ``rougeL``, ``meteor``, ``distinct1``, ``distinct2``, ``navg`` of the answers
  against each record's human answers (:func:`empathy_r1.evaluation.metrics.report`),
- ``emotion_acc`` / ``intent_acc`` on labelled records: the emotion the chain's L1 names and
  the intent its L3 names, against the record's labels (a malformed chain counts as wrong).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_r1.coe import completion_text, extract_answer, layer_pass_rates, parse
from empathy_r1.evaluation.metrics import report
from empathy_r1.io import write_json, write_text
from empathy_r1.prompts import record_messages, tags_for
from empathy_r1.rewards import composite_scores

if TYPE_CHECKING:
    from empathy_r1.config import Config
    from empathy_r1.endpoints import EndpointSettings
    from empathy_r1.generation import Policy

__all__ = [
    "PREDICTION_KEYS",
    "evaluate_checkpoint",
    "evaluate_completions",
    "evaluate_endpoint",
    "generate_through",
    "metrics_markdown",
    "paired_difference",
]

PREDICTION_KEYS = ("id", "completion", "answer", "ok", "errors", "reward")
"""One row of predictions.jsonl. ``reward`` (the composite) lets two runs be compared prompt by prompt."""


def evaluate_completions(
    records: Sequence[dict[str, Any]],
    completions: Sequence[str],
    cfg: Config,
    reward_model: Any | None = None,
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Metrics (a flat dict of floats) and per-record predictions for completions already generated."""
    from empathy_r1.data.labels import named_emotion, named_intent
    from empathy_r1.data.triplets import query_text

    tags = tags_for(cfg)
    texts = [completion_text(c) for c in completions]
    parsed = [parse(t, tags) for t in texts]
    answers = [extract_answer(t, tags) for t in texts]
    metrics: dict[str, float] = {"n": float(len(records))}
    metrics["format_rate"] = _mean([p.ok for p in parsed])
    for layer, rate in layer_pass_rates(texts, tags).items():
        metrics[f"format/{layer}"] = rate
    scores = composite_scores(texts, [query_text(r) for r in records], reward_model, cfg.reward, tags, use_format=cfg.pipeline.coe)
    metrics["reward"] = _mean(scores["reward"])
    metrics["format_reward"] = _mean(scores["format"])
    if reward_model is not None:
        metrics["answer_reward"] = _mean(scores["answer"])
        metrics["similarity"] = _mean(scores["similarity"])
    text_metrics = report(answers, [[a["text"] for a in r.get("answers", [])] or [""] for r in records])
    metrics |= {k: float(v) for k, v in text_metrics.items() if k != "n"}
    labelled = [i for i, r in enumerate(records) if (r.get("labels") or {}).get("emotion")]
    if labelled and cfg.pipeline.coe and "emotions" in tags.layer_keys:
        metrics["emotion_acc"] = _mean([_named(parsed[i], "emotions", named_emotion) == records[i]["labels"]["emotion"] for i in labelled])
    labelled = [i for i, r in enumerate(records) if (r.get("labels") or {}).get("intent")]
    if labelled and cfg.pipeline.coe and "intent" in tags.layer_keys:
        metrics["intent_acc"] = _mean([_named(parsed[i], "intent", named_intent) == records[i]["labels"]["intent"] for i in labelled])
    predictions = [
        {"id": r.get("id", str(i)), "completion": t, "answer": a, "ok": p.ok, "errors": p.errors, "reward": s}
        for i, (r, t, a, p, s) in enumerate(zip(records, texts, answers, parsed, scores["reward"], strict=True))
    ]
    return {k: round(v, 6) for k, v in metrics.items()}, predictions


def _named(result: Any, key: str, lookup: Any) -> str | None:
    return lookup(getattr(result.chain, key)) if result.ok else None


def _mean(values: Sequence[float | bool]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def generate_for(policy: Policy, records: Sequence[dict[str, Any]], cfg: Config, desc: str = "") -> list[str]:
    """Completions for the records' prompts, in batches of ``cfg.eval.batch_size``, with a progress bar."""
    import torch
    from rich.progress import Progress

    # Sampled evaluations (eval.temperature > 0) start from the run's seed, so every model in a
    # comparison is sampled reproducibly and a rerun gives the same numbers.
    torch.manual_seed(cfg.seed)
    messages = [record_messages(r, cfg) for r in records]
    out: list[str] = []
    with Progress(transient=True) as bar:
        task = bar.add_task(f"eval {desc}: generating", total=len(messages))
        for start in range(0, len(messages), cfg.eval.batch_size):
            chunk = messages[start : start + cfg.eval.batch_size]
            out += policy.generate(chunk, max_new_tokens=cfg.eval.max_new_tokens, temperature=cfg.eval.temperature)
            bar.advance(task, len(chunk))
    return out


def generate_through(settings: EndpointSettings, records: Sequence[dict[str, Any]], cfg: Config, desc: str = "") -> list[str]:
    """Completions from an OpenAI-compatible engine for the records' prompts: the same prompts and
    decoding as :func:`generate_for`, ``cfg.eval.batch_size`` requests in flight (the engine batches).

    The engine applies the policy's chat template with ``serve.chat_template_kwargs`` (for Qwen3,
    ``enable_thinking: false``, as :class:`empathy_r1.generation.Policy` renders it locally). With
    ``settings.cache`` every response is kept, so a rerun replays instead of asking again.
    """
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import Progress

    from empathy_r1.endpoints import Endpoint, failure_message
    from empathy_r1.errors import UserError

    endpoint = Endpoint(settings)
    params: dict[str, Any] = {"max_tokens": cfg.eval.max_new_tokens, "temperature": cfg.eval.temperature}
    if cfg.eval.temperature > 0:
        params["seed"] = cfg.seed  # engines that take a seed sample reproducibly
    if cfg.serve.chat_template_kwargs:
        params["extra_body"] = {"chat_template_kwargs": cfg.serve.chat_template_kwargs}
    messages = [record_messages(r, cfg) for r in records]
    try:
        endpoint.model  # noqa: B018  # resolve the model name once, before the threads start
        with Progress(transient=True) as bar, ThreadPoolExecutor(max_workers=cfg.eval.batch_size) as pool:
            task = bar.add_task(f"eval {desc}: generating through {settings.base_url}", total=len(messages))

            def one(m: list[dict[str, str]]) -> str:
                text = endpoint.chat(m, **params).strip()
                bar.advance(task)
                return text

            return list(pool.map(one, messages))
    except Exception as e:
        message = failure_message(e, settings, "the engine")
        if message is None:
            raise
        raise UserError(message + ("; answers so far are cached, a rerun resumes" if settings.cache else "")) from None


def evaluate_endpoint(
    settings: EndpointSettings,
    records: Sequence[dict[str, Any]],
    cfg: Config,
    reward_model_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    name: str = "",
    reward_model: Any | None = None,
) -> dict[str, Any]:
    """As :func:`evaluate_checkpoint`, generating through an engine; scored by the same code."""
    records = list(records)[: cfg.eval.n] if cfg.eval.n else list(records)
    start = time.perf_counter()
    completions = generate_through(settings, records, cfg, name)
    seconds = time.perf_counter() - start
    source = f"{settings.base_url} ({settings.model or 'default model'})"
    return _score(records, completions, cfg, seconds, name or settings.model or "upstream", source, reward_model_dir, reward_model, out_dir)


def _score(records, completions, cfg, seconds, name, checkpoint, reward_model_dir, reward_model, out_dir) -> dict[str, Any]:
    if reward_model is None and reward_model_dir is not None:
        from empathy_r1.reward_model import load_reward_model

        reward_model = load_reward_model(reward_model_dir)
    metrics, predictions = evaluate_completions(records, completions, cfg, reward_model)
    metrics["generate_seconds"] = round(seconds, 3)
    result = {"name": name, "checkpoint": checkpoint, "n": len(records), "metrics": metrics}
    if out_dir is not None:
        _write(Path(out_dir), result, predictions)
    return result


def evaluate_checkpoint(
    model_dir: str | Path,
    records: Sequence[dict[str, Any]],
    cfg: Config,
    reward_model_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    name: str = "",
    reward_model: Any | None = None,
) -> dict[str, Any]:
    """Generate for (the first ``cfg.eval.n`` of) ``records`` and score; optionally write the results.

    Returns ``{"name", "checkpoint", "n", "metrics": {...}}``. With ``out_dir``: eval.json,
    eval.md and predictions.jsonl (``id, completion, answer, ok, errors, reward``).
    """
    from empathy_r1.generation import Policy
    from empathy_r1.models import resolve_policy_dir

    records = list(records)[: cfg.eval.n] if cfg.eval.n else list(records)
    checkpoint = resolve_policy_dir(model_dir)
    policy = Policy.load(checkpoint, dtype=cfg.model.dtype, attn_implementation=cfg.model.attn_implementation)
    start = time.perf_counter()
    completions = generate_for(policy, records, cfg, name)
    seconds = time.perf_counter() - start
    return _score(records, completions, cfg, seconds, name or checkpoint.name, str(checkpoint), reward_model_dir, reward_model, out_dir)


def paired_difference(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]], key: str = "reward") -> dict[str, float]:
    """Mean of ``after - before`` over the prompts both evaluated (matched by id), with its standard error.

    Both models answer the same held-out prompts, so the per-prompt difference removes the
    between-prompt spread that dominates a tiny model's reward: its standard error is the honest
    yardstick for "above" (a difference under two of them is noise).
    """
    import math

    by_id = {p["id"]: p[key] for p in before if key in p}
    diffs = [p[key] - by_id[p["id"]] for p in after if key in p and p["id"] in by_id]
    n = len(diffs)
    mean = sum(diffs) / n if n else 0.0
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1) if n > 1 else 0.0
    return {"n": n, "mean": round(mean, 6), "se": round(math.sqrt(var / n), 6) if n else 0.0}


def metrics_markdown(results: Sequence[dict[str, Any]], keys: Sequence[str] | None = None) -> str:
    """A markdown table, one row per evaluation result, one column per metric."""
    keys = list(keys or [k for k in results[0]["metrics"] if "/" not in k and k not in ("n", "generate_seconds")]) if results else []
    lines = ["| model | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for r in results:
        cells = [_cell(r["metrics"].get(k)) for k in keys]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _write(out_dir: Path, result: dict[str, Any], predictions: list[dict[str, Any]]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = "".join(json.dumps({k: p[k] for k in PREDICTION_KEYS}, ensure_ascii=False) + "\n" for p in predictions)
    write_text(out_dir / "predictions.jsonl", rows)
    write_text(
        out_dir / "eval.md",
        f"# Evaluation: {result['name']}\n\ncheckpoint `{result['checkpoint']}`, n = {result['n']}\n\n" + metrics_markdown([result]),
    )
    write_json(out_dir / "eval.json", result)
