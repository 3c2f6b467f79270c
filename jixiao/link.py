"""Links between reports: organisations placed in their divisions, and the same project, indicator or
audit issue found again in a department's next report. Kept in their own graph (``iris.LINKS_GRAPH``),
so re-ingesting a report loses none of them; ``jixiao link`` recomputes the graph from the reports.

What goes into the links graph:

* every organisation a report names, placed by :func:`jixiao.orgs.place` (decision 0008): its new IRI
  with ``jx:division``, ``jx:localName``, ``jx:orgKind``, ``jx:placedBy``, names, and
  ``org:subOrganizationOf`` its government (a bureau under the division's 人民政府), its department (a
  budget unit) or its party committee (the committee's office); a name placed from itself alone (not
  a relative 市财政局) also gets ``<decision-0001 IRI> owl:sameAs <new IRI>``, so queries reach the
  division from the IRIs reports carry today; a name that cannot be placed gets
  ``jx:flag jxv:flag_region_unresolved`` and the diagnostic, no guess;
* the divisions used, with their ancestors (``jx:Region``: code, zh names full and short, level, parent);
* each evaluation's organisations with their role (``prov:qualifiedAssociation``: self-evaluator,
  evaluating finance bureau, third-party firm), pointing at the placed organisation;
* matches across years: for each department (new IRI) and report kind, each report and the
  department's next one; their projects, indicators and audit issues compared by name —
  ``skos:exactMatch`` when equal after normalisation, ``skos:closeMatch`` when the similarity reaches
  ``accept``. Every pair scoring at least ``min_score`` is a row of the SSSOM mapping set
  (:func:`write_sssom`), with its justification and confidence.

Similarity: the Jaccard index of the two names' jieba search-mode token sets (rjieba
``cut_for_search``). Names in these reports are compounds of a few words (职工技能竞赛经费); a renamed
line keeps most words and adds or drops one (职工技能竞赛活动经费: 0.67), while different lines of one
department share only the department's generic words (职工文体活动经费: 0.38). Search mode emits a
compound and its parts (竞赛活动, 竞赛, 活动), so a different segmentation of the same words does not
hide the overlap. Character-bigram measures were not chosen: they count shared generic characters
(职工, 经费) as much as the words that tell lines apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.term import Node

from jixiao import __version__, iris, orgs, regions
from jixiao.errors import InputError, JixiaoError
from jixiao.ns import JX, JXV
from jixiao.store import GraphStore

ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SEMAPV = "https://w3id.org/semapv/vocab/"
MIN_SCORE = 0.5
ACCEPT = 0.6
MEASURE = "Jaccard index of jieba search-mode token sets"
MAPPING_SET = f"{iris.BASE}linkset/across-years"
ITEM_KINDS = ("project", "indicator", "issue")

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Item:
    iri: URIRef
    kind: str  # project | indicator | issue
    name: str
    category: URIRef | None  # an indicator's jx:category: only indicators of one category match
    report: URIRef


@dataclass(frozen=True)
class Mapping:
    subject: Item
    object: Item
    exact: bool
    score: float

    @property
    def accepted(self) -> bool:
        return self.exact or self.score >= ACCEPT


@dataclass
class Links:
    triples: list[Triple]
    mappings: list[Mapping]
    unplaced: list[tuple[URIRef, str, str]]  # (organisation, name, diagnostic)


# --------------------------------------------------------------------------------------------
# Reading the store

_P = """PREFIX jx: <https://w3id.org/jixiao/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _rows(store: GraphStore, query: str) -> list[dict[str, Node]]:
    from jixiao.rdfutil import from_ox

    res = store.query(_P + query)
    names = [v.value for v in res.variables]
    return [{n: from_ox(sol[n]) for n in names if sol[n] is not None} for sol in res]


def _reports(store: GraphStore) -> list[dict[str, Node]]:
    return _rows(
        store,
        """SELECT ?g ?r ?year ?kind ?dept ?dname WHERE { GRAPH ?g {
             ?r a jx:Report ; jx:department ?dept ; jx:fiscalYear ?year ; jx:reportKind ?kind .
             ?dept jx:canonicalName ?dname } } ORDER BY ?g""",
    )


# --------------------------------------------------------------------------------------------
# Organisations and divisions


