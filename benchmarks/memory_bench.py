"""Memory: peak resident set size of each stage of the tiny pipeline.

    python -m benchmarks.run --only memory [--smoke]

The pipeline is resumable: a stage whose ``DONE`` marker exists is skipped. So each stage runs
alone in a fresh process: one ``empathy-r1 pipeline`` run leaves every marker, then for each stage
in order its marker is removed and the same command runs again, doing that stage only; the peak
RSS of that child (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` grows to the largest child's)
is that child's own ``VmHWM`` (see :func:`_child`). The baseline is the same command when every stage is done (imports, config, exit).

To fit the benchmark's time budget the stages are shortened (the shapes of the model, batches and
sequences are tiny.yaml's; only the number of steps, prompts and posts shrink): see ``OVERRIDES``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["OVERRIDES", "run"]

OVERRIDES = ("data.source=sample", "sft.max_steps=8", "grpo.max_steps=2", "eval.n=4", "pipeline.evaluate=[grpo]")
SMOKE = ("data.source=sample", "pipeline.stages=[data]")
STAGES = ("data", "sft", "reward", "grpo", "eval", "report")


def _child(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; (peak RSS in MiB, seconds) of that child alone.

    The peak is the child's ``VmHWM`` in ``/proc/PID/status``, read every 20 ms until it exits
    (VmHWM never decreases, so the last reading is the peak up to then). ``ru_maxrss`` from
    ``wait4`` would not do: Linux carries the forking parent's high-water mark across exec, and
    this parent has torch loaded.
    """
    env = os.environ | {"HF_HUB_OFFLINE": "1", "EMPATHY_R1_QUIET": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = Path(f"/proc/{proc.pid}/status")
    peak_kib = 0
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kib = max(peak_kib, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return peak_kib / 1024, seconds


def run(smoke: bool, tick: Callable[[str], None] = print) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    overrides = SMOKE if smoke else OVERRIDES
    exe = str(Path(sys.executable).parent / "empathy-r1")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        out = Path(tmp) / "run"
        cmd = [exe, "pipeline", "--config", str(root / "configs" / "tiny.yaml"), "--output", str(out)]
        for o in overrides:
            cmd += ["--set", o]
        tick("memory: whole pipeline, one process")
        whole_mib, whole_s = _child(cmd)
        rows = []
        for stage in ("data", "report") if smoke else STAGES:
            tick(f"memory: {stage} alone")
            shutil.rmtree(out / stage)  # all of it: eval, for one, skips policies it finds evaluated
            mib, seconds = _child(cmd)
            rows.append({"stage": stage, "peak_mib": mib, "seconds": seconds})
        tick("memory: baseline (every stage done)")
        base_mib, _ = _child(cmd)
    shown = ["empathy-r1", "pipeline", "--config", "configs/tiny.yaml", "--output", "DIR", *(x for o in overrides for x in ("--set", o))]
    return {
        "rows": rows,
        "whole_mib": whole_mib,
        "whole_s": whole_s,
        "baseline_mib": base_mib,
        "command": " ".join(shown),
    }
