"""``empathy-r1 rank serve``: the annotator pages over HTTP, with results saved on the server.

Loopback by default: annotators on other machines need ``--host 0.0.0.0`` and a trusted network.
Saved files land in ``TASKS/rankings/annotator_<k>.json``, where ``rank score`` finds them.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

# Module-level on purpose: FastAPI resolves the string annotations (``from __future__``) here.
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from empathy_r1.errors import UserError
from empathy_r1.evaluation.ranking.score import _read_json_rankings
from empathy_r1.evaluation.ranking.tasks import load_task_set
from empathy_r1.io import write_json

__all__ = ["create_app"]


def create_app(tasks_dir: Path) -> FastAPI:
    tasks_dir = Path(tasks_dir)
    ts = load_task_set(tasks_dir)
    app = FastAPI(title="Empathy-R1 ranking", docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        links = "".join(f'<li><a href="annotator_{html.escape(a)}.html">annotator {html.escape(a)}</a></li>' for a in ts.annotators)
        return f"<!doctype html><meta charset=utf-8><title>Ranking</title><h1>Ranking tasks</h1><ul>{links}</ul>"

    @app.get("/annotator_{annotator}.html", response_class=HTMLResponse)
    def page(annotator: str) -> str:
        if annotator not in ts.annotators:
            raise HTTPException(404, "no such annotator")
        return (tasks_dir / f"annotator_{annotator}.html").read_text(encoding="utf-8")

    @app.post("/api/rankings/{annotator}")
    async def save(annotator: str, request: Request) -> dict[str, Any]:
        if annotator not in ts.annotators:
            raise HTTPException(404, "no such annotator")
        try:
            obj = json.loads(await request.body())
        except json.JSONDecodeError:
            raise HTTPException(400, "not JSON") from None
        if not isinstance(obj, dict) or str(obj.get("annotator")) != annotator:
            raise HTTPException(400, "annotator in the body does not match the URL")
        target = tasks_dir / "rankings" / f"annotator_{annotator}.json"
        staged = tasks_dir / "rankings" / f".check_{annotator}.json"
        write_json(staged, obj)
        try:  # validate exactly as `rank score` will read it
            judgments = _read_json_rankings(staged, ts)
        except UserError as e:
            raise HTTPException(400, e.message) from None
        finally:
            staged.unlink(missing_ok=True)
        write_json(target, obj)
        return {"saved": len(judgments), "path": str(target)}

    return app
