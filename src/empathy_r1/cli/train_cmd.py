"""``empathy-r1 sft | reward train | reward score | grpo | pipeline``: the training verbs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from empathy_r1.config import Config, load_config

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="YAML config (default: built-in defaults).")]
OverrideOpt = Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override")]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Output directory.")]
DataOpt = Annotated[str | None, typer.Option("--data", help="Records: 'synth', 'sample' or a JSONL/PsyQA file (default: data.source).")]


def _records(cfg: Config, data: str | None) -> list[dict[str, Any]]:
    """The training split of the chosen source."""
    from empathy_r1.data.sources import load_source
    from empathy_r1.data.splits import split_records

    records = load_source(data or cfg.data.source, cfg)
    return split_records(records, cfg.data.valid_frac, cfg.data.test_frac, cfg.seed)["train"]


def _start_policy(cfg: Config, model: Path | None, records: list[dict[str, Any]], output: Path) -> tuple[Any, Any]:
    """A given checkpoint, the configured one, or (tiny config) a fresh tiny model with a BPE trained on the records."""
    from empathy_r1.models import build_tiny_model, load_model, load_tokenizer, merged_start, resolve_checkpoint, resolve_policy_dir
    from empathy_r1.training.pipeline import corpus_tokenizer

    path = resolve_policy_dir(model) if model else (resolve_checkpoint(cfg.model.path) if cfg.model.path else None)
    if path is not None:
        path = merged_start(path, output / "start")  # a LoRA adapter: merged to disk, so a new adapter records a real base
        tok = load_tokenizer(str(path)) if (path / "tokenizer_config.json").is_file() else load_tokenizer(cfg.model.tokenizer)
        return load_model(path, cfg.model.dtype, cfg.model.attn_implementation), tok
    tok = corpus_tokenizer(cfg, records)
    net = build_tiny_model(cfg.model, tok, seed=cfg.seed)
    net.save_pretrained(str(output / "base"))
    tok.save_pretrained(str(output / "base"))
    return net, tok


def sft(
    output: OutputOpt,
    config: ConfigOpt = None,
    data: DataOpt = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Start from this checkpoint (default: model.path, or a tiny model).")
    ] = None,
    override: OverrideOpt = [],  # noqa: B006
) -> None:
    """SFT cold start on CoE chains (loss on the assistant turn); saves OUTPUT/model."""
    from empathy_r1.data.coldstart import select_sft
    from empathy_r1.data.io import read_records
    from empathy_r1.data.sources import scrub_records
    from empathy_r1.training.sft import run_sft

    cfg = load_config(config, override)
    sft_file = read_records(cfg.data.sft_source)[0] if cfg.data.sft_source else None
    records, _counts = select_sft(
        cfg.data, [] if sft_file is not None else _records(cfg, data), sft_file, cfg.data.sft_source or data or cfg.data.source
    )
    if sft_file is not None:
        records, _ = scrub_records(records)
    net, tok = _start_policy(cfg, model, records, output)
    typer.echo(f"sft model: {run_sft(cfg, net, tok, records, output)}")


def reward_train(output: OutputOpt, config: ConfigOpt = None, data: DataOpt = None, override: OverrideOpt = []) -> None:  # noqa: B006
    """Train on triplets from the train split; report held-out triplet accuracy and a suggested T."""
    from empathy_r1.data.sources import load_source
    from empathy_r1.data.splits import split_records
    from empathy_r1.data.triplets import reward_triplets
    from empathy_r1.reward_model import train_reward_model

    cfg = load_config(config, override)
    splits = split_records(load_source(data or cfg.data.source, cfg), cfg.data.valid_frac, cfg.data.test_frac, cfg.seed)
    r = cfg.reward
    # held-out triplets (accuracy, suggested T) from valid only: test is for the final evaluation
    train, heldout = reward_triplets(splits["train"], splits["valid"], r.negatives, cfg.seed, r.train_posts)
    _, report = train_reward_model(cfg.reward, train, heldout, output, seed=cfg.seed)
    typer.echo(
        f"held-out triplet accuracy {report.accuracy_before:.3f} -> {report.accuracy:.3f} (n={report.n_heldout}); "
        f"positive {report.pos_mean:.3f} vs negative {report.neg_mean:.3f}; suggested T {report.suggested_threshold:.3f}"
    )
    typer.echo(f"reward model: {output / 'model'}; plot: {output / 'similarities.png'}")


def reward_score(
    model: Annotated[Path, typer.Option("--model", help="Reward model directory (OUTPUT/model of `reward train`).")],
    query: Annotated[str | None, typer.Option("--query", help="The seeker's post.")] = None,
    answer: Annotated[list[str], typer.Option("--answer", help="A reply or a full CoE completion (repeatable).")] = [],  # noqa: B006
    input: Annotated[Path | None, typer.Option("--input", help="JSONL with 'query' and 'completion' (or 'answer') per line.")] = None,
    config: ConfigOpt = None,
    override: OverrideOpt = [],  # noqa: B006
) -> None:
    """Similarity and answer reward of replies to a query (format + answer when given a CoE completion)."""
    from empathy_r1.errors import UserError
    from empathy_r1.reward_model import load_reward_model
    from empathy_r1.rewards import composite_scores

    cfg = load_config(config, override)
    pairs: list[tuple[str, str]] = []
    if input is not None:
        from empathy_r1.io import read_jsonl

        for line in read_jsonl(input):
            text = line.obj.get("completion", line.obj.get("answer"))
            if not isinstance(line.obj.get("query"), str) or not isinstance(text, str):
                raise line.fail("each line needs string fields 'query' and 'completion' (or 'answer')")
            pairs.append((line.obj["query"], text))
    elif query is not None and answer:
        pairs = [(query, a) for a in answer]
    else:
        raise UserError("give --query with one or more --answer, or --input FILE.jsonl")
    rm = load_reward_model(model)  # after the input is read: a bad file fails fast
    coe_like = all("<" in a for _, a in pairs)
    scores = composite_scores([a for _, a in pairs], [q for q, _ in pairs], rm, cfg.reward, use_format=coe_like)
    for i in range(len(pairs)):
        typer.echo(json.dumps({k: round(v[i], 4) for k, v in scores.items()}))


def grpo(
    output: OutputOpt,
    model: Annotated[Path, typer.Option("--model", help="The SFT checkpoint to start from.")],
    reward_model: Annotated[
        Path | None, typer.Option("--reward-model", help="Reward model directory (omit: format reward only).")
    ] = None,
    config: ConfigOpt = None,
    data: DataOpt = None,
    override: OverrideOpt = [],  # noqa: B006
) -> None:
    """GRPO with the composite reward (format + answer); saves OUTPUT/model, curves in OUTPUT/plots."""
    from empathy_r1.io import read_json
    from empathy_r1.reward_model import load_reward_model
    from empathy_r1.training.grpo import run_grpo
    from empathy_r1.training.plots import plot_grpo_curves

    cfg = load_config(config, override)
    records = _records(cfg, data)
    net, tok = _start_policy(cfg, model, records, output)
    rm = load_reward_model(reward_model) if reward_model else None
    path = run_grpo(cfg, net, tok, records, rm, output)
    history = read_json(output / "log_history.json")
    plot_grpo_curves(history, output / "plots")
    typer.echo(f"grpo model: {path}; curves: {output / 'plots'}")


def pipeline(output: OutputOpt, config: ConfigOpt = None, override: OverrideOpt = []) -> None:  # noqa: B006
    """data → SFT → reward model → GRPO → evaluation → report; rerun to resume."""
    from empathy_r1.evaluation.run import metrics_markdown
    from empathy_r1.training.pipeline import REPORT_KEYS, run_pipeline

    cfg = load_config(config, override)
    report = run_pipeline(cfg, output)
    results = [{"name": k, "metrics": v} for k, v in report["eval"].items()]
    if results:
        typer.echo(metrics_markdown(results, [k for k in REPORT_KEYS if any(k in r["metrics"] for r in results)]))
    typer.echo(f"report: {output / 'report.md'} (and report.json); final policy: {output / 'final'}")


def register(app: typer.Typer) -> None:
    app.command("sft")(sft)
    reward = typer.Typer(help="The contrastive reward model.", no_args_is_help=True)
    reward.command("train")(reward_train)
    reward.command("score")(reward_score)
    app.add_typer(reward, name="reward")
    app.command("grpo")(grpo)
    app.command("pipeline")(pipeline)
