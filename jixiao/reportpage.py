"""The report page and the corpus page (``jixiao report``, and ``/report`` and ``/corpus`` in ``jixiao serve``).

A report page shows one report: who and when (identity), the budget table as read (every cell the
stated figure, as printed, linked to where it stands), the indicators' actual against target as a
chart, the data-quality findings, and the source text with every extracted figure highlighted.
Clicking a figure shows its triples (Turtle); clicking a finding jumps to its quote.

What the page shows is read by jixiao/reportdata.py (``build``); this module draws it.

The corpus page charts the library query ``execution-and-attainment``: execution rate and indicator
attainment by department and year.

Charts are drawn by ECharts (vendored, ``jixiao/web/echarts.min.js``) into SVG; a page written to a
file inlines it and ``jixiao/web/report.js``; a served page loads them from ``/static/``.
"""

from __future__ import annotations

import html
import itertools
import json
from decimal import Decimal
from urllib.parse import quote

from jixiao.pagekit import BASE_CSS, inline_script
from jixiao.prefixes import compact
from jixiao.reportdata import PHASES, Page, label

WORDS = {
    "zh": {
        "title": "报告",
        "identity": "报告概况",
        "department": "部门",
        "year": "财政年度",
        "kind": "报告类型",
        "file": "来源文件",
        "score": "自评得分",
        "grade": "自评等级",
        "counts": "读出",
        "counts_v": "{sections} 个章节，{figures} 个数字，{indicators} 个指标",
        "budget": "预算执行表（按原文）",
        "budget_note": "金额单位：{unit}；每格为原文所写的数字，点击跳到原文。执行率按调整后预算计算。",
        "line": "预算科目",
        "approved": "年初/下达预算",
        "addition": "追加",
        "cut": "压减",
        "revised": "调整后预算",
        "executed": "支出",
        "rate": "执行率（计算）",
        "stated_rate": "执行率（原文）",
        "indicators": "绩效指标：完成值与指标值",
        "indicator": "指标",
        "category": "类别",
        "target": "指标值",
        "actual": "完成值",
        "attainment": "完成率",
        "no_indicators": "未读出绩效指标。",
        "findings": "数据质量发现",
        "no_findings": "未发现违规、警告或提示。",
        "text": "原文",
        "text_note": "高亮为抽取出的数字，点击查看其三元组；带下划线的是发现所引用的原文。",
        "text_pieced": "没有原文件：以下原文由图中各片段的引文拼接而成，缺口以 ⋯ 表示。",
        "triples": "三元组",
        "pick": "点击原文中的高亮数字查看其三元组。",
        "corpus_title": "各部门各年度预算执行率与指标完成情况",
        "rate_chart": "整体支出执行率（%）",
        "met_chart": "指标完成比例（%，完成值达到指标值的定量指标所占比例）",
        "report": "报告",
        "adjusted": "调整后预算（元）",
        "spending": "支出（元）",
        "met": "达标",
        "met_share": "达标比例",
        "reports_n": "共 {n} 份报告",
        "corpus_note": "每份报告一行：整体支出的调整后预算、支出与执行率（按调整后预算计算），以及定量指标中完成值达到"
        "指标值的比例（≥、>、=：完成值不低于指标值；≤、<：不高于）。数据来自查询库的 execution-and-attainment。",
    },
    "en": {
        "title": "Report",
        "identity": "Identity",
        "department": "department",
        "year": "fiscal year",
        "kind": "kind",
        "file": "source file",
        "score": "self-evaluation score",
        "grade": "self-evaluation grade",
        "counts": "read",
        "counts_v": "{sections} sections, {figures} figures, {indicators} indicators",
        "budget": "Budget table as read",
        "budget_note": "Amounts in {unit}; each cell is the figure as the report prints it (click: its place in "
        "the text). The computed rate uses the adjusted budget.",
        "line": "budget line",
        "approved": "appropriation",
        "addition": "additions",
        "cut": "cuts",
        "revised": "adjusted (stated)",
        "executed": "spending",
        "rate": "rate (computed)",
        "stated_rate": "rate (stated)",
        "indicators": "Indicators: actual against target",
        "indicator": "indicator",
        "category": "category",
        "target": "target",
        "actual": "actual",
        "attainment": "attainment",
        "no_indicators": "No performance indicators were read.",
        "findings": "Data-quality findings",
        "no_findings": "No violation, warning or info.",
        "text": "Source text",
        "text_note": "Highlighted: the figures read (click one for its triples); underlined: text a finding quotes.",
        "text_pieced": "The source file is not at hand: the text below is pieced together from the quotes of "
        "the graph's spans; gaps are marked ⋯.",
        "triples": "Triples",
        "pick": "Click a highlighted figure in the text to see its triples.",
        "corpus_title": "Execution rate and indicator attainment by department and year",
        "rate_chart": "Execution rate of whole spending (%)",
        "met_chart": "Indicators met (% of quantitative indicators whose actual reached the target)",
        "report": "report",
        "adjusted": "adjusted budget (yuan)",
        "spending": "spending (yuan)",
        "met": "met",
        "met_share": "share met",
        "reports_n": "{n} report(s)",
        "corpus_note": "One row per report: the whole spending's adjusted budget, spending and execution rate "
        "(computed on the adjusted budget), and the share of quantitative indicators whose actual reached the "
        "target (≥, >, =: at least the target; ≤, <: at most). From the library query execution-and-attainment.",
    },
}

