"""``empathy-r1 data ...``: build, import, split and review the corpora."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from empathy_r1.errors import UserError


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Corpora: synthetic data, import and cleaning, triplets, distillation and review.", no_args_is_help=True)

    @group.command("synth")
    def synth(
        output: Annotated[Path, typer.Option("--output", "-o", help="Canonical JSONL to write.")],
        n: Annotated[int, typer.Option("--n", help="Number of posts.")] = 400,
        seed: Annotated[int, typer.Option(help="Random seed (same seed, same corpus).")] = 0,
        card: Annotated[Path | None, typer.Option(help="Data card JSON (default: OUTPUT with .card.json).")] = None,
    ) -> None:
        """Generate a synthetic Chinese counseling corpus with labels, gold chains and answers."""
        from empathy_r1.data.io import write_jsonl
        from empathy_r1.data.synth import synthesize
        from empathy_r1.data.synth_card import synth_card

        if n <= 0:
            raise UserError("--n must be positive")
        records = synthesize(n, seed)
        card_path = card or output.with_suffix(".card.json")
        info = synth_card(records, seed)
        write_jsonl(output, records)
        _write_json(card_path, info)
        typer.echo(json.dumps({"output": str(output), "card": str(card_path), **_headline(info)}, ensure_ascii=False))

    app.add_typer(group, name="data")


def _headline(card: dict) -> dict:
    stats = card["stats"]
    return {
        "posts": stats["posts"],
        "topics": len(stats["topics"]),
        "mean_post_chars": stats["post_chars"]["mean"],
        "overlap_8gram_mean_share": card["overlap"]["mean_share"],
    }


def _write_json(path: Path, obj: dict) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
    os.replace(tmp, path)
