"""Writing report graphs to a file in the RDF format its suffix names (``jixiao ingest --out``) and
printing CONSTRUCT / DESCRIBE answers as Turtle (``jixiao query``).

=========  =========================================================================================
suffix     what is written
=========  =========================================================================================
``.nq``    N-Quads, one named graph per report (streamed, by bytes)
``.trig``  TriG, one ``GRAPH`` block per report, the project's prefixes declared once at the top
``.nt``    N-Triples: the reports' triples without graph names (one merged graph)
``.ttl``   Turtle: the same merged graph, with the project's prefixes
``.jsonld`` JSON-LD 1.1 in compacted form: ``{"@context": …, "@graph": [{"@id": graph, "@graph":
           [nodes]}]}``, node keys and IRIs as CURIEs of the context (``jixiao.prefixes.jsonld_context``)
=========  =========================================================================================

Every format but JSON-LD is written report by report as it comes (memory flat in the corpus); JSON-LD
too, as one JSON document whose graphs are appended in turn. The file appears only when complete
(written beside it, then renamed); an unknown suffix is a usage error (exit 2).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from jixiao.errors import UsageError
from jixiao.prefixes import compact, jsonld_context, turtle_prefixes
from jixiao.store import nquads

SUFFIXES = {
    ".nq": "N-Quads",
    ".trig": "TriG",
    ".nt": "N-Triples",
    ".ttl": "Turtle",
    ".jsonld": "JSON-LD",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def check_suffix(path: Path) -> str:
    """The path's suffix (lower case) when jixiao can write it; else a UsageError naming the choices."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        choices = ", ".join(SUFFIXES)
        raise UsageError(
            f"cannot tell the RDF format from the suffix {path.suffix or '(none)'!r} (use {choices})", file=path
        )
    return suffix


def prefix_header(prefixes: dict[str, str]) -> bytes:
    """``@prefix`` lines in the given order (pyoxigraph writes its own in hash order: not deterministic)."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode()


def _without_prefix_lines(data: bytes) -> bytes:
    """The serialisation without the ``@prefix`` / ``@base`` lines pyoxigraph writes at its top."""
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith((b"@prefix ", b"@base ")):
        i += 1
    return b"\n".join(lines[i:])


def turtle(triples, prefixes: dict[str, str] | None = None, *, base: str | None = None, used: bool = False) -> bytes:
    """pyoxigraph triples as Turtle with the project's prefixes declared in a fixed order (``used``: only
    those the triples use); ``base``: IRIs that start with it written relative to it (``<fig/12-18>``),
    after an ``@base`` line, every other IRI in full."""
    triples = list(triples)
    prefixes = turtle_prefixes() if prefixes is None else prefixes
    body = _without_prefix_lines(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
    if base is not None:
        # pyoxigraph's base_iri also shortens other IRIs of the host (</jixiao/id/file/…>): only those under base
        relative = re.sub(rb"<" + re.escape(base.encode()) + rb"([^>\s]*)>", rb"<\1>", body)
        head = prefix_header(prefixes) + f"@base <{base}> .\n".encode()
        if {q.triple for q in ox.parse(head + relative, format=ox.RdfFormat.TURTLE)} == set(triples):
            body = relative
        else:  # a literal held such text: keep every IRI in full
            base = None
    if used:
        prefixes = {p: ns for p, ns in prefixes.items() if f"{p}:".encode() in body}
    head = prefix_header(prefixes) + (f"@base <{base}> .\n".encode() if base is not None else b"")
    return head + b"\n" + body


def _parse(nt: bytes) -> list[ox.Triple]:
    # blank nodes renamed: two reports' _:b1 must not become one node once their triples are merged
    return list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True))


# -- JSON-LD -----------------------------------------------------------------------------------
def _jsonld_id(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return compact(term.value)


def _jsonld_value(term) -> object:
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return {"@id": _jsonld_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": compact(term.datatype.value)}


def jsonld_nodes(triples) -> list[dict]:
    """Node objects of a graph in compacted form under ``jsonld_context()``: one object a subject
    (in the order subjects first appear), properties as CURIEs, ``rdf:type`` as ``@type``, every value
    in an array (so a reader never has to tell one value from several)."""
    nodes: dict[object, dict] = {}
    for t in triples:
        node = nodes.get(t.subject)
        if node is None:
            node = nodes[t.subject] = {"@id": _jsonld_id(t.subject)}
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(t.object.value))
        else:
            node.setdefault(compact(t.predicate.value), []).append(_jsonld_value(t.object))
    return list(nodes.values())


# -- the writer --------------------------------------------------------------------------------
class GraphFileWriter:
    """Report graphs, given one at a time as (graph IRI, N-Triples), into ``fh`` in the format of
    ``path``'s suffix; ``finish()`` ends the document. The caller places the file (jixiao ingest writes
    through `jixiao.fileio.atomic_output`, so a reader never sees half a file)."""

    def __init__(self, path: Path, fh: BinaryIO):
        self.suffix = check_suffix(path)
        self.fh = fh
        self.graphs = 0
        if self.suffix in (".trig", ".ttl"):
            self.fh.write(prefix_header(turtle_prefixes()))
        elif self.suffix == ".jsonld":
            context = json.dumps(jsonld_context()["@context"], ensure_ascii=False, indent=1)
            self.fh.write(b'{"@context": ' + context.encode() + b',\n "@graph": [')

    def write(self, graph_iri: str, nt: bytes) -> None:
        s = self.suffix
        if s == ".nq":
            self.fh.write(nquads(nt, graph_iri))
        elif s == ".nt":
            if b"_:" in nt:  # blank nodes: relabelled, as for the other merged formats
                nt = ox.serialize(_parse(nt), format=ox.RdfFormat.N_TRIPLES)
            self.fh.write(nt if nt.endswith(b"\n") or not nt else nt + b"\n")
        elif s == ".ttl":
            body = ox.serialize(_parse(nt), format=ox.RdfFormat.TURTLE, prefixes=turtle_prefixes())
            self.fh.write(b"\n" + _without_prefix_lines(body))
        elif s == ".trig":
            g = ox.NamedNode(graph_iri)
            quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in _parse(nt)]
            body = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=turtle_prefixes())
            self.fh.write(b"\n" + _without_prefix_lines(body))
        else:
            entry = {"@id": compact(graph_iri), "@graph": jsonld_nodes(_parse(nt))}
            sep = b"\n  " if self.graphs == 0 else b",\n  "
            self.fh.write(sep + json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode())
        self.graphs += 1

    def finish(self) -> None:
        """End the document (the closing of a JSON-LD file; nothing for the other formats)."""
        if self.suffix == ".jsonld":
            self.fh.write(b"\n ]}\n")