CSS = (
    BASE_CSS
    + """
body{margin:0;color:#222;background:#fff}
header.top{background:#20415f;color:#fff;padding:.6em 1.2em}header.top h1{font-size:1.25em;margin:0}
header.top a{color:#d6e6f5}
main{padding:0 1.2em 2em;max-width:100em}
h2{font-size:1.1em;border-bottom:2px solid #20415f;padding-bottom:.15em;margin:1.4em 0 .5em}
dl.identity{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:.4em 0}
dl.identity dt{color:#555}dl.identity dd{margin:0}
table{border-collapse:collapse;font-size:.92em}th,td{border:1px solid #d6d6d6;padding:.2em .5em;vertical-align:top}
th{background:#eef2f6;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.conflict{background:#fde8e4}.note{color:#555;font-size:.9em}
a.jump{color:#1a5fb4;text-decoration:none;border-bottom:1px dotted #1a5fb4;cursor:pointer}
.chart{width:100%;min-height:200px}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(18em,2fr);gap:1.2em;align-items:start}
#text{white-space:pre-wrap;line-height:1.7;border:1px solid #ddd;padding:.8em 1em;max-height:70vh;overflow:auto;
background:#fcfcfc}
#text .fig{background:#ffe58a;cursor:pointer;border-radius:2px}#text .fig.nested{background:#ffd24d}
#text .q{border-bottom:2px solid #c0392b}#text .gap{color:#999}
#text .flash{outline:3px solid #c0392b;background:#ffc6bd}#text .picked{outline:2px solid #1a5fb4}
#triples{position:sticky;top:.5em}#triples pre{white-space:pre-wrap;word-break:break-all;font-size:.8em;
background:#f6f8fa;border:1px solid #ddd;padding:.5em;max-height:70vh;overflow:auto}
.finding{border-left:5px solid #999;padding:.3em .7em;margin:.4em 0;background:#fafafa;cursor:pointer}
.finding:hover{background:#f0f4f8}.Violation{border-color:#c0392b}.Warning{border-color:#e67e22}
.Info{border-color:#2980b9}.finding .meta{color:#555;font-size:.88em}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
"""
)


