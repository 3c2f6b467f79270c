"""jixiao.validate on report graphs, and the ``jixiao validate`` command.

The real report (../shared/corpus) is checked twice: through a hand-built graph of its spending,
project table, indicator table and prior-audit section (GraphBuilder, the code ingest uses; offsets
found in the text itself), and — once ingest lands — through ``ingest.pipeline.ingest_file``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from jixiao import iris
from jixiao.cli import main
from jixiao.ingest.emit import GraphBuilder, Source
from jixiao.ns import JX, JXV
from jixiao.validate import validate_graphs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "ontology" / "examples" / "report-example.ttl"
CORPUS = ROOT.parent / "shared" / "corpus"
REAL = CORPUS / "jiangmen-trade-union-2024.txt"

# -- a hand-built graph of the real report ------------------------------------------------------


class _Text:
    """Finds figures in the real text: ``at(needle)`` is the offset range of ``needle`` after the
    cursor (the cursor then moves past it), so figures are located in reading order."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def seek(self, anchor: str) -> None:
        self.pos = self.text.index(anchor, self.pos)

    def at(self, needle: str) -> tuple[int, int]:
        start = self.text.index(needle, self.pos)
        self.pos = start + len(needle)
        return start, start + len(needle)


def real_report_graph() -> tuple[URIRef, Graph]:
    text = REAL.read_text(encoding="utf-8")
    src = Source(REAL, text, hashlib.sha256(REAL.read_bytes()).hexdigest(), "utf-8")
    report = iris.report("江门市总工会", 2024, "department_whole")
    b = GraphBuilder(report, src)
    t = _Text(text)
    dept = b.organisation("江门市总工会", JX.Department)
    hq = b.organisation("江门市总工会（本级）", JX.BudgetUnit)
    b.add(report, JX.department, dept)
    b.add(report, JX.reportKind, JXV.kind_department_whole)
    b.add(report, RDF.type, JX.Report)
    b.add(report, JX.fiscalYear, Literal("2024", datatype=XSD.gYear))

    def line(kind: str, holder=dept):
        node = b.local("spending", kind, holder.value.rsplit("/", 1)[-1])
        b.add(node, RDF.type, JX.SpendingAggregate)
        b.add(node, JX.spendingKind, getattr(JXV, f"spend_{kind}"))
        b.add(node, JX.budgetHolder, holder)
        return node

    total, basic, project, hq_total = line("total"), line("basic"), line("project"), line("total", hq)

    def money(span, value, ln, phase, mult=10000, **kw):
        return b.budget_figure(
            *span,
            value=Decimal(value),
            multiplier=mult,
            unit="yuan",
            stated_unit="万元",
            line=ln,
            phase=phase,
            kind="amount",
            **kw,
        )

    # the overall-spending paragraph
    t.seek("2024 年部门整体支出 1655 万元")
    f_total = money(t.at("1655 万元"), "1655", total, "executed")
    f_basic = money(t.at("1264.27 万元"), "1264.27", basic, "executed")
    b.rate(*t.at("76.39%"), kind="share", value=Decimal("76.39"), numerator=f_basic, denominator=f_total)
    f_proj = money(t.at("390.73 万元"), "390.73", project, "executed")
    b.rate(*t.at("23.61%"), kind="share", value=Decimal("23.61"), numerator=f_proj, denominator=f_total)
    f_hq = money(t.at("1540.62 万元"), "1540.62", hq_total, "executed")
    f_hq_prior = money(t.at("1585.39 万元"), "1585.39", hq_total, "executed", reference_year=2023)
    b.change(
        *t.at("44.77 万元"),
        direction="decrease",
        change_from=f_hq_prior,
        change_to=f_hq,
        value=Decimal("44.77"),
        multiplier=10000,
        unit="yuan",
        stated_unit="万元",
    )
    change_rate = b.rate(*t.at("2.82%"), kind="change", value=Decimal("2.82"))
    b.add(change_rate, JX.changeFrom, f_hq_prior)
    b.add(change_rate, JX.changeTo, f_hq)
    b.add(change_rate, JX.direction, JXV.dir_decrease)

    # the project table (rows 6-8 have no name)
    t.seek("一级项目名称")
    for row in range(1, 9):
        t.at("\n")
        start = t.pos
        end = text.index("\n", start)
        cells = text[start:end].split("\t")
        proj = b.local("project", row)
        b.resource(proj, JX.Project, start, end, label=cells[0] or None)
        b.add(proj, JX.tableRow, Literal(row, datatype=XSD.integer))
        b.add(proj, JX.budgetHolder, dept)
        if cells[0]:
            b.add(proj, JX.name, Literal(cells[0]))
            b.add(proj, JX.nameStatus, JXV.name_stated)
        else:
            b.flag(proj, "no_name")
            b.add(proj, JX.nameStatus, JXV.name_missing)
        money(t.at(cells[1]), cells[1], proj, "approved")
        money(t.at(cells[2]), cells[2], proj, "executed")
    t.seek("合计")
    money(t.at("412.28"), "412.28", project, "approved")
    money(t.at("372.51"), "372.51", project, "executed")

    # the indicator table
    t.seek("指标完成值")
    indicators = [  # name, category, target, actual, unit, stated unit
        ("组织技能竞赛的行业（工种）数量", "quantity", "10", "11", "item", "个"),
        ("参与创新创业大赛企业数", "quantity", "50", "252", "enterprise", "家"),
        ("开展职工培训人次", "quantity", "1000", "1194", "person_time", "人次"),
        ("参与普法宣传人次", "quantity", "300", "350", "person_time", "人次"),
        ("情暖职工春节活动拉动经济总额", "economic", "100.67", None, "yuan", "万元"),
        ("服务职工群众人次", "social", "24000", "44895", "person_time", "人次"),
    ]
    for n, (name, cat, target, actual, unit, su) in enumerate(indicators, 1):
        ind = b.local("indicator", n)
        s, _ = t.at(name)
        mult = 10000 if su == "万元" else 1
        tf = b.quantity(
            *t.at(f"≥{target} {su}"),
            value=Decimal(target),
            multiplier=mult,
            unit=unit,
            stated_unit=su,
            comparator="ge",
            about=ind,
        )
        e = t.pos
        b.add(ind, JX.target, tf)
        b.add(ind, JX.targetText, Literal(f"≥{target} {su}"))
        if actual:
            af = b.quantity(
                *t.at(f"{actual} {su}"), value=Decimal(actual), multiplier=mult, unit=unit, stated_unit=su, about=ind
            )
            e = t.pos
            b.add(ind, JX.actual, af)
        else:
            b.flag(ind, "missing_actual")
        b.resource(ind, JX.Indicator, s, e, label=name)
        b.add(ind, JX.name, Literal(name))
        b.add(ind, JX.category, getattr(JXV, f"ind_{cat}"))
        b.add(ind, JX.comparator, JXV.cmp_ge)
        b.add(report, JX.hasIndicator, ind)

    # 成本管控: the narrative restatement of project spending
    t.seek("项目经费实际支出")
    money(t.at("372.81 万元"), "372.81", project, "executed")

    # one prior-audit issue, complete
    t.seek("（三）绩效指标值设置过低")
    issue = b.local("issue", 3)
    b.resource(issue, JX.RectificationIssue, *t.at("（三）绩效指标值设置过低"))
    for role, cls, head in (
        ("problem", JX.Problem, "1. 存在问题"),
        ("measure", JX.Measure, "2. 整改措施"),
        ("effect", JX.Effect, "3. 整改效果"),
    ):
        node = b.local("issue", 3, role, 1)
        b.resource(node, cls, *t.at(head))
        b.add(issue, getattr(JX, role), node)
    b.add(report, JX.rectificationIssue, issue)
    return iris.graph_of(report), b.g


