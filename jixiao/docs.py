"""Generate the ontology's documentation: ``python -m jixiao.docs`` (``make docs``).

Regenerates ``jixiao/ns.py`` (``jixiao.nsgen``) and writes ``docs/ontology/index.html``: one
self-contained page (no scripts, no CDN) with every class, property and SKOS concept of the
jixiao ontology, labels and definitions in Chinese and English side by side, and the external
terms it reuses. The page is committed, so it reads on the web; ``--check`` exits 1 when either
generated file is stale (``tests/test_ontology.py`` runs it). Output is deterministic: terms are
sorted, nothing depends on the clock or on set order.

pyLODE was tried first (docs/ontology.md, "Documentation"): it does not list SKOS concepts of an
ontology, runs the zh and en labels together, and its output changes with the hash seed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from html import escape
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from jixiao import data as _data
from jixiao import nsgen
from jixiao.pagekit import BASE_CSS

JX_NS, JXV_NS = nsgen.JX_NS, nsgen.JXV_NS
OUT_DIR = Path("docs") / "ontology"  # run from the repository root (make docs)
EXAMPLE = _data.ontology_dir() / "examples" / "report-example.ttl"
LANGS = ("zh", "en")
PROPERTY_TYPES = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}
STRUCTURE = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range)

CSS = (
    BASE_CSS
    + """
