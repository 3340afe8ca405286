// The chat page: streams from /v1/chat/completions; the answer in front, the four CoE layers
// in a panel that opens on demand, and a crisis reply shown as such with its help lines.
"use strict";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("input");
const send = document.getElementById("send");
const keyInput = document.getElementById("api-key");
const history = [];
let model = null;

keyInput.value = localStorage.getItem("empathy-r1-key") || "";
keyInput.addEventListener("change", () => localStorage.setItem("empathy-r1-key", keyInput.value));

function headers() {
  const h = { "Content-Type": "application/json" };
  if (keyInput.value) h["Authorization"] = "Bearer " + keyInput.value;
  return h;
}

async function loadModel() {
  const r = await fetch("/v1/models", { headers: headers() });
  if (!r.ok) throw new Error((await r.json()).error.message);
  model = (await r.json()).data[0].id;
  document.getElementById("model").textContent = model;
}

function newTurn(text) {
  const node = document.getElementById("turn-template").content.firstElementChild.cloneNode(true);
  node.querySelector(".user").textContent = text;
  log.appendChild(node);
  node.scrollIntoView({ block: "end" });
  return node;
}

function showSafety(turn, safety) {
  const reply = turn.querySelector(".reply");
  reply.dataset.level = safety.level;
  if (safety.crisis) reply.classList.add("crisis");
  if (!safety.help_lines) return;
  const list = turn.querySelector(".help-lines");
  for (const line of safety.help_lines) {
    const li = document.createElement("li");
    li.textContent = `${line.name}：${line.number}` + (line.note ? `（${line.note}）` : "");
    list.appendChild(li);
  }
  turn.querySelector(".help").hidden = false;
}

async function ask(text) {
  const turn = newTurn(text);
  const answer = turn.querySelector(".answer");
  const layers = turn.querySelector(".layers-body");
  history.push({ role: "user", content: text });
  const r = await fetch("/v1/chat/completions", {
    method: "POST", headers: headers(),
    body: JSON.stringify({ model, messages: history, stream: true }),
  });
  if (!r.ok) {
    answer.textContent = "出错了：" + (await r.json()).error.message;
    turn.dataset.done = "error";
    history.pop();
    return;
  }
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, cut).trim();
      buffer = buffer.slice(cut + 2);
      if (!event.startsWith("data:")) continue;
      const data = event.slice(5).trim();
      if (data === "[DONE]") continue;
      const chunk = JSON.parse(data);
      const delta = chunk.choices[0].delta || {};
      if (delta.reasoning_content) layers.textContent += delta.reasoning_content;
      if (delta.content) answer.textContent += delta.content;
      if (chunk.safety) showSafety(turn, chunk.safety);
    }
  }
  history.push({ role: "assistant", content: answer.textContent });
  turn.dataset.done = "true";
  turn.scrollIntoView({ block: "end" });
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send.disabled = true;
  try {
    if (!model) await loadModel();
    await ask(text);
  } catch (err) {
    newTurn(text).querySelector(".answer").textContent = "出错了：" + err.message;
  } finally {
    send.disabled = false;
    input.focus();
  }
});

input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit();
});

loadModel().catch(() => {});
