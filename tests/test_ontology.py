"""The ontology as a published vocabulary: it parses, every own term is labelled and defined in
zh and en, code lists are well formed, every term used anywhere in the project is declared, the
generated files are current, and the worked example says what its text says.

Term use is checked through ``jixiao.ns`` (``DefinedNamespace`` with ``_fail=True`` raises on a
name the ontology lacks), after a check that ``jixiao/ns.py`` is current with ``ontology/``.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, Namespace
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery

from jixiao import docs, nsgen
from jixiao.ns import JX, JXV

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
EXAMPLES = ONTOLOGY / "examples"
OWN_FILES = ("jixiao.ttl", "vocab.ttl")
JX_NS, JXV_NS = nsgen.JX_NS, nsgen.JXV_NS
NAMESPACES = {JX_NS: JX, JXV_NS: JXV}
NS_METHODS = set(dir(type(JX)))  # as_jsonld_context, … : not terms
OWN_IRI = re.compile(r"https://w3id\.org/jixiao/(?:def|vocab)#[A-Za-z_][A-Za-z0-9_\-]*")
# XSD spelled out: rdflib's XSD as a module global makes pytest's collection warn
CORE = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return nsgen.load_ontology()


@pytest.fixture(scope="module")
def own() -> Graph:
    g = Graph()
    for name in OWN_FILES:
        g.parse(ONTOLOGY / name, format="turtle")
    return g


@pytest.fixture(scope="module")
def external() -> Graph:
    return parse(ONTOLOGY / "external.ttl")


def in_ns(t: object, *namespaces: str) -> bool:
    return isinstance(t, URIRef) and str(t).startswith(namespaces) and str(t) not in namespaces


def langs(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    return sorted((o.language or "" for o in g.objects(s, p) if isinstance(o, Literal)), key=str)


# -- the files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted([*ONTOLOGY.glob("*.ttl"), *EXAMPLES.glob("*.ttl")]), ids=lambda p: p.name)
def test_file_parses(path: Path) -> None:
    assert len(parse(path)) > 0


@pytest.mark.parametrize("name", OWN_FILES)
def test_version_iri_is_dated(name: str) -> None:
    g = parse(ONTOLOGY / name)
    ontologies = list(g.subjects(RDF.type, OWL.Ontology))
    assert len(ontologies) == 1, ontologies
    onto = ontologies[0]
    versions = list(g.objects(onto, OWL.versionIRI))
    assert len(versions) == 1, versions
    m = re.fullmatch(re.escape(str(onto)) + r"/(\d{4}-\d{2}-\d{2})", str(versions[0]))
    assert m, f"{versions[0]} is not <{onto}/YYYY-MM-DD>"
    date.fromisoformat(m.group(1))
    for lang in ("zh", "en"):
        assert lang in langs(g, onto, DCTERMS.title), f"{name}: no dcterms:title@{lang}"


# -- own terms ---------------------------------------------------------------------------------


def own_terms(g: Graph) -> list[URIRef]:
    return sorted({s for t in TERM_TYPES for s in g.subjects(RDF.type, t) if in_ns(s, JX_NS)}, key=str)


def test_own_terms_are_labelled_and_defined_in_zh_and_en(own: Graph) -> None:
    problems = []
    terms = own_terms(own)
    assert len(terms) > 50
    for t in terms:
        for p in (RDFS.label, SKOS.definition):
            if langs(own, t, p) != ["en", "zh"]:
                problems.append(f"{t}: {own.qname(p)} languages {langs(own, t, p)}, want one en and one zh")
    assert not problems, "\n".join(problems)


def test_every_jx_iri_in_the_ontology_is_declared(own: Graph) -> None:
    declared = set(own_terms(own))
    used = {t for triple in own for t in triple if in_ns(t, JX_NS)}
    assert sorted(used - declared, key=str) == []


def test_structure_points_at_declared_terms(ontology: Graph) -> None:
    """Superclasses, super-properties, domains and ranges are our terms, declared external terms
    (external.ttl, with labels for the docs) or XSD datatypes."""
    problems = []
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        for s, o in ontology.subject_objects(p):
            if in_ns(s, JX_NS) and not str(o).startswith(CORE) and (o, RDF.type, None) not in ontology:
                problems.append(f"{s} {ontology.qname(p)} {o}: not declared")
    assert not problems, "\n".join(problems)


# -- code lists --------------------------------------------------------------------------------


def test_concepts_have_labels_and_exactly_one_scheme(own: Graph) -> None:
    schemes = {s for s in own.subjects(RDF.type, SKOS.ConceptScheme) if in_ns(s, JXV_NS)}
    concepts = sorted({c for c in own.subjects(RDF.type, SKOS.Concept) if in_ns(c, JXV_NS)}, key=str)
    assert len(schemes) > 10 and len(concepts) > 100
    problems = []
    for c in concepts:
        if langs(own, c, SKOS.prefLabel) != ["en", "zh"]:
            problems.append(f"{c}: prefLabel languages {langs(own, c, SKOS.prefLabel)}")
        in_schemes = list(own.objects(c, SKOS.inScheme))
        if len(in_schemes) != 1 or in_schemes[0] not in schemes:
            problems.append(f"{c}: in schemes {in_schemes}")
    for s in sorted(schemes, key=str):
        if langs(own, s, SKOS.prefLabel) != ["en", "zh"]:
            problems.append(f"{s}: prefLabel languages {langs(own, s, SKOS.prefLabel)}")
    assert not problems, "\n".join(problems)


def test_concept_iri_is_scheme_prefix_plus_notation(own: Graph) -> None:
    """Ingest maps a data-file key to a concept as ``<prefix>_<notation>`` (ingest.emit.vocab), so
    within a scheme every concept shares one prefix and its local name ends with its notation."""
    problems = []
    for scheme in sorted(own.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        prefixes = set()
        for c in own.subjects(SKOS.inScheme, scheme):
            name, notation = str(c)[len(JXV_NS) :], str(own.value(c, SKOS.notation))
            if not name.endswith("_" + notation):
                problems.append(f"{c}: notation {notation!r}")
            prefixes.add(name[: -len(notation) - 1])
        if len(prefixes) > 1:
            problems.append(f"{scheme}: concepts use several prefixes {sorted(prefixes)}")
    assert not problems, "\n".join(problems)


def test_pref_labels_unique_within_a_scheme(own: Graph) -> None:
    problems = []
    for scheme in sorted(own.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        seen: dict[tuple[str, str], URIRef] = {}
        for c in sorted(own.subjects(SKOS.inScheme, scheme), key=str):
            for label in own.objects(c, SKOS.prefLabel):
                key = (str(label), label.language or "")
                if key in seen:
                    problems.append(f"{scheme}: {key} on {seen[key]} and {c}")
                seen[key] = c
    assert not problems, "\n".join(problems)


def test_broader_stays_in_scheme(own: Graph) -> None:
    for c, b in own.subject_objects(SKOS.broader):
        assert own.value(c, SKOS.inScheme) == own.value(b, SKOS.inScheme), (c, b)


# -- generated files ---------------------------------------------------------------------------


def test_ns_module_is_current() -> None:
    assert nsgen.main(["--check"]) == 0, "run: python -m jixiao.nsgen"


def test_html_docs_are_current(tmp_path: Path) -> None:
    assert docs.main(["--out", str(tmp_path)]) == 0
    fresh = (tmp_path / "index.html").read_text(encoding="utf-8")
    committed = ROOT / "docs" / "ontology" / "index.html"
    assert committed.exists() and committed.read_text(encoding="utf-8") == fresh, "run: make docs"


def test_html_docs_show_every_term_in_both_languages(own: Graph) -> None:
    html = docs.render(*docs.load())
    for t in [*own_terms(own), *(c for c in own.subjects(SKOS.inScheme, None))]:
        assert f'id="{str(t).rsplit("#", 1)[1]}"' in html, t
    for label in own.objects(JX.BudgetFigure, RDFS.label):
        assert str(label) in html
    assert "<script" not in html and "http://" not in html.split("<body>")[0]


def test_html_render_is_deterministic() -> None:
    g, example = docs.load()
    g2, example2 = docs.load()
    assert docs.render(g, example) == docs.render(g2, example2)


# -- every term used is declared -----------------------------------------------------------------


def check_declared(uses: Iterable[tuple[str, URIRef]]) -> list[str]:
    """Uses of jx:/jxv: IRIs the ontology lacks: ``getattr`` on the generated namespace raises."""
    problems = []
    for where, term in sorted(set(uses), key=lambda u: (u[0], str(u[1]))):
        ns = next(n for n in NAMESPACES if str(term).startswith(n))
        try:
            getattr(NAMESPACES[ns], str(term)[len(ns) :])
        except AttributeError:
            problems.append(f"{where}: {term}")
    return problems


def iris_in(node: object) -> set[URIRef]:
    """Every IRI in a SPARQL algebra tree (CompValues, lists, property paths)."""
    out: set[URIRef] = set()
    stack, seen = [node], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, URIRef):
            out.add(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, set, frozenset)):
            stack.extend(x)
        elif isinstance(x, PropertyPath):
            stack.extend(v for k, v in vars(x).items() if k in ("arg", "args", "path"))
    return out


def sparql_uses(where: str, text: str) -> Iterator[tuple[str, URIRef]]:
    for t in iris_in(prepareQuery(text).algebra):
        if in_ns(t, JX_NS, JXV_NS):
            yield where, t


def graph_uses(where: str, g: Graph) -> Iterator[tuple[str, URIRef]]:
    for triple in g:
        for t in triple:
            if in_ns(t, JX_NS, JXV_NS):
                yield where, t


def shapes_uses(path: Path, declared: Graph) -> Iterator[tuple[str, URIRef]]:
    """Terms in a shapes file and in its SPARQL constraints, whose prefixes are the sh:declare of
    all shapes files (shapes/prefixes.ttl is loaded with every family)."""
    g = parse(path)
    yield from graph_uses(path.name, g)
    prefixes = {
        str(declared.value(d, SH.prefix)): str(declared.value(d, SH.namespace))
        for d in declared.objects(None, SH.declare)
    }
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
    for p in (SH.select, SH.ask, SH.construct):
        for s, text in g.subject_objects(p):
            yield from sparql_uses(f"{path.name} {s} {g.qname(p)}", head + str(text))


def python_uses(path: Path, root: Path = ROOT) -> Iterator[tuple[str, URIRef]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = {"JX": JX_NS, "JXV": JXV_NS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "jixiao.ns":
            for a in node.names:
                if a.name in ("JX", "JXV"):
                    names[a.asname or a.name] = names[a.name]
    rel = path.relative_to(root)
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names:
            if not node.attr.startswith("_") and node.attr not in NS_METHODS:
                yield where, URIRef(names[node.value.id] + node.attr)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in names
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            yield where, URIRef(names[node.value.id] + node.slice.value)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "vocab":
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(args) == 2 == len(node.args):
                yield where, URIRef(f"{JXV_NS}{args[0]}_{args[1]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for m in OWN_IRI.finditer(node.value):
                yield where, URIRef(m.group(0))


def python_files() -> list[Path]:
    return sorted(p for d in ("ingest", "jixiao") for p in (ROOT / d).rglob("*.py") if p.name != "ns.py")


def test_terms_in_shapes_are_declared() -> None:
    files = sorted((ROOT / "shapes").glob("*.ttl"))
    declared = Graph()
    for p in files:
        declared.parse(p, format="turtle")
    uses = [u for p in files for u in shapes_uses(p, declared)]
    assert not check_declared(uses)


def test_terms_in_queries_are_declared() -> None:
    uses = [
        u for p in sorted((ROOT / "queries").glob("*.rq")) for u in sparql_uses(p.name, p.read_text(encoding="utf-8"))
    ]
    assert not check_declared(uses)


def test_terms_in_python_are_declared() -> None:
    uses = [u for p in python_files() for u in python_uses(p)]
    assert uses, "the scan found no use of JX/JXV at all"
    assert not check_declared(uses)


def test_terms_in_examples_are_declared() -> None:
    uses = [u for p in sorted(EXAMPLES.glob("*.ttl")) for u in graph_uses(p.name, parse(p))]
    assert uses
    assert not check_declared(uses)


def test_external_terms_in_examples_are_declared(external: Graph) -> None:
    """Classes and properties from other vocabularies that instance data uses are declared (with
    labels) in external.ttl; RDF, RDFS, OWL and XSD are taken as known."""
    problems = []
    for path in sorted(EXAMPLES.glob("*.ttl")):
        g = parse(path)
        terms = set(g.predicates()) | set(g.objects(None, RDF.type))
        for t in sorted(terms, key=str):
            if not in_ns(t, JX_NS, JXV_NS) and not str(t).startswith(CORE) and (t, RDF.type, None) not in external:
                problems.append(f"{path.name}: {t}")
    assert not problems, "\n".join(problems)


def test_the_checkers_catch_undeclared_terms(tmp_path: Path) -> None:
    """The scanners above find what they should: a test that could not fail would be no test."""
    query = f"PREFIX jx: <{JX_NS}>\nSELECT ?x WHERE {{ ?x jx:noSuchProperty/jx:unit ?u ; a jx:Nope }}"
    assert check_declared(sparql_uses("q", query)) == [f"q: {JX_NS}Nope", f"q: {JX_NS}noSuchProperty"]
    code = tmp_path / "x.py"
    code.write_text(
        'from jixiao.ns import JX as J, JXV\nJ.Quantity, J.Nope, JXV["unit_nope"]\n'
        f'vocab("unit", "furlong")\nX = "{JX_NS}alsoNope"\n',
        encoding="utf-8",
    )
    found = [str(t) for _, t in python_uses(code, tmp_path)]
    assert sorted(found) == sorted(
        [f"{JX_NS}Quantity", f"{JX_NS}Nope", f"{JXV_NS}unit_nope", f"{JXV_NS}unit_furlong", f"{JX_NS}alsoNope"]
    )
    assert len(check_declared(("x", URIRef(t)) for t in found)) == 4


# -- the worked example --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Graph:
    return parse(EXAMPLES / "report-example.ttl")


@pytest.fixture(scope="module")
def example_text() -> str:
    return (EXAMPLES / "report-example.txt").read_text(encoding="utf-8")


def test_example_source_file_matches_the_text(example: Graph) -> None:
    raw = (EXAMPLES / "report-example.txt").read_bytes()
    files = list(example.subjects(RDF.type, JX.SourceFile))
    assert len(files) == 1
    f = files[0]
    assert str(example.value(f, JX.fileName)) == "report-example.txt"
    assert str(example.value(f, JX.sha256)) == hashlib.sha256(raw).hexdigest()
    assert int(example.value(f, JX.charCount)) == len(raw.decode("utf-8"))


def test_example_spans_quote_the_text_at_their_offsets(example: Graph, example_text: str) -> None:
    spans = list(example.subjects(RDF.type, JX.SourceSpan))
    assert len(spans) > 20
    problems = []
    for span in spans:
        selectors = list(example.objects(span, OA.hasSelector))
        pos = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in example]
        quote = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in example]
        if len(pos) != 1 or len(quote) != 1 or example.value(span, OA.hasSource) is None:
            problems.append(f"{span}: selectors {selectors}")
            continue
        start, end = int(example.value(pos[0], OA.start)), int(example.value(pos[0], OA.end))
        exact = str(example.value(quote[0], OA.exact))
        if not 0 <= start < end <= len(example_text) or example_text[start:end] != exact:
            problems.append(f"{span}: [{start},{end}) is {example_text[start:end]!r}, exact is {exact!r}")
    assert not problems, "\n".join(problems)


def test_example_quantities_have_value_unit_span(example: Graph, example_text: str) -> None:
    quantities = list(example.subjects(RDF.type, JX.Quantity))
    assert len(quantities) > 20
    problems = []
    for q in quantities:
        missing = [
            p
            for p in (JX.value, JX.unit, JX.sourceSpan, JX.multiplier, JX.normalizedValue)
            if example.value(q, p) is None
        ]
        if missing:
            problems.append(f"{q}: no {missing}")
            continue
        value, mult = Decimal(str(example.value(q, JX.value))), Decimal(str(example.value(q, JX.multiplier)))
        if Decimal(str(example.value(q, JX.normalizedValue))) != value * mult:
            problems.append(f"{q}: normalizedValue is not value × multiplier")
        quote = example.value(example.value(q, JX.sourceSpan), OA.hasSelector / OA.exact)
        stated = example.value(q, JX.statedForm)
        if stated is not None and str(stated) != str(quote):
            problems.append(f"{q}: statedForm {stated!r} is not the span's text {quote!r}")
    assert not problems, "\n".join(problems)


# Each query lists what breaks a rule; the example must list nothing. Run over example + ontology.
SANITY = {
    "budget figure without line or phase": """
        SELECT ?f WHERE { ?f a jx:BudgetFigure .
          FILTER NOT EXISTS { ?f jx:budgetLine ?l ; jx:budgetPhase ?p } }""",
    "budget line of the wrong class": """
        SELECT ?f WHERE { ?f jx:budgetLine ?l .
          FILTER NOT EXISTS { ?l a ?c . ?c rdfs:subClassOf* jx:BudgetLine } }""",
    "phase not in the budget-phase scheme": """
        SELECT ?f WHERE { ?f jx:budgetPhase ?p . FILTER NOT EXISTS { ?p skos:inScheme jxv:BudgetPhaseScheme } }""",
    "unit not in the unit scheme": """
        SELECT ?f WHERE { ?f jx:unit ?u . FILTER NOT EXISTS { ?u skos:inScheme jxv:UnitScheme } }""",
    "rate without kind": """
        SELECT ?r WHERE { ?r a jx:Rate . FILTER NOT EXISTS { ?r jx:rateKind ?k } }""",
    "change without direction": """
        SELECT ?c WHERE { ?c a jx:Change . FILTER NOT EXISTS { ?c jx:direction ?d } }""",
    "indicator category without level-1 parent": """
        SELECT ?i WHERE { ?i a jx:Indicator . FILTER NOT EXISTS { ?i jx:category/skos:broader ?top .
          ?top skos:topConceptOf jxv:IndicatorCategoryScheme } }""",
    "quantitative target and actual in different units": """
        SELECT ?i WHERE { ?i jx:target/jx:unit ?u1 ; jx:actual/jx:unit ?u2 . FILTER(?u1 != ?u2) }""",
    "report without department, year or kind": """
        SELECT ?r WHERE { ?r a jx:Report .
          FILTER NOT EXISTS { ?r jx:department ?d ; jx:fiscalYear ?y ; jx:reportKind ?k } }""",
    "section not reachable from a report": """
        SELECT ?s WHERE { ?s a jx:Section . FILTER NOT EXISTS { ?r a jx:Report ; jx:hasSection+ ?s } }""",
    "evaluation score not in points": """
        SELECT ?e WHERE { ?e jx:score/jx:unit ?u . FILTER(?u != jxv:unit_point) }""",
}


@pytest.fixture(scope="module")
def example_with_ontology(example: Graph, ontology: Graph) -> Graph:
    return example + ontology


@pytest.mark.parametrize("rule", sorted(SANITY))
def test_example_sanity(rule: str, example_with_ontology: Graph) -> None:
    g = example_with_ontology
    nothing = list(g.query(SANITY[rule], initNs={"jx": JX_NS, "jxv": JXV_NS, "skos": SKOS, "rdfs": RDFS}))
    assert nothing == []


def test_example_covers_the_main_classes(example: Graph) -> None:
    """The worked example is the contract: it shows each kind of resource ingest emits."""
    for cls in (
        JX.Report,
        JX.Section,
        JX.SourceFile,
        JX.SourceSpan,
        JX.BudgetFigure,
        JX.Rate,
        JX.Change,
        JX.Indicator,
        JX.Project,
        JX.SpendingAggregate,
        JX.SelfEvaluation,
        JX.RectificationIssue,
        JX.Department,
        JX.Organisation,
    ):
        assert (None, RDF.type, cls) in example, cls
    assert (None, JX.budgetPhase, JXV.phase_executed) in example


def test_zh_labels_are_unique_among_own_terms():
    """A zh interface must not show a class and a property under one name."""
    from collections import Counter

    from rdflib.namespace import RDFS

    g = Graph().parse(ONTOLOGY / "jixiao.ttl")
    labels = Counter(
        str(o)
        for s, o in g.subject_objects(RDFS.label)
        if str(s).startswith("https://w3id.org/jixiao/def#") and getattr(o, "language", None) == "zh"
    )
    assert [k for k, n in labels.items() if n > 1] == []


def test_external_namespaces_are_generated_with_exactly_the_declared_terms() -> None:
    """jixiao/ns.py has a class for each vocabulary external.ttl declares terms of (OA, PROV, QB, ORG,
    TIME …), named after its prefix there, holding those terms and refusing others."""
    from jixiao import ns

    external = Graph(bind_namespaces="none").parse(ONTOLOGY / "external.ttl", format="turtle")
    declared: dict[str, set[str]] = {}
    for prefix, namespace in external.namespaces():
        names = {
            str(t)[len(namespace) :]
            for kind in TERM_TYPES
            for t in external.subjects(RDF.type, kind)
            if str(t).startswith(str(namespace)) and str(t)[len(namespace) :].isidentifier()
        }
        if names and str(namespace) not in (JX_NS, JXV_NS):
            declared[prefix.upper().replace("-", "_")] = names
    assert {"OA", "PROV", "QB", "ORG", "TIME"} <= set(declared)
    for name, terms in declared.items():
        cls = getattr(ns, name)
        assert set(cls.__annotations__) == terms, name
        assert all(str(getattr(cls, t)).startswith(str(cls)) for t in terms)
    assert str(ns.OA.hasSelector) == "http://www.w3.org/ns/oa#hasSelector"
    with pytest.raises(AttributeError):
        _ = ns.OA.hasBody  # a real Web Annotation term, but not one jixiao declares
