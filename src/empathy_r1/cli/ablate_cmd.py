"""``empathy-r1 ablate``: the paper's three ablations and the project's extras on any config, one table and one plot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def ablate(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML config of the reference run.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Directory: one run per variant, ablation.{md,json,png}.")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Variants (repeat or comma-separate). The paper's: full, sft_only, grpo_only, no_coe. The project's: drop_L1..4, T0.3/0.5/0.7, cross (needs --cross-source); groups: layers, threshold.",
        ),
    ] = None,
    cross_source: Annotated[
        str | None, typer.Option("--cross-source", help="Corpus the cross variant tests on (synth, sample or a JSONL path); without it there is no cross variant.")
    ] = None,
    override: Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override of the reference config")] = [],  # noqa: B006
    list_: Annotated[bool, typer.Option("--list", help="Print the variants and their overrides, run nothing.")] = False,
) -> None:
    """Run each ablation variant through the pipeline (sharing stages where exactly valid); resumable; GRPO stability per variant."""
    from empathy_r1.config import load_config
    from empathy_r1.errors import UserError
    from empathy_r1.training.ablate import describe, run_ablations, to_markdown

    cfg = load_config(config, override)
    if list_:
        typer.echo(describe(cfg, cross_source), nl=False)
        return
    if output is None:
        raise UserError("--output is required (a directory for the runs)")
    names = [n.strip() for item in only or [] for n in item.split(",") if n.strip()] or None
    result = run_ablations(cfg, output, names, cross_source)
    typer.echo(to_markdown(result["variants"]), nl=False)
    typer.echo(f"wrote {output / 'ablation.md'}, {output / 'ablation.json'}, {output / 'ablation.png'}")


def register(app: typer.Typer) -> None:
    app.command("ablate")(ablate)
