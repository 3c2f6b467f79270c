// jixiao query page: YASGUI (vendored, jixiao/web/yasgui.min.js) on this server's /sparql, the query
// library (/queries.json) as named examples with their parameters, the project's prefixes
// (prefixes.js, generated from jixiao/prefixes.py), numbers formatted and sorted as numbers, and a chart
// view of any result with a numeric column (ECharts, vendored). Nothing is loaded from another host.
"use strict";

const PREFIXES = window.JIXIAO_PREFIXES || {};
const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(
  ["integer", "int", "long", "short", "byte", "decimal", "double", "float", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte"].map((t) => XSD + t));
const MARK = "# jixiao 参数 · parameters";
const $ = (id) => document.getElementById(id);

function compact(iri) {
  let best = null;
  for (const [p, ns] of Object.entries(PREFIXES)) {
    if (iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

// "12365000.5" → "12,365,000.5", on the lexical form: no digit is lost to floating point
function groupDigits(lexical) {
  const m = /^([+-]?)(\d+)(\.\d+)?(?:[eE].*)?$/.exec(lexical.trim());
  if (!m || /[eE]/.test(lexical)) return lexical;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "");
}

// -- binding library parameters into the query text (as jixiao.queries.bind_values does) -----------
const IRI_REF = /<[^\s<>"{}|^`\\]*>/y;

function skipOpaque(text, i) {
  const c = text[i];
  if (c === "#") {
    const end = text.indexOf("\n", i);
    return end < 0 ? text.length : end;
  }
  if (c === '"' || c === "'") {
    const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    let j = i + quote.length;
    while (j < text.length && !text.startsWith(quote, j)) j += text[j] === "\\" ? 2 : 1;
    return j + quote.length;
  }
  if (c === "<") {
    IRI_REF.lastIndex = i;
    if (IRI_REF.exec(text)) return IRI_REF.lastIndex;
  }
  return null;
}

// index of the "{" opening the top-level WHERE group
function whereBrace(text) {
  let depth = 0, sawConstruct = false, sawWhere = false;
  const word = /[A-Za-z_]+/y;
  for (let i = 0; i < text.length;) {
    const end = skipOpaque(text, i);
    if (end !== null) { i = end; continue; }
    const c = text[i];
    if (c === "?" || c === "$") {
      word.lastIndex = i + 1;
      i = word.exec(text) ? word.lastIndex : i + 1;
      continue;
    }
    word.lastIndex = i;
    const m = word.exec(text);
    if (m) {
      const w = m[0].toUpperCase();
      if (depth === 0 && w === "CONSTRUCT") sawConstruct = true;
      if (depth === 0 && w === "WHERE") sawWhere = true;
      i = word.lastIndex;
      continue;
    }
    if (c === "{") {
      if (depth === 0 && (sawWhere || !sawConstruct)) return i;
      depth += 1;
    } else if (c === "}") {
      depth -= 1;
    }
    i += 1;
  }
  return -1;
}

// the SPARQL term for a parameter value of its declared type; throws an Error saying why not
function termFor(param, raw) {
  const v = raw.trim();
  const bad = () => new Error(`${param.name}: “${raw}” is not a valid ${param.type}`);
  switch (param.type) {
    case "xsd:string":
      return '"' + raw.replace(/[\\"\n\r\t]/g, (c) => ({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])) + '"';
    case "xsd:decimal": {
      const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(v);
      if (!m || (m[2] === "" && !m[3])) throw bad();
      return `${m[1]}${m[2] || "0"}.${m[3] || "0"}`;
    }
    case "xsd:integer":
      if (!/^[+-]?\d+$/.test(v)) throw bad();
      return v;
    case "xsd:boolean":
      if (!/^(true|false|1|0)$/i.test(v)) throw bad();
      return /^(true|1)$/i.test(v) ? "true" : "false";
    case "xsd:gYear":
      if (!/^\d{4}$/.test(v)) throw bad();
      return `"${v}"^^<${XSD}gYear>`;
    case "xsd:anyURI": {
      let iri = v;
      const c = /^([A-Za-z][\w-]*):([A-Za-z0-9_.-]*)$/.exec(v);
      if (c && PREFIXES[c[1]]) iri = PREFIXES[c[1]] + c[2];
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(iri) || /[\x00-\x20<>"{}|^`\\]/.test(iri)) throw bad();
      return `<${iri}>`;
    }
    default:
      throw bad();
  }
}

function withoutParams(text) {
  return text.split("\n").filter((line) => !line.includes(MARK)).join("\n");
}

// the query text with one VALUES line (marked) as the first element of its WHERE group
function bindParams(text, params, values) {
  const base = withoutParams(text);
  const names = [], terms = [];
  for (const p of params) {
    const raw = values[p.name];
    if (raw === undefined || raw === "") continue;
    names.push(p.name);
    terms.push(termFor(p, raw));
  }
  if (!names.length) return base;
  const at = whereBrace(base);
  if (at < 0) throw new Error("cannot find the WHERE group of the query");
  const order = names.map((n, i) => [n, terms[i]]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const block = `\n  VALUES (${order.map((x) => "?" + x[0]).join(" ")}) { (${order.map((x) => x[1]).join(" ")}) }  ${MARK}`;
  return base.slice(0, at + 1) + block + base.slice(at + 1);
}

// -- YASR: numbers as numbers, and a chart view ---------------------------------------------------
function isNumber(b) {
  return b && b.type !== "uri" && b.type !== "bnode" && NUMERIC.has(b.datatype) && b.value.trim() !== "" && !isNaN(Number(b.value));
}

function patchTable() {
  const Table = Yasgui.Yasr.plugins.table;
  // whole cells by default (YASGUI truncates them to the column width): the "Ellipse" switch still shortens them
  const draw = Table.prototype.draw;
  Table.prototype.draw = function (persistentConfig) {
    return draw.call(this, {isEllipsed: false, ...(persistentConfig || {})});
  };
  const getColumns = Table.prototype.getColumns;
  Table.prototype.getColumns = function () {
    return getColumns.call(this).map((col, i) => {
      if (i === 0) return col;
      const render = col.render;
      return {
        ...col,
        render: (data, type, row, meta) => {
          if (data && data.type !== "uri" && data.datatype === XSD + "boolean" && type === "display") {
            return `<div><span class="nonIri" title="xsd:boolean">${escapeHtml(data.value)}</span></div>`;
          }
          if (isNumber(data)) {
            if (type === "sort" || type === "type") return Number(data.value);
            if (type === "display") {
              return `<div><span class="nonIri jx-num" title="${escapeHtml(data.value)} (${escapeHtml(compact(data.datatype))})">` +
                `${escapeHtml(groupDigits(data.value))}</span></div>`;
            }
          }
          return render(data, type, row, meta);
        },
      };
    });
  };
}

class ChartPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.chart = null;
  }

  vars() {
    const r = this.yasr.results;
    if (!r || r.getType() !== "json" || !r.getVariables || r.getBoolean() !== undefined) return null;
    const bindings = r.getBindings() || [];
    const vars = r.getVariables() || [];
    const numeric = vars.filter((v) => bindings.some((b) => b[v]) && bindings.every((b) => !b[v] || isNumber(b[v])));
    return {bindings, vars, numeric, labels: vars.filter((v) => !numeric.includes(v))};
  }

  canHandleResults() {
    const v = this.vars();
    return !!v && v.bindings.length > 0 && v.numeric.length > 0;
  }

  getIcon() {
    const el = document.createElement("div");
    el.innerHTML = '<svg viewBox="0 0 16 16" width="15" height="15" aria-hidden="true"><rect x="1" y="8" width="3" height="7"/>' +
      '<rect x="6" y="4" width="3" height="11"/><rect x="11" y="1" width="3" height="14"/></svg>';
    return el.firstChild;
  }

  draw() {
    const v = this.vars();
    const panel = document.createElement("div");
    panel.className = "jx-chart-panel";
    const controls = document.createElement("div");
    controls.className = "jx-chart-controls";
    const labelSel = document.createElement("select");
    labelSel.setAttribute("aria-label", "category column");
    for (const name of [...v.labels, "#"]) labelSel.add(new Option(name === "#" ? "# (row)" : name, name));
    // the category: the text column that tells the rows apart best (most distinct values, first on ties)
    const distinct = (name) => new Set(v.bindings.map((b) => (b[name] ? b[name].value : ""))).size;
    labelSel.value = v.labels.reduce((best, name) => (distinct(name) > distinct(best) ? name : best), v.labels[0] || "#");
    const valueBoxes = v.numeric.map((name, i) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = i < 3;
      label.append(box, " " + name);
      return label;
    });
    const kind = document.createElement("select");
    kind.setAttribute("aria-label", "chart type");
    for (const [k, t] of [["bar", "柱状 bar"], ["hbar", "条形 horizontal bar"], ["line", "折线 line"]]) kind.add(new Option(t, k));
    controls.append("类别 · category ", labelSel, "  数值 · values ", ...valueBoxes, "  ", kind);
    const box = document.createElement("div");
    box.className = "jx-chart";
    panel.append(controls, box);
    this.yasr.resultsEl.appendChild(panel);
    const redraw = () => this.render(box, v, labelSel.value, valueBoxes.filter((l) => l.firstChild.checked).map((l) => l.firstChild.value), kind.value);
    for (const el of [labelSel, kind, ...valueBoxes.map((l) => l.firstChild)]) el.addEventListener("change", redraw);
    redraw();
  }

  render(box, v, labelVar, valueVars, kind) {
    if (this.chart) this.chart.dispose();
    const rows = v.bindings.slice(0, 1000);
    const labelOf = (b, i) => {
      if (labelVar === "#") return String(i + 1);
      const t = b[labelVar];
      return t ? (t.type === "uri" ? compact(t.value) : t.value) : "";
    };
    const categories = rows.map(labelOf);
    box.style.height = kind === "hbar" ? `${Math.max(320, categories.length * 22 + 80)}px` : "420px";
    this.chart = echarts.init(box, null, {renderer: "svg"});
    const cat = {type: "category", data: categories, axisLabel: {interval: 0, width: 180, overflow: "truncate", rotate: kind === "hbar" ? 0 : 30}};
    const val = {type: "value", axisLabel: {formatter: (x) => groupDigits(String(x))}};
    this.chart.setOption({
      textStyle: {fontFamily: getComputedStyle(document.body).fontFamily},
      tooltip: {trigger: "axis", valueFormatter: (x) => (x == null ? "—" : groupDigits(String(x)))},
      legend: {top: 0},
      grid: {left: kind === "hbar" ? 200 : 70, right: 30, top: 40, bottom: kind === "hbar" ? 30 : 120},
      xAxis: kind === "hbar" ? val : cat,
      yAxis: kind === "hbar" ? {...cat, inverse: true} : val,
      series: valueVars.map((name) => ({
        name,
        type: kind === "line" ? "line" : "bar",
        data: rows.map((b) => (isNumber(b[name]) ? Number(b[name].value) : null)),
      })),
    });
  }

  download() {
    if (!this.chart) return undefined;
    return {contentType: "image/svg+xml", getData: () => this.chart.renderToSVGString(), filename: "jixiao-chart.svg", title: "Download chart (SVG)"};
  }

  destroy() {
    if (this.chart) this.chart.dispose();
    this.chart = null;
  }
}

// -- the page ------------------------------------------------------------------------------------
let yasgui = null;
let library = [];
const picks = {};  // tab id → {query, values}: the library query a tab was opened with

function prologue() {
  return Object.entries(PREFIXES).map(([p, ns]) => `PREFIX ${p}: <${ns}>`).join("\n");
}

function setupYasgui(endpoint) {
  const Yasqe = Yasgui.Yasqe;
  // prefix completion and auto-declaration from the project's prefixes; no completer that asks
  // another host (the class and property completers query lov.linkeddata.es)
  Yasqe.forkAutocompleter("prefixes", {
    name: "jixiaoPrefixes",
    get: () => Promise.resolve(Object.entries(PREFIXES).map(([p, ns]) => `${p}: <${ns}>`).sort()),
  }, false);
  for (const defaults of [Yasqe.defaults, Yasgui.defaults.yasqe]) {
    defaults.autocompleters.splice(0, defaults.autocompleters.length, "variables", "jixiaoPrefixes");
  }
  patchTable();
  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
  return new Yasgui($("yasgui"), {
    requestConfig: {endpoint, method: "POST"},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {getData: () => [{endpoint}], keys: []},
    populateFromUrl: false,
    yasqe: {value: `${prologue()}\n\nSELECT ?report ?department ?fiscal_year WHERE {\n  GRAPH ?g { ?r a jx:Report ; jx:title ?report ; jx:fiscalYear ?fiscal_year .\n    OPTIONAL { ?r jx:department/jx:canonicalName ?department } }\n}\nORDER BY ?fiscal_year ?report\nLIMIT 100\n`},
    yasr: {prefixes: PREFIXES, pluginOrder: ["table", "chart", "response"], defaultPlugin: "table"},
  });
}

function showPick(tabId) {
  const pick = picks[tabId];
  $("picked").hidden = !pick;
  $("examples").value = pick ? pick.query.name : "";
  if (!pick) return;
  const q = pick.query;
  $("picked-title").textContent = `${q.title_zh} · ${q.title_en}`;
  $("description").textContent = q.description + (q.problems ? "  [问题查找：有结果即有问题 · problem finder]" : "");
  $("example").textContent = q.example || `jixiao query ${q.name}`;
  const form = $("params");
  form.textContent = "";
  for (const p of q.params) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = `${p.name}${p.required ? " *" : ""} (${p.type.replace("xsd:", "")})`;
    const input = document.createElement("input");
    input.name = p.name;
    input.value = pick.values[p.name] ?? "";
    input.placeholder = p.default ?? (p.required ? "required" : "(open)");
    input.title = p.description;
    const help = document.createElement("small");
    help.textContent = p.description;
    input.addEventListener("input", () => rebind(tabId, p.name, input));
    label.append(name, input, help);
    form.appendChild(label);
  }
  const error = document.createElement("p");
  error.id = "param-error";
  error.className = "error";
  form.appendChild(error);
}

function rebind(tabId, name, input) {
  const pick = picks[tabId];
  const tab = yasgui.getTab(tabId);
  pick.values[name] = input.value;
  try {
    tab.getYasqe().setValue(bindParams(tab.getYasqe().getValue(), pick.query.params, pick.values));
    input.removeAttribute("aria-invalid");
    $("param-error").textContent = "";
  } catch (e) {
    input.setAttribute("aria-invalid", "true");
    $("param-error").textContent = e.message;
  }
}

function pick(name) {
  const q = library.find((x) => x.name === name);
  if (!q) return;
  const values = {};
  for (const p of q.params) if (p.default !== null && p.default !== undefined) values[p.name] = String(p.default);
  const tab = yasgui.addTab(true, {name: q.title_zh});
  picks[tab.getId()] = {query: q, values};
  // the #+ header is shown beside the editor (title, description, parameters): the editor gets the query
  const body = q.query.split("\n").filter((line) => !line.startsWith("#+")).join("\n").replace(/^\s+/, "");
  const text = `# ${q.title_zh} · ${q.title_en}  (queries/${q.name}.rq)\n${body}`;
  try {
    tab.getYasqe().setValue(bindParams(text, q.params, values));
  } catch (e) {
    tab.getYasqe().setValue(text);
  }
  showPick(tab.getId());
}

async function init() {
  const endpoint = new URL("/sparql", location.href).href;
  $("endpoint-url").textContent = endpoint;
  yasgui = setupYasgui(endpoint);
  yasgui.on("tabSelect", (_y, tabId) => showPick(tabId));
  library = await (await fetch("/queries.json")).json();
  const groups = [["一般查询 · questions", library.filter((q) => !q.problems)], ["问题查找 · problem finders", library.filter((q) => q.problems)]];
  for (const [title, queries] of groups) {
    const group = document.createElement("optgroup");
    group.label = title;
    for (const q of queries) group.appendChild(new Option(`${q.title_zh} · ${q.title_en}`, q.name));
    $("examples").appendChild(group);
  }
  $("examples").addEventListener("change", (e) => pick(e.target.value));
  window.jixiao = {yasgui, bindParams, termFor, picks};
  document.body.dataset.ready = "true";
}

init().catch((e) => {
  document.body.dataset.ready = "error";
  console.error(e);
});
