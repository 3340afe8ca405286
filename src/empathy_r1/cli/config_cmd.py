"""``empathy-r1 config check | show``: validate and print configs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from empathy_r1.config import load_config, to_dict


def check(
    files: Annotated[list[Path], typer.Argument(help="YAML config files.")],
    override: Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override")] = [],  # noqa: B006
) -> None:
    """Load each file (with overrides) and report whether it is valid."""
    for f in files:
        load_config(f, override)
        typer.echo(f"ok: {f}")


def show(
    file: Annotated[Path | None, typer.Argument(help="YAML config; omit for the defaults.")] = None,
    override: Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override")] = [],  # noqa: B006
) -> None:
    """Print the fully resolved config as YAML."""
    cfg = load_config(file, override)
    typer.echo(yaml.safe_dump(to_dict(cfg), allow_unicode=True, sort_keys=False), nl=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Validate and show configuration files.", no_args_is_help=True)
    group.command("check")(check)
    group.command("show")(show)
    app.add_typer(group, name="config")
