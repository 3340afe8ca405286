"""BENCHMARKS.md from the results of one ``benchmarks.run``: tables, each with the command that made it."""

from __future__ import annotations

import datetime
from typing import Any

__all__ = ["SECTIONS", "markdown", "section"]

_PHASE_NAMES = {
    "generate": "generation (`model.generate`)",
    "embed": "reward model `embed`",
    "rewards_other": "other reward scoring + TRL bookkeeping",
    "ref": "reference forward (KL)",
    "policy_nograd": "policy forward, no grad (old log-probs)",
    "policy_fwd": "policy forward (loss)",
    "backward": "policy backward",
    "optimizer": "optimizer step",
}


def _cmd(only: str, smoke: bool) -> str:
    return f"`python -m benchmarks.run --only {only}{' --smoke' if smoke else ''}`"


def _mfu(flops: float, seconds: float, peak: float) -> str:
    return f"{100 * flops / seconds / peak:.0f}%" if seconds > 0 and flops > 0 else "–"


def _grpo(r: dict[str, Any], smoke: bool) -> list[str]:
    peak = r["peak"]
    peaks = ", ".join(f"{t} thread{'s' if t > 1 else ''}: {p / 1e9:.1f} GFLOP/s" for t, p in sorted(r["peaks"].items()))
    out = [
        "## 1. GRPO step",
        "",
        f"Command: {_cmd('grpo', smoke)}. Machine peak = the faster of `torch.matmul` on two 2048x2048 fp32 matrices "
        f"with torch's default threads and with 1 thread, measured in this run ({peaks}); MFU = model FLOPs / step time / "
        f"{peak / 1e9:.1f} GFLOP/s. Model FLOPs: 2 per multiply-add of every linear layer, logits only where TRL needs them, "
        "attention scores, backward = 2 x forward (`benchmarks/grpo_clock.py`). Phases are read from TRL's public surface: "
        "callbacks, forward hooks on the policy and reference model, and timers around the model's `generate` and the reward "
        "model's `embed`. Medians over the steps after each run's first (warm-up).",
        "",
    ]
    for size in r["sizes"]:
        before, after = size["before"], size["after"]
        b, a, p = before["ours"], after["ours"], after["plain"]
        out += [
            f"### {after['size'].name}: {after['params'] / 1e6:.1f}M matmul parameters; {after['settings']}",
            "",
            f"Before: ours with torch's default {before['threads']} threads; after: ours with 1 thread "
            f"({b['n_steps']} and {a['n_steps']} timed steps).",
            "",
            "| phase | before: s | share | MFU | after: s | share | MFU |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for k, name in _PHASE_NAMES.items():
            if b[k] == 0 and a[k] == 0:
                continue
            out.append(
                f"| {name} | {b[k]:.3f} | {100 * b[k] / b['step']:.0f}% | {_mfu(b[f'flops_{k}'], b[k], peak)} "
                f"| {a[k]:.3f} | {100 * a[k] / a['step']:.0f}% | {_mfu(a[f'flops_{k}'], a[k], peak)} |"
            )
        out += [
            f"| **whole step** | **{b['step']:.3f}** | 100% | **{_mfu(b['flops'], b['step'], peak)}** "
            f"| **{a['step']:.3f}** | 100% | **{_mfu(a['flops'], a['step'], peak)}** |",
            "",
            f"Model FLOPs per step: {a['flops'] / 1e9:.1f} GFLOP. Speed-up of the step, before → after: **{b['step'] / a['step']:.2f}x**.",
            "",
            "Our step (`empathy_r1.training.grpo.run_grpo`, as the pipeline calls it) against a plain TRL GRPOTrainer "
            "script (`benchmarks/grpo_plain.py`: same model directory, prompts, settings"
            f"{'' if not after['unfair'] else ' EXCEPT ' + ', '.join(after['unfair'])}; plain reward functions), 1 thread, "
            f"alternating runs, {a['n_steps']} and {p['n_steps']} timed steps:",
            "",
            "| runner | median step (s) | generation (s) | policy fwd+bwd (s) | ratio ours / plain |",
            "|---|---:|---:|---:|---:|",
            f"| ours | {a['step']:.3f} | {a['generate']:.3f} | {a['policy_fwd'] + a['backward']:.3f} | **{a['step'] / p['step']:.3f}x** |",
            f"| plain TRL | {p['step']:.3f} | {p['generate']:.3f} | {p['policy_fwd'] + p['backward']:.3f} | 1 |",
            "",
        ]
    return out


def _head(r: dict[str, Any], smoke: bool) -> list[str]:
    from benchmarks.head_bench import table

    return [
        "## 1b. LM head on CPU: TRL's fused head vs ours (scores only labelled positions)",
        "",
        f"Command: {_cmd('head', smoke)} (alone: `python -m benchmarks.head_bench`). One training step (forward + backward) "
        f"of the tiny policy, median of {r['repeats']} after a warm-up, {r['threads']} threads. Off Triton devices TRL's head "
        "projects every position, the prompt's too; `empathy_r1.training.compact_head` projects only the trained ones. "
        "Both heads' losses and gradients are compared before timing.",
        "",
        table(r).rstrip(),
        "",
    ]


def _reward(r: dict[str, Any], smoke: bool) -> list[str]:
    base = r["rows"][0]["per_s"]
    out = [
        "## 2. Reward model: answers scored per second",
        "",
        f"Command: {_cmd('reward', smoke)}. The answer reward (frozen multilingual USE + linear head) on {r['n']} "
        f"well-formed CoE completions in {r['batches']} GRPO-shaped batches (2 prompts x G = 4, every prompt seen twice, "
        f"every completion new); median of {r.get('repeats', 1)} rotations. Rewards identical across modes: {'yes' if r['identical'] else 'NO'}.",
        "",
        "| mode | seconds | answers/s | vs no cache |",
        "|---|---:|---:|---:|",
    ]
    out += [f"| {x['mode']} | {x['seconds']:.2f} | {x['per_s']:.1f} | {x['per_s'] / base:.2f}x |" for x in r["rows"]]
    return [*out, ""]


def _metrics(r: dict[str, Any], smoke: bool) -> list[str]:
    from benchmarks.metrics_bench import table

    return [
        "## 3. Metrics: ours vs rouge-score and nltk",
        "",
        f"Command: {_cmd('metrics', smoke)} (it calls `benchmarks/metrics_bench.py`; alone: "
        "`python -m benchmarks.metrics_bench`). Values are asserted identical to the reference implementations.",
        "",
        table(r["rows"]).rstrip(),
        "",
    ]


def _server(r: dict[str, Any], smoke: bool) -> list[str]:
    rows = r["rows"]
    cmds = sorted(
        {
            x["command"].split(" --model ")[0]
            + " --model DIR"
            + x["command"].split(" --port ")[1][x["command"].split(" --port ")[1].find(" ") :]
            for x in rows
        }
    )
    out = [
        "## 4. Server: latency and throughput, batching off and on",
        "",
        f"Command: {_cmd('server', smoke)}. Server: {' and '.join(f'`{c}`' for c in cmds)} on a tiny random "
        f"checkpoint (tiny.yaml's dimensions) in its own process; load: `python -m benchmarks.loadgen` in a second process "
        f"on 127.0.0.1, closed loop, {r['max_tokens']} new tokens per request, greedy.",
        "",
        "| batching | clients | requests | p50 (s) | p95 (s) | requests/s | largest batch |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for x in rows:
        out.append(
            f"| {'on' if x['batching'] else 'off'} | {x['clients']} | {x['n']} | {x['p50']:.3f} | {x['p95']:.3f} | {x['rps']:.2f} | {x.get('largest_batch', '')} |"
        )
    off = {x["clients"]: x for x in rows if not x["batching"]}
    on = {x["clients"]: x for x in rows if x["batching"]}
    ratios = ", ".join(f"{c} clients **{on[c]['rps'] / off[c]['rps']:.2f}x**" for c in sorted(on) if c in off)
    return [*out, "", f"Throughput with batching on / off: {ratios}.", ""]


def _gateway(r: dict[str, Any], smoke: bool) -> list[str]:
    out = [
        "## 4b. Gateway overhead: our server over an engine vs the engine directly",
        "",
        f"Command: {_cmd('gateway', smoke)}. Engine: `transformers serve DIR --device cpu` on a tiny random checkpoint "
        f"(tiny.yaml's dimensions); gateway: `{r['command']}` in its own process; load: `python -m benchmarks.loadgen` in a "
        f"third process, closed loop, {r['max_tokens']} new tokens per request, greedy. The engine is asked with exactly what "
        "the gateway sends it (CoE system prompt, `enable_thinking: false`).",
        "",
        "| target | clients | requests | p50 (s) | p95 (s) | requests/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for x in r["rows"]:
        out.append(f"| {x['target']} | {x['clients']} | {x['n']} | {x['p50']:.3f} | {x['p95']:.3f} | {x['rps']:.2f} |")
    by = {(x["target"], x["clients"]): x for x in r["rows"]}
    notes = []
    for c in sorted({x["clients"] for x in r["rows"]}):
        e, g = by.get(("engine", c)), by.get(("gateway", c))
        if e and g:
            notes.append(
                f"{c} clients: p50 +{1000 * (g['p50'] - e['p50']):.0f} ms, throughput **{g['rps'] / e['rps']:.2f}x** of the engine's"
            )
    return [*out, "", "Gateway / engine: " + "; ".join(notes) + ".", ""]


def _memory(r: dict[str, Any], smoke: bool) -> list[str]:
    out = [
        "## 5. Memory: peak RSS per stage of the tiny pipeline",
        "",
        f"Command: {_cmd('memory', smoke)}. Each stage alone in a fresh process: after one whole run, the stage's folder "
        f"is deleted and `{r['command']}` runs again (the pipeline skips finished stages), its own peak RSS (`VmHWM` from `/proc/PID/status`). "
        "The shortened steps keep the model, batch and sequence shapes of tiny.yaml.",
        "",
        "| stage | peak RSS (MiB) | seconds |",
        "|---|---:|---:|",
    ]
    out += [f"| {x['stage']} | {x['peak_mib']:.0f} | {x['seconds']:.1f} |" for x in r["rows"]]
    out += [
        f"| baseline (every stage done: imports and exit) | {r['baseline_mib']:.0f} | |",
        f"| whole pipeline in one process | {r['whole_mib']:.0f} | {r['whole_s']:.1f} |",
        "",
    ]
    return out


def _safety(r: dict[str, Any], smoke: bool) -> list[str]:
    rows = [
        f"| {name} | {r[name]['p50']:.1f} | {r[name]['p95']:.1f} | {r[name]['p99']:.1f} | {r[name]['short_p95']:.1f} ({r[name]['short_n']}) | "
        f"{r[name]['long_p95']:.1f} ({r[name]['long_n']}) |"
        for name in ("rules", "rules+detector")
    ]
    when = r.get("measured", {})
    return [
        "## 7. Safety: screening one message",
        "",
        f"{_cmd('safety', smoke)}{' on ' + when['date'] if when else ''}: the user turns of the shipped validation corpus "
        f"({r['n']} messages), each screened cold (encoder cache cleared), milliseconds. The aim: p95 under 20 ms with the detector.",
        "",
        "| screener | p50 | p95 | p99 | p95, ≤200 chars (n) | p95, >200 chars (n) |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]


def _gpu() -> list[str]:
    from benchmarks.gpu_estimate import COMPLETION_TOKENS, COMPLETIONS, PROMPT_TOKENS, TRAIN_MFU, estimate

    e = estimate()
    out = [
        "## 6. GPU: ESTIMATE ON PAPER, NOT A MEASUREMENT",
        "",
        "No GPU was lent to this task. Arithmetic for `configs/qwen3-8b.yaml` (Qwen3-8B, G = 4, 1,000 steps, vLLM colocated, "
        f"ZeRO-3, activation checkpointing, 8 x H100 80 GB); assumptions in `benchmarks/gpu_estimate.py`: {COMPLETIONS} "
        f"completions per step, {PROMPT_TOKENS} prompt + {COMPLETION_TOKENS} completion tokens each, training at "
        f"{TRAIN_MFU:.0%} MFU of 989 TFLOP/s bf16 per GPU, decode bound by 3.35 TB/s HBM.",
        "",
        f"- Parameters {e['params'] / 1e9:.2f}B; tokens per step {e['tokens']:,}.",
        "- FLOPs per step: " + ", ".join(f"{k} {v / 1e15:.1f} PFLOP" for k, v in e["flops"].items()) + ".",
        "- Time per step: " + ", ".join(f"{k} ~{v:.1f} s" for k, v in e["seconds"].items()) + f"; **~{e['step_s']:.0f} s/step, "
        f"~{e['run_h']:.1f} h for 1,000 steps** (estimate).",
        "- Memory per GPU: "
        + ", ".join(f"{k} ~{v:.1f} GB" for k, v in e["memory_gb"].items())
        + f"; **~{sum(e['memory_gb'].values()):.0f} GB of 80** (estimate, before allocator slack).",
        "",
    ]
    return out


def _closing(results: dict[str, Any]) -> list[str]:
    """Only what this run's tables show: which phase cost most, and what the thread count did, per size."""
    out = ["## Closing note: the biggest cost, and what was done", ""]
    g = results.get("grpo")
    if not g:
        return out
    for size in g["sizes"]:
        b, a = size["before"]["ours"], size["after"]["ours"]
        top = max(_PHASE_NAMES, key=lambda k: b[k])
        speed = b["step"] / a["step"]
        verdict = "faster" if speed > 1 else "slower"
        out.append(
            f"- {size['after']['size'].name}: the largest phase with torch's default {size['before']['threads']} threads was "
            f"{_PHASE_NAMES[top]} ({100 * b[top] / b['step']:.0f}% of the step); MFU {_mfu(b['flops'], b['step'], g['peak'])}. "
            f"With 1 thread the step was {speed:.2f}x ({verdict}), MFU {_mfu(a['flops'], a['step'], g['peak'])} "
            f"({b['n_steps']} and {a['n_steps']} timed steps; before and after ran one after the other, so the neighbours' load "
            "may differ between them)."
        )
    out += [
        "",
        "What was measured, not profiled: phase times from the hooks above, at torch's default threads and at 1 thread. "
        "The likely cause of the difference is OpenMP threads waiting on cores the neighbours hold, which hurts most in "
        "token-by-token generation (many small ops); this was not confirmed with a profiler. The effect depends on the "
        "neighbours and on the model's size (compare the two sizes above and the two matmul peaks), so no thread change "
        "was made to `training/`; on a shared CPU try `OMP_NUM_THREADS=1` and compare. What was changed: the LM head "
        "(section 1b). Ours scores only the completion positions where TRL's CPU path scores the prompt's too, which is "
        "most of why ours is below plain TRL in policy forward + backward and in the whole step at the tiny size; at the "
        "~50M size the backbone dominates and the two are close. Generation is then the largest share: decoding a token "
        "at a time reads all the weights per token. A larger generation batch (`grpo.steps_per_generation: 4`, 64 "
        "completions a round) was tried in the tiny pipeline and was slower per optimiser step (3.2 s vs 2.5 s, before the head change), so it "
        "stays off by default.",
        "",
    ]
    return out


def markdown(results: dict[str, Any], smoke: bool, argv: list[str] | None) -> str:
    m = results["machine"]
    out = [
        "# Benchmarks",
        "",
        f"Made by `make bench` (= `python -m benchmarks.run --output BENCHMARKS.md`) on "
        f"{datetime.date.today().isoformat()}, {m['cpus']} CPUs ({m['platform']}), in {results['wall_s'] / 60:.1f} minutes.",
        "",
        f"**The machine was shared** with other engineers' processes while this ran (load average at the end "
        f"{m['load'][0]:.1f} / {m['load'][1]:.1f} / {m['load'][2]:.1f} on {m['cpus']} CPUs). Absolute times swing with the "
        "neighbours, so every headline figure is a ratio of two things measured in the same run (against a peer, or "
        "against the machine's matmul peak measured in the same run), and times are medians over repeats.",
        "",
    ]
    if smoke:
        out += ["**SMOKE RUN: smallest sizes; these numbers mean nothing.**", ""]
    for name in SECTIONS:
        if name in results:
            out += section(name, results[name], smoke)
    out += _gpu()
    out += _closing(results)
    return "\n".join(out).rstrip() + "\n"


def section(name: str, result: dict[str, Any], smoke: bool = False) -> list[str]:
    """One benchmark's section of BENCHMARKS.md (its ``## N.`` heading first)."""
    return SECTIONS[name](result, smoke)


SECTIONS = {
    "grpo": _grpo,
    "head": _head,
    "reward": _reward,
    "metrics": _metrics,
    "server": _server,
    "gateway": _gateway,
    "memory": _memory,
    "safety": _safety,
}
