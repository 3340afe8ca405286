"""Blind ranking tasks: K systems' answers per sample, shuffled per sample and per annotator.

What annotators see (``annotator_<k>.html``, ``annotator_<k>.csv``) holds answers under neutral
labels A, B, C, ...; which system wrote which label lives only in ``key.json``, which the
organiser keeps. The seed, and every permutation drawn from it, is recorded in the key, so a
task set can be rebuilt and audited.

Layout of an exported directory::

    DIR/key.json             seed, systems, per annotator: sample order and label -> system
    DIR/samples.json         id, post and each system's answer (organiser's copy)
    DIR/annotator_<k>.html   self-contained ranking page (works from file:// or ``rank serve``)
    DIR/annotator_<k>.csv    the same tasks as a spreadsheet; fill the rank_* columns
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_r1 import coe
from empathy_r1.errors import UserError
from empathy_r1.io import read_json, read_jsonl, write_json, write_text

__all__ = ["GUIDANCE", "Sample", "TaskSet", "build_tasks", "load_systems", "load_task_set", "write_task_set"]

#: What annotators weigh, in the paper's four dimensions (shown on the page and in the CSV).
GUIDANCE: dict[str, str] = {
    "fluency": "通顺自然，易于阅读 (fluent and natural)",
    "identification": "准确理解并说出求助者的情绪和处境 (identifies the seeker's feelings and situation)",
    "comforting": "让人感到被理解、被接纳、被安慰 (comforting: the seeker feels understood and accepted)",
    "suggestion": "给出具体、可行、恰当的建议 (concrete, feasible, appropriate suggestions)",
}

LABELS = string.ascii_uppercase


@dataclass
class Sample:
    """One post and each system's answer (only the reply part a seeker would read)."""

    id: str
    post: str
    answers: dict[str, str]


@dataclass
class TaskSet:
    """The organiser's view of an exported task set."""

    seed: int
    systems: list[str]
    samples: list[Sample]
    annotators: dict[str, dict[str, Any]]
    """annotator id -> {"order": [sample ids], "labels": {sample id: {label: system}}}."""

    def label_to_system(self, annotator: str, sample: str) -> dict[str, str]:
        return self.annotators[annotator]["labels"][sample]


def _text(value: Any, line: Any, what: str) -> str:
    if not isinstance(value, str):
        raise line.fail(f"{what} must be a string")
    return value


def load_systems(inputs: list[Path], posts: Path | None = None) -> list[Sample]:
    """Samples from one combined JSONL (``{"id", "post", "answers": {system: text}}``) or several prediction files.

    Prediction files hold ``{"id", "prediction"}`` (and optionally ``"post"``); the system is named
    by the file's stem, or by ``NAME=PATH``. Posts come from a ``"post"`` field or from ``posts``.
    Only samples every system answered are kept; answers are reduced to their reply part.
    """
    if not inputs:
        raise UserError("give at least one --input")
    named: list[tuple[str, Path]] = []
    for item in inputs:
        text = str(item)
        name, sep, path = text.partition("=")
        named.append((name, Path(path)) if sep and name and not Path(text).exists() else (Path(text).stem, Path(text)))
    first = read_jsonl(named[0][1])
    if len(named) == 1 and first and "answers" in first[0].obj:
        return _combined(first)
    post_by_id: dict[str, str] = {}
    if posts is not None:
        for line in read_jsonl(posts):
            post_by_id[str(line.obj.get("id"))] = _text(line.obj.get("post"), line, '"post"')
    per_system: dict[str, dict[str, str]] = {}
    order: list[str] = []
    for name, path in named:
        if name in per_system:
            raise UserError(f"system name {name!r} given twice (use NAME=PATH)", path)
        answers: dict[str, str] = {}
        for line in read_jsonl(path):
            key = str(line.obj.get("id"))
            if "id" not in line.obj:
                raise line.fail('missing "id"')
            if key in answers:
                raise line.fail(f"duplicate id {key!r}")
            answers[key] = coe.extract_answer(_text(line.obj.get("prediction"), line, '"prediction"'))
            if isinstance(line.obj.get("post"), str):
                post_by_id.setdefault(key, line.obj["post"])
            if key not in order:
                order.append(key)
        per_system[name] = answers
    if len(per_system) < 2:
        raise UserError("ranking needs at least two systems")
    ids = [k for k in order if all(k in a for a in per_system.values())]
    missing_post = [k for k in ids if k not in post_by_id]
    if missing_post:
        raise UserError(f'no post for id {missing_post[0]!r}: add a "post" field or --posts FILE')
    if not ids:
        raise UserError("no sample was answered by every system")
    return [Sample(k, post_by_id[k], {s: per_system[s][k] for s in per_system}) for k in ids]


def _combined(lines: list[Any]) -> list[Sample]:
    samples, seen, systems = [], set(), None
    for line in lines:
        obj = line.obj
        if "id" not in obj:
            raise line.fail('missing "id"')
        key = str(obj["id"])
        if key in seen:
            raise line.fail(f"duplicate id {key!r}")
        seen.add(key)
        answers = obj.get("answers")
        if not isinstance(answers, dict) or len(answers) < 2 or not all(isinstance(v, str) for v in answers.values()):
            raise line.fail('"answers" must map at least two system names to answer texts')
        if systems is None:
            systems = list(answers)
        elif set(answers) != set(systems):
            raise line.fail(f"systems {sorted(answers)} differ from the first line's {sorted(systems)}")
        samples.append(Sample(key, _text(obj.get("post"), line, '"post"'), {s: coe.extract_answer(answers[s]) for s in systems}))
    return samples


