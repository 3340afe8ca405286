"""Score rankings: Win@1, Win@K and mean rank per system with bootstrap CIs; Kendall's W; judge agreement.

A *judgment* is one annotator's full ranking of one sample's answers, best first, by system.
Win@1 of a system is the share of judgments that put it first (the paper's Win@1 with one
annotator per sample; with several it is the mean over annotators). The 95% intervals come
from a bootstrap over samples (all judgments of a sample move together, because annotators of
one sample are not independent), percentile method.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from empathy_r1.errors import UserError
from empathy_r1.evaluation.ranking.tasks import TaskSet, task_set_id
from empathy_r1.io import read_json

__all__ = ["Judgment", "agreement", "kendall_tau", "kendall_w", "read_rankings", "score", "to_markdown"]


@dataclass(frozen=True)
class Judgment:
    annotator: str
    sample: str
    systems: tuple[str, ...]
    """Best first."""


def _check_order(ts: TaskSet, annotator: str, sample: str, order: list[Any], fail: Any) -> tuple[str, ...]:
    if sample not in {s.id for s in ts.samples}:
        raise fail(f"unknown sample {sample!r}")
    if annotator in ts.annotators:
        labels = ts.label_to_system(annotator, sample)
        if sorted(map(str, order)) != sorted(labels):
            raise fail(f"sample {sample!r}: the order must rank each of {sorted(labels)} once, got {order}")
        return tuple(labels[str(x)] for x in order)
    raise fail(f"unknown annotator {annotator!r} (the key has {sorted(ts.annotators)})")


def _read_json_rankings(path: Path, ts: TaskSet) -> list[Judgment]:
    obj = read_json(path)
    if not isinstance(obj, dict) or not isinstance(obj.get("rankings"), list):
        raise UserError('expected {"annotator", "rankings": [...]} as exported by the ranking page', path)
    if obj.get("task_set") not in (None, task_set_id(ts)):
        raise UserError(f"rankings are for task set {obj.get('task_set')!r}, this key is {task_set_id(ts)!r}", path)
    annotator = str(obj.get("annotator"))
    out = []
    for i, r in enumerate(obj["rankings"], 1):

        def fail(msg: str, i: int = i) -> UserError:
            return UserError(f"ranking {i}: {msg}", path)

        if not isinstance(r, dict) or "sample" not in r:
            raise fail('expected {"sample", "order"} or {"sample", "systems"}')
        sample = str(r["sample"])
        if "systems" in r:  # a judge: ranked by system name, no labels involved
            systems = [str(s) for s in r["systems"]]
            if sorted(systems) != sorted(ts.systems):
                raise fail(f"sample {sample!r}: must rank each of {ts.systems} once")
            out.append(Judgment(annotator, sample, tuple(systems)))
        else:
            out.append(Judgment(annotator, sample, _check_order(ts, annotator, sample, list(r.get("order") or []), fail)))
    return out


def _read_csv_rankings(path: Path, ts: TaskSet) -> list[Judgment]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets like to add a BOM
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        raise UserError("cannot read as UTF-8 CSV", path) from None
    rows = csv.DictReader(io.StringIO(text))
    rank_cols = [c for c in rows.fieldnames or [] if c.startswith("rank_")]
    if not rank_cols or "sample" not in (rows.fieldnames or []):
        raise UserError("expected the columns of an exported annotator CSV (sample, rank_A, ...)", path)
    out = []
    for row in rows:
        line = rows.line_num

        def fail(msg: str, line: int = line) -> UserError:
            return UserError(msg, path, line)

        if row.get("task_set") not in (None, "", task_set_id(ts)):
            raise fail(f"row is for task set {row['task_set']!r}, this key is {task_set_id(ts)!r}")
        cells = {c[5:]: (row.get(c) or "").strip() for c in rank_cols}
        if not any(cells.values()):
            continue  # not ranked yet
        try:
            ranks = {lab: int(v) for lab, v in cells.items()}
        except ValueError:
            raise fail(f"ranks must be whole numbers, got {list(cells.values())}") from None
        if sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
            raise fail(f"ranks must be 1..{len(ranks)}, each once, got {list(ranks.values())}")
        order = sorted(ranks, key=ranks.__getitem__)
        out.append(
            Judgment(
                str(row.get("annotator")), str(row["sample"]), _check_order(ts, str(row.get("annotator")), str(row["sample"]), order, fail)
            )
        )
    return out


def read_rankings(paths: list[Path], ts: TaskSet) -> list[Judgment]:
    """Judgments from exported JSON files or filled-in CSVs; one per (annotator, sample)."""
    judgments: list[Judgment] = []
    seen: dict[tuple[str, str], Path] = {}
    for path in paths:
        path = Path(path)
        got = _read_csv_rankings(path, ts) if path.suffix.lower() == ".csv" else _read_json_rankings(path, ts)
        for j in got:
            key = (j.annotator, j.sample)
            if key in seen:
                raise UserError(f"annotator {j.annotator!r} ranked sample {j.sample!r} twice (also in {seen[key]})", path)
            seen[key] = path
        judgments.extend(got)
    if not judgments:
        raise UserError("no complete rankings in the given files")
    return judgments


def kendall_w(rank_matrix: np.ndarray) -> float:
    """Kendall's W for m raters x n items (ranks 1..n, no ties): 12 S / (m^2 (n^3 - n)).

    >>> kendall_w(np.array([[1, 2, 3], [1, 2, 3]]))
    1.0
    >>> kendall_w(np.array([[1, 2, 3], [3, 2, 1]]))
    0.0
    """
    m, n = rank_matrix.shape
    totals = rank_matrix.sum(axis=0)
    s = float(((totals - totals.mean()) ** 2).sum())
    return 12.0 * s / (m**2 * (n**3 - n))


def kendall_tau(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Kendall's tau between two full rankings of the same items (best first).

    >>> kendall_tau(("x", "y", "z"), ("x", "z", "y"))
    0.3333333333333333
    """
    pa = {s: i for i, s in enumerate(a)}
    pb = {s: i for i, s in enumerate(b)}
    pairs = list(itertools.combinations(a, 2))
    concordant = sum(1 if (pa[x] - pa[y]) * (pb[x] - pb[y]) > 0 else -1 for x, y in pairs)
    return concordant / len(pairs)


