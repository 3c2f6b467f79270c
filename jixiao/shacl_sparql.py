"""The shapes compiled to SPARQL and evaluated inside the store (``--engine sparql``).

pySHACL validates one focus node at a time (a SPARQL constraint is run once per focus, with
``$this`` pre-bound). Over a corpus that is hundreds of thousands of small queries. Here every
constraint becomes one SELECT over a report's dataset (the report's named graph plus the validation
context graph, exactly the data graph pySHACL sees) that returns all its violations at once:

* a SPARQL constraint keeps its query; ``$this`` becomes a variable joined to the shape's targets,
  ``$currentShape`` the shape's IRI;
* the core components jixiao's shapes use (min/maxCount, datatype, class, node, hasValue, in-range,
  lessThan, or, qualified counts, every SHACL path form) become graph patterns; a nested shape (sh:node,
  sh:or, sh:qualifiedValueShape) becomes ``NOT EXISTS`` over its own violation patterns.

A shape using anything else is refused with its name (``UnsupportedShape``): the engine never
silently skips a constraint. Results are the same rows pySHACL reports (focus, path, value, source
shape, component, severity, messages with ``{?var}`` filled in); tests compare the two on the
bundled samples, the real report and generated corpora (docs/decisions/0003-validation-engine.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from jixiao.sparqltext import skip_opaque

# The lexical forms of the datatypes whose literals can be ill-formed (XML Schema 1.1, part 2);
# a literal of another datatype is checked by its datatype only.
LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.gYear: r"^-?([1-9][0-9]{4,}|[0-9]{4})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.date: r"^-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
# Everything a shape may say that this engine understands; anything else is refused.
NON_CONSTRAINTS = {
    RDF.type,
    SH.name,
    SH.message,
    SH.severity,
    SH.description,
    SH.order,
    SH.group,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.path,
    SH.property,
    SH.deactivated,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    RDFS.seeAlso,
    RDFS.comment,
    RDFS.label,
}
SUPPORTED = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.node,
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH["or"],
    SH.qualifiedValueShape,
    SH.sparql,
}
COMPARATORS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}
COMPONENT = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
THIS = re.compile(r"\$this\b")
CURRENT_SHAPE = re.compile(r"\$currentShape\b")
UNSUPPORTED_VARS = re.compile(r"\$(shapesGraph|PATH)\b")
_PROJECTION = re.compile(r"^\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(?P<vars>.*?)\s*(WHERE\s*)?\{", re.I | re.S)


class UnsupportedShape(ValueError):
    """A shape uses something the SPARQL engine does not compile (use pyshacl or turbo for it)."""


def term(node: Node) -> str:
    """A shapes-graph term as SPARQL text."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShape(f"a blank node {node} where the SPARQL engine needs an IRI or literal")


@dataclass(frozen=True)
class Check:
    """One query: each row is one validation result. ``value``/``path``/``vars`` name what the rows
    carry; ``messages`` are the source shape's sh:message templates."""

    shape: Node
    component: URIRef
    severity: URIRef
    query: str
    path: Node | None
    messages: tuple[Literal, ...]
    value: str | None = None  # the variable holding sh:value (None: no value)
    sparql: bool = False  # rows of a SPARQL constraint: every projected variable fills messages
    constraint: Node | None = None
    # a counting check: the query returns ?this with its count ?n; each (component, op, limit) the
    # count breaks is one result (min and max counts of a path share one query)
    bounds: tuple[tuple[URIRef, str, int], ...] = ()
    # value constraints of one shape checked in one query: each row carries one flag ?_c<i> per
    # part, and is a result of every part whose flag is true
    parts: tuple[Check, ...] = ()


@dataclass
class Compiled:
    checks: list[Check] = field(default_factory=list)
    compiler: Compiler | None = None


SUBCLASS_PAIRS = f"SELECT ?sub ?sup WHERE {{ ?sub <{RDFS.subClassOf}> ?sup }}"