class _Builder:
    def __init__(self) -> None:
        self.triples: set[Triple] = set()
        self.regions: set[str] = set()
        self.unplaced: set[tuple[URIRef, str, str]] = set()

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.triples.add((s, p, o))

    def organisation(self, placed: orgs.Placed) -> URIRef:
        new = placed.iri
        self.add(new, RDF.type, JX.Organisation)
        self.add(new, JX.canonicalName, Literal(placed.canonical_name))
        self.add(new, RDFS.label, Literal(placed.canonical_name, lang="zh"))
        if placed.kind is not None:
            self.add(new, JX.orgKind, placed.kind.iri)
        r = placed.region
        if r is None or (placed.kind is not None and not placed.kind.government):
            return new
        self.add(new, JX.localName, Literal(placed.local))
        self.add(new, JX.division, iris.region(r.code))
        self.add(new, JX.placedBy, JXV[f"place_{placed.resolution.how}"])
        self.regions.add(r.code)
        under = placed.kind.under if placed.kind else None
        if under is not None:
            parent = orgs.body(r, under)
            self.organisation(parent)
            self.add(new, URIRef(ORG + "subOrganizationOf"), parent.iri)
        return new

    def region_triples(self) -> None:
        codes = {a.code for c in self.regions for a in regions.chain(c)}
        for code in sorted(codes):
            r = regions.region(code)
            iri = iris.region(code)
            self.add(iri, RDF.type, JX.Region)
            self.add(iri, RDF.type, SKOS.Concept)
            self.add(iri, SKOS.inScheme, JXV.RegionScheme)
            self.add(iri, JX.divisionCode, Literal(code))
            self.add(iri, SKOS.notation, Literal(code))
            self.add(iri, RDFS.label, Literal(r.name, lang="zh"))
            self.add(iri, SKOS.prefLabel, Literal(r.name, lang="zh"))
            if r.short:
                self.add(iri, JX.shortName, Literal(r.short))
            self.add(iri, JX.regionLevel, JXV[f"level_{r.level}"])
            if r.parent:
                self.add(iri, JX.parentRegion, iris.region(r.parent))


def _place(name: str, context: regions.Region | None) -> orgs.Placed | str:
    try:
        return orgs.place(name, context)
    except InputError as exc:
        return exc.problem


def placements(store: GraphStore, b: _Builder) -> dict[tuple[URIRef, URIRef], URIRef]:
    """Place every organisation each report names; returns (report, decision-0001 IRI) → new IRI."""
    placed_as: dict[tuple[URIRef, URIRef], URIRef] = {}
    orgs_of: dict[URIRef, list[tuple[URIRef, str]]] = defaultdict(list)
    for row in _rows(
        store,
        """SELECT ?r ?o ?n WHERE { GRAPH ?g { ?r a jx:Report . ?o jx:canonicalName ?n .
             { ?o a jx:Organisation } UNION { ?o a jx:Department } UNION { ?o a jx:BudgetUnit } } }""",
    ):
        orgs_of[row["r"]].append((row["o"], str(row["n"])))
    for rep in _reports(store):
        report = rep["r"]
        dept = _place(str(rep["dname"]), None)
        context = dept.region if isinstance(dept, orgs.Placed) else None
        for old, name in sorted(set(orgs_of[report])):
            free = _place(name, None)
            placed = free if isinstance(free, orgs.Placed) else _place(name, context)
            if isinstance(placed, str):
                b.unplaced.add((old, name, placed))
                continue
            new = b.organisation(placed)
            placed_as[(report, old)] = new
            if isinstance(free, orgs.Placed) and new != old:
                b.add(old, OWL.sameAs, new)
    for row in _rows(
        store, "SELECT ?r ?dept ?u WHERE { GRAPH ?g { ?r jx:department ?dept . ?dept jx:hasBudgetUnit ?u } }"
    ):
        d, u = placed_as.get((row["r"], row["dept"])), placed_as.get((row["r"], row["u"]))
        if d and u and d != u:
            b.add(u, URIRef(ORG + "subOrganizationOf"), d)
    for old, _name, diag in sorted(b.unplaced):
        b.add(old, JX.flag, JXV.flag_region_unresolved)
        b.add(old, JX.regionDiagnostic, Literal(diag))
    return placed_as


