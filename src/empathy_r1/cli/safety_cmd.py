"""``empathy-r1 safety screen | eval | reply``: crisis screening from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Crisis screening and the fixed crisis reply.", no_args_is_help=True)

    @group.command("screen")
    def screen_cmd(
        input: Annotated[Path, typer.Option("--input", "-i", help='JSONL with {"id", "text"} per line, or - for stdin.')],
        config: Annotated[Path | None, typer.Option(help="YAML config (for safety.classifier).")] = None,
        suppressed: Annotated[bool, typer.Option(help="Also print matches that negation or context explained away.")] = False,
    ) -> None:
        """Print one JSON line per input: {"id", "level", "categories", "evidence"}."""
        screener = _screener(config)
        rows = _read_inputs(input)  # all read and checked first: no half-written output
        for row_id, text in rows:
            result = screener.screen(text)
            print(json.dumps({"id": row_id, **result.to_dict(with_suppressed=suppressed)}, ensure_ascii=False))

    @group.command("eval")
    def eval_cmd(
        data: Annotated[Path | None, typer.Option("--data", help="Labelled JSONL; default: the shipped Chinese test set.")] = None,
        config: Annotated[Path | None, typer.Option(help="YAML config (for safety.classifier).")] = None,
        show_misses: Annotated[bool, typer.Option(help="List the texts screened wrongly.")] = True,
    ) -> None:
        """Recall on urgent and false-urgent rate on a labelled set."""
        from empathy_r1.safety.evaluate import default_testset, evaluate, read_labelled

        path = data or default_testset()
        report = evaluate(read_labelled(path), _screener(config).screen)
        summary = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in report.to_dict().items() if k != "misses"}
        print(json.dumps({"data": str(path), **summary}, ensure_ascii=False))
        if show_misses:
            for miss in report.misses:
                print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)

    @group.command("reply")
    def reply_cmd(locale: Annotated[str, typer.Option(help="zh-CN, en-US or a locale YAML file.")] = "zh-CN") -> None:
        """Print the fixed crisis reply with the locale's help lines."""
        from empathy_r1.safety import crisis_reply

        print(crisis_reply(locale))

    app.add_typer(group, name="safety")


def _screener(config: Path | None):
    from empathy_r1.config import load_config
    from empathy_r1.safety import Screener

    cfg = load_config(config).safety
    if cfg.classifier is None:
        return Screener()
    from empathy_r1.safety.classifier import load_classifier

    return Screener(classifier=load_classifier(cfg.classifier, cfg.classifier_threshold))


def _read_inputs(path: Path) -> list[tuple[object, str]]:
    from empathy_r1.evaluation.files import read_jsonl

    rows = []
    for line in read_jsonl(path):
        if not isinstance(line.obj.get("text"), str):
            raise line.fail('expected an object with a string "text" field')
        rows.append((line.obj.get("id", line.lineno), line.obj["text"]))
    return rows