def subclass_closure(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """class IRI → every class C with C rdfs:subClassOf* it (itself included), from (sub, super) pairs."""
    subs: dict[str, set[str]] = {}
    for sub, sup in pairs:
        subs.setdefault(sup, set()).add(sub)
    out: dict[str, frozenset[str]] = {}
    for top in subs:
        seen, todo = {top}, [top]
        while todo:
            for sub in subs.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        out[top] = frozenset(seen)
    return out


class Compiler:
    """Compiles a shapes graph. ``hierarchy`` is the data graph's rdfs:subClassOf pairs (the context's):
    ``rdf:type/rdfs:subClassOf*`` is written as a VALUES list of the subclasses, which Oxigraph
    evaluates ~10x faster than the path; ``evaluate`` recompiles for a report that adds pairs."""

    def __init__(self, shapes: Graph, hierarchy: Iterable[tuple[str, str]] = ()):
        self.g = shapes
        self._n = count()
        self.prefixes = self._prefixes()
        self.hierarchy = frozenset(hierarchy)
        self.closure = subclass_closure(self.hierarchy)

    def classes(self, c: Node) -> str:
        """The VALUES body of class ``c`` and its subclasses."""
        if not isinstance(c, URIRef):
            raise UnsupportedShape(f"a class {c} that is not an IRI")
        return " ".join(f"<{x}>" for x in sorted(self.closure.get(str(c), {str(c)})))

    def instance_of(self, node: str, c: Node) -> str:
        """A pattern: ``node`` rdf:type/rdfs:subClassOf* ``c`` (one solution per matching type)."""
        t = self.var("t")
        return f"{node} <{RDF.type}> {t} . VALUES {t} {{ {self.classes(c)} }}"

    # -- helpers -------------------------------------------------------------------------------
    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self._n)}"

    def _prefixes(self) -> str:
        out = {}
        for decl in self.g.objects(None, SH.declare):
            prefix, ns = self.g.value(decl, SH.prefix), self.g.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                out[str(prefix)] = str(ns)
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(out.items()))

    def path(self, node: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        g = self.g
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(p) for p in Collection(g, node)) + ")"
        for key, fmt in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = g.value(node, key)
            if inner is not None:
                return "(" + fmt.format(self.path(inner)) + ")"
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(p) for p in Collection(g, alt)) + ")"
        raise UnsupportedShape(f"unknown path form {node}")

    def severity(self, shape: Node) -> URIRef:
        return self.g.value(shape, SH.severity) or SH.Violation

    def messages(self, shape: Node) -> tuple[Literal, ...]:
        return tuple(sorted((m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal)), key=str))

    def constraints(self, shape: Node) -> list[tuple[URIRef, Node]]:
        out = []
        for p, o in sorted(self.g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if p == SH.qualifiedValueShapesDisjoint and o == Literal(True):
                raise UnsupportedShape(f"shape {shape}: sh:qualifiedValueShapesDisjoint true is not supported")
            if p in NON_CONSTRAINTS or p.startswith("https://w3id.org/jixiao/shapes#"):
                continue
            if p not in SUPPORTED:
                raise UnsupportedShape(f"shape {shape}: {p} is not supported by the SPARQL engine")
            out.append((p, o))
        return out

    def targets(self, shape: Node, focus: str) -> str | None:
        """A pattern binding ``focus`` to every target of the shape, or None if it has none."""
        g, parts = self.g, []
        classes = sorted(g.objects(shape, SH.targetClass), key=str)
        if (shape, RDF.type, RDFS.Class) in g:
            classes.append(shape)
        for c in classes:
            values = self.classes(c)
            if " " not in values:  # a class without subclasses: one type triple, one solution per node
                parts.append(f"{{ {focus} <{RDF.type}> {values} }}")
                continue
            # a sub-SELECT DISTINCT: one solution per focus node even when it has several matching types
            parts.append(
                f"{{ SELECT DISTINCT {focus} WHERE {{ {focus} <{RDF.type}> ?_t . VALUES ?_t {{ {values} }} }} }}"
            )
        for n in sorted(g.objects(shape, SH.targetNode), key=str):
            parts.append(f"{{ VALUES {focus} {{ {term(n)} }} }}")
        for p in sorted(g.objects(shape, SH.targetSubjectsOf), key=str):
            parts.append(f"{{ SELECT DISTINCT {focus} WHERE {{ {focus} {term(p)} ?_t }} }}")
        for p in sorted(g.objects(shape, SH.targetObjectsOf), key=str):
            parts.append(f"{{ SELECT DISTINCT {focus} WHERE {{ ?_t {term(p)} {focus} }} }}")
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "{ " + " UNION ".join(parts) + " }"

    # -- conformance of a node to a nested shape (sh:node, sh:or, sh:qualifiedValueShape) --------
    def conforms(self, shape: Node, focus: str, depth: int = 0) -> str:
        """A SPARQL boolean expression: the node in ``focus`` conforms to ``shape``."""
        if depth > 8:
            raise UnsupportedShape(f"shape {shape}: nesting deeper than 8 (recursive shapes are not supported)")
        props = sorted(self.g.objects(shape, SH.property), key=str)
        own = self.constraints(shape)
        if (
            not props
            and len(own) == 1
            and self.g.value(shape, SH.path) is None
            and own[0][0] not in (SH.minCount, SH.maxCount, SH.hasValue, SH.sparql, SH.qualifiedValueShape)
            and self.g.value(shape, SH.deactivated) != Literal(True)
        ):
            # one value constraint on the node itself: conforms = not violated (no double negation)
            return "!(" + self.value_violation(shape, own[0][0], own[0][1], focus, focus, depth) + ")"
        patterns = list(self.violation_patterns(shape, focus, depth))
        for prop in props:
            patterns.extend(self.violation_patterns(prop, focus, depth))
        if not patterns:
            return "true"
        return "NOT EXISTS { " + " UNION ".join(f"{{ {p} }}" for p in patterns) + " }"

    def violation_patterns(self, shape: Node, focus: str, depth: int) -> Iterator[str]:
        """Group patterns with at least one solution exactly when ``focus`` violates ``shape``'s own
        constraints (not its sh:property shapes, which the caller adds)."""
        if self.g.value(shape, SH.deactivated) == Literal(True):
            return
        path = self.g.value(shape, SH.path)
        p = self.path(path) if path is not None else None
        for key, obj in self.constraints(shape):
            if key == SH.minCount:
                n = int(obj)
                if n == 0:
                    continue
                if n != 1 or p is None:
                    raise UnsupportedShape(f"shape {shape}: a nested sh:minCount other than 1")
                yield f"FILTER NOT EXISTS {{ {focus} {p} {self.var('m')} }}"
            elif key == SH.maxCount:
                if int(obj) != 0 or p is None:
                    raise UnsupportedShape(f"shape {shape}: a nested sh:maxCount other than 0")
                yield f"{focus} {p} {self.var('m')}"
            elif key == SH.hasValue:
                yield (
                    f"FILTER NOT EXISTS {{ {focus} {p} {term(obj)} }}"
                    if p
                    else f"FILTER (!sameTerm({focus}, {term(obj)}))"
                )
            elif key in (SH.sparql, SH.qualifiedValueShape):
                raise UnsupportedShape(f"shape {shape}: {key} inside a nested shape")
            else:
                v = self.var() if p else focus
                bind = f"{focus} {p} {v} . " if p else ""
                yield bind + f"FILTER ({self.value_violation(shape, key, obj, focus, v, depth)})"

    def value_violation(self, shape: Node, key: URIRef, obj: Node, focus: str, v: str, depth: int) -> str:
        """A boolean expression: value node ``v`` (of focus ``focus``) violates constraint key=obj."""
        if key == SH.datatype:
            expr = f"!isLiteral({v}) || datatype({v}) != {term(obj)}"
            if obj in LEXICAL:
                pattern = LEXICAL[obj].replace("\\", "\\\\")
                expr += f' || !REGEX(STR({v}), "{pattern}")'
            return expr
        if key == SH["class"]:
            return f"NOT EXISTS {{ {self.instance_of(v, obj)} }}"
        if key == SH.node:
            return "!(" + self.conforms(obj, v, depth + 1) + ")"
        if key in COMPARATORS:
            return f"!COALESCE({v} {COMPARATORS[key]} {term(obj)}, false)"
        if key in PAIRS:
            w = self.var("w")
            return f"EXISTS {{ {focus} {term(obj)} {w} FILTER (!COALESCE({v} {PAIRS[key]} {w}, false)) }}"
        if key == SH["or"]:
            members = list(Collection(self.g, obj))
            return " && ".join("!(" + self.conforms(m, v, depth + 1) + ")" for m in members) or "true"
        raise UnsupportedShape(f"shape {shape}: {key} is not supported by the SPARQL engine")

    # -- top-level checks ----------------------------------------------------------------------
    def compile(self) -> Compiled:
        out = Compiled(compiler=self)
        roots = sorted(
            {s for s in self.g.subjects(RDF.type, SH.NodeShape)}
            | {s for s in self.g.subjects(RDF.type, SH.PropertyShape)}
            | {s for s in self.g.subjects(SH.targetClass, None)},
            key=str,
        )
        for shape in roots:
            target = self.targets(shape, "?this")
            if target is None or self.g.value(shape, SH.deactivated) == Literal(True):
                continue
            out.checks.extend(self.shape_checks(shape, target))
            for prop in sorted(self.g.objects(shape, SH.property), key=str):
                if self.g.value(prop, SH.deactivated) == Literal(True):
                    continue
                try:
                    out.checks.extend(self.shape_checks(prop, target))
                except UnsupportedShape as exc:
                    if isinstance(prop, URIRef):
                        raise
                    path = self.g.value(prop, SH.path)
                    raise UnsupportedShape(f"shape {shape}, its property shape on {path}: {exc}") from exc
        return out

    def shape_checks(self, shape: Node, target: str) -> Iterator[Check]:
        g = self.g
        path_node = g.value(shape, SH.path)
        p = self.path(path_node) if path_node is not None else None
        common = dict(shape=shape, severity=self.severity(shape), path=path_node, messages=self.messages(shape))
        cons = dict(self.constraints(shape))
        values: list[tuple[URIRef, str]] = []  # (component, violation expression) on ?this / ?value
        for key, obj in self.constraints(shape):
            if key in (SH.minCount, SH.maxCount, SH.qualifiedValueShape):
                if p is None:
                    raise UnsupportedShape(f"shape {shape}: {key} on a node shape")
                if key == SH.maxCount and SH.minCount in cons:
                    continue  # counted together with minCount
                bounds = []
                v = self.var()
                if key == SH.qualifiedValueShape:
                    where = f"OPTIONAL {{ ?this {p} {v} FILTER ({self.conforms(obj, v, 1)}) }}"
                    for k, comp, op in (
                        (SH.qualifiedMinCount, SH.QualifiedMinCountConstraintComponent, "<"),
                        (SH.qualifiedMaxCount, SH.QualifiedMaxCountConstraintComponent, ">"),
                    ):
                        if g.value(shape, k) is not None:
                            bounds.append((comp, op, int(g.value(shape, k))))
                else:
                    where = f"OPTIONAL {{ ?this {p} {v} }}"
                    for k, op in ((SH.minCount, "<"), (SH.maxCount, ">")):
                        if k in cons:
                            bounds.append((COMPONENT[k], op, int(cons[k])))
                if not bounds:
                    continue
                having = " || ".join(f"?n {op} {limit}" for _, op, limit in bounds)
                q = (
                    f"SELECT ?this ?n WHERE {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?n) WHERE {{ {target} "
                    f"{where} }} GROUP BY ?this }} FILTER ({having}) }}"
                )
                yield Check(component=bounds[0][0], query=q, bounds=tuple(bounds), **common)
            elif key == SH.hasValue:
                cond = (
                    f"FILTER NOT EXISTS {{ ?this {p} {term(obj)} }}" if p else f"FILTER (!sameTerm(?this, {term(obj)}))"
                )
                yield Check(
                    component=COMPONENT[key],
                    query=f"SELECT DISTINCT ?this WHERE {{ {target} {cond} }}",
                    value=None if p else "?this",
                    **common,
                )
            elif key == SH.sparql:
                yield self.sparql_check(shape, obj, target, common)
            else:
                values.append((COMPONENT[key], self.value_violation(shape, key, obj, "?this", "?value", 0)))
        if values:
            # one pass over the shape's value nodes for all its value constraints
            bind = f"?this {p} ?value ." if p else "BIND (?this AS ?value)"
            if len(values) == 1:
                q = f"SELECT DISTINCT ?this ?value WHERE {{ {target} {bind} FILTER ({values[0][1]}) }}"
                yield Check(component=values[0][0], query=q, value="?value", **common)
                return
            flags = " ".join(f"BIND (({expr}) AS ?_c{i})" for i, (_, expr) in enumerate(values))
            anyf = " || ".join(f"COALESCE(?_c{i}, false)" for i in range(len(values)))
            names = " ".join(f"?_c{i}" for i in range(len(values)))
            q = f"SELECT DISTINCT ?this ?value {names} WHERE {{ {target} {bind} {flags} FILTER ({anyf}) }}"
            parts = tuple(Check(component=comp, query="", value="?value", **common) for comp, _ in values)
            yield Check(component=values[0][0], query=q, value="?value", parts=parts, **common)

    def sparql_check(self, shape: Node, constraint: Node, target: str, common: dict) -> Check:
        g = self.g
        if g.value(shape, SH.path) is not None:
            raise UnsupportedShape(f"shape {shape}: SPARQL constraints on property shapes ($PATH)")
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"shape {shape}: a SPARQL constraint without sh:select")
        text = str(select)
        if UNSUPPORTED_VARS.search(text):
            raise UnsupportedShape(f"shape {shape}: $shapesGraph / $PATH in a SPARQL constraint")
        if not isinstance(shape, URIRef) and CURRENT_SHAPE.search(text):
            raise UnsupportedShape(f"shape {shape}: $currentShape in a blank-node shape")
        text = bind_this(CURRENT_SHAPE.sub(f"<{shape}>", THIS.sub("?this", text)), target, shape)
        own = (m for m in g.objects(constraint, SH.message) if isinstance(m, Literal))
        messages = tuple(sorted(set(own) | set(common["messages"]), key=str))
        return Check(
            shape=shape,
            component=SH.SPARQLConstraintComponent,
            severity=common["severity"],
            query=self.prefixes + text,
            path=None,
            messages=messages,
            value="?value",
            sparql=True,
            constraint=constraint,
        )


