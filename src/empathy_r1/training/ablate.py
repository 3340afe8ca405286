"""Ablations, one command on any config: each variant is a set of config overrides run through
the training pipeline into ``DIR/<variant>/``, then one table, a GRPO stability table and a plot.

The paper's ablations are three; the others are this project's (experiments the paper does not
report), and the table says which is which:

=============  =======  ==========================================================================
full           paper    the config as given (the reference row)
sft_only       paper    SFT cold start, no GRPO
grpo_only      paper    GRPO from the base model, no SFT (the paper reports it unstable)
no_coe         paper    direct answers: SFT without the chain, no format reward (``pipeline.coe=false``)
drop_L1..L4    project  one CoE layer left out of SFT targets, prompt and format reward
T0.3/0.5/0.7   project  the answer-reward threshold T (``reward.threshold``, auto threshold off)
cross          project  train on this corpus, test on another: only with ``--cross-source``
=============  =======  ==========================================================================

Every variant that ran GRPO gets a stability summary from its log (spread of the reward over
steps, KL, format reward first/last/lowest, format collapse), so "GRPO-only is unstable" can be
checked rather than taken on trust.

Stages are shared where that is exactly valid, by linking ``full``'s finished stage folders
into a variant before its run (the pipeline skips a stage whose folder holds ``DONE``):

* a T variant differs only from GRPO on: it reuses full's data, SFT and reward stages;
* grpo_only reuses data and reward; sft_only reuses data, SFT, reward and SFT's evaluation;
* cross trains exactly what full trains: it reuses SFT, reward and GRPO and only re-runs data
  (which writes the other corpus as the held-out set) and evaluation;
* no_coe and drop_L* change the SFT targets, and so the tokenizer: nothing is shared.

Sharing needs ``full`` among the variants run (it runs first); without it every variant runs
on its own.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from empathy_r1.coe import DEFAULT_TAGS
from empathy_r1.config import Config, apply_overrides, to_dict
from empathy_r1.errors import UserError
from empathy_r1.evaluation.compare import COLUMNS
from empathy_r1.io import read_json, write_bytes, write_json, write_text

__all__ = ["GROUPS", "Variant", "plan", "run_ablations", "variants"]

#: Names that select several variants in ``--only``.
GROUPS = {"layers": [f"drop_{tag}" for tag in DEFAULT_TAGS.layers], "threshold": ["T0.3", "T0.5", "T0.7"]}


@dataclass
class Variant:
    name: str
    description: str
    overrides: list[str]
    share: list[str] = field(default_factory=list)
    """Stage folders of ``full`` this variant links instead of re-running."""
    share_eval: list[str] = field(default_factory=list)
    """Policies whose evaluation in ``full`` is valid here too (eval/<policy>)."""
    origin: str = "project"
    """"paper" for the paper's own ablations, "project" for the experiments this project adds."""


def _stages_without(cfg: Config, stage: str) -> str:
    return "[" + ", ".join(s for s in cfg.pipeline.stages if s != stage) + "]"


def variants(cfg: Config, cross_source: str | None = None) -> dict[str, Variant]:
    """Every ablation variant of ``cfg``, by name, in table order."""
    out = [
        Variant("full", "as configured", [], origin="paper"),
        Variant(
            "sft_only",
            "SFT only (no GRPO)",
            [f"pipeline.stages={_stages_without(cfg, 'grpo')}"],
            ["data", "sft", "reward"],
            ["sft"],
            "paper",
        ),
        Variant("grpo_only", "GRPO only (no SFT)", [f"pipeline.stages={_stages_without(cfg, 'sft')}"], ["data", "reward"], origin="paper"),
        Variant("no_coe", "no Chain-of-Empathy: direct answers", ["pipeline.coe=false"], origin="paper"),
    ]
    for tag in DEFAULT_TAGS.layers:
        if tag not in cfg.data.drop_layers:
            out.append(Variant(f"drop_{tag}", f"without layer {tag}", [f"data.drop_layers=[{', '.join([*cfg.data.drop_layers, tag])}]"]))
    for t in ("0.3", "0.5", "0.7"):
        out.append(
            Variant(f"T{t}", f"threshold T = {t}", [f"reward.threshold={t}", "reward.auto_threshold=false"], ["data", "sft", "reward"])
        )
    if cross_source:  # no silent default corpus: the user names the other corpus
        out.append(Variant("cross", f"tested on {cross_source}", [f"data.eval_source={cross_source}"], ["sft", "reward", "grpo"]))
    return {v.name: v for v in out}