def _short(f) -> tuple[str, str]:
    return str(f.shape).rsplit("#", 1)[-1], str(f.focus).rsplit("/", 2)[-2] + "/" + str(f.focus).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def real_findings():
    return validate_graphs([real_report_graph()], engine="turbo").findings


def test_real_report_structure_is_clean(real_findings):
    assert [f for f in real_findings if f.family == "structure"] == []


def test_real_report_conflicting_project_spending(real_findings):
    conflicts = [f for f in real_findings if _short(f)[0] == "ConflictingFigures"]
    # overall paragraph 390.73 万元, table total 372.51, 成本管控 372.81 万元: one line and phase, one
    # finding on its first statement, every statement quoted in reading order
    assert len(conflicts) == 1
    (f,) = conflicts
    assert f.severity == "Warning" and f.focus_label == "390.73 万元"
    assert [r.quote for r in f.sources] == ["390.73 万元", "372.51", "372.81 万元"]
    en = f.message["en"]
    assert en.index("390.73 万元 ×1") < en.index("372.51 万元 ×1") < en.index("372.81 万元 ×1")  # reading order
    assert "前后 3 处" in f.message["zh"] and "372.81 万元 共 1 处" in f.message["zh"]


def test_real_report_unnamed_rows(real_findings):
    rows = sorted(_short(f)[1] for f in real_findings if _short(f)[0] == "UnnamedTableRow")
    assert rows == ["project/6", "project/7", "project/8"]