def bind_this(text: str, target: str, shape: Node) -> str:
    """``$this`` pre-binding as a join: every group in which ``?this`` occurs starts with the target
    pattern (except inside ``EXISTS`` bodies, which see the outer solution's ``?this``). A group is
    evaluated on its own (bottom-up), so a FILTER or EXISTS in a UNION branch that names ``?this``
    without a triple pattern binding it would otherwise see it unbound; with the
    target pattern in that group, the group's solutions for focus t are exactly those of the group
    with ``$this`` replaced by t, and the joins on ``?this`` keep each focus apart. A sub-SELECT that
    uses ``?this`` must project it (else its ``?this`` is a different variable): refused otherwise."""
    groups = _groups(text)
    if not groups:
        raise UnsupportedShape(f"shape {shape}: a SPARQL constraint without a group pattern")
    inserts = []
    exists = [(o, c) for o, c in groups if re.search(r"\bEXISTS\s*$", text[:o], re.I)]
    for open_, close in groups:
        if any(o <= open_ and close <= c for o, c in exists):
            continue  # inside an EXISTS body: evaluated with the outer solution's ?this substituted
        inner = text[open_ + 1 : close]
        if not re.search(r"\?this\b", inner):
            continue
        head = re.match(r"\s*SELECT\b", inner, re.I)
        if head:
            sub = _PROJECTION.match(inner)
            projected = sub.group("vars") if sub else ""
            if "*" not in projected and not re.search(r"\?this\b", projected):
                raise UnsupportedShape(f"shape {shape}: a sub-SELECT uses $this without projecting it")
            continue
        if re.search(r"VALUES\s*(\?\w+|\([^)]*\))\s*$", text[:open_], re.I):
            continue  # a VALUES data block, not a group
        inserts.append(open_ + 1)
    head = re.search(r"\bSELECT\b(?P<vars>.*)$", text[: groups[0][0]], re.I | re.S)
    projected = head.group("vars") if head else ""
    if "*" not in projected and not re.search(r"\?this\b", projected):
        raise UnsupportedShape(f"shape {shape}: its SPARQL constraint does not project $this")
    for at in sorted(inserts, reverse=True):
        text = text[:at] + f" {target} " + text[at:]
    return text