def score(judgments: list[Judgment], systems: list[str], k: int = 2, n_boot: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Win@1, Win@k and mean rank per system, with bootstrap 95% CIs, and Kendall's W."""
    if not 1 <= k <= len(systems):
        raise UserError(f"--k must be between 1 and {len(systems)}")
    samples = sorted({j.sample for j in judgments})
    col = {s: i for i, s in enumerate(systems)}
    row = {s: i for i, s in enumerate(samples)}
    # Per-sample sums, so a bootstrap draw is a weighted sum: [n_samples x n_systems].
    win1 = np.zeros((len(samples), len(systems)))
    wink = np.zeros_like(win1)
    ranksum = np.zeros_like(win1)
    count = np.zeros(len(samples))
    by_sample: dict[str, list[list[int]]] = defaultdict(list)
    for j in judgments:
        r = row[j.sample]
        count[r] += 1
        ranks = [0] * len(systems)
        for pos, system in enumerate(j.systems, 1):
            c = col[system]
            ranks[c] = pos
            ranksum[r, c] += pos
            win1[r, c] += pos == 1
            wink[r, c] += pos <= k
        by_sample[j.sample].append(ranks)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(samples), np.full(len(samples), 1 / len(samples)), size=n_boot)  # [B x n_samples]
    denom = weights @ count  # [B]

    def stat(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        point = sums.sum(axis=0) / count.sum()
        boot = (weights @ sums) / denom[:, None]  # [B x n_systems]
        return point, np.percentile(boot, [2.5, 97.5], axis=0)

    out_systems = {}
    w1, w1ci = stat(win1)
    wk, wkci = stat(wink)
    mr, mrci = stat(ranksum)
    for s, c in col.items():
        out_systems[s] = {
            "win1": float(w1[c]),
            "win1_ci": [float(w1ci[0, c]), float(w1ci[1, c])],
            f"win{k}": float(wk[c]),
            f"win{k}_ci": [float(wkci[0, c]), float(wkci[1, c])],
            "mean_rank": float(mr[c]),
            "mean_rank_ci": [float(mrci[0, c]), float(mrci[1, c])],
        }
    ws = [kendall_w(np.array(rs)) for rs in by_sample.values() if len(rs) >= 2]
    return {
        "judgments": len(judgments),
        "samples": len(samples),
        "annotators": len({j.annotator for j in judgments}),
        "k": k,
        "bootstrap": n_boot,
        "systems": out_systems,
        "kendall_w": {"mean": float(np.mean(ws)) if ws else None, "samples": len(ws)},
    }


def agreement(judge: list[Judgment], humans: list[Judgment]) -> dict[str, Any]:
    """How often the judge agrees with people on samples both ranked, beside people's agreement with each other."""
    by_sample: dict[str, list[Judgment]] = defaultdict(list)
    for h in humans:
        by_sample[h.sample].append(h)
    top1, taus = [], []
    for j in judge:
        for h in by_sample.get(j.sample, []):
            top1.append(j.systems[0] == h.systems[0])
            taus.append(kendall_tau(j.systems, h.systems))
    pair_top1, pair_taus = [], []
    for hs in by_sample.values():
        for a, b in itertools.combinations(hs, 2):
            pair_top1.append(a.systems[0] == b.systems[0])
            pair_taus.append(kendall_tau(a.systems, b.systems))

    def mean(xs: list[float]) -> float | None:
        return float(np.mean(xs)) if xs else None

    return {
        "pairs": len(taus),
        "top1_agreement": mean(top1),
        "kendall_tau": mean(taus),
        "human_pairs": len(pair_taus),
        "human_top1_agreement": mean(pair_top1),
        "human_kendall_tau": mean(pair_taus),
    }


def to_markdown(result: dict[str, Any]) -> str:
    k = result["k"]

    def pct(v: float, ci: list[float]) -> str:
        return f"{100 * v:.1f}% [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"

    lines = [
        f"| System | Win@1 (95% CI) | Win@{k} (95% CI) | Mean rank (95% CI) |",
        "|---|---:|---:|---:|",
    ]
    ranked = sorted(result["systems"].items(), key=lambda kv: (-kv[1]["win1"], kv[1]["mean_rank"]))
    for name, s in ranked:
        mr = s["mean_rank_ci"]
        lines.append(
            f"| {name} | {pct(s['win1'], s['win1_ci'])} | {pct(s[f'win{k}'], s[f'win{k}_ci'])} | {s['mean_rank']:.2f} [{mr[0]:.2f}, {mr[1]:.2f}] |"
        )
    w = result["kendall_w"]
    lines.append("")
    lines.append(
        f"{result['judgments']} judgments of {result['samples']} samples by {result['annotators']} annotators; "
        + (
            f"Kendall's W {w['mean']:.3f} (mean over {w['samples']} samples ranked by 2+ annotators)."
            if w["mean"] is not None
            else "Kendall's W: needs 2+ annotators per sample."
        )
    )
    if "agreement" in result:
        a = result["agreement"]
        if a["pairs"]:
            human = (
                f"; people with each other: top-1 {a['human_top1_agreement']:.3f}, tau {a['human_kendall_tau']:.3f}"
                if a["human_pairs"]
                else ""
            )
            lines.append(
                f"Judge vs people ({a['pairs']} pairs): top-1 agreement {a['top1_agreement']:.3f}, Kendall's tau {a['kendall_tau']:.3f}{human}."
            )
    return "\n".join(lines) + "\n"