def build_tasks(samples: list[Sample], annotators: int, seed: int, n_samples: int = 0, systems: list[str] | None = None) -> TaskSet:
    """Draw the blind tasks: a sample subset (``n_samples``, 0 = all) and, per annotator, the sample
    order and each sample's label -> system permutation, all from ``seed``."""
    if annotators < 1:
        raise UserError("--annotators must be at least 1")
    all_systems = list(samples[0].answers)
    chosen = systems or all_systems
    unknown = [s for s in chosen if s not in all_systems]
    if unknown:
        raise UserError(f"unknown systems {unknown}; the input has {all_systems}")
    if len(chosen) < 2 or len(chosen) > len(LABELS):
        raise UserError(f"rank 2 to {len(LABELS)} systems, got {len(chosen)}")
    rng = random.Random(f"{seed}:samples")
    if n_samples and n_samples < len(samples):
        picked = set(rng.sample(range(len(samples)), n_samples))
        samples = [s for i, s in enumerate(samples) if i in picked]
    samples = [Sample(s.id, s.post, {k: s.answers[k] for k in chosen}) for s in samples]
    table: dict[str, dict[str, Any]] = {}
    for a in range(annotators):
        name = f"{a + 1}"
        order = [s.id for s in samples]
        random.Random(f"{seed}:order:{name}").shuffle(order)
        labels = {}
        for s in samples:
            perm = list(chosen)
            # A string seed is hashed with SHA-512 by random.seed: stable across runs and machines.
            random.Random(f"{seed}:{name}:{s.id}").shuffle(perm)
            labels[s.id] = {LABELS[i]: system for i, system in enumerate(perm)}
        table[name] = {"order": order, "labels": labels}
    return TaskSet(seed, list(chosen), samples, table)


def task_set_id(ts: TaskSet) -> str:
    """A short fingerprint of the key, stamped on what annotators see and checked when scoring."""
    blob = json.dumps({"seed": ts.seed, "systems": ts.systems, "annotators": ts.annotators}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def annotator_view(ts: TaskSet, annotator: str) -> dict[str, Any]:
    """What one annotator may see: posts and labelled answers, no system names."""
    by_id = {s.id: s for s in ts.samples}
    items = []
    for sid in ts.annotators[annotator]["order"]:
        labels = ts.label_to_system(annotator, sid)
        items.append(
            {
                "sample": sid,
                "post": by_id[sid].post,
                "answers": [{"label": lab, "text": by_id[sid].answers[sys]} for lab, sys in labels.items()],
            }
        )
    return {"task_set": task_set_id(ts), "annotator": annotator, "guidance": GUIDANCE, "items": items}


def _csv(view: dict[str, Any], k: int) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    labels = list(LABELS[:k])
    w.writerow(["task_set", "annotator", "sample", "post", *[f"answer_{x}" for x in labels], *[f"rank_{x}" for x in labels]])
    for item in view["items"]:
        w.writerow([view["task_set"], view["annotator"], item["sample"], item["post"], *[a["text"] for a in item["answers"]], *[""] * k])
    return buf.getvalue()


def write_task_set(ts: TaskSet, out_dir: Path) -> list[Path]:
    """Write the key, the organiser's samples and each annotator's page and CSV. Returns the files."""
    from empathy_r1.evaluation.ranking.page import render_page

    out_dir = Path(out_dir)
    if out_dir.exists() and (out_dir / "key.json").exists():
        raise UserError("already holds a task set (key.json); choose another --output", out_dir)
    written = []
    key = {"task_set": task_set_id(ts), "seed": ts.seed, "systems": ts.systems, "annotators": ts.annotators}
    samples = [{"id": s.id, "post": s.post, "answers": s.answers} for s in ts.samples]
    for name in ts.annotators:
        view = annotator_view(ts, name)
        write_text(out_dir / f"annotator_{name}.html", render_page(view))
        write_text(out_dir / f"annotator_{name}.csv", _csv(view, len(ts.systems)))
        written += [out_dir / f"annotator_{name}.html", out_dir / f"annotator_{name}.csv"]
    write_json(out_dir / "samples.json", samples)
    # The key last: a directory with key.json is a complete task set.
    write_json(out_dir / "key.json", key)
    return [*written, out_dir / "samples.json", out_dir / "key.json"]


def load_task_set(tasks_dir: Path) -> TaskSet:
    tasks_dir = Path(tasks_dir)
    if not (tasks_dir / "key.json").is_file():
        raise UserError("not a task directory (no key.json); build one with `empathy-r1 rank export`", tasks_dir)
    key = read_json(tasks_dir / "key.json")
    raw = read_json(tasks_dir / "samples.json")
    samples = [Sample(str(s["id"]), s["post"], dict(s["answers"])) for s in raw]
    return TaskSet(int(key["seed"]), list(key["systems"]), samples, key["annotators"])