def test_real_report_missing_actual_and_targets_too_low(real_findings):
    missing = [f.focus_label for f in real_findings if _short(f)[0] == "IndicatorHasActual"]
    assert missing == ["情暖职工春节活动拉动经济总额"]
    low = sorted(f.focus_label for f in real_findings if _short(f)[0] == "TargetSetTooLow")
    assert low == ["参与创新创业大赛企业数", "服务职工群众人次"]  # 504% and 187%; 1194/1000 is not


def test_real_report_no_false_alarms(real_findings):
    shapes = {_short(f)[0] for f in real_findings}
    # 76.39% and 23.61% shares, the 44.77 / 2.82% decrease, table rows = table totals, 1655 = 1264.27 + 390.73
    assert not shapes & {
        "ShareMatchesParts",
        "ChangeAmountMatches",
        "ChangeRateMatches",
        "TableRowsSumToTotal",
        "TotalEqualsParts",
    }


def test_real_report_findings_carry_file_and_offsets(real_findings):
    text = REAL.read_text(encoding="utf-8")
    for f in real_findings:
        assert f.sources, f
        for ref in f.sources:
            assert ref.file == REAL.name
            assert text[ref.start : ref.end] == ref.quote


def test_planted_share_error_is_found():
    """The same graph with 76.39% changed to 76.93% now fails the share shape."""
    graph_iri, g = real_report_graph()
    rate = next(s for s, _, o in g.triples((None, JX.statedForm, None)) if str(o) == "76.39%")
    g.set((rate, JX.normalizedValue, Literal("76.93", datatype=XSD.decimal)))
    found = validate_graphs([(graph_iri, g)], engine="turbo").findings
    assert [(_short(f)[0], f.focus) for f in found if _short(f)[0] == "ShareMatchesParts"] == [
        ("ShareMatchesParts", rate)
    ]


# -- engines agree -----------------------------------------------------------------------------


def _keys(graphs, engine):
    return sorted(f.key() for f in validate_graphs(graphs, engine=engine).findings)


def test_engines_agree_on_the_worked_example():
    graphs = [(URIRef("urn:example"), Graph().parse(EXAMPLE))]
    reference = _keys(graphs, "pyshacl")
    assert _keys(graphs, "turbo") == reference
    assert _keys(graphs, "sparql") == reference
    assert len(reference) >= 4


@pytest.mark.slow
def test_engines_agree_on_the_real_report_fixture():
    """pySHACL needs minutes for this graph (rdflib SPARQL); deselect with -m 'not slow'."""
    graphs = [real_report_graph()]
    reference = _keys(graphs, "pyshacl")
    assert _keys(graphs, "turbo") == reference
    assert _keys(graphs, "sparql") == reference
    assert len(reference) > 5


def test_parallel_equals_serial():
    graphs = [(URIRef(f"urn:g{i}"), Graph().parse(EXAMPLE)) for i in range(3)]
    serial = validate_graphs(graphs, engine="turbo", jobs=1).findings
    parallel = validate_graphs(graphs, engine="turbo", jobs=2).findings
    assert serial == parallel
    assert {f.graph for f in serial} == {URIRef(f"urn:g{i}") for i in range(3)}


# -- the real report through ingest (runs once ingest lands) -------------------------------------


def test_real_report_via_ingest():
    pipeline = pytest.importorskip("jixiao.ingest.pipeline")
    res = pipeline.ingest_file(REAL)
    found = validate_graphs([(res.graph_iri, res.graph)], engine="turbo").findings
    shapes = [_short(f)[0] for f in found]
    quotes = {r.quote.replace(" ", "") for f in found if _short(f)[0] == "ConflictingFigures" for r in f.sources}
    assert {"372.51", "372.81万元", "390.73万元"} <= quotes
    assert shapes.count("UnnamedTableRow") == 3
    assert [f.focus_label for f in found if _short(f)[0] == "IndicatorHasActual"] == ["情暖职工春节活动拉动经济总额"]
    assert sorted(f.focus_label for f in found if _short(f)[0] == "TargetSetTooLow") == [
        "参与创新创业大赛企业数",
        "服务职工群众人次",
    ]
    assert not set(shapes) & {
        "ShareMatchesParts",
        "ChangeAmountMatches",
        "ChangeRateMatches",
        "TableRowsSumToTotal",
        "TotalEqualsParts",
    }


