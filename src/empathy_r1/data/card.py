"""The data card of a prepared corpus: card.json, card.md and length plots (PNG)."""

from __future__ import annotations

from pathlib import Path

from empathy_r1.data.stats import corpus_stats
from empathy_r1.io import write_json, write_text

__all__ = ["write_card"]


def _plot_lengths(path: Path, values: list[int], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here, and none wanted in CI
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(values, bins=40, color="#4a7ab5")
    ax.set_xlabel("characters")
    ax.set_ylabel("count")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_card(out_dir: Path, info: dict, splits: dict[str, list[dict]]) -> dict:
    """Write card.json, card.md and the PNG plots into ``out_dir``; returns the card."""
    everything = [r for part in splits.values() for r in part]
    card = {
        **info,
        "splits": {k: len(v) for k, v in splits.items()},
        "stats": corpus_stats(everything) if everything else {},
        "plots": ["post_lengths.png", "answer_lengths.png"],
    }
    _plot_lengths(out_dir / "post_lengths.png", [len(r["post"]) for r in everything], "post length")
    _plot_lengths(out_dir / "answer_lengths.png", [len(a["text"]) for r in everything for a in r["answers"]], "answer length")
    write_json(out_dir / "card.json", card)
    write_text(out_dir / "card.md", _markdown(card))
    return card


def _table(rows: dict, head: tuple[str, str]) -> list[str]:
    lines = [f"| {head[0]} | {head[1]} |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in rows.items()] or ["| (none) | 0 |"]
    return lines


def _markdown(card: dict) -> str:
    stats = card.get("stats", {})
    out = [
        "# Data card",
        "",
        f"Input: `{card['input']}` (format `{card['format']}`), seed {card['seed']}, min answer chars {card['min_answer_chars']}.",
        f"Records read: {card['records_read']}; kept: {sum(card['splits'].values())}.",
        "",
        "## Dropped or changed, per rule",
        "",
        *_table({**{f"invalid: {k}": v for k, v in card["skipped_invalid"].items()}, **card["cleaning"]}, ("rule", "count")),
        "",
        "## Personal information replaced",
        "",
        *_table(card["anonymised"], ("placeholder", "count")),
        "",
        "## Splits",
        "",
        *_table(card["splits"], ("split", "posts")),
        "",
        "## Topics",
        "",
        *_table(stats.get("topics", {}), ("topic", "posts")),
        "",
        "## Lengths (characters)",
        "",
        "| | mean | median | p10 | p90 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key in ("post_chars", "answer_chars"):
        s = stats.get(key, {})
        if s.get("n"):
            out.append(f"| {key} | {s['mean']} | {s['median']} | {s['p10']} | {s['p90']} | {s['max']} |")
    if card.get("anonymiser_eval"):
        from empathy_r1.data.pii_eval import to_markdown

        out += ["", "## Anonymiser, measured on labelled sentences", ""]
        out += [to_markdown(report, name) for name, report in card["anonymiser_eval"].items()]
    out += ["", "![post lengths](post_lengths.png) ![answer lengths](answer_lengths.png)", ""]
    return "\n".join(out)
