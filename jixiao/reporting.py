"""Render a ValidationResult: text (for a terminal), ttl (sh:ValidationReport + source spans), json
(documented in shapes/README.md) and html (one self-contained page with filters)."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from decimal import ROUND_HALF_EVEN, Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from jixiao.ns import JX
from jixiao.pagekit import BASE_CSS
from jixiao.prefixes import compact
from jixiao.validate import JXS, OA, SEVERITIES, Finding, SourceRef, ValidationResult

FORMATS = ("text", "ttl", "json", "html")
HEADINGS = {
    "zh": {"Violation": "违规", "Warning": "警告", "Info": "提示"},
    "en": {"Violation": "Violations", "Warning": "Warnings", "Info": "Info"},
}
WORDS = {
    "zh": {
        "summary": "共检查 {reports} 份报告：违规 {Violation} 项，警告 {Warning} 项，提示 {Info} 项。{verdict}",
        "ok": "符合约束。",
        "not_ok": "不符合约束。",
        "value": "值",
        "source": "原文",
        "family": "约束类别",
        "severity": "严重程度",
        "all": "全部",
        "title": "jixiao 数据质量报告",
        "corpus": (
            "有问题的报告 {flagged} 份（有违规 {violating} 份，仅有警告 {warned} 份），其余 {clean} 份无违规和警告。"
        ),
        "by_family": "按约束类别",
        "report": "报告",
        "reports": "各报告",
        "counts": "违规 {Violation} 项，警告 {Warning} 项，提示 {Info} 项",
        "findings": "发现",
        "total": "合计",
    },
    "en": {
        "summary": (
            "{reports} report(s) checked: {Violation} violation(s), {Warning} warning(s), {Info} info. {verdict}"
        ),
        "ok": "Conforms.",
        "not_ok": "Does not conform.",
        "value": "value",
        "source": "source",
        "family": "family",
        "severity": "severity",
        "all": "all",
        "title": "jixiao data-quality report",
        "corpus": (
            "{flagged} report(s) with problems ({violating} with violations, {warned} with warnings only); "
            "the other {clean} have no violation or warning."
        ),
        "by_family": "by family",
        "report": "report",
        "reports": "reports",
        "counts": "{Violation} violation(s), {Warning} warning(s), {Info} info",
        "findings": "findings",
        "total": "total",
    },
}
FAMILIES = {  # the shapes files (shapes/<family>.ttl)
    "structure": {"zh": "结构完整", "en": "structure"},
    "arithmetic": {"zh": "数额核算", "en": "arithmetic"},
    "indicators": {"zh": "绩效指标", "en": "indicators"},
    "consistency": {"zh": "前后一致", "en": "consistency"},
    "prior_audit": {"zh": "上年整改", "en": "prior-audit follow-up"},
}


def family_label(family: str, lang: str) -> str:
    return FAMILIES.get(family, {}).get(lang, family)


# -- figures at the report's printed precision --------------------------------------------------
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")


def printed_decimals(f: Finding) -> int:
    """The most decimals the report itself prints in the figures a finding quotes (0 if none)."""
    texts = [r.quote for r in f.sources] + list(f.values) + [f.focus_label]
    return max((len(m.group(2)) for t in texts for m in _DECIMAL.finditer(t)), default=0)


def at_printed_precision(text: str, f: Finding) -> str:
    """``text`` with every number longer than the report prints rounded to the report's precision
    (74.474129665360622166 → 74.47 beside a printed 78.47%), one more decimal at a time while the
    rounded number would read as one the report printed although the exact one differs."""
    places = printed_decimals(f)
    printed = {Decimal(m.group()) for t in [r.quote for r in f.sources] for m in _NUMBER.finditer(t)}

    def shorten(m: re.Match) -> str:
        if len(m.group(2)) <= places:
            return m.group()
        exact = Decimal(m.group())
        for n in range(places, len(m.group(2))):
            rounded = exact.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_EVEN)
            if rounded not in printed or rounded == exact:
                return format(rounded, "f")
        return m.group()

    return _DECIMAL.sub(shorten, text)


def message(f: Finding, lang: str) -> str:
    return at_printed_precision(f.message.get(lang, ""), f)


# -- grouping by report -------------------------------------------------------------------------
def report_name(findings: list[Finding]) -> str:
    """A report's name for people: the file it was read from (as its findings quote it), else its graph."""
    files = Counter(r.file for f in findings for r in f.sources if r.file)
    if files:
        return sorted(files.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return compact(str(findings[0].graph))


def by_report(result: ValidationResult) -> list[tuple[str, str, list[Finding]]]:
    """(graph IRI, name, findings) per report with findings: most violations first, then most warnings,
    then by name (deterministic)."""
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(str(f.graph), []).append(f)
    out = [(graph, report_name(found), found) for graph, found in groups.items()]

    def worst(item):
        c = _counts(item[2])
        return (-c["Violation"], -c["Warning"], -c["Info"], item[1], item[0])

    return sorted(out, key=worst)


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}