# -- the command ---------------------------------------------------------------------------------


def _trig(tmp_path: Path) -> Path:
    ds = Dataset()
    graph_iri, g = real_report_graph()
    named = ds.graph(graph_iri)
    for triple in g:
        named.add(triple)
    clean = ds.graph(URIRef("https://example.org/clean/graph"))
    clean.parse(data="@prefix jx: <https://w3id.org/jixiao/def#> . <urn:x> a jx:Duty .", format="turtle")
    out = tmp_path / "two.trig"
    ds.serialize(out, format="trig")
    return out


def test_cli_exit_codes_and_json(tmp_path: Path, capsys):
    data = _trig(tmp_path)
    assert main(["validate", "--data", str(data), "--format", "json", "--lang", "en"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["conforms"] is False and doc["reports"] == 2
    assert doc["counts"]["Warning"] == sum(1 for f in doc["findings"] if f["severity"] == "Warning")
    first = doc["findings"][0]
    assert {
        "severity",
        "family",
        "shape",
        "shapeName",
        "message",
        "focus",
        "focusLabel",
        "path",
        "values",
        "graph",
        "sources",
    } <= set(first)
    assert first["sources"][0]["file"] == REAL.name
    clean = tmp_path / "clean.ttl"
    clean.write_text("@prefix jx: <https://w3id.org/jixiao/def#> . <urn:x> a jx:Duty .", encoding="utf-8")
    assert main(["validate", "--data", str(clean)]) == 0
    assert "0" in capsys.readouterr().out.splitlines()[-1]
    assert main(["validate", "--data", str(tmp_path / "missing.ttl")]) == 2
    assert main(["validate", "--data", str(clean), "--jobs", "0"]) == 2


def test_cli_info_only_conforms(tmp_path: Path, capsys):
    data = tmp_path / "info.ttl"
    data.write_text(
        """@prefix jx: <https://w3id.org/jixiao/def#> . @prefix jxv: <https://w3id.org/jixiao/vocab#> .
        <urn:p> a jx:Project ; jx:nameStatus jxv:name_inferred ; jx:inferredName "图书购置经费" ; jx:tableRow 2 .""",
        encoding="utf-8",
    )
    assert main(["validate", "--data", str(data), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "图书购置经费" in out and "提示 1 项" in out


def test_cli_text_groups_by_report_then_severity_with_quotes(tmp_path: Path, capsys):
    main(["validate", "--data", str(_trig(tmp_path)), "--lang", "zh"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("== jixiao 数据质量报告: 共检查 2 份报告")  # the corpus summary on top
    assert lines[1].strip().startswith("有问题的报告 ") and lines[2].strip().startswith("按约束类别：")
    head = next(i for i, line in enumerate(lines) if line.startswith(f"== 报告 {REAL.name}"))
    assert lines[head + 1].strip() == "违规 0 项，警告 7 项，提示 0 项。不符合约束。"  # the report's own summary
    assert lines[head + 2] == "-- 警告 (7)"
    assert f"{REAL.name}:" in out and "“372.81 万元”" in out
    assert "indicators" not in out and "consistency" not in out and "前后一致/" in out  # family names in zh
    assert lines[-1].startswith("共检查 2 份报告")


def test_cli_ttl_is_a_validation_report(tmp_path: Path, capsys):
    out = tmp_path / "report.ttl"
    assert main(["validate", "--data", str(_trig(tmp_path)), "--format", "ttl", "--out", str(out)]) == 1
    g = Graph().parse(out)
    reports = list(g.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert g.value(reports[0], SH.conforms).toPython() is False
    assert len(list(g.objects(reports[0], SH.result))) > 5
    assert any(True for _ in g.triples((None, URIRef("http://www.w3.org/ns/oa#exact"), None)))


def test_cli_store(tmp_path: Path, capsys):
    from jixiao.store import GraphStore

    store = GraphStore(tmp_path / "store")
    graph_iri, g = real_report_graph()
    store.replace_graph(graph_iri, g)
    store.flush()
    del store
    assert main(["validate", "--store", str(tmp_path / "store"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["reports"] == 1 and {f["graph"] for f in doc["findings"]} == {str(graph_iri)}
    assert main(["validate", "--store", str(tmp_path / "nostore")]) == 2


def test_help_runs():
    out = subprocess.run(
        [sys.executable, "-m", "jixiao", "validate", "--help"], capture_output=True, text=True, check=True
    )
    assert "--engine" in out.stdout and "--jobs" in out.stdout


# -- corpus files (N-Quads from `jixiao ingest --out`) ------------------------------------------------


def test_cli_nquads_corpus_equals_the_store(tmp_path: Path, capsys):
    """A corpus file is validated through a temporary store, graph by graph, in parallel: the same
    findings as validating the store the same reports were ingested into."""
    samples = sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "samples").glob("*.txt"))
    nq, store = tmp_path / "corpus.nq", tmp_path / "store"
    assert main(["ingest", *samples, "--store", str(store), "--out", str(nq), "--quiet"]) == 0
    capsys.readouterr()
    results = []
    for source in (["--data", str(nq)], ["--store", str(store)]):
        assert main(["validate", *source, "--jobs", "2", "--format", "json"]) == 1
        doc = json.loads(capsys.readouterr().out)
        results.append(sorted((f["focus"], f["shape"], f["severity"]) for f in doc["findings"]))
        assert doc["reports"] == 2
    assert results[0] and results[0] == results[1]


def test_cli_broken_nquads_names_file_and_line(tmp_path: Path, capsys):
    bad = tmp_path / "broken.nq"
    bad.write_text('<urn:s> <urn:p> "ok" <urn:g> .\n<urn:s> <urn:p> "unterminated <urn:g> .\n', encoding="utf-8")
    assert main(["validate", "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.nq" in err and ("line 2" in err or "2:" in err), err


def test_cli_ntriples_file_is_one_report_named_after_it(tmp_path: Path, capsys):
    g = Graph().parse(EXAMPLE)
    nt = tmp_path / "example.nt"
    nt.write_bytes(g.serialize(format="nt", encoding="utf-8"))
    assert main(["validate", "--data", str(nt), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["reports"] == 1
    assert {f["graph"] for f in doc["findings"]} == {nt.resolve().as_uri()}


def test_cli_nquads_in_any_order_falls_back_to_the_store_path(tmp_path: Path, capsys):
    """Lines of several graphs interleaved (valid N-Quads, not jixiao's one-graph-at-a-time layout)
    and a triple outside any graph: the streaming reader gives up and the temporary store reads the
    file; the findings are those of the file as written by ingest."""
    import random

    from jixiao.validate import NotContiguous, graph_ranges

    samples = sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "samples").glob("*.txt"))
    nq = tmp_path / "corpus.nq"
    assert main(["ingest", *samples, "--out", str(nq), "--quiet"]) == 0
    blocks = [(r.graph, r.read()) for r in graph_ranges(nq)]
    assert len(blocks) == 2 and all(data.count(b"\n") > 1000 for _, data in blocks)
    assert blocks[0][0] != blocks[1][0] and all(f"<{g}>".encode() not in data for g, data in blocks)
    small = [(r.graph, r.read()) for r in graph_ranges(nq, window=64)]  # a block found window by window
    assert small == blocks
    lines = nq.read_bytes().splitlines(keepends=True)
    random.Random(3).shuffle(lines)
    shuffled = tmp_path / "shuffled.nq"
    shuffled.write_bytes(b"".join(lines))
    import pyoxigraph as ox

    with pytest.raises((NotContiguous, SyntaxError)):  # a graph comes back, or another's line is inside
        for r in graph_ranges(shuffled):
            ox.Store().load(r.read(), format=ox.RdfFormat.N_TRIPLES)
    # a line of another graph inside a block: the block's N-Triples do not parse

    one, two = (nq.read_bytes().split(b"\n")[k] for k in (0, -2))
    inside = tmp_path / "inside.nq"
    inside.write_bytes(one + b"\n" + two + b"\n" + one + b"\n")
    with pytest.raises(SyntaxError):
        ox.Store().load(next(graph_ranges(inside)).read(), format=ox.RdfFormat.N_TRIPLES)
    capsys.readouterr()
    found = []
    for path in (nq, shuffled):
        assert main(["validate", "--data", str(path), "--format", "json"]) == 1
        doc = json.loads(capsys.readouterr().out)
        found.append(sorted((f["graph"], f["focus"], f["shape"]) for f in doc["findings"]))
    assert found[0] and found[0] == found[1]
    mixed = tmp_path / "mixed.nq"
    mixed.write_bytes(nq.read_bytes() + b"<urn:x> <urn:p> <urn:o> .\n")
    assert main(["validate", "--data", str(mixed), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["reports"] == 3  # the two report graphs and the file's own default graph