body{max-width:72rem;margin:0 auto;padding:1rem 1.5rem;line-height:1.5;color:#222}
h1{font-size:1.6rem}h2{border-bottom:2px solid #3a6;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:0 0 .4rem;font-size:1.1rem}code{font-size:.9em}a{color:#1a5fb4}
section.term{border:1px solid #ddd;border-radius:6px;padding:.7rem 1rem;margin:1rem 0}
section.term:target{border-color:#3a6;box-shadow:0 0 0 2px #3a6}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{border:1px solid #e3e3e3;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f4;font-weight:600}
table.bi td{width:50%}dl{display:grid;grid-template-columns:11rem 1fr;gap:.15rem 1rem;margin:.5rem 0}
dt{font-weight:600;color:#555}dd{margin:0}.kind{color:#777;font-weight:normal;font-size:.85rem}
nav ul{columns:3;list-style:none;padding-left:0}nav li{break-inside:avoid}
"""
)


class Doc:
    """The merged ontology graph plus the lookups the page needs."""

    def __init__(self, g: Graph, example: Graph | None = None):
        self.g = g
        self.example = example if example is not None else Graph()
        self.prefixes = sorted(((str(ns), p) for p, ns in g.namespaces() if p), key=lambda t: -len(t[0]))

    # -- lookups ------------------------------------------------------------------------------
    def own(self, ns: str, types: Iterable[URIRef]) -> list[URIRef]:
        found = {
            s
            for t in types
            for s in self.g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(ns) and str(s) != ns
        }
        return sorted(found, key=str)

    def texts(self, s: URIRef, p: URIRef, lang: str) -> str:
        vals = sorted(str(o) for o in self.g.objects(s, p) if isinstance(o, Literal) and o.language == lang)
        return " / ".join(vals)

    def label(self, s: URIRef, lang: str) -> str:
        return self.texts(s, SKOS.prefLabel, lang) or self.texts(s, RDFS.label, lang)

    def curie(self, t: URIRef) -> str:
        for ns, prefix in self.prefixes:
            if str(t).startswith(ns) and len(str(t)) > len(ns):
                return f"{prefix}:{str(t)[len(ns) :]}"
        return f"<{t}>"

    def ref(self, t: object) -> str:
        """A link to a term: an anchor on this page for our own terms, the IRI otherwise."""
        if not isinstance(t, URIRef):
            return escape(str(t))
        own = str(t).startswith((JX_NS, JXV_NS))
        href = "#" + local(t) if own else str(t)
        title = self.label(t, "en")
        tip = f' title="{escape(title)}"' if title else ""
        return f'<a href="{escape(href)}"{tip}><code>{escape(self.curie(t))}</code></a>'

    def refs(self, terms: Iterable[object], empty: str = "—") -> str:
        return ", ".join(self.ref(t) for t in sorted(set(terms), key=str)) or empty


def local(t: URIRef) -> str:
    s = str(t)
    return s[max(s.rfind("#"), s.rfind("/")) + 1 :]


def bilingual(d: Doc, s: URIRef, rows: Iterable[tuple[str, URIRef]]) -> str:
    cells = ["<tr><th>中文</th><th>English</th></tr>"]
    for name, p in rows:
        zh, en = (d.texts(s, p, lang) for lang in LANGS)
        if zh or en:
            cells.append(f'<tr title="{name}"><td lang="zh">{escape(zh)}</td><td lang="en">{escape(en)}</td></tr>')
    return '<table class="bi">' + "".join(cells) + "</table>"


def label_cells(d: Doc, t: URIRef) -> str:
    return "".join(f'<td lang="{lang}">{escape(d.label(t, lang))}</td>' for lang in LANGS)


def facts(rows: Iterable[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def term_section(d: Doc, s: URIRef, kind: str, rows: list[tuple[str, str]]) -> str:
    head = (
        f'<h3>{escape(d.curie(s))} <span class="kind">{escape(kind)}</span> '
        f'<span lang="zh">{escape(d.label(s, "zh"))}</span> · '
        f'<span lang="en">{escape(d.label(s, "en"))}</span></h3>'
    )
    labels = bilingual(d, s, [("label", RDFS.label), ("definition", SKOS.definition)])
    iri = ("IRI", f"<code>{escape(str(s))}</code>")
    return f'<section class="term" id="{escape(local(s))}">{head}{labels}{facts([iri, *rows])}</section>'


def class_section(d: Doc, c: URIRef) -> str:
    g = d.g
    ancestors = set(g.transitive_objects(c, RDFS.subClassOf)) - {c}
    inherited = {p for a in ancestors for p in g.subjects(RDFS.domain, a)}
    in_example = {p for s in d.example.subjects(RDF.type, c) for p in d.example.predicates(s)} - {RDF.type}
    return term_section(
        d,
        c,
        "class",
        [
            ("superclasses", d.refs(g.objects(c, RDFS.subClassOf))),
            ("subclasses", d.refs(g.subjects(RDFS.subClassOf, c))),
            ("properties (domain)", d.refs(g.subjects(RDFS.domain, c))),
            ("inherited properties", d.refs(inherited)),
            ("used as range of", d.refs(g.subjects(RDFS.range, c))),
            ("used with (worked example)", d.refs(in_example)),
        ],
    )


def property_section(d: Doc, p: URIRef) -> str:
    g = d.g
    kinds = sorted(PROPERTY_TYPES[t] for t in g.objects(p, RDF.type) if t in PROPERTY_TYPES)
    also = [t for t in g.objects(p, RDF.type) if t not in PROPERTY_TYPES]
    rows = [
        ("domain", d.refs(g.objects(p, RDFS.domain), empty="any (none declared)")),
        ("range", d.refs(g.objects(p, RDFS.range))),
        ("super-properties", d.refs(g.objects(p, RDFS.subPropertyOf))),
        ("sub-properties", d.refs(g.subjects(RDFS.subPropertyOf, p))),
    ]
    if also:
        rows.append(("also a", d.refs(also)))
    return term_section(d, p, ", ".join(kinds), rows)


def scheme_section(d: Doc, scheme: URIRef) -> str:
    g = d.g
    concepts = sorted((c for c in g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)), key=str)
    used_by = {p for c in concepts for p in d.example.predicates(None, c)}
    rows = []
    for c in concepts:
        cells = [
            f'<td id="{escape(local(c))}"><code>{escape(d.curie(c))}</code></td>',
            f"<td><code>{escape(' / '.join(sorted(map(str, g.objects(c, SKOS.notation)))))}</code></td>",
            label_cells(d, c),
            f"<td>{d.refs(g.objects(c, SKOS.broader), empty='')}</td>",
            f"<td>{d.refs(g.objects(c, SKOS.exactMatch), empty='')}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        "<table><tr><th>concept</th><th>notation</th><th>中文</th><th>English</th><th>broader</th>"
        "<th>exact match</th></tr>" + "".join(rows) + "</table>"
    )
    head = (
        f'<h3>{escape(d.curie(scheme))} <span class="kind">concept scheme</span> '
        f'<span lang="zh">{escape(d.label(scheme, "zh"))}</span> · '
        f'<span lang="en">{escape(d.label(scheme, "en"))}</span></h3>'
    )
    used = facts([("IRI", f"<code>{escape(str(scheme))}</code>"), ("values of (worked example)", d.refs(used_by))])
    return f'<section class="term" id="{escape(local(scheme))}">{head}{used}{table}</section>'


def external_table(d: Doc) -> str:
    g = d.g
    external = sorted({s for s in g.subjects(RDFS.isDefinedBy, None) if isinstance(s, URIRef)}, key=str)
    rows = []
    for t in external:
        kinds = sorted(local(k) for k in g.objects(t, RDF.type) if isinstance(k, URIRef))
        users = {s for p in STRUCTURE for s in g.subjects(p, t) if str(s).startswith((JX_NS, JXV_NS))}
        rows.append(
            f"<tr><td>{d.ref(t)}</td><td>{escape(', '.join(kinds))}</td>"
            f"{label_cells(d, t)}"
            f"<td>{d.refs(users, empty='')}</td></tr>"
        )
    return (
        "<table><tr><th>term</th><th>type</th><th>中文</th><th>English</th><th>reused by</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def header(d: Doc) -> str:
    g = d.g
    out = []
    for onto in sorted((o for o in g.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef)), key=str):
        rows = [("IRI", f"<code>{escape(str(onto))}</code>")]
        for name, p in (
            ("version IRI", OWL.versionIRI),
            ("version", OWL.versionInfo),
            ("created", DCTERMS.created),
            ("license", DCTERMS.license),
        ):
            for o in sorted(g.objects(onto, p), key=str):
                rows.append((name, d.ref(o) if isinstance(o, URIRef) else escape(str(o))))
        title = " · ".join(escape(d.texts(onto, DCTERMS.title, lang)) for lang in LANGS)
        desc = bilingual(d, onto, [("description", DCTERMS.description), ("comment", RDFS.comment)])
        out.append(f'<section class="term"><h3>{title}</h3>{desc}{facts(rows)}</section>')
    return "".join(out)


def toc(d: Doc, title: str, anchor: str, terms: list[URIRef]) -> str:
    items = "".join(
        f'<li><a href="#{escape(local(t))}">{escape(d.curie(t))}</a> '
        f'<span lang="zh">{escape(d.label(t, "zh"))}</span></li>'
        for t in terms
    )
    return f'<h3><a href="#{anchor}">{escape(title)}</a></h3><ul>{items}</ul>'


def render(g: Graph, example: Graph | None = None) -> str:
    d = Doc(g, example)
    classes = d.own(JX_NS, [OWL.Class])
    props = d.own(JX_NS, PROPERTY_TYPES)
    schemes = d.own(JXV_NS, [SKOS.ConceptScheme])
    anchors = [local(t) for t in classes + props + schemes + d.own(JXV_NS, [SKOS.Concept])]
    clash = sorted({a for a in anchors if anchors.count(a) > 1})
    if clash:
        raise ValueError(f"two terms share the anchor(s) {clash}: rename one")
    ns_rows = "".join(
        f"<tr><td><code>{escape(p)}:</code></td><td><code>{escape(ns)}</code></td></tr>"
        for ns, p in sorted(d.prefixes, key=lambda t: t[1])
    )
    title = "jixiao 本体文档 · jixiao ontology documentation"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        "<!-- GENERATED by python -m jixiao.docs from ontology/*.ttl: do not edit by hand. -->",
        f"<h1>{escape(title)}</h1>",
        "<p>Generated from <code>ontology/jixiao.ttl</code>, <code>ontology/vocab.ttl</code> and "
        "<code>ontology/external.ttl</code>. The guide to the model is <code>docs/ontology.md</code>; "
        "the IRI scheme is <code>docs/decisions/0001-iri-scheme.md</code>.</p>",
        header(d),
        "<nav><h2>目录 · Contents</h2>",
        toc(d, f"类 · Classes ({len(classes)})", "classes", classes),
        toc(d, f"属性 · Properties ({len(props)})", "properties", props),
        toc(d, f"概念表 · Concept schemes ({len(schemes)})", "schemes", schemes),
        '<h3><a href="#external">外部术语 · External terms</a></h3>',
        '<h3><a href="#namespaces">命名空间 · Namespaces</a></h3></nav>',
        '<h2 id="classes">类 · Classes</h2>',
        *(class_section(d, c) for c in classes),
        '<h2 id="properties">属性 · Properties</h2>',
        *(property_section(d, p) for p in props),
        '<h2 id="schemes">概念表 · Concept schemes</h2>',
        *(scheme_section(d, s) for s in schemes),
        '<h2 id="external">外部术语 · External terms reused</h2>',
        "<p>Declared in <code>ontology/external.ttl</code> with zh/en labels; their definitions are "
        "those of their own standards.</p>",
        external_table(d),
        f'<h2 id="namespaces">命名空间 · Namespaces</h2><table>{ns_rows}</table>',
        "</body></html>",
        "",
    ]
    return "\n".join(parts)


def load() -> tuple[Graph, Graph]:
    """The merged ontology (own terms, vocabularies, external declarations) and the worked example,
    parsed without rdflib's default prefix bindings so the page shows the files' own prefixes."""
    g = Graph(bind_namespaces="none")
    for name in _data.ONTOLOGY_FILES:
        g.parse(_data.ontology_dir() / name, format="turtle")
    example = Graph(bind_namespaces="none")
    if EXAMPLE.exists():
        example.parse(EXAMPLE, format="turtle")
    return g, example


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m jixiao.docs", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if ns.py or the HTML is stale")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default docs/ontology)")
    args = ap.parse_args(argv)
    html = render(*load())
    target = args.out / "index.html"
    if args.check:
        stale = nsgen.main(["--check"]) != 0
        if not target.exists() or target.read_text(encoding="utf-8") != html:
            print(f"{target} is stale: run python -m jixiao.docs", file=sys.stderr)
            stale = True
        return 1 if stale else 0
    nsgen.main([])
    args.out.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
