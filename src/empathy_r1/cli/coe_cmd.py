"""``empathy-r1 coe``: check completions against the Chain-of-Empathy format."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from empathy_r1 import coe
from empathy_r1.errors import UserError


def check(
    file: Annotated[
        Path, typer.Argument(help="JSONL with a 'completion' (or 'text') field per line, or '-' for one completion on stdin.")
    ],
) -> None:
    """Parse completions; print per-line problems, per-layer pass rates and the format rate."""
    texts = _read_completions(file)
    for where, text in texts:
        result = coe.parse(text)
        status = "ok" if result.ok else "; ".join(result.errors)
        typer.echo(f"{where}: {status}")
    rates = coe.layer_pass_rates([t for _, t in texts])
    typer.echo(json.dumps({"n": len(texts), **{k: round(v, 4) for k, v in rates.items()}}))


def prompt(language: Annotated[str, typer.Option(help="zh or en")] = "zh") -> None:
    """Print the system prompt that instructs the four layers."""
    try:
        typer.echo(coe.system_prompt(language))
    except ValueError as e:
        raise UserError(str(e)) from None


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The Chain-of-Empathy format.", no_args_is_help=True)
    group.command("check")(check)
    group.command("prompt")(prompt)
    app.add_typer(group, name="coe")


def _read_completions(file: Path) -> list[tuple[str, str]]:
    if str(file) == "-":
        return [("stdin", sys.stdin.read())]
    from empathy_r1.io import read_jsonl

    out = []
    for line in read_jsonl(file):
        text = line.obj.get("completion", line.obj.get("text"))
        if not isinstance(text, str):
            raise line.fail("expected an object with a string 'completion' or 'text' field")
        out.append((f"{file}:{line.lineno}", text))
    if not out:
        raise UserError("no completions in file", file)
    return out
