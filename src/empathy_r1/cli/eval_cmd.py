"""``empathy-r1 eval metrics | run | compare``: score predictions, evaluate checkpoints, compare runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from empathy_r1.errors import UserError


def metrics_cmd(
    predictions: Annotated[Path, typer.Option("--predictions", "-p", help='JSONL of {"id", "prediction"}.')],
    references: Annotated[Path, typer.Option("--references", "-r", help='JSONL of {"id", "references": [...]}.')],
    per_sample: Annotated[bool, typer.Option("--per-sample", help='Add a "samples" list with per-sample scores.')] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the JSON here.")] = None,
    allow_missing: Annotated[bool, typer.Option("--allow-missing", help="Score the ids on both sides; skip the rest.")] = False,
) -> None:
    """BLEU-1, ROUGE-L, METEOR, Distinct-1/2 and NAvg, exactly as docs/metrics.md defines them."""
    from empathy_r1.evaluation import metrics
    from empathy_r1.evaluation.files import load_metric_pairs
    from empathy_r1.io import write_json

    ids, preds, refs, missing = load_metric_pairs(predictions, references, allow_missing)
    if allow_missing and any(missing.values()):
        print(
            f"warning: skipped {missing['only_predictions']} ids without references and {missing['only_references']} without predictions",
            file=sys.stderr,
        )
    samples = metrics.per_sample(preds, refs)
    result: dict = metrics.report(preds, refs, samples=samples)
    if per_sample:
        result["samples"] = [{"id": i, **s} for i, s in zip(ids, samples, strict=True)]
    if output is not None:
        write_json(output, result)
    typer.echo(json.dumps(result, ensure_ascii=False))


def run_cmd(
    data: Annotated[Path, typer.Option("--data", "-d", help="Canonical JSONL of posts with reference answers.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for eval.json, eval.md, predictions.jsonl.")],
    model: Annotated[Path | None, typer.Option("--model", "-m", help="Checkpoint or pipeline output directory.")] = None,
    upstream: Annotated[
        str | None, typer.Option(help="Generate through this OpenAI-compatible engine instead (vLLM, SGLang, ...).")
    ] = None,
    upstream_model: Annotated[str | None, typer.Option(help="The engine's model name.")] = None,
    upstream_key_env: Annotated[str | None, typer.Option(help="Environment variable holding the engine's API key.")] = None,
    upstream_cache: Annotated[Path | None, typer.Option(help="Keep the engine's answers here (a rerun replays them).")] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML config (eval section: n, batch size, decoding).")] = None,
    split: Annotated[str | None, typer.Option("--split", help="Only records of this split (when records carry one).")] = None,
    reward_model: Annotated[Path | None, typer.Option("--reward-model", help="Reward-model directory to score answers.")] = None,
    name: Annotated[str, typer.Option("--name", help="Name of this run in tables.")] = "",
    override: Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override")] = [],  # noqa: B006
) -> None:
    """Generate for a split with a checkpoint (batched) or an engine (--upstream), parse the CoE, score it; write JSON, markdown, predictions."""
    engine = {
        "base_url": upstream,
        "model": upstream_model,
        "api_key_env": upstream_key_env,
        "cache": upstream_cache and str(upstream_cache),
    }
    result = _run_eval(
        model, data, output, config=config, split=split, reward_model=reward_model, name=name, overrides=override, engine=engine
    )
    typer.echo(json.dumps(result, ensure_ascii=False))


def compare_cmd(
    runs: Annotated[list[Path], typer.Argument(help="eval.json files, run directories, or a pipeline report.json.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table (.md) and its JSON (.json) beside it.")] = None,
    names: Annotated[str | None, typer.Option("--names", help="Comma-separated names, one per run, in order.")] = None,
) -> None:
    """One table like the paper's: BLEU-1, ROUGE-L, METEOR, Distinct-1/2, NAvg, format rate, reward."""
    from empathy_r1.evaluation.compare import collect_runs, to_markdown
    from empathy_r1.io import write_json, write_text

    rows = collect_runs(runs)
    if names:
        given = [n.strip() for n in names.split(",")]
        if len(given) != len(rows):
            raise UserError(f"--names gives {len(given)} names for {len(rows)} runs")
        for row, n in zip(rows, given, strict=True):
            row["name"] = n
    table = to_markdown(rows)
    if output is not None:
        write_json(output.with_suffix(".json"), rows)
        write_text(output.with_suffix(".md"), table)
    typer.echo(table, nl=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Automatic evaluation: metrics, checkpoint runs, comparison tables.", no_args_is_help=True)
    group.command("metrics")(metrics_cmd)
    group.command("run")(run_cmd)
    group.command("compare")(compare_cmd)
    app.add_typer(group, name="eval")


def _run_eval(
    model: Path | None,
    data: Path,
    output: Path,
    config: Path | None = None,
    split: str | None = None,
    reward_model: Path | None = None,
    name: str = "",
    overrides: list[str] | None = None,
    engine: dict | None = None,
) -> dict:
    """Load the config and the records, then hand over to the training side's ``evaluate_checkpoint``.

    ``--split`` re-draws the same deterministic split the pipeline draws from this config (so
    ``--split test`` is the pipeline's test set); without it every record is evaluated (up to
    ``eval.n``). A pipeline output directory given as ``--model`` brings its reward model along.
    """
    from empathy_r1.config import load_config
    from empathy_r1.data.sources import load_source
    from empathy_r1.endpoints import settings_from
    from empathy_r1.evaluation.run import evaluate_checkpoint

    cfg = load_config(config, overrides or [])
    upstream = settings_from(cfg.eval.upstream, **(engine or {}))
    if upstream.base_url and model is not None:
        raise UserError("give --model (a local checkpoint) or --upstream (an engine), not both")
    if not upstream.base_url and model is None:
        raise UserError("eval run needs --model DIR|HUB_ID (a checkpoint) or --upstream URL (an inference engine)")
    if model is not None and not model.exists():
        from empathy_r1.models import resolve_checkpoint

        resolve_checkpoint(model)  # a hub id (downloaded, or from the cache offline), else one error line

    if str(data) not in ("synth", "sample") and not data.exists():
        raise UserError("no such file", data)
    records = load_source(str(data), cfg)
    if split is not None:
        from empathy_r1.data.splits import split_records

        if split not in ("train", "valid", "test"):
            raise UserError(f"--split must be train, valid or test, got {split!r}")
        records = split_records(records, cfg.data.valid_frac, cfg.data.test_frac, cfg.seed)[split]
    if not records:
        raise UserError("no records to evaluate", data)
    if upstream.base_url:
        from empathy_r1.evaluation.run import evaluate_endpoint

        return evaluate_endpoint(upstream, records, cfg, reward_model_dir=reward_model, out_dir=output, name=name)
    if reward_model is None and (model / "reward" / "model").is_dir():
        reward_model = model / "reward" / "model"
    return evaluate_checkpoint(model, records, cfg, reward_model_dir=reward_model, out_dir=output, name=name or model.name)
