"""Render a ValidationResult: text (for a terminal), ttl (sh:ValidationReport + source spans), json
(documented in shapes/README.md) and html (one self-contained page with filters)."""

from __future__ import annotations

import html
import json

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from jixiao.ns import JX
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
    },
}


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


def render_text(result: ValidationResult, lang: str = "en") -> str:
    lines: list[str] = []
    for sev in SEVERITIES:
        found = [f for f in result.findings if f.severity == sev]
        if not found:
            continue
        lines.append(f"== {HEADINGS[lang][sev]} ({len(found)}) ==")
        for f in found:
            lines.append(f"- {f.message.get(lang, '')}")
            detail = f"  [{f.family}/{f.shape_name.get(lang, '')}] {f.focus_label}"
            if f.values:
                detail += f" — {WORDS[lang]['value']}: {', '.join(f.values)}"
            lines.append(detail)
            for ref in f.sources:
                lines.append(f"  {_where(ref)} “{ref.quote}”")
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

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;max-width:70em;color:#222}
.summary{font-size:1.1em;padding:.6em 1em;border-radius:6px;background:#f3f3f3}
.filters{margin:1em 0}.filters label{margin-right:1em}
.finding{border-left:5px solid #999;padding:.4em .8em;margin:.6em 0;background:#fafafa}
.Violation{border-color:#c0392b}.Warning{border-color:#e67e22}.Info{border-color:#2980b9}
.meta{color:#555;font-size:.9em}.quote{font-family:monospace;white-space:pre-wrap;color:#444}
mark{background:#ffe58a}
"""

JS = """
function applyFilters(){
  var sev={}, fam={};
  document.querySelectorAll('input[data-severity]').forEach(function(b){sev[b.dataset.severity]=b.checked;});
  document.querySelectorAll('input[data-family]').forEach(function(b){fam[b.dataset.family]=b.checked;});
  document.querySelectorAll('.finding').forEach(function(row){
    row.hidden = !(sev[row.dataset.severity] && fam[row.dataset.family]);
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


def render_html(result: ValidationResult, lang: str = "en") -> str:
    w = WORDS[lang]
    families = sorted({f.family for f in result.findings})
    e = html.escape
    rows = []
    for f in result.findings:
        sources = "".join(f'<div class="quote">{e(_where(r))} {_highlight(r)}</div>' for r in f.sources)
        values = f" — {e(w['value'])}: {e(', '.join(f.values))}" if f.values else ""
        rows.append(
            f'<div class="finding {e(f.severity)}" data-severity="{e(f.severity)}" data-family="{e(f.family)}">'
            f'<div class="message">{e(f.message.get(lang, ""))}</div>'
            f'<div class="meta">{e(HEADINGS[lang][f.severity])} · {e(f.family)} · {e(f.shape_name.get(lang, ""))}'
            f" · {e(f.focus_label)}{values}</div>{sources}</div>"
        )
    sev_boxes = "".join(
        f'<label><input type="checkbox" checked data-severity="{s}"> {e(HEADINGS[lang][s])}</label>' for s in SEVERITIES
    )
    fam_boxes = "".join(
        f'<label><input type="checkbox" checked data-family="{e(fam)}"> {e(fam)}</label>' for fam in families
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        f"<title>{e(w['title'])}</title><style>{CSS}</style></head><body>"
        f'<h1>{e(w["title"])}</h1><p class="summary" id="summary">{e(summary_line(result, lang))}</p>'
        f'<div class="filters"><div>{e(w["severity"])}: {sev_boxes}</div>'
        f"<div>{e(w['family'])}: {fam_boxes}</div></div>"
        f'<div id="findings">{"".join(rows)}</div><script>{JS}</script></body></html>\n'
    )
