"""The ingest pipeline: file → decoded text → normalised text → sections and tables → figures →
the records of what the report says → one named graph per report (deterministic), plus a PROV
record of the run (kept apart)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from jixiao import __version__, iris
from jixiao.ingest.emit import TripleSet, emit
from jixiao.ingest.extract import extract
from jixiao.ingest.normalise import normalise
from jixiao.ingest.records import Extraction
from jixiao.ingest.sections import parse_sections
from jixiao.ingest.segment import get_segmenter
from jixiao.ingest.source import SourceText, read_source
from jixiao.ns import JX, PROV


@dataclass
class IngestResult:
    report: URIRef
    graph_iri: URIRef
    triples: TripleSet  # the report's triples as pyoxigraph terms (what the store and the bench write)
    run: Graph
    source: SourceText
    records: Extraction | None = None  # what the report says, the triples' source

    @cached_property
    def graph(self) -> Graph:
        """The report as an rdflib Graph, built on first use."""
        return self.triples.to_graph()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block, as it was after. Ingesting a report keeps
    tens of thousands of new container objects alive (triples, records) and almost no reference
    cycles; with the collector on, their allocation sets off collections that rescan every live
    object again and again. Reference counting still frees everything acyclic at once; the few
    cycles wait for the next collection after the block. (What it saves: BENCHMARKS.md.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ingest_source(source: SourceText) -> IngestResult:
    with gc_paused():
        norm = normalise(source.text)
        root = parse_sections(norm)
        records = extract(source, norm, root, get_segmenter())
        builder = emit(records)
        report = builder.report
        if source.document is not None:  # a PDF, DOCX, XLSX, XLS or HTML file: its text and locators
            from jixiao.ingest.documents.annotate import annotate

            annotate(builder.t, builder.file, source.document)
        return IngestResult(report, iris.graph_of(report), builder.t, run_record(source, report), source, records)


def ingest_file(path: str | Path) -> IngestResult:
    return ingest_source(read_source(path))


def run_record(source: SourceText, report: URIRef, now: datetime | None = None) -> Graph:
    """The PROV activity of this ingest run: tool version, time, input checksum (runs graph)."""
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    run = iris.run(source.sha256, stamp)
    agent = iris.agent(__version__)
    g = Graph()
    g.add((run, RDF.type, JX.IngestRun))
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, PROV.used, iris.source_file(source.sha256)))
    g.add((run, PROV.generated, iris.graph_of(report)))
    g.add((run, PROV.startedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)))
    g.add((run, PROV.wasAssociatedWith, agent))
    g.add((run, JX.toolVersion, Literal(__version__)))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((iris.source_file(source.sha256), JX.sha256, Literal(source.sha256)))
    g.add((iris.source_file(source.sha256), JX.fileName, Literal(source.path.name)))
    return g
