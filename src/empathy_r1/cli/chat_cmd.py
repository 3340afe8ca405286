"""``empathy-r1 chat``: a terminal chat that streams; the layers dimmed, the answer prominent.

Every turn the whole conversation is screened first (rules, the learned detector, a guard if the
config names one); urgent gets the fixed crisis reply and no model text, for the rest of the chat.
The reasoning streams (dimmed) as it is generated, sentence by sentence and screened; the
answer is shown once the whole of it has passed screening. Reads lines from stdin, so it also
works piped: ``printf '最近睡不好\\n' | empathy-r1 chat --model DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def chat(
    model: Annotated[Path, typer.Option("--model", "-m", help="A Hugging Face checkpoint or a pipeline output directory.")],
    locale: Annotated[str, typer.Option(help="Locale of the crisis reply and help lines.")] = "zh-CN",
    language: Annotated[str, typer.Option(help="zh or en: system prompt and layer headings.")] = "zh",
    max_new_tokens: Annotated[int, typer.Option(help="Completion budget per reply.")] = 256,
    temperature: Annotated[float, typer.Option(help="0 for greedy decoding.")] = 0.7,
    reasoning: Annotated[bool, typer.Option("--reasoning/--no-reasoning", help="Show the four CoE layers (dimmed).")] = True,
    config: Annotated[Path | None, typer.Option(help="YAML config (its safety section: detector, classifier, guard).")] = None,
) -> None:
    """Chat with a model in the terminal (Ctrl-D or 'exit' to leave)."""
    from rich.console import Console

    from empathy_r1.config import load_config
    from empathy_r1.safety import load_locale
    from empathy_r1.safety.factory import screener_from_config
    from empathy_r1.serving import PolicyBackend

    load_locale(locale)  # fail early on a bad locale
    screener = screener_from_config(load_config(config).safety)
    console = Console(highlight=False)
    backend = PolicyBackend.load(model)
    console.print(f"[bold]Empathy-R1[/bold] · {backend.name} · 输入你想说的话，Ctrl-D 或 exit 退出", style="cyan")
    run_chat(backend, console, locale, language, max_new_tokens, temperature, reasoning, screener)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)


def run_chat(
    backend, console, locale: str, language: str, max_new_tokens: int, temperature: float, show_reasoning: bool, screener=None
) -> None:
    """The loop, separate from model loading so that it can run on any backend."""
    from rich.panel import Panel
    from rich.text import Text

    from empathy_r1.safety.inputs import InputError
    from empathy_r1.serving.streaming import ReasoningStream
    from empathy_r1.serving.turns import build_prompt, crisis, finish, screen_input

    history: list[dict[str, str]] = []
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = console.input("[bold green]你>[/bold green] ") if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            break
        if not interactive and line == "":
            break  # end of piped input
        line = line.strip()
        if not line:
            continue
        if line in {"exit", "quit", "/exit"}:
            break
        if not interactive:
            console.print(Text(f"你> {line}", style="bold green"))
        history.append({"role": "user", "content": line})
        try:
            screening = screen_input(history, screener) if screener is not None else screen_input(history)
        except InputError as e:  # e.g. a pasted text past the size limit: say so, keep the chat going
            history.pop()
            console.print(Text(f"error: {e}", style="red"))
            continue
        if screening.level == "urgent":
            reply = crisis(screening, locale, source="input")
        else:
            stream = ReasoningStream(language)
            if show_reasoning:
                console.print(Text("思考（共情链）", style="dim italic"))
            for delta in stream.drain(backend.stream(build_prompt(history, language), max_new_tokens, temperature, 1.0)):
                if show_reasoning:
                    console.print(Text(delta, style="dim"), end="")
            console.print()
            reply = finish(stream.raw, screening, locale, language)
        if reply.safety.get("crisis"):
            console.print(Panel(Text(reply.content, style="bold"), title="⚠ 安全提示 · crisis support", border_style="red"))
        else:
            console.print(Panel(Text(reply.content or "（模型没有给出回答）", style="bold"), title="回复", border_style="cyan"))
        history.append({"role": "assistant", "content": reply.content})