def _final_policy(cfg: Config) -> str:
    return "grpo" if "grpo" in cfg.pipeline.stages else "sft" if "sft" in cfg.pipeline.stages else "base"


def plan(cfg: Config, only: list[str] | None = None, cross_source: str | None = None) -> list[tuple[Variant, Config]]:
    """The selected variants with their resolved configs; ``full`` first when selected."""
    table = variants(cfg, cross_source)
    names: list[str] = []
    for item in only or list(table):
        for name in GROUPS.get(item, [item]):
            if name == "cross" and name not in table:
                raise UserError("the cross variant needs --cross-source (synth, sample or a JSONL path): the corpus to test on")
            if name not in table:
                raise UserError(f"unknown variant {name!r}; choose from {', '.join([*table, *GROUPS])}")
            if name not in names:
                names.append(name)
    names.sort(key=list(table).index)
    out = []
    for name in names:
        v = table[name]
        vcfg = apply_overrides(cfg, v.overrides)
        if name != "full":
            # Evaluate only the policy the variant ends with: the others are full's rows already.
            vcfg = apply_overrides(vcfg, [f"pipeline.evaluate=[{_final_policy(vcfg)}]"])
        out.append((v, vcfg))
    return out


def _link_shared(full_dir: Path, run_dir: Path, v: Variant) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    for stage in v.share:
        src, dst = full_dir / stage, run_dir / stage
        if (src / "DONE").is_file() and not dst.exists():
            # Relative links keep the ablation directory movable; no copy of model weights.
            dst.symlink_to(os.path.relpath(src, run_dir), target_is_directory=True)
    for policy in v.share_eval:
        src, dst = full_dir / "eval" / policy, run_dir / "eval" / policy
        if (src / "eval.json").is_file() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.symlink_to(os.path.relpath(src, dst.parent), target_is_directory=True)


def _stability(run_dir: Path) -> dict[str, Any]:
    from empathy_r1.evaluation.stability import grpo_stability

    log = run_dir / "grpo" / "log_history.json"
    return grpo_stability(read_json(log)) if log.is_file() else {}


def _row(v: Variant, vcfg: Config, report: dict[str, Any], run_dir: Path | None = None) -> dict[str, Any]:
    final = report.get("final", {}).get("policy") or _final_policy(vcfg)
    metrics = (report.get("eval") or {}).get(final) or {}
    row: dict[str, Any] = {"variant": v.name, "origin": v.origin, "description": v.description, "policy": final, "n": report.get("n_eval")}
    for key, _, spellings in COLUMNS:
        for s in spellings:
            if s in metrics:
                row[key] = metrics[s]
                break
    row["threshold"] = report.get("threshold")
    row["shared"] = v.share
    row["grpo_stability"] = _stability(run_dir) if run_dir is not None else {}
    return row


def _same_run(cfg: Config, vcfg: Config) -> bool:
    """True when a variant trains and evaluates exactly what the reference does (evaluate lists aside)."""
    a, b = to_dict(cfg), to_dict(vcfg)
    a["pipeline"]["evaluate"] = b["pipeline"]["evaluate"] = []
    return a == b