def _groups(text: str) -> list[tuple[int, int]]:
    """(open, close) offsets of every brace pair, in order of the opening brace; strings, IRIs and
    comments are skipped."""
    stack: list[int] = []
    out: list[tuple[int, int]] = []
    for i, c in _braces(text):
        if c == "{":
            stack.append(i)
        elif stack:
            out.append((stack.pop(), i))
        else:
            raise UnsupportedShape("unbalanced braces in a SPARQL constraint")
    if stack:
        raise UnsupportedShape("unbalanced braces in a SPARQL constraint")
    return sorted(out)


def _braces(text: str) -> Iterator[tuple[int, str]]:
    i, n = 0, len(text)
    while i < n:
        end = skip_opaque(text, i)
        if end is not None:
            i = end
            continue
        if text[i] in "{}":
            yield i, text[i]
        i += 1


# -- evaluation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    check: Check
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    value: object | None
    bindings: tuple[tuple[str, object], ...]
    path: object | None = None  # a SPARQL constraint's ?path
    component: URIRef | None = None  # a counting check's broken bound (else the check's component)


def evaluate(compiled: Compiled, store: ox.Store, dataset: list | None = None) -> list[Row]:
    """Every result of every check over the store's default graph, or over ``dataset`` (graphs of
    the store that together form the default graph, e.g. a report's graph and a context graph).
    Data with rdfs:subClassOf pairs the shapes were not compiled with is checked with shapes compiled
    for its own class hierarchy."""

    def query(text: str):
        return store.query(text, default_graph=dataset) if dataset else store.query(text)

    pairs = frozenset(
        (r["sub"].value, r["sup"].value)
        for r in query(SUBCLASS_PAIRS)
        if isinstance(r["sub"], ox.NamedNode) and isinstance(r["sup"], ox.NamedNode)
    )
    if compiled.compiler is not None and pairs != compiled.compiler.hierarchy:
        compiled = Compiler(compiled.compiler.g, pairs).compile()
    rows: list[Row] = []
    for check in compiled.checks:
        seen = set()
        solutions = query(check.query)
        names = [v.value for v in solutions.variables]
        for sol in solutions:
            focus = sol["this"]
            if focus is None:
                continue
            if check.parts:  # a row is a result of each part whose flag is true (unbound: an error, no result)
                value = sol["value"]
                for i, part in enumerate(check.parts):
                    flag = sol[f"_c{i}"]
                    if isinstance(flag, ox.Literal) and flag.value == "true" and (i, focus, value) not in seen:
                        seen.add((i, focus, value))
                        rows.append(Row(part, focus, value, ()))
                continue
            if check.bounds:
                n = int(sol["n"].value)
                rows.extend(
                    Row(check, focus, None, (), component=comp)
                    for comp, op, limit in check.bounds
                    if (n < limit if op == "<" else n > limit)
                )
                continue
            value = sol[check.value[1:]] if check.value and check.value[1:] in names else None
            path = sol["path"] if check.sparql and "path" in names else None
            if check.sparql and value is None:
                value = focus  # a node shape's SPARQL result without ?value has the focus as value
            bindings = tuple((n, sol[n]) for n in names if sol[n] is not None) if check.sparql else ()
            key = (focus, value, bindings)
            if key in seen:
                continue
            seen.add(key)
            rows.append(Row(check, focus, value, bindings, path))
    return rows


