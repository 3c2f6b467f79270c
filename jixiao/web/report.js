// jixiao report and corpus pages (jixiao/reportpage.py writes them): charts with the vendored ECharts
// (SVG), a click on a figure shows its triples, a click on a finding or a budget cell jumps to the text.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("jx-data").textContent);
  const font = getComputedStyle(document.body).fontFamily;
  const group = (x) => (x == null ? "—" : Number(x).toLocaleString("en-US", {maximumFractionDigits: 2}));

  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    const c = echarts.init(el, null, {renderer: "svg"});
    c.setOption({textStyle: {fontFamily: font}, animation: false, ...option});
    window.addEventListener("resize", () => c.resize());
    return c;
  }

  function flash(nodes) {
    for (const n of document.querySelectorAll("#text .flash")) n.classList.remove("flash");
    if (!nodes.length) return;
    for (const n of nodes) n.classList.add("flash");
    nodes[0].scrollIntoView({block: "center"});
  }

  function showFigure(id) {
    const fig = data.figures[id];
    if (!fig) return;
    for (const n of document.querySelectorAll("#text .picked")) n.classList.remove("picked");
    const nodes = Array.from(document.querySelectorAll("#text [data-f]")).filter((n) => n.dataset.f.split(" ").includes(id));
    for (const n of nodes) n.classList.add("picked");
    document.getElementById("picked-figure").textContent = `${fig.form} — ${fig.iri}`;
    document.getElementById("figure-ttl").textContent = fig.ttl;
    return nodes;
  }

  function reportPage() {
    const text = document.getElementById("text");
    text.addEventListener("click", (ev) => {
      const seg = ev.target.closest("[data-f]");
      if (seg) showFigure(seg.dataset.f.split(" ")[0]);  // the innermost figure at that place
    });
    for (const a of document.querySelectorAll("a.jump[data-fig]")) {
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        const ids = a.dataset.fig.split(" ");
        showFigure(ids[0]);
        flash(Array.from(text.querySelectorAll("[data-f]")).filter((n) => n.dataset.f.split(" ").some((f) => ids.includes(f))));
      });
    }
    const jumpToQuote = (q) => flash(Array.from(text.querySelectorAll("[data-q]")).filter((n) => n.dataset.q.split(" ").includes(q)));
    for (const el of document.querySelectorAll(".finding[data-q], a.jump[data-q]")) {
      el.addEventListener("click", (ev) => {
        ev.preventDefault();
        ev.stopPropagation();
        jumpToQuote(el.dataset.q);
      });
    }
    const ind = data.indicators;
    if (ind.length) {
      const w = data.words;
      chart("indicator-chart", {
        tooltip: {
          trigger: "axis",
          formatter: (ps) => {
            const i = ind[ps[0].dataIndex];
            return `${i.name}<br>${w.target}: ${i.target ?? "—"}<br>${w.actual}: ${i.actual ?? "—"}<br>${w.attainment}: ${group(i.attainment)}%`;
          },
        },
        grid: {left: 200, right: 60, top: 20, bottom: 30},
        xAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
        yAxis: {type: "category", inverse: true, data: ind.map((i) => i.name), axisLabel: {width: 185, overflow: "truncate"}},
        series: [{
          type: "bar",
          name: w.attainment,
          data: ind.map((i) => ({
            value: i.attainment,
            itemStyle: {color: (i.lower_is_better ? i.attainment <= 100 : i.attainment >= 100) ? "#3a7d44" : "#c0392b"},
          })),
          label: {show: true, position: "right", formatter: (p) => `${group(p.value)}%`},
          markLine: {symbol: "none", silent: true, lineStyle: {color: "#20415f", type: "dashed"}, data: [{xAxis: 100}],
            label: {formatter: "100%"}},
        }],
      });
    }
  }

  function corpusPage() {
    const rows = data.rows;
    const departments = Array.from(new Set(rows.map((r) => r.department))).sort();
    const years = Array.from(new Set(rows.map((r) => r.year))).sort();
    const series = (key) => years.map((y) => ({
      name: y,
      type: "bar",
      data: departments.map((d) => {
        const r = rows.find((x) => x.department === d && x.year === y);
        return r && r[key] != null ? r[key] : null;
      }),
    }));
    for (const [id, key] of [["rate-chart", "rate"], ["met-chart", "met_share"]]) {
      chart(id, {
        tooltip: {trigger: "axis", valueFormatter: (v) => (v == null ? "—" : `${group(v)}%`)},
        legend: {top: 0},
        grid: {left: 220, right: 40, top: 36, bottom: 30},
        xAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
        yAxis: {type: "category", inverse: true, data: departments, axisLabel: {width: 205, overflow: "truncate"}},
        series: series(key),
      });
    }
  }

  if (data.page === "report") reportPage();
  else if (data.page === "corpus") corpusPage();
  document.body.dataset.ready = "true";
})();
