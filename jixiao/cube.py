"""The RDF Data Cube view of a report's budget figures, and the W3C well-formedness checks.

:func:`build` makes, from one report graph, a ``qb:DataSet`` (``{report}/cube``, structure
``cube:budgetStructure`` in ontology/cube.ttl) with one ``jx:BudgetObservation`` per budget line and
budget phase of the current year:

* dimensions (sub-properties of the OpenBudgets.eu components): ``jx:classification`` the budget line,
  ``jx:phase`` the phase (jxv:BudgetPhaseScheme), ``jx:organisation`` the line's budget holder (the
  report's department when it has none), ``jx:period`` the fiscal year (``id/year/{yyyy}``);
* measure ``jx:amount`` (⊑ obeu-measure:amount): the normalised amount in yuan — when the report
  states one phase of a line more than once, the largest, as the library queries take it; every
  figure it comes from is linked with ``prov:wasDerivedFrom``;
* attribute ``jx:currency`` = jxv:unit_yuan (OpenBudgets makes currency an attribute, not a dimension);
* one ``qb:Slice`` per budget line (slice key ``cube:lineSlice``: line, organisation, period fixed) whose
  observations are the line's phases — the per-line view with appropriation, additions, cuts, revised
  budget and spending side by side, which a precomputed per-line table can be read from.

Figures about another year (``jx:referenceYear``: 比上年) and figures in other units are left out.
The cube is separate from the figures: ingest's ``qb:dataSet <{report}/budget>`` on each jx:BudgetFigure
stays as it is (a raw, unstructured data set: a phase may be stated several times there).

:func:`check` runs the 21 integrity constraints of the W3C Data Cube recommendation (section 11.1;
``ontology/cube/ic-NN.rq``, IC-20 and IC-21 instantiated once per parent-child property) over the
cube, the DSD and the code lists, and returns the names of those violated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache

from rdflib import RDF, XSD, Graph, Literal, URIRef

from jixiao import iris
from jixiao.data import ontology_dir
from jixiao.ns import JX, JXV

QB = "http://purl.org/linked-data/cube#"
# the DSD and its slice key (ontology/cube.ttl): individuals, in a namespace of their own
CUBE_NS = "https://w3id.org/jixiao/def/cube#"
STRUCTURE = URIRef(CUBE_NS + "budgetStructure")
LINE_SLICE = URIRef(CUBE_NS + "lineSlice")
PROV = "http://www.w3.org/ns/prov#"
_PREFIXES = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
_FIGURES = """PREFIX jx: <https://w3id.org/jixiao/def#>
SELECT ?r ?dept ?year ?f ?line ?phase ?v ?holder WHERE {
  ?r a jx:Report ; jx:department ?dept ; jx:fiscalPeriod ?year .
  ?f a jx:BudgetFigure ; jx:budgetLine ?line ; jx:budgetPhase ?phase ; jx:normalizedValue ?v ;
     jx:unit <https://w3id.org/jixiao/vocab#unit_yuan> ; jx:inSection/jx:inReport ?r .
  FILTER NOT EXISTS { ?f jx:referenceYear ?ry }
  OPTIONAL { ?line jx:budgetHolder ?holder }
}"""


_FIGURE_PREDICATES = (
    RDF.type,
    *(JX[n] for n in ("department", "fiscalPeriod", "budgetLine", "budgetPhase", "normalizedValue", "unit")),
    *(JX[n] for n in ("inSection", "inReport", "referenceYear", "budgetHolder")),
)


def _q(name: str) -> URIRef:
    return URIRef(QB + name)


def build(report_graph: Graph) -> Graph:
    """The Data Cube view of one report graph (empty when the report states no budget figure)."""
    cube = Graph()
    rows = [
        (row.r, row.year, row.holder if row.holder is not None else row.dept, row.line, row.phase, row.f, row.v)
        for row in report_graph.query(_FIGURES)
    ]
    for t in _cube_triples(rows):
        cube.add(t)
    return cube


def build_triples(triples: Iterable[tuple]) -> list[tuple]:
    """The same view from a report's triples as pyoxigraph terms (what ingest writes), as pyoxigraph
    triples: asked with Oxigraph, so adding the cube costs ingest little."""
    import pyoxigraph as ox

    from jixiao.rdfutil import from_ox_memoised, to_ox

    from_ox = from_ox_memoised()
    wanted = {ox.NamedNode(str(p)) for p in _FIGURE_PREDICATES}
    store = ox.Store()
    store.extend([ox.Quad(s, p, o) for s, p, o in triples if p in wanted])  # what _FIGURES reads
    rows = []
    for sol in store.query(_FIGURES):
        holder = sol["holder"]
        values = [from_ox(sol[v]) for v in ("r", "year", "dept", "line", "phase", "f", "v")]
        if holder is not None:
            values[2] = from_ox(holder)
        rows.append(tuple(values))
    memo: dict = {}

    def term(x):  # terms repeat (the data set, a line, its phases, the year): each converted once
        found = memo.get(x)
        if found is None:
            found = memo[x] = to_ox(x)
        return found

    return [(term(s), term(p), term(o)) for s, p, o in _cube_triples(rows)]


def _cube_triples(rows: Iterable[tuple]) -> Iterator[tuple]:
    """The cube's triples from (report, year, organisation, line, phase, figure, value) rows, in a
    fixed order."""
    groups: dict[tuple, list[tuple[URIRef, Decimal]]] = defaultdict(list)
    for report, year, org, line, phase, f, v in rows:
        groups[(report, year, org, line, phase)].append((f, Decimal(str(v))))
    seen = set()
    for (report, year, org, line, phase), figures in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
        dataset = iris.local(report, "cube")
        line_key = iris.name_key(str(line))
        obs = iris.local(report, "cube", line_key, str(phase).rsplit("_", 1)[-1])
        sl = iris.local(report, "cube", line_key)
        out = [
            (dataset, RDF.type, _q("DataSet")),
            (dataset, _q("structure"), STRUCTURE),
            (dataset, URIRef("http://purl.org/dc/terms/source"), report),
            (dataset, _q("slice"), sl),
            (sl, RDF.type, _q("Slice")),
            (sl, _q("sliceStructure"), LINE_SLICE),
            (sl, JX.classification, line),
            (sl, JX.organisation, org),
            (sl, JX.period, year),
            (sl, _q("observation"), obs),
            (obs, RDF.type, _q("Observation")),
            (obs, RDF.type, JX.BudgetObservation),
            (obs, _q("dataSet"), dataset),
            (obs, JX.classification, line),
            (obs, JX.phase, phase),
            (obs, JX.organisation, org),
            (obs, JX.period, year),
            (obs, JX.amount, Literal(max(v for _, v in figures), datatype=XSD.decimal)),
            (obs, JX.currency, JXV.unit_yuan),
        ]
        out += [(obs, URIRef(PROV + "wasDerivedFrom"), f) for f, _ in sorted(figures, key=lambda fv: str(fv[0]))]
        for t in out:
            if t not in seen:
                seen.add(t)
                yield t


@cache
def structure() -> Graph:
    """What the checks need besides the cube: the ontology (the DSD, its components, their ranges and
    code lists) and the code lists' concepts."""
    g = Graph()
    for name in ("jixiao.ttl", "vocab.ttl", "cube.ttl"):
        g.parse(ontology_dir() / name, format="turtle")
    return g


