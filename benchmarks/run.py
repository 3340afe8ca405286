"""Run the benchmarks and write BENCHMARKS.md.

    python -m benchmarks.run [--output BENCHMARKS.md] [--smoke] [--only grpo,head,reward,metrics,server,gateway,memory,safety]

``make bench`` runs everything at full size (under 20 minutes on the 2-core machine). ``--smoke``
runs every benchmark at its smallest size (what the CI test does); its numbers mean nothing.
``--only X --output BENCHMARKS.md`` re-measures X and keeps the other sections' results from the
JSON beside the report (each section says which run made it).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from benchmarks import report

ALL = ("grpo", "head", "reward", "metrics", "server", "gateway", "memory", "safety")


def _metrics(smoke: bool, tick: Any) -> dict[str, Any]:
    from benchmarks import metrics_bench

    if smoke:
        rows = [metrics_bench.bench_rouge(3, 120), metrics_bench.bench_report(5, 3, 120)]
    else:
        tick("metrics: ROUGE-L, 200 pairs")
        rows = [metrics_bench.bench_rouge(200, 500)]
        tick("metrics: full evaluation, 1,000 answers x 3 references")
        rows.append(metrics_bench.bench_report(1000, 3, 500))
    return {"rows": rows}


def _bench(name: str, smoke: bool, tick: Any) -> dict[str, Any]:
    if name == "grpo":
        from benchmarks import grpo_bench

        return grpo_bench.run(smoke, tick)
    if name == "head":
        from benchmarks import head_bench

        return head_bench.run(smoke, tick)
    if name == "reward":
        from benchmarks import reward_bench

        return reward_bench.run(smoke, tick)
    if name == "metrics":
        return _metrics(smoke, tick)
    if name == "server":
        from benchmarks import server_bench

        return server_bench.run(smoke, tick)
    if name == "gateway":
        from benchmarks import gateway_bench

        return gateway_bench.run(smoke, tick)
    if name == "memory":
        from benchmarks import memory_bench

        return memory_bench.run(smoke, tick)
    if name == "safety":
        from benchmarks import safety_bench

        return safety_bench.run(smoke, tick)
    raise ValueError(name)


def _splice(previous: str, section: list[str]) -> str:
    """``previous`` report with one section (its ``## N.`` heading first) replaced or added."""
    lines = previous.splitlines()
    key = " ".join(section[0].split()[:2])  # "## 7."
    start = next((i for i, line in enumerate(lines) if line.startswith(key + " ")), None)
    if start is None:
        start = end = next((i for i, line in enumerate(lines) if line.startswith("## Closing note")), len(lines))
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join([*lines[:start], *section, *lines[end:]]).rstrip() + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="write the markdown report here")
    parser.add_argument("--smoke", action="store_true", help="smallest sizes: checks that every benchmark runs")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(chosen) - set(ALL)
    if unknown:
        parser.error(f"--only: unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(ALL)}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("EMPATHY_R1_QUIET", "1")

    console = Console(stderr=True)
    results: dict[str, Any] = {}
    started = time.perf_counter()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        for name in chosen:
            task = progress.add_task(name, total=None)
            t0 = time.perf_counter()

            def tick(message: str, task: Any = task) -> None:
                progress.update(task, description=message)

            results[name] = _bench(name, args.smoke, tick)
            results[name]["wall_s"] = time.perf_counter() - t0
            progress.update(task, description=f"{name}: done in {results[name]['wall_s']:.0f} s", total=1, completed=1)
    results["wall_s"] = time.perf_counter() - started
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "load": os.getloadavg()}
    for name in chosen:
        results[name]["measured"] = {"date": time.strftime("%Y-%m-%d"), "load": os.getloadavg()}
    partial = bool(args.output) and not args.smoke and set(chosen) != set(ALL) and args.output.is_file()
    if partial:
        # Re-measure only the chosen sections; every other section stays as its own run wrote it.
        import json

        text = args.output.read_text(encoding="utf-8")
        for name in chosen:
            when = results[name]["measured"]
            note = f"_Re-measured {when['date']} on its own (load average {when['load'][0]:.1f} on {os.cpu_count()} shared CPUs)._"
            lines = report.section(name, results[name])
            text = _splice(text, [*lines[:-1], note, ""] if lines and not lines[-1] else [*lines, note, ""])
        raw_path = args.output.with_suffix(".json")
        raw = json.loads(raw_path.read_text(encoding="utf-8")) if raw_path.is_file() else {}
        results = {**raw, **{name: results[name] for name in chosen}}
    else:
        text = report.markdown(results, smoke=args.smoke, argv=argv)
    if args.output:  # the raw numbers beside the report, so it can be re-rendered without re-measuring
        import json

        args.output.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    if args.output and args.output.exists() and not partial:  # the GPU check's section is written by benchmarks.gpu_check: keep it
        from benchmarks.gpu_check import SECTION

        old = args.output.read_text(encoding="utf-8")
        if SECTION[0] in old and SECTION[1] in old:
            text = text.rstrip() + "\n\n" + old[old.index(SECTION[0]) : old.index(SECTION[1]) + len(SECTION[1])] + "\n"
    if args.output:
        tmp = args.output.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.output)  # no half-written report
        console.print(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")
    else:
        print(text)
    return results


if __name__ == "__main__":
    main()