def to_markdown(rows: list[dict[str, Any]]) -> str:
    cols = [(k, h) for k, h, _ in COLUMNS if any(isinstance(r.get(k), int | float) for r in rows)]
    base = next((r.get("navg") for r in rows if r["variant"] == "full"), None)
    head = "| Variant | Origin | What changes | Policy | " + " | ".join(h for _, h in cols) + (" | ΔNAvg |" if base is not None else " |")
    lines = [head, "|---|---|---|---|" + "---:|" * (len(cols) + (base is not None))]
    for r in rows:
        cells = [f"{r[k]:.4f}" if isinstance(r.get(k), int | float) else "–" for k, _ in cols]
        if base is not None:
            cells.append(f"{r['navg'] - base:+.4f}" if isinstance(r.get("navg"), int | float) else "–")
        lines.append(f"| {r['variant']} | {r.get('origin', 'project')} | {r['description']} | {r['policy']} | " + " | ".join(cells) + " |")
    stable = [r for r in rows if r.get("grpo_stability")]
    if stable:
        keys = (
            "steps",
            "reward_first",
            "reward_last",
            "reward_std_over_steps",
            "kl_mean",
            "kl_max",
            "format_first",
            "format_last",
            "format_min",
        )
        lines += [
            "",
            "GRPO stability (from each run's log): reward over steps (first and last tenth, spread), KL to the reference,"
            " format reward; collapse = the last tenth's format reward under half its best tenth's.",
            "",
            "| Variant | " + " | ".join(keys) + " | format collapse |",
            "|---|" + "---:|" * len(keys) + "---|",
        ]
        for r in stable:
            st = r["grpo_stability"]
            cells = [f"{st[k]:.4g}" if isinstance(st.get(k), int | float) else "–" for k in keys]
            lines.append(f"| {r['variant']} | " + " | ".join(cells) + f" | {'yes' if st.get('format_collapse') else 'no'} |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], path: Path) -> Path:
    """Grouped bars: BLEU-1, ROUGE-L, METEOR, Distinct-1 and NAvg per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    keys = [(k, h) for k, h, _ in COLUMNS if k in ("bleu1", "rougeL", "meteor", "distinct1", "navg")]
    x = np.arange(len(rows))
    width = 0.8 / len(keys)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(rows) + 2), 4.0))
    for i, (k, h) in enumerate(keys):
        ax.bar(x + (i - (len(keys) - 1) / 2) * width, [float(r.get(k) or 0.0) for r in rows], width, label=h)
    ax.set_xticks(x, [r["variant"] for r in rows], rotation=30, ha="right")
    ax.set_ylabel("score")
    ax.set_ylim(bottom=0)
    ax.set_title("Empathy-R1 ablations (final policy of each variant)")
    ax.legend(ncols=len(keys), fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.25))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    write_bytes(path, buf.getvalue())
    return path


def run_ablations(cfg: Config, output_dir: str | Path, only: list[str] | None = None, cross_source: str | None = None) -> dict[str, Any]:
    """Run (or resume) the selected variants; write ``ablation.{json,md,png}``; return the JSON."""
    from empathy_r1.training.pipeline import run_pipeline

    out = Path(output_dir)
    steps = plan(cfg, only, cross_source)
    has_full = any(v.name == "full" for v, _ in steps)
    rows = []
    full_report: dict[str, Any] | None = None
    for v, vcfg in steps:
        run_dir = out / v.name
        if full_report is not None and _same_run(cfg, vcfg):
            # e.g. T0.5 when the config's T is 0.5: the very same training; don't run it twice.
            rows.append({**_row(v, vcfg, full_report, out / "full"), "same_as": "full"})
            continue
        if has_full and v.name != "full":
            _link_shared(out / "full", run_dir, v)
        report = run_pipeline(vcfg, run_dir)
        if v.name == "full":
            full_report = report
        rows.append(_row(v, vcfg, report, run_dir))
    result = {"config": to_dict(cfg), "variants": rows}
    write_json(out / "ablation.json", result)
    plot(rows, out / "ablation.png")
    write_text(out / "ablation.md", "# Ablations\n\n" + to_markdown(rows) + "\n![ablations](ablation.png)\n")
    return result


def describe(cfg: Config, cross_source: str | None = None) -> str:
    """One line per variant: name, overrides, shared stages (for ``ablate --list``)."""
    lines = []
    for v in variants(cfg, cross_source).values():
        shared = f"  (reuses full's {', '.join(v.share)})" if v.share else ""
        lines.append(f"{v.name:10s} {v.origin:8s} {' '.join(v.overrides) or '-'}{shared}")
    if "cross" not in variants(cfg, cross_source):
        lines.append("(cross: give --cross-source CORPUS to train on this corpus and test on that one)")
    return "\n".join(lines) + "\n" + json.dumps(GROUPS) + "\n"