def _fill(template: str, bindings: dict[str, object]) -> str:
    """pySHACL's message substitution: ``{?name}`` / ``{$name}`` → the bound value's lexical form."""

    def repl(m: re.Match) -> str:
        val = bindings.get(m.group(1))
        return m.group(0) if val is None else str(getattr(val, "value", val))

    return re.sub(r"\{[?$](\w+)\}", repl, template)


def report_graph(rows: list[Row]) -> Graph:
    """The rows as a SHACL validation report (the triples pySHACL writes for each result)."""
    from jixiao.rdfutil import from_ox

    g = Graph()
    for i, row in enumerate(rows):
        r = BNode(f"r{i}")
        c = row.check
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.sourceShape, c.shape))
        g.add((r, SH.sourceConstraintComponent, row.component or c.component))
        g.add((r, SH.resultSeverity, c.severity))
        g.add((r, SH.focusNode, from_ox(row.focus)))
        if row.path is not None:
            g.add((r, SH.resultPath, from_ox(row.path)))
        elif c.path is not None:
            g.add((r, SH.resultPath, c.path))
        if c.constraint is not None:
            g.add((r, SH.sourceConstraint, c.constraint))
        if row.value is not None:
            g.add((r, SH.value, from_ox(row.value)))
        bindings = dict(row.bindings)
        for m in c.messages:
            text = _fill(str(m), bindings) if c.sparql else str(m)
            g.add((r, SH.resultMessage, Literal(text, lang=m.language)))
        g.add((URIRef("urn:jixiao:report"), SH.result, r))
    return g
