"""The GPU extra resolves against the pinned stack: pip reads each package's metadata (``--dry-run
--no-deps --report``: PyPI serves wheel metadata on its own, so no wheel is downloaded; deepspeed is an
sdist only, ~1.5 MB, built for its metadata without isolation) and every requirement that names a
pinned package must admit the pinned version. Skipped cleanly when PyPI cannot be reached."""

from __future__ import annotations

import importlib.metadata
import json
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
#: The Makefile installs torch first and explicitly; pyproject only admits it.
TORCH_PIN = "2.13.0"
#: Packages that tie themselves to torch's exact build: their requirements are read too (one level down).
TORCH_TIED = {"torchvision", "torchaudio", "torchcodec", "xformers"}

pytestmark = pytest.mark.network


def pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


def pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out = {"torch": TORCH_PIN}
    for line in project["dependencies"]:
        req = Requirement(line)
        exact = [s.version for s in req.specifier if s.operator == "=="]
        if exact:
            out[canonicalize_name(req.name)] = exact[0]
    return out


def gpu_extra() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["optional-dependencies"]["gpu"]]


def metadata(requirement: str, tmp_path: Path) -> dict:
    report = tmp_path / f"{canonicalize_name(Requirement(requirement).name)}.json"
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed", "--no-build-isolation"]
    r = subprocess.run([*cmd, "--quiet", "--report", str(report), requirement], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        if any(s in r.stderr for s in ("NewConnectionError", "Network is unreachable", "Temporary failure in name resolution")):
            pytest.skip("PyPI unreachable")
        raise AssertionError(f"pip could not resolve {requirement}:\n{r.stderr[-2000:]}")
    [item] = json.loads(report.read_text(encoding="utf-8"))["install"]
    return item["metadata"]


def conflicts(meta: dict, pinned: dict[str, str]) -> list[str]:
    bad = []
    for line in meta.get("requires_dist") or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in pinned and not req.specifier.contains(pinned[name], prereleases=True):
            bad.append(f"{meta['name']} {meta['version']} needs {req}, pinned {name}=={pinned[name]}")
    return bad


def test_gpu_extra_is_pinned_and_vllm_is_in_trls_range():
    extra = {canonicalize_name(r.name): r for r in gpu_extra()}
    assert set(extra) == {"vllm", "deepspeed"}
    assert all(any(s.operator == "==" for s in r.specifier) for r in extra.values()), "pin the GPU extra exactly"
    trl_vllm = [Requirement(r) for r in importlib.metadata.requires("trl") or [] if r.startswith("vllm")]
    [vllm_pin] = [s.version for s in extra["vllm"].specifier]
    assert trl_vllm and all(r.specifier.contains(vllm_pin) for r in trl_vllm), f"TRL supports {trl_vllm}, the extra pins {vllm_pin}"


def test_gpu_extra_resolves_without_replacing_a_pinned_package(tmp_path):
    if not pypi_reachable():
        pytest.skip("PyPI unreachable")
    pinned = pins()
    assert {"torch", "transformers", "trl", "peft", "accelerate", "datasets"} <= set(pinned)
    bad, seen = [], set()
    for req in gpu_extra():
        meta = metadata(str(req), tmp_path)
        bad += conflicts(meta, pinned)
        for line in meta.get("requires_dist") or []:
            dep = Requirement(line)
            name = canonicalize_name(dep.name)
            if name in TORCH_TIED and name not in seen and (dep.marker is None or dep.marker.evaluate({"extra": ""})):
                seen.add(name)
                bad += conflicts(metadata(str(dep), tmp_path), pinned)
    assert not bad, "\n".join(bad)
    assert "torchvision" in seen  # vLLM's torch-tied packages were read too