@cache
def constraints() -> dict[str, str]:
    """IC name → ASK query (IC-20 and IC-21 as templates with ``$p``)."""
    folder = ontology_dir() / "cube"
    return {p.stem.upper(): p.read_text(encoding="utf-8") for p in sorted(folder.glob("ic-*.rq"))}


def check(cube: Graph, with_structure: bool = True) -> list[str]:
    """The integrity constraints the cube violates (empty: well-formed), asked with Oxigraph.
    ``with_structure`` adds the ontology and code lists, as a store holding both would have them."""
    import pyoxigraph as ox

    from jixiao.rdfutil import to_ox

    g = Graph()
    for t in cube:
        g.add(t)
    if with_structure:
        for t in structure():
            g.add(t)
    store = ox.Store()
    store.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g])
    pcp = _q("parentChildProperty")
    props = {p for p in g.objects(None, pcp) if isinstance(p, URIRef)}
    props |= {p for b in g.objects(None, pcp) for p in g.objects(b, _owl_inv()) if isinstance(p, URIRef)}
    failed = []
    for name, text in constraints().items():
        texts = [text.replace("$p", f"<{p}>") for p in sorted(props)] if "$p" in text else [text]
        if any(bool(store.query(_PREFIXES + t)) for t in texts):
            failed.append(name)
    return failed


def _owl_inv() -> URIRef:
    return URIRef("http://www.w3.org/2002/07/owl#inverseOf")
