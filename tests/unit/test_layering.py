"""The package's import graph: no cycle between subpackages, and the pure core stays pure.

Read from the source (every ``import``, function-level ones included), not from ``sys.modules``,
so an import hidden in a function body counts too.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

PKG = Path(__file__).parents[2] / "src" / "empathy_r1"


def _unit(module: str) -> str:
    """The top-level part under empathy_r1: ``empathy_r1.evaluation.run`` -> ``evaluation``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("empathy_r1"):
            out |= {f"empathy_r1.{a.name}" for a in node.names} if node.module == "empathy_r1" else {node.module}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("empathy_r1.")}
    return out


def _graph() -> dict[str, dict[str, list[str]]]:
    """unit -> imported unit -> the files that import it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        unit = _unit(".".join(rel.parts))
        for target in _imports(path):
            if _unit(target) != unit:
                graph[unit][_unit(target)].append(str(path.relative_to(PKG)))
    return graph


def _cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*stack, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_import_cycle_between_subpackages():
    graph = _graph()
    cycle = _cycle(graph)
    if cycle:
        edges = [f"{a} -> {b} ({', '.join(sorted(set(graph[a][b])))})" for a, b in itertools.pairwise(cycle)]
        raise AssertionError("import cycle: " + "; ".join(edges))


def test_the_pure_core_does_not_reach_training_or_serving():
    graph = _graph()
    for unit in ("coe", "rewards", "io", "text", "prompts", "errors", "safety"):
        assert not {"training", "serving", "cli"} & set(graph.get(unit, {})), (unit, dict(graph.get(unit, {})))
    assert "training" not in graph["serving"] and "training" not in graph["evaluation"]
