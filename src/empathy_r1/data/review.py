"""Professional review of distilled chains: a local web page to accept, edit or reject each one.

Every decision is appended to ``<output>.review.jsonl`` (id, decision, reviewer, ISO time and
the chain as accepted) and the SFT set ``<output>`` is rewritten atomically from the accepted
ones after each decision, so a reviewer can close the page at any moment and continue later:
decided items are not shown again.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from empathy_r1 import coe
from empathy_r1.data.io import read_records
from empathy_r1.data.schema import COE_KEYS
from empathy_r1.errors import UserError
from empathy_r1.io import append_jsonl, read_log, write_jsonl

__all__ = ["ReviewSession", "create_app"]

_LAYER_NAMES = {**dict(zip(coe.LAYER_KEYS, coe.layer_headings("zh"), strict=True)), "answer": "回复"}


class ReviewSession:
    """Items to review, decisions so far, and the files they live in."""

    def __init__(self, input_path: Path, output: Path, reviewer: str) -> None:
        if not reviewer.strip():
            raise UserError("--reviewer must name the person reviewing")
        self.items, _ = read_records(input_path)
        missing = [i for i, r in enumerate(self.items) if "coe" not in r]
        if missing:
            raise UserError("record has no 'coe' chain to review (run data distill first)", input_path, missing[0] + 1)
        self.output = output
        self.log = output.with_name(output.name + ".review.jsonl")
        self.reviewer = reviewer
        self.decisions: dict[str, dict] = {}
        for d in read_log(self.log):
            if isinstance(d.get("id"), str):
                self.decisions[d["id"]] = d

    def next_item(self) -> dict | None:
        return next((r for r in self.items if r["id"] not in self.decisions), None)

    def counts(self) -> dict[str, int]:
        decided = [d["decision"] for d in self.decisions.values()]
        return {
            "total": len(self.items),
            "done": len(decided),
            "accepted": sum(d in ("accept", "edit") for d in decided),
            "rejected": decided.count("reject"),
        }

    def decide(self, item_id: str, decision: str, chain: dict[str, str] | None = None) -> None:
        """Record one decision; ``chain`` is the (possibly edited) chain for accept/edit."""
        if decision not in ("accept", "edit", "reject"):
            raise ValueError(f"unknown decision {decision!r}")
        item = next((r for r in self.items if r["id"] == item_id), None)
        if item is None:
            raise ValueError(f"unknown item {item_id!r}")
        entry = {"id": item_id, "decision": decision, "reviewer": self.reviewer, "time": datetime.now(UTC).isoformat(timespec="seconds")}
        if decision != "reject":
            chain = chain or item["coe"]
            if decision == "accept":
                chain = item["coe"]
            parsed = coe.parse(coe.render(coe.Chain(**{k: chain[k].strip() for k in COE_KEYS})))
            if not parsed.ok:
                raise ValueError("; ".join(parsed.errors))
            entry["coe"] = {k: chain[k].strip() for k in COE_KEYS}
        self.decisions[item_id] = entry
        append_jsonl(self.log, entry)
        self._write_sft()

    def _write_sft(self) -> None:
        accepted = []
        for item in self.items:
            d = self.decisions.get(item["id"])
            if d and d["decision"] in ("accept", "edit"):
                review = {"reviewer": d["reviewer"], "time": d["time"], "decision": d["decision"]}
                accepted.append({**item, "coe": d["coe"], "review": review})
        write_jsonl(self.output, accepted)


def _page(session: ReviewSession, error: str = "") -> str:
    c = session.counts()
    item = session.next_item()
    head = (
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>CoE review</title>"
        "<style>body{font-family:sans-serif;max-width:860px;margin:2em auto;line-height:1.6}"
        "textarea{width:100%;min-height:4em}.post{white-space:pre-wrap;background:#f5f5f5;padding:1em}"
        ".error{color:#b00}button{margin-right:1em;padding:.4em 1.2em}</style></head><body>"
    )
    status = f"<p id='progress'>{c['done']} / {c['total']} reviewed · accepted {c['accepted']} · rejected {c['rejected']}</p>"
    if item is None:
        return head + "<h1 id='done'>All items reviewed</h1>" + status + "</body></html>"
    esc = html.escape
    fields = "".join(f"<h3>{esc(_LAYER_NAMES[k])}</h3><textarea name='{k}' id='{k}'>{esc(item['coe'][k])}</textarea>" for k in COE_KEYS)
    return (
        head
        + status
        + (f"<p class='error' id='error'>{esc(error)}</p>" if error else "")
        + f"<h1 id='title'>{esc(item.get('title', ''))}</h1><div class='post' id='post'>{esc(item['post'])}</div>"
        + f"<form method='post' action='/decide'><input type='hidden' name='id' value='{esc(item['id'])}'>"
        + fields
        + "<p><button name='decision' value='accept' id='accept'>Accept</button>"
        + "<button name='decision' value='edit' id='edit'>Save edits and accept</button>"
        + "<button name='decision' value='reject' id='reject'>Reject</button></p></form>"
        + f"<p>Reviewer: {esc(session.reviewer)}</p></body></html>"
    )


def create_app(session: ReviewSession) -> FastAPI:
    """The review page: GET / shows the next undecided item; POST /decide records a decision."""
    app = FastAPI(title="Empathy-R1 CoE review")

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return _page(session)

    @app.post("/decide", response_model=None)
    async def decide(request: Request) -> HTMLResponse | RedirectResponse:
        # Parsed by hand: FastAPI's Form() needs python-multipart, one more dependency for five fields.
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True).items()}
        try:
            session.decide(form.get("id", ""), form.get("decision", ""), {k: form.get(k, "") for k in COE_KEYS})
        except (ValueError, TypeError) as e:
            return HTMLResponse(_page(session, error=f"not saved: {e}"), status_code=400)
        return RedirectResponse("/", status_code=303)

    @app.get("/status")
    def status() -> dict[str, int]:
        return session.counts()

    return app
