"""The throughput stage's structure counts (bench.run._count, a byte search over the N-Triples a
worker wrote) agree with the generator's truth and with the same counts taken from an rdflib Graph."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from bench import generate as gen
from bench.run import _count


def _graph_counts(nt: bytes) -> dict:
    from jixiao.ns import JX, JXV

    g = Graph().parse(data=nt, format="nt")
    rows = {s for s in g.subjects(JX.tableRow, None) if (s, RDF.type, JX.Project) in g}
    return {
        "project_rows": len(rows),
        "unnamed_project_rows": sum((r, JX.flag, JXV.flag_no_name) in g for r in rows),
        "indicators": len(set(g.subjects(RDF.type, JX.Indicator))),
        "audit_issues": len(set(g.subjects(RDF.type, JX.RectificationIssue))),
    }


def test_counts_from_bytes_match_truth_and_graph(tmp_path: Path):
    from jixiao.ingest.pipeline import ingest_file
    from jixiao.store import ntriples

    paths = gen.generate(4, seed=11, out=tmp_path)
    for path in paths:
        nt = ntriples(ingest_file(path).triples)
        counts = _count(nt)
        truth = json.loads(path.with_suffix(".truth.json").read_text())["counts"]
        assert counts == _graph_counts(nt)
        assert counts == {k: truth[k] for k in counts}
        assert counts["project_rows"] > 0 and counts["indicators"] > 0
    assert _count(b"") == dict.fromkeys(["project_rows", "unnamed_project_rows", "indicators", "audit_issues"], 0)