def corpus_line(result: ValidationResult, lang: str = "en") -> str:
    groups = by_report(result)
    violating = sum(1 for _, _, fs in groups if _counts(fs)["Violation"])
    warned = sum(1 for _, _, fs in groups if not _counts(fs)["Violation"] and _counts(fs)["Warning"])
    flagged = violating + warned
    return WORDS[lang]["corpus"].format(
        flagged=flagged, violating=violating, warned=warned, clean=max(result.reports - flagged, 0)
    )


def family_counts(result: ValidationResult) -> list[tuple[str, dict[str, int]]]:
    families = sorted(
        {f.family for f in result.findings}, key=lambda x: (list(FAMILIES).index(x) if x in FAMILIES else 99, x)
    )
    return [(fam, _counts([f for f in result.findings if f.family == fam])) for fam in families]


def summary_line(result: ValidationResult, lang: str = "en") -> str:
    w = WORDS[lang]
    return w["summary"].format(
        reports=result.reports, **result.counts(), verdict=w["ok"] if result.conforms else w["not_ok"]
    )


def _where(ref: SourceRef) -> str:
    return f"{ref.file}:{ref.start}-{ref.end}"


def render(result: ValidationResult, fmt: str = "text", lang: str = "en") -> str:
    if fmt == "text":
        return render_text(result, lang)
    if fmt == "ttl":
        return render_ttl(result)
    if fmt == "json":
        return json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_html(result, lang)
    raise ValueError(f"unknown format {fmt!r}")


def _line(text: str) -> str:
    """One terminal line: a line break inside a quote (a PDF's wrapped figure) shown as ⏎."""
    return text.replace("\r\n", "\n").replace("\n", "⏎")


def _counts_text(counts: dict[str, int], lang: str) -> str:
    return WORDS[lang]["counts"].format(**counts)


def render_text(result: ValidationResult, lang: str = "en") -> str:
    """For a terminal: the corpus summary, then each report with findings (worst first) with its own
    summary and its findings by severity, then the summary line again (last, for a glance or a log)."""
    w = WORDS[lang]
    lines = [f"== {w['title']}: {summary_line(result, lang)}"]
    if result.findings:
        lines.append(f"   {corpus_line(result, lang)}")
        fams, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
        lines.append(
            f"   {w['by_family']}{colon}"
            + fams.join(f"{family_label(fam, lang)} {_counts_text(c, lang)}" for fam, c in family_counts(result))
        )
    lines.append("")
    for graph, name, found in by_report(result):
        counts = _counts(found)
        verdict = w["not_ok"] if counts["Violation"] or counts["Warning"] else w["ok"]
        lines.append(f"== {w['report']} {name}  <{graph}>")
        lines.append(
            f"   {_counts_text(counts, lang)}。{verdict}"
            if lang == "zh"
            else f"   {_counts_text(counts, lang)}. {verdict}"
        )
        for sev in SEVERITIES:
            of_sev = [f for f in found if f.severity == sev]
            if not of_sev:
                continue
            lines.append(f"-- {HEADINGS[lang][sev]} ({len(of_sev)})")
            for f in of_sev:
                lines.append(f"- {_line(message(f, lang))}")
                detail = f"  [{family_label(f.family, lang)}/{f.shape_name.get(lang, '')}] {f.focus_label}"
                if f.values:
                    detail += f" — {w['value']}: {', '.join(f.values)}"
                lines.append(_line(detail))
                for ref in f.sources:
                    lines.append(f"  {_where(ref)} “{_line(ref.quote)}”")
        lines.append("")
    lines.append(summary_line(result, lang))
    return "\n".join(lines) + "\n"


