"""jixiao demo: ingest the bundled sample, print a short summary, validate it, answer one query."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from rdflib.namespace import RDF, RDFS

from jixiao import data as _data

NAME = "demo"
HELP = "ingest the bundled sample report, print what was found, validate it and run a query"
SAMPLE = "haiyuan-sports-bureau-2024.txt"  # in jixiao._data.samples_dir()
KINDS = [
    "Duty",
    "BudgetUnit",
    "Project",
    "BudgetFigure",
    "Rate",
    "Indicator",
    "Evaluation",
    "RectificationIssue",
    "Programme",
    "BeneficiaryGroup",
    "Quantity",
    "SourceSpan",
]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("out"), help="where to write the graph and reports")


def run(args: argparse.Namespace) -> int:
    from jixiao.ingest.pipeline import ingest_file
    from jixiao.ns import JX
    from jixiao.store import GraphStore

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    result = ingest_file(_data.samples_dir() / SAMPLE)
    g = result.graph
    store = GraphStore(out / "store")
    store.replace_graph(result.graph_iri, result.triples)
    store.load_ontology()
    store.flush()
    (out / "sample.ttl").write_text(g.serialize(format="turtle"), encoding="utf-8")
    types = Counter(o for o in g.objects(None, RDF.type))
    print(f"== {SAMPLE}  ({result.source.encoding}, {len(result.source.text)} characters)")
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
        print(
            "== validation: "
            + ", ".join(f"{k} {v}" for k, v in sorted(by.items()))
            + f"  (details: jixiao validate --data {out / 'sample.ttl'})"
        )
    except ImportError:
        pass
    from jixiao import tabular
    from jixiao.queries import execute, python_value

    result = execute("budget-execution", store=store)
    print("== jixiao query budget-execution")
    rows = [[python_value(t) for t in row] for row in result.rows[:10]]
    sys.stdout.write(tabular.render(result.vars, rows, "table"))
    return code