def evaluation_roles(store: GraphStore, b: _Builder, placed_as: dict[tuple[URIRef, URIRef], URIRef]) -> None:
    """Each evaluation's evaluator with its role (prov:qualifiedAssociation)."""
    for row in _rows(
        store,
        """SELECT ?r ?e ?t ?ev WHERE { GRAPH ?g { ?r jx:evaluation ?e . ?e a ?t ; jx:evaluator ?ev .
             FILTER(?t IN (jx:SelfEvaluation, jx:ThirdPartyEvaluation)) } } ORDER BY ?e""",
    ):
        agent = placed_as.get((row["r"], row["ev"]), row["ev"])
        if row["t"] == JX.SelfEvaluation:
            role = JXV.evrole_self_evaluator
        else:
            kinds = {o for s, p, o in b.triples if s == agent and p == JX.orgKind}
            role = JXV.evrole_finance_bureau if JXV.okind_finance in kinds else JXV.evrole_third_party
        assoc = iris.local(row["e"], "association", iris.name_key(str(agent)))
        b.add(row["e"], URIRef(PROV + "qualifiedAssociation"), assoc)
        b.add(assoc, RDF.type, URIRef(PROV + "Association"))
        b.add(assoc, URIRef(PROV + "agent"), agent)
        b.add(assoc, URIRef(PROV + "hadRole"), role)


# --------------------------------------------------------------------------------------------
# Matching across years

_YEAR = re.compile(r"(19|20)\d\d\s*年度?")
_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）.、．]\s*")


def normalise_name(name: str) -> str:
    """What two names must share to be the same thing: NFKC, no whitespace, punctuation, years
    (2023年度) or leading list numbers."""
    text = unicodedata.normalize("NFKC", name)
    text = _NUMBERING.sub("", text.strip())
    text = _YEAR.sub("", text)
    return "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def _tokens(name: str) -> frozenset[str]:
    import rjieba

    return frozenset(t for t in rjieba.cut_for_search(normalise_name(name)) if t.strip())


