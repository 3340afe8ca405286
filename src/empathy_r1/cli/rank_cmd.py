"""``empathy-r1 rank export | serve | score | judge``: Win@1 with people and with an LLM judge."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from empathy_r1.errors import UserError


def export(
    input: Annotated[
        list[Path],
        typer.Option(
            "--input",
            "-i",
            help='Combined JSONL {"id","post","answers":{system: text}}, or one prediction JSONL per system (NAME=PATH).',
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="New directory for the task set.")],
    annotators: Annotated[int, typer.Option("--annotators", "-n", help="Annotators (each gets their own shuffles).")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every shuffle (recorded in key.json).")] = 0,
    samples: Annotated[int, typer.Option("--samples", help="Draw this many samples (0: all; the paper used 100).")] = 0,
    systems: Annotated[str | None, typer.Option("--systems", help="Comma-separated subset of systems to rank.")] = None,
    posts: Annotated[Path | None, typer.Option("--posts", help='JSONL of {"id","post"} when prediction files carry no post.')] = None,
) -> None:
    """Build blind tasks: answers shuffled per sample and per annotator; a page and a CSV each; the key apart."""
    from empathy_r1.evaluation.ranking.tasks import build_tasks, load_systems, write_task_set

    picked = [s.strip() for s in systems.split(",")] if systems else None
    ts = build_tasks(load_systems(input, posts), annotators, seed, samples, picked)
    write_task_set(ts, output)
    typer.echo(f"{len(ts.samples)} samples x {len(ts.systems)} systems for {annotators} annotators -> {output}")
    typer.echo(f"give annotators {output}/annotator_<k>.html (or .csv); keep {output}/key.json to yourself")


def serve(
    tasks: Annotated[Path, typer.Option("--tasks", "-t", help="Task directory from `rank export`.")],
    host: Annotated[str, typer.Option(help="Bind address (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
) -> None:
    """Serve the annotator pages; exported results are saved into TASKS/rankings/."""
    from empathy_r1.cli.net import check_port, run_app
    from empathy_r1.evaluation.ranking.serve import create_app

    check_port(port)
    run_app(create_app(tasks), host, port, f"ranking pages on http://{host}:{port}/", file=sys.stdout)


def score_cmd(
    tasks: Annotated[Path, typer.Option("--tasks", "-t", help="Task directory from `rank export`.")],
    rankings: Annotated[
        list[Path] | None,
        typer.Option("--rankings", "-r", help="Exported JSON or filled-in CSV files (default: TASKS/rankings/*.json)."),
    ] = None,
    k: Annotated[int, typer.Option("--k", help="K of Win@K: share of judgments ranking a system in the top K.")] = 2,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap resamples for the 95% CIs.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table (.md) and JSON (.json) here.")] = None,
) -> None:
    """Win@1, Win@K and mean rank per system with bootstrap 95% CIs; Kendall's W between annotators."""
    from empathy_r1.evaluation.ranking.score import read_rankings, score, to_markdown
    from empathy_r1.evaluation.ranking.tasks import load_task_set

    ts = load_task_set(tasks)
    files = rankings or sorted((tasks / "rankings").glob("*.json"))
    if not files:
        raise UserError("no rankings given and none saved in rankings/", tasks)
    result = score(read_rankings(files, ts), ts.systems, k=k, n_boot=bootstrap, seed=seed)
    _emit(result, to_markdown(result), output)


def judge_cmd(
    tasks: Annotated[Path, typer.Option("--tasks", "-t", help="Task directory from `rank export`.")],
    base_url: Annotated[str, typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")],
    model: Annotated[str, typer.Option("--model", help="Model name the endpoint knows.")],
    api_key_env: Annotated[str, typer.Option("--api-key-env", help="Environment variable that holds the API key.")] = "OPENAI_API_KEY",
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 120.0,
    max_retries: Annotated[int, typer.Option("--max-retries", help="Client retries with backoff after 429/5xx/timeouts.")] = 2,
    orders: Annotated[int, typer.Option("--orders", help="Answer orders per sample (cancels position bias).")] = 2,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Requests in flight.")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the answer orders.")] = 0,
    rankings: Annotated[list[Path] | None, typer.Option("--rankings", "-r", help="Human rankings to report agreement with.")] = None,
    k: Annotated[int, typer.Option("--k", help="K of Win@K.")] = 2,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table (.md) and JSON (.json) here.")] = None,
) -> None:
    """Rank the tasks with an LLM judge (cached, resumable) and score it like people."""
    from empathy_r1.endpoints import settings_from
    from empathy_r1.evaluation.ranking.judge import JudgeSettings, judge_task_set
    from empathy_r1.evaluation.ranking.score import agreement, read_rankings, score, to_markdown
    from empathy_r1.evaluation.ranking.tasks import load_task_set

    ts = load_task_set(tasks)
    endpoint = settings_from(None, base_url=base_url, model=model, api_key_env=api_key_env, timeout=timeout, max_retries=max_retries)
    settings = JudgeSettings(endpoint, orders=orders, seed=seed, concurrency=concurrency)
    run = judge_task_set(ts, tasks, settings)
    typer.echo(f"judge: {run['calls']} calls, {run['cached']} cached, {run['invalid']} unparsable -> {run['path']}", err=True)
    if not run["judgments"]:
        raise UserError("the judge produced no usable ranking (see the cache file for its replies)", run["path"])
    result = score(run["judgments"], ts.systems, k=k)
    result["judge"] = {key_: run[key_] for key_ in ("calls", "cached", "invalid", "position_first_rate", "path")}
    human_files = rankings or sorted((tasks / "rankings").glob("*.json"))
    if human_files:
        result["agreement"] = agreement(run["judgments"], read_rankings(human_files, ts))
    _emit(result, to_markdown(result), output)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Blind ranking of systems' answers: export tasks, serve pages, score, LLM judge.", no_args_is_help=True)
    group.command("export")(export)
    group.command("serve")(serve)
    group.command("score")(score_cmd)
    group.command("judge")(judge_cmd)
    app.add_typer(group, name="rank")


def _emit(result: dict, table: str, output: Path | None) -> None:
    from empathy_r1.io import write_json, write_text

    if output is not None:
        write_json(output.with_suffix(".json"), result)
        write_text(output.with_suffix(".md"), table)
    typer.echo(table, nl=False)
    typer.echo(json.dumps(result, ensure_ascii=False))
