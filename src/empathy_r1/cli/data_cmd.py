"""``empathy-r1 data ...``: build, import, split and review the corpora."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from empathy_r1.errors import UserError
from empathy_r1.io import write_json


def synth(
    output: Annotated[Path, typer.Option("--output", "-o", help="Canonical JSONL to write.")],
    n: Annotated[int, typer.Option("--n", help="Number of posts.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same corpus).")] = 0,
    card: Annotated[Path | None, typer.Option(help="Data card JSON (default: OUTPUT with .card.json).")] = None,
) -> None:
    """Generate a synthetic Chinese counseling corpus with labels, gold chains and answers."""
    from empathy_r1.data.synth import synthesize
    from empathy_r1.data.synth_card import synth_card
    from empathy_r1.io import write_jsonl

    if n <= 0:
        raise UserError("--n must be positive")
    records = synthesize(n, seed)
    card_path = card or output.with_suffix(".card.json")
    info = synth_card(records, seed)
    write_jsonl(output, records)
    write_json(card_path, info)
    typer.echo(json.dumps({"output": str(output), "card": str(card_path), **_headline(info)}, ensure_ascii=False))


def prepare_cmd(
    input: Annotated[Path, typer.Option("--input", "-i", help="Corpus file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to create: train/valid/test.jsonl and the card.")],
    format: Annotated[str, typer.Option("--format", "-f", help="canonical, psyqa, csv or jsonl.")] = "canonical",
    map: Annotated[
        str | None, typer.Option("--map", help="csv/jsonl column mapping, e.g. post=body,title=subject,answers=reply.")
    ] = None,
    min_answer_chars: Annotated[int, typer.Option(help="Drop answers shorter than this (the paper: 100).")] = 100,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Skip and count bad records instead of stopping.")] = False,
    seed: Annotated[int, typer.Option(help="Salt of the split hash.")] = 0,
    valid_frac: Annotated[float, typer.Option(help="Share of posts in valid.")] = 0.05,
    test_frac: Annotated[float, typer.Option(help="Share of posts in test.")] = 0.1,
    pii_labelled: Annotated[
        list[Path] | None,
        typer.Option("--pii-labelled", help="Labelled PII file(s): the card reports the anonymiser's recall and precision on them."),
    ] = None,
) -> None:
    """Import, clean, anonymise, deduplicate and split a corpus; write a data card."""
    from empathy_r1.data.io import parse_mapping
    from empathy_r1.data.prepare import prepare

    card = prepare(
        input,
        output,
        format,
        parse_mapping(map),
        min_answer_chars,
        skip_invalid,
        seed,
        valid_frac,
        test_frac,
        pii_labelled=pii_labelled,
    )
    typer.echo(
        json.dumps(
            {"output": str(output), "splits": card["splits"], "skipped_invalid": card["skipped_invalid"], "cleaning": card["cleaning"]},
            ensure_ascii=False,
        )
    )


def triplets_cmd(
    input: Annotated[Path, typer.Option("--input", "-i", help="Canonical JSONL (e.g. a prepared train.jsonl).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Triplets JSONL to write.")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    config: Annotated[Path | None, typer.Option(help="YAML config; its reward.negatives sets the mix.")] = None,
    mix: Annotated[str | None, typer.Option(help="Override the mix, e.g. random=0.4,hard=0.3,degraded=0.3.")] = None,
) -> None:
    """Build reward-model triplets (query, positive, negative) with a mix of negative kinds."""
    from collections import Counter

    from empathy_r1.config import load_config
    from empathy_r1.data.io import read_records
    from empathy_r1.data.triplets import build_triplets
    from empathy_r1.io import write_jsonl

    weights = dict(load_config(config).reward.negatives)
    if mix:
        weights = _parse_mix(mix)
    records, _ = read_records(input)
    try:
        triplets = build_triplets(records, weights, seed)
    except ValueError as e:
        raise UserError(str(e)) from None
    write_jsonl(output, triplets)
    typer.echo(json.dumps({"output": str(output), "triplets": len(triplets), "kinds": dict(Counter(t["kind"] for t in triplets))}))


def sample_cmd(output: Annotated[Path, typer.Option("--output", "-o", help="Canonical JSONL to write.")]) -> None:
    """Export the hand-written sample corpus shipped with the package."""
    from empathy_r1.data.sample import load_sample
    from empathy_r1.io import write_jsonl

    records = load_sample()
    write_jsonl(output, records)
    typer.echo(json.dumps({"output": str(output), "posts": len(records)}))


def distill_cmd(
    input: Annotated[Path, typer.Option("--input", "-i", help="Canonical JSONL of posts.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL of posts with the teacher's chains.")],
    n: Annotated[int, typer.Option("--n", help="Posts to distill (the paper: 200).")] = 200,
    base_url: Annotated[str | None, typer.Option(envvar="EMPATHY_TEACHER_BASE_URL", help="OpenAI-compatible API root.")] = None,
    model: Annotated[str | None, typer.Option(envvar="EMPATHY_TEACHER_MODEL", help="Teacher model name.")] = None,
    api_key_env: Annotated[str, typer.Option(help="Environment variable that holds the API key.")] = "EMPATHY_TEACHER_API_KEY",
    timeout: Annotated[float | None, typer.Option(help="Seconds per request (default 120).")] = None,
    max_retries: Annotated[int | None, typer.Option(help="Client retries with backoff after 429/5xx/timeouts (default 5).")] = None,
    cache: Annotated[Path | None, typer.Option(help="Response cache (default OUTPUT.cache.jsonl).")] = None,
    retries: Annotated[int, typer.Option(help="Extra attempts for an invalid chain.")] = 2,
    temperature: Annotated[float, typer.Option(help="Teacher's sampling temperature.")] = 0.6,
    language: Annotated[str, typer.Option(help="System prompt language: zh or en.")] = "zh",
    config: Annotated[Path | None, typer.Option(help="YAML config: its data.teacher section applies (flags win).")] = None,
) -> None:
    """Have a teacher model write CoE chains (validated, cached, resumable)."""
    from rich.progress import Progress

    from empathy_r1.config import load_config
    from empathy_r1.data.distill import TEACHER_RETRIES, distill
    from empathy_r1.data.io import read_records
    from empathy_r1.endpoints import settings_from

    section = load_config(config).data.teacher if config else None
    settings = settings_from(
        section,
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        timeout=timeout,
        max_retries=max_retries if max_retries is not None else (None if section else TEACHER_RETRIES),
        cache=str(cache) if cache else None,
    )
    if not settings.base_url or not settings.model:
        raise UserError("the teacher needs --base-url and --model (or EMPATHY_TEACHER_BASE_URL and EMPATHY_TEACHER_MODEL)")
    if n <= 0:
        raise UserError("--n must be positive")
    records, _ = read_records(input)
    with Progress(transient=True) as bar:
        task = bar.add_task("distilling", total=min(n, len(records)))
        stats = distill(
            records,
            output,
            settings,
            n=n,
            temperature=temperature,
            invalid_retries=retries,
            language=language,
            progress=lambda i, _: bar.update(task, completed=i),
        )
    typer.echo(json.dumps({"output": str(output), **stats}))


def review_cmd(
    input: Annotated[Path, typer.Option("--input", "-i", help="Distilled JSONL (from data distill).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="SFT JSONL of accepted chains.")],
    reviewer: Annotated[str, typer.Option(help="Name of the professional reviewing.")],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8765,
) -> None:
    """Serve a local page where a professional accepts, edits or rejects each chain."""
    from empathy_r1.cli.net import check_port, run_app
    from empathy_r1.data.review import ReviewSession, create_app

    check_port(port)
    session = ReviewSession(input, output, reviewer)
    banner = f"review {session.counts()['total']} chains at http://127.0.0.1:{port}/ (Ctrl-C to stop; progress is saved)"
    run_app(create_app(session), "127.0.0.1", port, banner, file=sys.stdout)


def pii_eval_cmd(
    files: Annotated[list[Path], typer.Argument(help='Labelled JSONL: {"id", "text", "pii": [{"type", "text"}]} per line.')],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the full report (misses, false spans) as JSON.")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="Also print every miss and false span.")] = False,
) -> None:
    """Recall per type and precision of the anonymiser on labelled sentences, with 95% Wilson intervals."""
    from empathy_r1.data.pii_eval import evaluate_pii, read_labelled, to_markdown

    reports = {}
    for f in files:
        report = evaluate_pii(read_labelled(f))
        reports[str(f)] = report
        typer.echo(to_markdown(report, str(f)))
        if errors:
            for m in report["misses"]:
                typer.echo(f"miss  {m['id']}  {m['type']}: {m['text']}")
            for m in report["false_spans"]:
                typer.echo(f"false {m['id']}  {m['type']}: {m['text']}")
    if output is not None:
        write_json(output, reports)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Corpora: synthetic data, import and cleaning, triplets, distillation and review.", no_args_is_help=True)
    group.command("synth")(synth)
    group.command("prepare")(prepare_cmd)
    group.command("triplets")(triplets_cmd)
    group.command("sample")(sample_cmd)
    group.command("distill")(distill_cmd)
    group.command("review")(review_cmd)
    group.command("pii-eval")(pii_eval_cmd)
    app.add_typer(group, name="data")


def _parse_mix(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise UserError(f"--mix item {item!r} must look like kind=weight") from None
    if any(v < 0 for v in out.values()) or sum(out.values()) <= 0:
        raise UserError("--mix weights must be non-negative with a positive sum")
    return out


def _headline(card: dict) -> dict:
    stats = card["stats"]
    return {
        "posts": stats["posts"],
        "topics": len(stats["topics"]),
        "mean_post_chars": stats["post_chars"]["mean"],
        "overlap_8gram_mean_share": card["overlap"]["mean_share"],
    }