# -- the text with its figures and quotes ------------------------------------------------------
def marked_text(page: Page) -> str:
    """The text as HTML: each stretch covered by figures and/or finding quotes is one span naming them
    (``data-f`` figure ids, innermost first; ``data-q`` quote ids); gaps of a pieced text as ⋯."""
    ranges = [(f["start"], f["end"], f["id"]) for f in page.figures] + [
        (s, e, f"q{i}") for i, (s, e) in enumerate(page.quotes)
    ]
    out: list[str] = []
    for n, (offset, text) in enumerate(page.pieces):
        if n:
            out.append('<span class="gap">\n⋯\n</span>')
        end = offset + len(text)
        cuts = {offset, end}
        for s, e, _ in ranges:
            if s < end and e > offset and s < e:
                cuts.update((max(s, offset), min(e, end)))
        bounds = sorted(cuts)
        for a, b in itertools.pairwise(bounds):
            chunk = html.escape(text[a - offset : b - offset])
            over = sorted((e - s, rid) for s, e, rid in ranges if s <= a and e >= b and s < e)
            figs = [rid for _, rid in over if rid.startswith("f")]
            qs = [rid for _, rid in over if rid.startswith("q")]
            if not figs and not qs:
                out.append(chunk)
                continue
            classes = (["fig"] if figs else []) + (["nested"] if len(figs) > 1 else []) + (["q"] if qs else [])
            attrs = f' data-f="{" ".join(figs)}"' if figs else ""
            attrs += f' data-q="{" ".join(qs)}"' if qs else ""
            out.append(f'<span class="{" ".join(classes)}" data-at="{a}"{attrs}>{chunk}</span>')
    return "".join(out)


# -- rendering ---------------------------------------------------------------------------------
def _jumps(figs: list[dict], fig_ids: dict[str, str]) -> str:
    """The stated figures of a cell: each distinct value once, as first printed, linked to every place
    that states it (×n when the report states it n times)."""
    e = html.escape
    by_value: dict = {}
    for x in figs:
        by_value.setdefault(x.get("value", x["form"]), []).append(x)
    links = []
    for same in by_value.values():
        ids = " ".join(fig_ids.get(x["iri"], "") for x in same)
        times = f"<sup>×{len(same)}</sup>" if len(same) > 1 else ""
        links.append(f'<a class="jump" data-fig="{ids}">{e(same[0]["form"].replace(chr(10), " "))}</a>{times}')
    return " / ".join(links)


