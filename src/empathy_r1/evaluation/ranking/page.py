"""The annotator's ranking page: one self-contained HTML file, no network, no framework.

The tasks travel inside the page as JSON; answers are inserted with ``textContent`` (never as
HTML), so an answer cannot inject markup. Progress is kept in the browser's localStorage, so a
closed tab loses nothing. "Export" downloads ``rankings_annotator_<k>.json`` (and shows it for
copying); when the page is served by ``empathy-r1 rank serve`` it is also saved on the server.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["render_page"]


def _embed(obj: Any) -> str:
    # JSON inside <script>: escape "<" so no "</script>" in an answer can end the block early.
    return json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c")


def render_page(view: dict[str, Any]) -> str:
    """The page for one annotator's view (see ``tasks.annotator_view``)."""
    return _PAGE.replace("__TASKS__", _embed(view)).replace("__TITLE__", f"Ranking · annotator {view['annotator']}")


_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
 body { font: 16px/1.6 system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; color: #222; }
 header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; gap: .5rem; }
 .post { background: #f4f6f8; padding: .8rem 1rem; border-radius: 6px; white-space: pre-wrap; }
 .answer { border: 1px solid #ccd; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0; display: grid; grid-template-columns: 1fr auto; gap: 1rem; }
 .answer .text { white-space: pre-wrap; }
 .answer label { font-weight: 600; }
 nav { display: flex; gap: .5rem; margin: 1rem 0; align-items: center; flex-wrap: wrap; }
 button { font-size: 1rem; padding: .3rem .9rem; }
 #status { color: #555; }
 details { margin: .5rem 0 1rem; }
 textarea { width: 100%; height: 8rem; font-family: monospace; }
 .done { color: #1a7f37; } .todo { color: #b35900; }
</style>
</head>
<body>
<header><h1>排序评估 · Rank the replies</h1><span id="progress"></span></header>
<details open><summary>说明 · Guidance</summary>
<p>阅读求助帖和各条回复，按整体质量从好到差排序（1 = 最好）。综合考虑：
Read the post and the replies; rank them from best (1) to worst, weighing:</p>
<ul id="guidance"></ul>
<p>回复的来源已隐藏，顺序随机。Where each reply comes from is hidden and the order is random.</p>
</details>
<main>
 <h2 id="item-title"></h2>
 <div class="post" id="post"></div>
 <div id="answers"></div>
</main>
<nav>
 <button id="prev">← 上一个 Prev</button>
 <button id="next">下一个 Next →</button>
 <button id="export">导出结果 Export</button>
 <span id="status"></span>
</nav>
<textarea id="export-text" readonly hidden></textarea>
<script type="application/json" id="tasks">__TASKS__</script>
<script>
"use strict";
const T = JSON.parse(document.getElementById("tasks").textContent);
const STORE = "empathy-r1-ranking:" + T.task_set + ":" + T.annotator;
let ranks = JSON.parse(localStorage.getItem(STORE) || "{}");  // sample -> {label: rank}
let at = 0;
const $ = (id) => document.getElementById(id);

for (const [k, v] of Object.entries(T.guidance)) {
  const li = document.createElement("li");
  li.textContent = k + ": " + v;
  $("guidance").appendChild(li);
}

function complete(item) {
  const r = ranks[item.sample] || {};
  const used = item.answers.map((a) => r[a.label]).filter((x) => x);
  return used.length === item.answers.length && new Set(used).size === used.length;
}

function save() { localStorage.setItem(STORE, JSON.stringify(ranks)); }

function show() {
  const item = T.items[at];
  $("item-title").textContent = "第 " + (at + 1) + " / " + T.items.length + " 条 · item " + (at + 1) + " of " + T.items.length;
  $("post").textContent = item.post;
  const box = $("answers");
  box.replaceChildren();
  const r = ranks[item.sample] || (ranks[item.sample] = {});
  for (const a of item.answers) {
    const div = document.createElement("div");
    div.className = "answer";
    const text = document.createElement("div");
    text.className = "text";
    const label = document.createElement("label");
    label.textContent = "回复 " + a.label + "  ";
    text.appendChild(label);
    text.appendChild(document.createTextNode(a.text));
    const sel = document.createElement("select");
    sel.className = "rank";
    sel.dataset.label = a.label;
    sel.setAttribute("aria-label", "rank of reply " + a.label);
    const blank = document.createElement("option");
    blank.value = ""; blank.textContent = "名次 rank";
    sel.appendChild(blank);
    for (let i = 1; i <= item.answers.length; i++) {
      const o = document.createElement("option");
      o.value = String(i); o.textContent = String(i);
      sel.appendChild(o);
    }
    sel.value = r[a.label] ? String(r[a.label]) : "";
    sel.addEventListener("change", () => {
      const v = sel.value ? Number(sel.value) : null;
      // A rank belongs to one reply: taking it from another reply clears that one.
      for (const [lab, rank] of Object.entries(r)) if (lab !== a.label && rank === v) delete r[lab];
      if (v) r[a.label] = v; else delete r[a.label];
      save(); show();
    });
    div.appendChild(text);
    div.appendChild(sel);
    box.appendChild(div);
  }
  const done = T.items.filter(complete).length;
  $("progress").textContent = "已完成 " + done + " / " + T.items.length + " ranked";
  $("progress").className = done === T.items.length ? "done" : "todo";
  $("prev").disabled = at === 0;
  $("next").disabled = at === T.items.length - 1;
}

function result() {
  const rankings = [];
  for (const item of T.items) {
    if (!complete(item)) continue;
    const r = ranks[item.sample];
    const order = item.answers.map((a) => a.label).sort((x, y) => r[x] - r[y]);
    rankings.push({ sample: item.sample, order: order });
  }
  return { task_set: T.task_set, annotator: T.annotator, complete: rankings.length === T.items.length, rankings: rankings };
}

$("prev").addEventListener("click", () => { if (at > 0) { at--; show(); } });
$("next").addEventListener("click", () => { if (at < T.items.length - 1) { at++; show(); } });
$("export").addEventListener("click", async () => {
  const res = result();
  const text = JSON.stringify(res, null, 1);
  const area = $("export-text");
  area.hidden = false; area.value = text;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  a.download = "rankings_annotator_" + T.annotator + ".json";
  document.body.appendChild(a); a.click(); a.remove();
  let msg = "已导出 " + res.rankings.length + " 条 · exported " + res.rankings.length + (res.complete ? "" : " (incomplete)");
  if (location.protocol.startsWith("http")) {
    try {
      const r = await fetch("api/rankings/" + encodeURIComponent(T.annotator), { method: "POST", headers: { "Content-Type": "application/json" }, body: text });
      msg += r.ok ? " · saved on server" : " · server refused: " + r.status;
    } catch (e) { msg += " · server unreachable"; }
  }
  $("status").textContent = msg;
});
show();
</script>
</body>
</html>
"""
