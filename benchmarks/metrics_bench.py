"""Metric speed against the reference implementations, with values asserted identical.

    python -m benchmarks.metrics_bench            # 200 ROUGE-L pairs, 1,000 answers x 3 references
    python -m benchmarks.metrics_bench --smoke    # seconds: the smallest sizes (a test runs this)

Two measurements, printed as one markdown table:

1. ROUGE-L on 500-character Chinese pairs: ours (bit-parallel LCS) vs rouge-score's
   ``RougeScorer(["rougeL"], tokenizer=<SPEC tokeniser>)``; both include tokenising.
2. The full evaluation (BLEU-1, ROUGE-L, METEOR, Distinct-1/2, NAvg) of long Chinese answers with
   several references each: ``metrics.report`` vs nltk's ``sentence_bleu`` and ``meteor_score`` plus
   rouge-score, the per-sample scores averaged the same way.

Needs the test extras (nltk, rouge-score). Texts are synthetic but shaped like counseling answers:
sentences drawn from one pool, so predictions and references share long subsequences.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from empathy_r1.evaluation import metrics as M

_SENTENCES = [
    "我能感受到你现在非常焦虑和无助。",
    "这段时间你一个人扛了很多，真的辛苦了。",
    "失眠会让情绪变得更加脆弱，这并不是你的错。",
    "你担心自己做得不够好，其实你已经很努力了。",
    "和父母的矛盾让你觉得不被理解。",
    "也许可以试着把担心的事情写下来，一件一件看。",
    "如果情绪持续低落，建议寻求专业心理咨询师的帮助。",
    "你提到总觉得别人都在评价你，这可能是一种读心术式的想法。",
    "工作压力很大的时候，给自己留一点休息的时间很重要。",
    "感情结束后的难过是正常的，需要时间慢慢消化。",
    "你可以试着每天做一点让自己放松的小事，比如散步或听音乐。",
    "考试失利不代表你的全部价值。",
    "有时候我们会把所有问题都归咎于自己，这叫个人化。",
    "你愿意说出来，本身就是一种勇气。",
    "可以和信任的朋友聊聊，不必一个人承受。",
    "AI会不会取代我的工作，这种担心现在很多人都有。",
    "先照顾好自己的睡眠和饮食，再慢慢处理其他的事情。",
    "你希望被理解，而不是被说教，这一点我听到了。",
    "试着问问自己：最坏的情况真的会发生吗？",
    "孤独感很真实，但你并不是唯一有这种感受的人。",
]


def _answer(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    while sum(map(len, out)) < chars:
        out.append(rng.choice(_SENTENCES))
    return "".join(out)[:chars]


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls (the machine is shared: medians, not means)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _reference_tools() -> tuple[Any, Any, Any]:
    from nltk.translate.bleu_score import sentence_bleu
    from nltk.translate.meteor_score import meteor_score
    from rouge_score import rouge_scorer

    class NoSynonyms:  # SPEC: no synonym stage; stands in for WordNet
        def synsets(self, word: str) -> list:
            return []

    class SpecTokenizer:
        def tokenize(self, text: str) -> list[str]:
            return M.tokenize(text)

    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=SpecTokenizer())
    return sentence_bleu, lambda refs, hyp: meteor_score(refs, hyp, wordnet=NoSynonyms()), scorer


def bench_rouge(pairs: int, chars: int, seed: int = 0, repeat: int = 1) -> dict[str, Any]:
    """ROUGE-L on ``pairs`` pairs of ``chars``-character texts: ours vs rouge-score."""
    rng = random.Random(seed)
    data = [(_answer(rng, chars), _answer(rng, chars)) for _ in range(pairs)]
    _, _, scorer = _reference_tools()
    t_ref, ref = _time(lambda: [scorer.score(r, p)["rougeL"].fmeasure for p, r in data], repeat)
    t_ours, ours = _time(lambda: [M.rouge_l(M.tokenize(p), [M.tokenize(r)]) for p, r in data], repeat)
    assert ours == ref, "ROUGE-L differs from rouge-score"
    return {"what": f"ROUGE-L, {pairs} pairs of {chars} chars", "ours_s": t_ours, "ref_s": t_ref, "identical": ours == ref}


def _reference_report(preds: list[str], refs: list[list[str]]) -> dict[str, float]:
    """The report computed with nltk and rouge-score per sample, averaged like ``metrics.report``."""
    sentence_bleu, meteor_score, scorer = _reference_tools()
    b, r, m = [], [], []
    for p, rs in zip(preds, refs, strict=True):
        hyp, rts = M.tokenize(p), [M.tokenize(x) for x in rs]
        b.append(float(sentence_bleu(rts, hyp, weights=(1.0,))) if hyp else 0.0)
        r.append(scorer.score_multi(rs, p)["rougeL"].fmeasure)
        m.append(meteor_score(rts, hyp) if hyp else 0.0)
    toks = [M.tokenize(p) for p in preds]

    def distinct(n: int, texts: list[list[str]] = toks) -> float:  # written independently of metrics.distinct_n
        grams = [tuple(t[i : i + n]) for t in texts for i in range(len(t) - n + 1)]
        return len(set(grams)) / len(grams) if grams else 0.0

    out = {"n": len(preds), "bleu1": math.fsum(b) / len(b), "rougeL": math.fsum(r) / len(r), "meteor": math.fsum(m) / len(m)}
    out.update(distinct1=distinct(1), distinct2=distinct(2))
    out["navg"] = math.fsum([out["bleu1"], out["rougeL"], out["meteor"], out["distinct1"]]) / 4
    for n in (1, 2):
        out[f"distinct{n}_mean"] = math.fsum(distinct(n, [t]) for t in toks) / len(toks)
    out["navg_mean"] = math.fsum([out["bleu1"], out["rougeL"], out["meteor"], out["distinct1_mean"]]) / 4
    return out


def bench_report(answers: int, refs_per: int, chars: int, seed: int = 1) -> dict[str, Any]:
    """The full evaluation of ``answers`` answers with ``refs_per`` references each."""
    rng = random.Random(seed)
    preds = [_answer(rng, chars) for _ in range(answers)]
    refs = [[_answer(rng, rng.randint(chars // 2, chars)) for _ in range(refs_per)] for _ in range(answers)]
    t_ref, ref = _time(lambda: _reference_report(preds, refs), 1)
    t_ours, ours = _time(lambda: M.report(preds, refs), 1)
    assert ours == ref, f"report differs from the reference implementations: {ours} vs {ref}"
    return {
        "what": f"full evaluation, {answers} answers x {refs_per} refs, ~{chars} chars",
        "ours_s": t_ours,
        "ref_s": t_ref,
        "identical": True,
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| measurement | ours (s) | reference (s) | speed-up | values identical |", "|---|---:|---:|---:|:---:|"]
    for r in rows:
        lines.append(
            f"| {r['what']} | {r['ours_s']:.3f} | {r['ref_s']:.3f} | {r['ref_s'] / r['ours_s']:.0f}x | {'yes' if r['identical'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="smallest sizes, for tests")
    parser.add_argument("--pairs", type=int, default=200, help="ROUGE-L pairs")
    parser.add_argument("--answers", type=int, default=1000, help="answers in the full evaluation")
    parser.add_argument("--refs", type=int, default=3, help="references per answer")
    parser.add_argument("--chars", type=int, default=500, help="characters per text")
    args = parser.parse_args(argv)
    if args.smoke:
        args.pairs, args.answers, args.chars = 3, 5, 120
    rows = [bench_rouge(args.pairs, args.chars), bench_report(args.answers, args.refs, args.chars)]
    out = table(rows)
    print(out, end="")
    return out


if __name__ == "__main__":
    main()