def _budget_html(page: Page, w: dict) -> str:
    e = html.escape
    if not page.budget:
        return ""
    fig_ids = {f["iri"]: f["id"] for f in page.figures}
    head = "".join(f"<th>{e(w[p])}</th>" for p in PHASES)
    rows = []
    for line in page.budget:
        tds = []
        for p in PHASES:
            figs = line["cells"].get(p, [])
            cls = "n conflict" if len({x["value"] for x in figs}) > 1 else "n"
            tds.append(f'<td class="{cls}">{_jumps(figs, fig_ids)}</td>')
        rate = _percent(line["rate"])
        rows.append(
            f"<tr><td>{e(line['line'])}</td>{''.join(tds)}<td class='n'>{e(rate)}</td>"
            f"<td class='n'>{_jumps(line['stated_rate'], fig_ids)}</td></tr>"
        )
    return (
        f'<section id="budget"><h2>{e(w["budget"])}</h2>'
        f'<p class="note">{e(w["budget_note"].format(unit=page.unit))}</p>'
        f"<table><thead><tr><th>{e(w['line'])}</th>{head}<th>{e(w['rate'])}</th><th>{e(w['stated_rate'])}</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _percent(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}%"


def _indicators_html(page: Page, w: dict) -> str:
    e = html.escape
    if not page.indicators:
        return f'<section id="indicators"><h2>{e(w["indicators"])}</h2><p>{e(w["no_indicators"])}</p></section>'
    rows = "".join(
        f"<tr><td>{e(str(i.get('indicator') or ''))}</td><td>{e(str(i.get('category') or ''))}</td>"
        f"<td>{e(str(i.get('target_text') or ''))}</td><td>{e(str(i.get('actual_text') or ''))}</td>"
        f"<td class='n'>{_percent(i.get('attainment'))}</td></tr>"
        for i in page.indicators
    )
    charted = sum(1 for i in page.indicators if i.get("attainment") is not None)
    height = max(160, 34 * charted + 70)
    return (
        f'<section id="indicators"><h2>{e(w["indicators"])}</h2>'
        + (f'<div id="indicator-chart" class="chart" style="height:{height}px"></div>' if charted else "")
        + f"<table><thead><tr><th>{e(w['indicator'])}</th><th>{e(w['category'])}</th><th>{e(w['target'])}</th>"
        f"<th>{e(w['actual'])}</th><th>{e(w['attainment'])}</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _findings_html(page: Page, w: dict) -> str:
    from jixiao.reporting import HEADINGS

    e = html.escape
    if not page.findings:
        return f'<section id="findings"><h2>{e(w["findings"])}</h2><p>{e(w["no_findings"])}</p></section>'
    items = []
    for f in page.findings:
        quotes = " · ".join(
            f'<a class="jump" data-q="{s["q"]}">{e(s["quote"].replace(chr(10), " "))}</a>' for s in f["sources"]
        )
        first = f["sources"][0]["q"] if f["sources"] else ""
        items.append(
            f'<div class="finding {e(f["severity"])}" data-q="{first}"><div>{e(f["message"])}</div>'
            f'<div class="meta">{e(HEADINGS[page.lang][f["severity"]])} · {e(f["family"])} · {e(f["shape"])} · '
            f"{e(f['focus'])}</div><div class='meta'>{quotes}</div></div>"
        )
    return f'<section id="findings"><h2>{e(w["findings"])} ({len(page.findings)})</h2>{"".join(items)}</section>'


def _identity_html(page: Page, w: dict) -> str:
    e = html.escape
    i = page.identity
    counts = w["counts_v"].format(
        sections=i.get("sections", ""), figures=i.get("figures", ""), indicators=i.get("indicators", "")
    )
    sha = str(i.get("sha256") or "")
    rows = [
        (w["department"], i.get("department")),
        (w["year"], i.get("fiscal_year")),
        (w["kind"], i.get("kind")),
        (w["file"], f"{i.get('file') or ''}  (SHA-256 {sha[:12]}…)" if sha else i.get("file")),
        (w["score"], i.get("self_score")),
        (w["grade"], i.get("self_grade")),
        (w["counts"], counts),
        ("graph", compact(page.graph)),
    ]
    body = "".join(f"<dt>{e(k)}</dt><dd>{e(label(v, page.lang))}</dd>" for k, v in rows if v not in (None, ""))
    return f'<section id="identity"><h2>{e(w["identity"])}</h2><dl class="identity">{body}</dl></section>'


def _json_script(element_id: str, data) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _scripts(inline: bool) -> str:
    if inline:
        return inline_script("echarts.min.js") + inline_script("report.js")
    return '<script src="/static/echarts.min.js"></script><script src="/static/report.js"></script>'


def _shell(title: str, body: str, data: dict, inline: bool, lang: str, nav: str = "") -> str:
    e = html.escape
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{e(title)}</h1>{nav}</header><main>{body}</main>'
        f"{_json_script('jx-data', data)}{_scripts(inline)}</body></html>\n"
    )


def render(page: Page, *, inline: bool = True, nav: str = "") -> str:
    """The report page's HTML; ``inline``: scripts inlined (a file that works anywhere, offline)."""
    w = WORDS[page.lang]
    e = html.escape
    title = str(page.identity.get("report") or compact(page.graph))
    text_note = w["text_note"] + (" " + w["text_pieced"] if page.pieced else "")
    body = (
        _identity_html(page, w)
        + _budget_html(page, w)
        + _indicators_html(page, w)
        + _findings_html(page, w)
        + f'<section id="source"><h2>{e(w["text"])}</h2><p class="note">{e(text_note)}</p>'
        f'<div class="cols"><div id="text">{marked_text(page)}</div>'
        f'<aside id="triples"><h3>{e(w["triples"])}</h3><p id="picked-figure" class="note">{e(w["pick"])}</p>'
        f'<pre id="figure-ttl"></pre></aside></div></section>'
    )
    data = {
        "page": "report",
        "lang": page.lang,
        "words": {k: w[k] for k in ("target", "actual", "attainment", "indicator")},
        "figures": {f["id"]: {"iri": f["iri"], "form": f["form"], "ttl": f["ttl"]} for f in page.figures},
        "indicators": [
            {
                "name": i.get("indicator"),
                "attainment": None if i.get("attainment") is None else float(i["attainment"]),
                "target": i.get("target_text"),
                "actual": i.get("actual_text"),
                "lower_is_better": i["lower_is_better"],
            }
            for i in page.indicators
            if i.get("attainment") is not None
        ],
    }
    return _shell(f"{w['title']} · {title}", body, data, inline, page.lang, nav)


# -- the corpus page ---------------------------------------------------------------------------
def render_corpus(
    rows: list[dict], lang: str = "zh", *, inline: bool = True, links: dict[str, str] | None = None, nav: str = ""
) -> str:
    """The corpus page: execution rate and indicator attainment by department and year (charts, then the
    table). ``links``: report title → URL of its report page (in ``jixiao serve``)."""
    w = WORDS[lang]
    e = html.escape
    links = links or {}

    def num(v, digits=2):
        return "" if v is None else f"{Decimal(v):,.{digits}f}"

    body_rows = []
    for r in rows:
        title = str(r.get("report") or "")
        cell = f'<a href="{e(links[title])}">{e(title)}</a>' if title in links else e(title)
        body_rows.append(
            f"<tr><td>{e(str(r.get('department') or ''))}</td><td>{e(str(r.get('fiscal_year') or ''))}</td>"
            f"<td>{cell}</td><td class='n'>{num(r.get('adjusted'), 0)}</td>"
            f"<td class='n'>{num(r.get('spending'), 0)}</td>"
            f"<td class='n'>{num(r.get('rate'))}</td><td class='n'>{num(r.get('stated_rate'))}</td>"
            f"<td class='n'>{'' if r.get('indicators') is None else r['indicators']}</td>"
            f"<td class='n'>{'' if r.get('met') is None else r['met']}</td>"
            f"<td class='n'>{num(r.get('met_share'))}</td></tr>"
        )
    departments = sorted({str(r.get("department") or r.get("report") or "") for r in rows})
    height = max(220, 26 * len(departments) + 110)
    heads = (
        "department",
        "year",
        "report",
        "adjusted",
        "spending",
        "rate",
        "stated_rate",
        "indicators",
        "met",
        "met_share",
    )
    body = (
        f'<p class="note">{e(w["reports_n"].format(n=len(rows)))} · '
        f"{e(w['corpus_note'])}</p>"
        f'<h2>{e(w["rate_chart"])}</h2><div id="rate-chart" class="chart" style="height:{height}px"></div>'
        f'<h2>{e(w["met_chart"])}</h2><div id="met-chart" class="chart" style="height:{height}px"></div>'
        f'<h2>{e(w["report"])}</h2><table id="corpus-table"><thead><tr>'
        + "".join(f"<th>{e(w.get(h, h) if h != 'indicators' else w['indicator'])}</th>" for h in heads)
        + f"</tr></thead><tbody>{''.join(body_rows)}</tbody></table>"
    )
    data = {
        "page": "corpus",
        "lang": lang,
        "rows": [
            {
                "department": str(r.get("department") or r.get("report") or ""),
                "year": str(r.get("fiscal_year") or ""),
                "rate": None if r.get("rate") is None else float(r["rate"]),
                "met_share": None if r.get("met_share") is None else float(r["met_share"]),
            }
            for r in rows
        ],
    }
    return _shell(w["corpus_title"], body, data, inline, lang, nav)


# -- the pages in jixiao serve -----------------------------------------------------------------
def served(path: str, params: dict[str, str], endpoint: str, sources: tuple = ()) -> str:
    """The page ``jixiao serve`` answers at ``path`` (/report?graph=IRI or /corpus, both with
    ``lang=zh|en``), read through the SPARQL ``endpoint`` (the serving endpoint itself, on loopback).
    UsageError: no such report."""
    from jixiao.reportdata import GRAPH_TITLES_QUERY, build, endpoint_ntriples, library_rows_at

    lang = params.get("lang", "zh") if params.get("lang") in ("zh", "en") else "zh"
    nav = f'<a href="/">SPARQL</a> · <a href="/corpus?lang={lang}">{html.escape(WORDS[lang]["corpus_title"])}</a>'
    if path.rstrip("/").endswith("/corpus"):
        links = {
            str(r["title"]): f"/report?graph={quote(str(r['graph']), safe='')}&lang={lang}"
            for r in library_rows_at(endpoint, GRAPH_TITLES_QUERY)
        }
        rows = library_rows_at(endpoint, "execution-and-attainment", lang)
        return render_corpus(rows, lang, inline=False, links=links, nav=nav)
    graph = params.get("graph", "")
    page = build(graph, endpoint_ntriples(endpoint, graph), sources=sources, lang=lang)
    return render(page, inline=False, nav=nav)