def _source_json(ref: SourceRef) -> dict:
    return {
        "file": ref.file,
        "start": ref.start,
        "end": ref.end,
        "quote": ref.quote,
        "context": None if ref.context is None else {"start": ref.context_start, "text": ref.context},
    }


def _finding_json(f: Finding) -> dict:
    return {
        "severity": f.severity,
        "family": f.family,
        "shape": str(f.shape),
        "shapeName": f.shape_name,
        "message": f.message,
        "focus": str(f.focus),
        "focusLabel": f.focus_label,
        "path": str(f.path) if f.path else None,
        "values": list(f.values),
        "graph": str(f.graph),
        "component": str(f.component) if f.component else None,
        "sources": [_source_json(r) for r in f.sources],
    }


def to_json(result: ValidationResult) -> dict:
    return {
        "conforms": result.conforms,
        "engine": result.engine,
        "reports": result.reports,
        "counts": result.counts(),
        "findings": [_finding_json(f) for f in result.findings],
    }


def render_ttl(result: ValidationResult) -> str:
    """A standard sh:ValidationReport; each result also carries jxs:reportGraph and jxs:source
    (file name, offsets and quote of the spans it concerns)."""
    g = Graph()
    for prefix, ns in (("sh", str(SH)), ("jx", str(JX)), ("jxs", str(JXS)), ("oa", str(OA))):
        g.bind(prefix, ns)
    report = BNode("report")
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(result.conforms)))
    for i, f in enumerate(result.findings, 1):
        r = BNode(f"r{i}")
        g.add((report, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, f.focus))
        g.add((r, SH.resultSeverity, SH[f.severity]))
        g.add((r, SH.sourceShape, f.shape))
        if f.component:
            g.add((r, SH.sourceConstraintComponent, f.component))
        if f.path:
            g.add((r, SH.resultPath, f.path))
        for lang, text in sorted(f.message.items()):
            g.add((r, SH.resultMessage, Literal(text, lang=lang)))
        for v in f.values:
            g.add((r, SH.value, Literal(v)))
        g.add((r, JXS.reportGraph, URIRef(f.graph)))
        for j, ref in enumerate(f.sources, 1):
            s = BNode(f"r{i}s{j}")
            g.add((r, JXS.source, s))
            g.add((s, JX.fileName, Literal(ref.file)))
            g.add((s, OA.start, Literal(ref.start, datatype=XSD.integer)))
            g.add((s, OA.end, Literal(ref.end, datatype=XSD.integer)))
            g.add((s, OA.exact, Literal(ref.quote)))
    return g.serialize(format="turtle")


# -- html --------------------------------------------------------------------------------------

CSS = (
    BASE_CSS
    + """
body{margin:2em;max-width:72em;color:#222}
.summary{font-size:1.1em;padding:.6em 1em;border-radius:6px;background:#f3f3f3;margin-bottom:.3em}
.corpus{margin:.3em 0 1em;color:#333}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}th{background:#eef2f6}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.filters{margin:1em 0}.filters label{margin-right:1em}
.report{margin:1.5em 0;border-top:2px solid #20415f;padding-top:.4em}
.report h2{font-size:1.15em;margin:.2em 0}.report h2 small{color:#777;font-weight:normal;font-size:.75em}
.report-summary{color:#444;margin:.2em 0 .6em}
.finding{border-left:5px solid #999;padding:.4em .8em;margin:.6em 0;background:#fafafa}
.Violation{border-color:#c0392b}.Warning{border-color:#e67e22}.Info{border-color:#2980b9}
.meta{color:#555;font-size:.9em}.quote{white-space:pre-wrap;color:#444}
mark{background:#ffe58a}
"""
)

JS = """
function applyFilters(){
  var sev={}, fam={};
  document.querySelectorAll('input[data-severity]').forEach(function(b){sev[b.dataset.severity]=b.checked;});
  document.querySelectorAll('input[data-family]').forEach(function(b){fam[b.dataset.family]=b.checked;});
  document.querySelectorAll('.finding').forEach(function(row){
    row.hidden = !(sev[row.dataset.severity] && fam[row.dataset.family]);
  });
  document.querySelectorAll('.report').forEach(function(r){
    r.hidden = !r.querySelector('.finding:not([hidden])');
  });
}
document.querySelectorAll('.filters input').forEach(function(b){b.addEventListener('change', applyFilters);});
"""


