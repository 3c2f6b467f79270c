// jixiao query page: library queries from /queries.json, results from /sparql or /api/run.
"use strict";
const $ = (id) => document.getElementById(id);
let library = [];
let picked = null;  // the library query shown, until the text is edited

function cellText(b) {
  if (!b) return "";
  return b.value;
}

function showResults(doc) {
  const table = $("table");
  table.textContent = "";
  if (doc.boolean !== undefined) {
    table.insertRow().insertCell().textContent = String(doc.boolean);
    return 1;
  }
  const vars = doc.head.vars;
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of doc.results.bindings) {
    const tr = body.insertRow();
    for (const v of vars) tr.insertCell().textContent = cellText(row[v]);
  }
  return doc.results.bindings.length;
}

async function run() {
  const status = $("status");
  status.className = "";
  status.textContent = "…";
  let response;
  if (picked && $("editor").value === picked.query) {
    const params = {};
    for (const input of $("params").querySelectorAll("input")) {
      if (input.value !== "") params[input.name] = input.value;
    }
    response = await fetch("/api/run", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({name: picked.name, params}),
    });
  } else {
    response = await fetch("/sparql", {
      method: "POST",
      headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
      body: $("editor").value,
    });
  }
  if (!response.ok) {
    status.className = "error";
    status.textContent = `${response.status}: ${await response.text()}`;
    return;
  }
  const n = showResults(await response.json());
  const truncated = response.headers.get("X-Jixiao-Truncated") === "true";
  status.textContent = `${n} rows` + (truncated ? " (truncated)" : "");
}

function pick(name) {
  picked = library.find((q) => q.name === name) || null;
  const form = $("params");
  form.textContent = "";
  $("description").textContent = picked ? picked.description : "";
  if (!picked) return;
  $("editor").value = picked.query;
  for (const p of picked.params) {
    const label = document.createElement("label");
    label.textContent = `${p.name} (${p.type}) `;
    const input = document.createElement("input");
    input.name = p.name;
    input.value = p.default ?? "";
    input.title = p.description;
    label.appendChild(input);
    form.appendChild(label);
  }
}

async function init() {
  library = await (await fetch("/queries.json")).json();
  const select = $("examples");
  for (const q of library) {
    const opt = document.createElement("option");
    opt.value = q.name;
    opt.textContent = `${q.title_zh} · ${q.title_en}`;
    select.appendChild(opt);
  }
  select.addEventListener("change", () => pick(select.value));
  $("run").addEventListener("click", () => run().catch((e) => {
    $("status").className = "error";
    $("status").textContent = String(e);
  }));
  document.body.dataset.ready = "true";
}

init();
