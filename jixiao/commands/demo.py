"""jixiao demo: ingest the bundled sample, print a short summary, validate it, answer one query."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from rdflib.namespace import RDF, RDFS

from jixiao.paths import ROOT, SAMPLES_DIR

NAME = "demo"
HELP = "ingest the bundled sample report, print what was found, validate it and run a query"
SAMPLE = SAMPLES_DIR / "haiyuan-sports-bureau-2024.txt"
KINDS = ["Duty", "BudgetUnit", "Project", "BudgetFigure", "Rate", "Indicator", "Evaluation",
         "RectificationIssue", "Programme", "BeneficiaryGroup", "Quantity", "SourceSpan"]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=ROOT / "out", help="where to write the graph and reports")


def run(args: argparse.Namespace) -> int:
    from ingest.pipeline import ingest_file
    from jixiao.ns import JX
    from jixiao.store import GraphStore

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    result = ingest_file(SAMPLE)
    g = result.graph
    store = GraphStore(out / "store")
    store.replace_graph(result.graph_iri, result.triples)
    store.load_ontology()
    store.flush()
    (out / "sample.ttl").write_text(g.serialize(format="turtle"), encoding="utf-8")
    types = Counter(o for o in g.objects(None, RDF.type))
    print(f"== {SAMPLE.name}  ({result.source.encoding}, {len(result.source.text)} characters)")
    print(f"   report <{result.report}>")
    print(f"   {len(g)} triples in graph <{result.graph_iri}>")
    print("   " + ", ".join(f"{k} {types[getattr(JX, k)]}" for k in KINDS))
    print("== a few figures with their quotes")
    for f in sorted(g.subjects(RDF.type, JX.BudgetFigure))[:6]:
        counts, form = g.value(f, JX.counts), g.value(f, JX.statedForm)
        line = g.value(f, JX.budgetLine)
        label = g.value(line, JX.name) or g.value(line, JX.inferredName) or g.value(line, RDFS.label) or counts
        span = str(f).rsplit("/", 1)[-1]
        print(f"   {form!s:<14} {g.value(f, JX.budgetPhase).split('_')[-1]:<9} {label}  [chars {span}]")
    print(f"== graph written to {out / 'sample.ttl'} and store {out / 'store'}")
    code = 0
    try:
        from jixiao.validate import validate_graphs

        report = validate_graphs([(result.graph_iri, g)], engine="sparql")
        by = Counter(f.severity for f in report.findings)
        print("== validation: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())) +
              f"  (details: jixiao validate --data {out / 'sample.ttl'})")
    except ImportError:
        pass
    try:
        from jixiao.queries import run as run_query

        df = run_query("budget-execution", store=store)
        print("== jixiao query budget-execution")
        print(df.head(10).to_string(index=False))
    except Exception as exc:  # the demo goes on without the query
        print(f"(query skipped: {exc})")
    return code