def _highlight(ref: SourceRef) -> str:
    """The context with the quote marked; both escaped."""
    if ref.context is None or ref.context_start is None:
        return f"<mark>{html.escape(ref.quote)}</mark>"
    a = ref.start - ref.context_start
    b = a + len(ref.quote)
    ctx = ref.context
    return html.escape(ctx[:a]) + "<mark>" + html.escape(ctx[a:b]) + "</mark>" + html.escape(ctx[b:])


def _finding_html(f: Finding, lang: str) -> str:
    e, w = html.escape, WORDS[lang]
    sources = "".join(f'<div class="quote">{e(_where(r))} {_highlight(r)}</div>' for r in f.sources)
    values = f" — {e(w['value'])}: {e(', '.join(f.values))}" if f.values else ""
    return (
        f'<div class="finding {e(f.severity)}" data-severity="{e(f.severity)}" data-family="{e(f.family)}">'
        f'<div class="message">{e(message(f, lang))}</div>'
        f'<div class="meta">{e(HEADINGS[lang][f.severity])} · {e(family_label(f.family, lang))} · '
        f"{e(f.shape_name.get(lang, ''))} · {e(f.focus_label)}{values}</div>{sources}</div>"
    )


def _count_cells(counts: dict[str, int]) -> str:
    return "".join(f'<td class="n">{counts[s]}</td>' for s in SEVERITIES)


def render_html(result: ValidationResult, lang: str = "en") -> str:
    """One self-contained page: the corpus summary (per report and per family), filters, then each
    report with findings, worst first, with its own summary."""
    w, e = WORDS[lang], html.escape
    colon = "：" if lang == "zh" else ":"
    groups = by_report(result)
    head_cells = "".join(f"<th>{e(HEADINGS[lang][s])}</th>" for s in SEVERITIES)
    overview = "".join(
        f'<tr><td><a href="#r{i}">{e(name)}</a></td>{_count_cells(_counts(found))}</tr>'
        for i, (_, name, found) in enumerate(groups, 1)
    )
    families = "".join(
        f"<tr><td>{e(family_label(fam, lang))}</td>{_count_cells(c)}</tr>" for fam, c in family_counts(result)
    )
    tables = (
        f'<table id="overview"><thead><tr><th>{e(w["report"])}</th>{head_cells}</tr></thead>'
        f"<tbody>{overview}</tbody></table>"
        f'<table id="families"><thead><tr><th>{e(w["family"])}</th>{head_cells}</tr></thead>'
        f"<tbody>{families}</tbody></table>"
        if groups
        else ""
    )
    sections = []
    for i, (graph, name, found) in enumerate(groups, 1):
        counts = _counts(found)
        verdict = w["not_ok"] if counts["Violation"] or counts["Warning"] else w["ok"]
        sections.append(
            f'<section class="report" id="r{i}" data-graph="{e(graph)}">'
            f"<h2>{e(name)} <small>{e(compact(graph))}</small></h2>"
            f'<p class="report-summary">{e(_counts_text(counts, lang))} — {e(verdict)}</p>'
            + "".join(_finding_html(f, lang) for f in found)
            + "</section>"
        )
    sev_boxes = "".join(
        f'<label><input type="checkbox" checked data-severity="{s}"> {e(HEADINGS[lang][s])}</label>' for s in SEVERITIES
    )
    fam_boxes = "".join(
        f'<label><input type="checkbox" checked data-family="{e(fam)}"> {e(family_label(fam, lang))}</label>'
        for fam, _ in family_counts(result)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        f"<title>{e(w['title'])}</title><style>{CSS}</style></head><body>"
        f'<h1>{e(w["title"])}</h1><p class="summary" id="summary">{e(summary_line(result, lang))}</p>'
        + (f'<p class="corpus" id="corpus">{e(corpus_line(result, lang))}</p>' if groups else "")
        + tables
        + f'<div class="filters"><div>{e(w["severity"])}{colon} {sev_boxes}</div>'
        f"<div>{e(w['family'])}{colon} {fam_boxes}</div></div>"
        f'<div id="findings">{"".join(sections)}</div><script>{JS}</script></body></html>\n'
    )
