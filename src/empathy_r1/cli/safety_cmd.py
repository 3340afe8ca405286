"""``empathy-r1 safety screen | eval | reply``: crisis screening from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer


def screen_cmd(
    input: Annotated[
        Path, typer.Option("--input", "-i", help='JSONL with {"id", "text"} or {"id", "messages": [{"role", "content"}, ...]} per line, or - for stdin.')
    ],
    config: Annotated[Path | None, typer.Option(help="YAML config (its safety section: detector, classifier, guard).")] = None,
    suppressed: Annotated[bool, typer.Option(help="Also print matches that negation or context explained away.")] = False,
) -> None:
    """Print one JSON line per input: {"id", "level", "categories", "evidence"}; conversations are screened whole."""
    screener = _screener(config)
    rows = _read_inputs(input)  # all read and checked first: no half-written output
    for row_id, item in rows:
        result = screener.screen_conversation(item) if isinstance(item, list) else screener.screen(item)
        print(json.dumps({"id": row_id, **result.to_dict(with_suppressed=suppressed)}, ensure_ascii=False))


def eval_cmd(
    data: Annotated[Path | None, typer.Option("--data", help="Labelled JSONL; default: the shipped Chinese test set.")] = None,
    config: Annotated[Path | None, typer.Option(help="YAML config (its safety section).")] = None,
    show_misses: Annotated[bool, typer.Option(help="List the items screened wrongly (on stderr).")] = True,
) -> None:
    """Urgent recall and false-urgent rate on a labelled set, with 95% Wilson intervals."""
    from empathy_r1.safety.evaluate import default_testset, evaluate, read_labelled

    path = data or default_testset()
    report = evaluate(read_labelled(path), _screener(config))
    summary = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in report.to_dict().items() if k != "misses"}
    print(json.dumps({"data": str(path), **summary}, ensure_ascii=False))
    if show_misses:
        for miss in report.misses:
            print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)


def train_detector_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the detector (.npz).")],
    train: Annotated[Path | None, typer.Option(help="Labelled JSONL to fit on; default: the shipped corpus/train.jsonl.")] = None,
    validation: Annotated[Path | None, typer.Option(help="Labelled JSONL to choose thresholds on; default: corpus/validation.jsonl.")] = None,
    target_recall: Annotated[float, typer.Option(help="Urgent recall (rules + detector) to reach on validation.")] = 0.95,
    max_false_urgent: Annotated[float, typer.Option(help="Largest false-urgent rate allowed on validation.")] = 0.05,
    c: Annotated[float, typer.Option("--c", help="Inverse regularisation strength of the logistic regression.")] = 16.0,
) -> None:
    """Fit the learned detector (USE + logistic regression) and choose its thresholds on validation."""
    from empathy_r1.errors import UserError
    from empathy_r1.safety.detector import train as train_detector
    from empathy_r1.safety.evaluate import corpus_path, read_labelled

    for name, value in (("target-recall", target_recall), ("max-false-urgent", max_false_urgent)):
        if not 0.0 <= value <= 1.0:
            raise UserError(f"--{name} must be in [0, 1], got {value}")
    train_items = read_labelled(train or corpus_path("train"))
    validation_items = read_labelled(validation or corpus_path("validation"))
    if not c > 0:
        raise UserError(f"--c must be positive, got {c}")
    detector, report = train_detector(train_items, validation_items, target_recall, max_false_urgent, c)
    detector.save(output)
    print(json.dumps({"output": str(output), **report}, ensure_ascii=False))


def reply_cmd(locale: Annotated[str, typer.Option(help="zh-CN, en-US or a locale YAML file.")] = "zh-CN") -> None:
    """Print the fixed crisis reply with the locale's help lines."""
    from empathy_r1.safety import crisis_reply

    print(crisis_reply(locale))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Crisis screening and the fixed crisis reply.", no_args_is_help=True)
    group.command("screen")(screen_cmd)
    group.command("eval")(eval_cmd)
    group.command("train-detector")(train_detector_cmd)
    group.command("reply")(reply_cmd)
    app.add_typer(group, name="safety")


def _screener(config: Path | None):
    from empathy_r1.config import load_config
    from empathy_r1.safety.factory import screener_from_config

    return screener_from_config(load_config(config).safety)


def _read_inputs(path: Path) -> list[tuple[object, str | list]]:
    """Every line checked before anything is screened: a bad one is an error naming its line."""
    from empathy_r1.io import read_jsonl
    from empathy_r1.safety.inputs import InputError, check_messages, check_text

    rows: list[tuple[object, str | list]] = []
    for line in read_jsonl(path):
        obj = line.obj
        if "messages" not in obj and "text" not in obj:
            raise line.fail('expected {"id", "text"} or {"id", "messages": [{"role", "content"}, ...]}')
        try:
            if "messages" in obj:
                check_messages(obj["messages"])
                rows.append((obj.get("id", line.lineno), obj["messages"]))
            else:
                check_text(obj.get("text"), "text")
                rows.append((obj.get("id", line.lineno), obj["text"]))
        except InputError as e:
            raise line.fail(str(e)) from None
    return rows