def similarity(a: str, b: str) -> float:
    """The Jaccard index of the names' jieba search-mode token sets (see the module docstring)."""
    ta, tb = _tokens(a), _tokens(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def _items(store: GraphStore, report: URIRef) -> list[Item]:
    r = f"<{report}>"
    out: list[Item] = []
    for row in _rows(
        store,
        f"""SELECT DISTINCT ?i ?nm WHERE {{ GRAPH ?g {{ ?i a jx:Project ; jx:inSection/jx:inReport {r} .
              {{ ?i jx:name ?nm }} UNION {{ ?i jx:inferredName ?nm }} }} }}""",
    ):
        out.append(Item(row["i"], "project", str(row["nm"]), None, report))
    for row in _rows(
        store,
        f"SELECT ?i ?nm ?cat WHERE {{ GRAPH ?g {{ {r} jx:hasIndicator ?i . ?i jx:name ?nm . "
        "OPTIONAL { ?i jx:category ?cat } } }",
    ):
        out.append(Item(row["i"], "indicator", str(row["nm"]), row.get("cat"), report))
    for row in _rows(store, f"SELECT ?i ?nm WHERE {{ GRAPH ?g {{ {r} jx:rectificationIssue ?i . ?i jx:title ?nm }} }}"):
        out.append(Item(row["i"], "issue", str(row["nm"]), None, report))
    return sorted(set(out), key=lambda it: (it.kind, str(it.iri), it.name))


def match(before: list[Item], after: list[Item], min_score: float = MIN_SCORE) -> list[Mapping]:
    """Items of one report matched to the next report's: exact after normalisation first (all
    pairs), then the best-scoring remaining pairs one to one, down to ``min_score``."""
    out: list[Mapping] = []
    for kind in ITEM_KINDS:
        xs = [i for i in before if i.kind == kind]
        ys = [i for i in after if i.kind == kind]
        done_x: set[URIRef] = set()
        done_y: set[URIRef] = set()
        for x in xs:
            for y in ys:
                if _fits(x, y) and normalise_name(x.name) == normalise_name(y.name):
                    out.append(Mapping(x, y, True, 1.0))
                    done_x.add(x.iri)
                    done_y.add(y.iri)
        scored = sorted(
            (
                (-similarity(x.name, y.name), str(x.iri), str(y.iri), x, y)
                for x in xs
                for y in ys
                if x.iri not in done_x and y.iri not in done_y and _fits(x, y)
            ),
            key=lambda t: t[:3],
        )
        for neg, _, _, x, y in scored:
            if -neg < min_score:
                break
            if x.iri in done_x or y.iri in done_y:
                continue
            out.append(Mapping(x, y, False, round(-neg, 4)))
            done_x.add(x.iri)
            done_y.add(y.iri)
    return out


def _fits(x: Item, y: Item) -> bool:
    return x.category is None or y.category is None or x.category == y.category


def across_years(store: GraphStore, placed_as: dict[tuple[URIRef, URIRef], URIRef], min_score: float) -> list[Mapping]:
    """Each department's reports of one kind in year order; each report matched with the next."""
    series: dict[tuple[URIRef, URIRef], list[tuple[int, URIRef]]] = defaultdict(list)
    for rep in _reports(store):
        dept = placed_as.get((rep["r"], rep["dept"]), rep["dept"])
        series[(dept, rep["kind"])].append((int(str(rep["year"])[:4]), rep["r"]))
    out: list[Mapping] = []
    for key in sorted(series, key=lambda k: (str(k[0]), str(k[1]))):
        reports = sorted(set(series[key]), key=lambda yr: (yr[0], str(yr[1])))
        for (y1, r1), (y2, r2) in pairwise(reports):
            if y1 < y2:
                out.extend(match(_items(store, r1), _items(store, r2), min_score))
    return out


# --------------------------------------------------------------------------------------------
# The whole step


def build(store: GraphStore, min_score: float = MIN_SCORE) -> Links:
    """Compute the links graph's triples and the mappings from the reports in ``store``."""
    b = _Builder()
    placed_as = placements(store, b)
    evaluation_roles(store, b, placed_as)
    b.region_triples()
    mappings = across_years(store, placed_as, min_score)
    for m in mappings:
        if m.accepted:
            b.add(m.subject.iri, SKOS.exactMatch if m.exact else SKOS.closeMatch, m.object.iri)
    triples = sorted(b.triples, key=lambda t: tuple(str(x) for x in t))
    return Links(triples, mappings, sorted(b.unplaced))


def write_links(store: GraphStore, links: Links) -> int:
    """Replace the links graph (atomically); report graphs are not touched."""
    n = store.replace_graph(iris.LINKS_GRAPH, links.triples)
    store.flush()
    return n


def _curie(iri: URIRef) -> str:
    return "jxd:" + str(iri)[len(iris.BASE) :]


def write_sssom(mappings: Iterable[Mapping], path: Path) -> int:
    """Write the mappings as an SSSOM/TSV mapping set (the ``sssom`` package; extra ``link``)."""
    try:
        import pandas as pd
        from curies import Converter
        from sssom.util import MappingSetDataFrame
        from sssom.writers import write_table
    except ImportError as exc:  # pragma: no cover - the extra is installed in dev
        raise JixiaoError(f"writing SSSOM needs the link extra: pip install 'jixiao[link]' ({exc})") from exc
    rows = []
    for m in mappings:
        row = {
            "subject_id": _curie(m.subject.iri),
            "subject_label": m.subject.name,
            "predicate_id": "skos:exactMatch" if m.exact else "skos:closeMatch",
            "object_id": _curie(m.object.iri),
            "object_label": m.object.name,
            "mapping_justification": "semapv:LexicalMatching"
            if m.exact
            else "semapv:LexicalSimilarityThresholdMatching",
            "confidence": m.score,
            "subject_source": _curie(m.subject.report),
            "object_source": _curie(m.object.report),
            "subject_type": "rdfs resource",
            "object_type": "rdfs resource",
            "comment": f"{m.subject.kind}; " + ("accepted" if m.accepted else "candidate, not accepted"),
        }
        if not m.exact:
            row["similarity_score"] = m.score
            row["similarity_measure"] = MEASURE
        rows.append(row)
    columns = [
        "subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification",
        "confidence", "similarity_score", "similarity_measure", "subject_type", "object_type",
        "subject_source", "object_source", "comment",
    ]  # fmt: skip
    rows.sort(key=lambda r: (r["subject_id"], r["object_id"]))
    df = pd.DataFrame(rows, columns=columns)
    prefixes = {
        "jxd": iris.BASE,
        "skos": str(SKOS),
        "semapv": SEMAPV,
        "rdfs": str(RDFS),
    }
    metadata = {
        "mapping_set_id": MAPPING_SET,
        "mapping_set_title": "jixiao: the same project, indicator or audit issue in a department's successive reports",
        "mapping_set_description": (
            f"Exact after normalisation (skos:exactMatch), else {MEASURE} >= {ACCEPT} accepted as skos:closeMatch; "
            f"candidates down to the minimum score are listed, marked in the comment."
        ),
        "license": "https://www.apache.org/licenses/LICENSE-2.0",
        "mapping_tool": "jixiao link",
        "mapping_tool_version": __version__,
        "curie_map": prefixes,
    }
    msdf = MappingSetDataFrame(df=df, converter=Converter.from_prefix_map(prefixes), metadata=metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        write_table(msdf, f)
    tmp.replace(path)
    return len(rows)
