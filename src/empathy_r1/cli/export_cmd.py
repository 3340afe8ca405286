"""``empathy-r1 export``: a LoRA adapter (or any checkpoint) as a plain merged checkpoint for vLLM and friends."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        model: Annotated[str, typer.Option("--model", "-m", help="A LoRA adapter, checkpoint, run directory or hub id.")],
        output: Annotated[Path, typer.Option("--output", "-o", help="New directory for the merged checkpoint.")],
        dtype: Annotated[str, typer.Option(help="Weights' dtype: auto (as saved), float32, bfloat16 or float16.")] = "auto",
    ) -> None:
        """Fold a LoRA adapter into its base and save a plain checkpoint (safetensors + tokenizer)."""
        from empathy_r1.errors import UserError
        from empathy_r1.models import export_merged

        if dtype not in ("auto", "float32", "bfloat16", "float16"):
            raise UserError(f"--dtype must be auto, float32, bfloat16 or float16, got {dtype!r}")
        typer.echo(f"merged checkpoint: {export_merged(model, output, dtype)}")
