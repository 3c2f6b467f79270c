"""Issue 12, part A: who a report is (department, year, kind, project) read where the report states
it; no report IRI from a guess; page furniture is not data; every line is read; diagnostics.

The forms/ excerpts (/work/shared/corpus/forms, their hand-checked identity lists in
tests/data/forms/*.identity.toml) are ingested as a user would: the collector's notes above `---`
are stripped first. Fictional reports below are written in the forms' layouts for what the excerpts
do not show.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from jixiao import iris
from jixiao.errors import InputError
from jixiao.ingest.pipeline import ingest_file
from jixiao.ns import JX, JXV

HERE = Path(__file__).resolve().parent
LISTS = HERE / "data" / "forms"
FORMS = HERE.parent.parent / "shared" / "corpus" / "forms"
if not FORMS.is_dir():
    FORMS = Path("/work/shared/corpus/forms")
REQUIRED = ("department", "year", "kind")


def _stems() -> list[str]:
    return sorted(p.name.removesuffix(".identity.toml") for p in LISTS.glob("*.identity.toml"))


def _expected(stem: str) -> dict:
    with (LISTS / f"{stem}.identity.toml").open("rb") as fh:
        return tomllib.load(fh)


def _states_all(exp: dict) -> bool:
    """The list states one department, one year and one kind (a multi-year list is not one year)."""
    return all(k in exp for k in REQUIRED) and isinstance(exp["year"]["value"], int)


def _text(stem: str, tmp_path: Path) -> Path:
    """The excerpt without the collector's notes (the lines above `---`), as a user's file."""
    raw = (FORMS / f"{stem}.txt").read_text(encoding="utf-8")
    _head, sep, body = raw.partition("\n---\n")
    assert sep, stem
    out = tmp_path / f"{stem}.txt"
    out.write_text(body, encoding="utf-8")
    return out


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao", *args], capture_output=True, text=True, cwd=cwd)


STEMS = _stems()
STATED = [s for s in STEMS if _states_all(_expected(s))]
UNSTATED = [s for s in STEMS if not _states_all(_expected(s))]


def test_the_lists_split_as_expected():
    # 39 excerpts: 29 state department, year and kind; the other 10 lack the department or a year
    assert len(STEMS) == 39 and len(STATED) == 29 and len(UNSTATED) == 10


# -- identity exact on every file that states it ---------------------------------------------------
@pytest.mark.parametrize("stem", STATED)
def test_identity_exact_where_stated(stem, tmp_path):
    exp = _expected(stem)
    result = ingest_file(_text(stem, tmp_path))
    rep = result.records.report
    assert rep.department.alias == exp["department"]["value"]
    assert rep.fiscal_year == exp["year"]["value"]
    assert rep.kind == exp["kind"]["value"]
    assert result.report == iris.report(rep.department.canonical, rep.fiscal_year, rep.kind, rep.subject)
    # each field read carries its span: the text there holds (or, written with spaces or a gloss,
    # starts) what was read
    text = result.source.text
    fields = {f.name: f for f in rep.identity}
    for name in REQUIRED:
        f = fields[name]
        assert not f.supplied and f.span is not None, (name, f)
    dept = fields["department"]
    # the name as written there: spaces and a pinyin gloss left out, it is the name or, a short form
    # completed (区农业农村局, 某某镇 → 某某镇人民政府), part of it
    quote = re.sub(r"\s+|[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]", "", text[dept.span[0] : dept.span[1]])
    assert len(quote) >= 2 and quote in dept.value, (quote, dept.value)
    year = fields["year"]
    assert text[year.span[0] : year.span[1]] == str(exp["year"]["value"])


@pytest.mark.parametrize("stem", UNSTATED)
def test_refused_where_not_stated(stem, tmp_path):
    path = _text(stem, tmp_path)
    with pytest.raises(InputError) as err:
        ingest_file(path)
    assert str(path) in str(err.value)


def test_cli_refuses_unstated_files_with_exit_2_and_names_them(tmp_path):
    store = tmp_path / "store"
    paths = [_text(s, tmp_path) for s in UNSTATED]
    proc = run("ingest", "--store", str(store), *map(str, paths), "--quiet")
    assert proc.returncode == 2
    for p in paths:
        assert str(p) in proc.stderr, p
    assert "Traceback" not in proc.stderr


def test_project_reports_of_one_department_are_two_reports(tmp_path):
    # two project self-evaluation forms of one township for one year (委托业务项目, 村级补助及运转经费)
    a = ingest_file(_text("14_tangxi-zhen-weituo-yewu-2022", tmp_path))
    b = ingest_file(_text("15_tangxi-zhen-cunji-buzhu-2022", tmp_path))
    assert a.records.report.department.canonical == b.records.report.department.canonical
    assert a.records.report.kind == b.records.report.kind == "project"
    assert a.report != b.report
    assert a.records.report.subject == "委托业务项目" and b.records.report.subject == "村级补助及运转经费"


def test_different_departments_never_share_a_report_iri(tmp_path):
    """Every forms file that states its identity, the real report and the samples: one report IRI per
    (department, year, kind, project); two departments never one IRI."""
    by_iri: dict[URIRef, str] = {}
    for stem in STATED:
        r = ingest_file(_text(stem, tmp_path)).records.report
        report = iris.report(r.department.canonical, r.fiscal_year, r.kind, r.subject)
        assert by_iri.setdefault(report, r.department.canonical) == r.department.canonical, (stem, report)
    assert len(set(by_iri.values())) >= 25  # 29 files; the township (14, 15) and two 民政局 … repeat


# -- fictional pages: breadcrumbs, metadata, covers ------------------------------------------------
PAGE = """当前位置:首页>政务公开>财政资金>绩效管理
索引号:11341000MB1234567X/2024-00012
发布机构:{issuer}
发布日期:2024-05-20
浏览次数: 字体:【大】【中】【小】 打印
{dept}2023年度部门整体支出绩效自评报告
一、部门基本情况
（一）部门职能
本单位联系电话:0558-1234567,邮编:236800。
（二）年度工作
1.开展宣传活动3次。2.培训干部45人次。3.发展党员16名。
二、自评结论
任务2:完成全年预算执行,执行率98.50%,自评得分95分。
"""


def _page(tmp_path: Path, name: str, dept: str, issuer: str = "某某县财政局") -> Path:
    p = tmp_path / name
    p.write_text(PAGE.format(dept=dept, issuer=issuer), encoding="utf-8")
    return p


def test_a_breadcrumb_page_is_named_by_its_title_not_its_furniture(tmp_path):
    r = ingest_file(_page(tmp_path, "a.txt", "临川县妇女联合会"))
    rep = r.records.report
    assert rep.department.canonical == "临川县妇女联合会" and rep.fiscal_year == 2023
    assert rep.kind == "department_whole"
    fields = {f.name: f.value for f in rep.identity}
    # publication metadata is metadata, never the department
    assert fields["publisher.issuer"] == "某某县财政局"
    assert fields["publisher.index_no"].startswith("11341000MB1234567X")
    assert fields["publisher.date"] == "2024-05-20"
    values = {str(f.value) for f in r.records.figures}
    # the index number, the date, the telephone number, the postcode and the ordinal 任务2 are no figures
    for furniture in ("11341000", "2024", "20", "0558", "1234567", "236800", "2"):
        assert furniture not in values, furniture
    # every item of the list paragraph is read (1.…2.…3.发展党员16名)
    assert {"3", "45", "16", "98.50", "95"} <= values


def test_two_breadcrumb_pages_of_two_departments_are_two_reports(tmp_path):
    a = _page(tmp_path, "a.txt", "临川县妇女联合会")
    b = _page(tmp_path, "b.txt", "临川县总工会")
    store = tmp_path / "store"
    proc = run("ingest", "--store", str(store), str(a), str(b))
    assert proc.returncode == 0, proc.stderr
    graphs = [line.rsplit("<", 1)[1].rstrip(">") for line in proc.stdout.splitlines() if "→ <" in line]
    assert len(graphs) == 2 and graphs[0] != graphs[1]


def _store_dump(store: Path) -> list[str]:
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    return sorted(str(q) for q in s)


def test_one_report_twice_in_one_run_exits_2_and_leaves_the_store_unchanged(tmp_path):
    store = tmp_path / "store"
    first = _page(tmp_path, "first.txt", "临川县总工会")
    assert run("ingest", "--store", str(store), str(first), "--quiet").returncode == 0
    before = _store_dump(store)
    a = _page(tmp_path, "a.txt", "临川县妇女联合会")
    b = tmp_path / "b.txt"  # the same report with another figure: a second version
    b.write_text(a.read_text(encoding="utf-8").replace("45人次", "46人次"), encoding="utf-8")
    proc = run("ingest", "--store", str(store), str(a), str(b))
    assert proc.returncode == 2
    assert str(a) in proc.stderr and str(b) in proc.stderr
    assert _store_dump(store) == before


# -- supplied identity, diagnostics, --strict ------------------------------------------------------
FORM_NO_DEPT = """2023年度部门整体支出绩效评价自评表
单位 | |||
序号 | 一级指标 | 二级指标 | 三级指标 | 指标分值 | 自评得分 |
1 | 决策 | 目标设定 | 绩效目标合理性 | 5 | 5 |
自评得分100分
"""


def test_a_department_supplied_on_the_command_line_is_recorded_as_supplied(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(FORM_NO_DEPT, encoding="utf-8")
    with pytest.raises(InputError, match="department"):
        ingest_file(path)
    proc = run("ingest", "--out", str(tmp_path / "g.nq"), str(path))
    assert proc.returncode == 2 and str(path) in proc.stderr and "--department" in proc.stderr
    r = ingest_file(path, {"department": "某某县卫生健康委员会"})
    assert r.records.report.department.canonical == "某某县卫生健康委员会"
    g = r.graph
    field = URIRef(iris.identity_field(r.report, "department"))
    assert (field, JX.suppliedByUser, Literal(True)) in g
    assert (field, JX.sourceSpan, None) not in g  # not read: no span
    year = URIRef(iris.identity_field(r.report, "year"))
    assert (year, JX.sourceSpan, None) in g and (year, JX.suppliedByUser, None) not in g
    codes = {str(o) for o in g.objects(None, JX.diagnosticCode)}
    assert "identity_supplied" in codes
    # the text before the first heading is read: the 自评得分 of the opening lines is a figure
    assert any(str(f.value) == "100" and f.unit == "point" for f in r.records.figures)
    proc = run("ingest", "--out", str(tmp_path / "g.nq"), "--department", "某某县卫生健康委员会", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "figures" in proc.stdout and "diagnostics" in proc.stdout and "triples → <" in proc.stdout


def test_a_supplied_value_never_overrides_a_stated_one(tmp_path):
    path = _page(tmp_path, "a.txt", "临川县妇女联合会")
    r = ingest_file(path, {"department": "别的单位", "year": "2019"})
    assert r.records.report.department.canonical == "临川县妇女联合会" and r.records.report.fiscal_year == 2023
    assert [d.code for d in r.records.diagnostics].count("identity_supplied_differs") == 2


def test_bad_supplied_values_are_refused(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(FORM_NO_DEPT, encoding="utf-8")
    with pytest.raises(InputError, match="--kind"):
        ingest_file(path, {"department": "某某局", "kind": "whole"})
    with pytest.raises(InputError, match="--year"):
        ingest_file(tmp_path / "form.txt", {"year": "23"} | {"department": "某某局"})


NO_FIGURES = """临川县档案馆2023年度部门整体支出绩效自评报告
一、部门基本情况
本馆负责全县档案的收集、整理和保管。
二、自评结论
各项工作按计划完成。
"""


def test_no_figures_is_an_error_diagnostic_and_strict_refuses_it(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(NO_FIGURES, encoding="utf-8")
    r = ingest_file(path)
    diags = [(d.code, d.severity) for d in r.records.diagnostics]
    assert ("no_figures", "error") in diags
    g = r.graph
    d = next(g.subjects(JX.diagnosticCode, Literal("no_figures")))
    assert (r.report and (URIRef(r.report), JX.diagnostic, d) in g) and (d, JX.severity, JXV.severity_error) in g
    messages = {m.language: str(m) for m in g.objects(d, JX.message)}
    assert set(messages) == {"zh", "en"} and "数字" in messages["zh"] and "figures" in messages["en"]
    out = tmp_path / "g.nq"
    lax = run("ingest", "--out", str(out), str(path))
    assert lax.returncode == 0 and "1 error" in lax.stdout
    strict = run("ingest", "--out", str(tmp_path / "s.nq"), "--strict", str(path))
    assert strict.returncode == 2 and "no_figures" in strict.stderr and str(path) in strict.stderr
    assert not (tmp_path / "s.nq").exists()


def test_diagnose_is_data_driven():
    from jixiao.ingest import records as r
    from jixiao.ingest.diagnostics import diagnose, messages

    out = r.Extraction(source=None, report=None)  # type: ignore[arg-type]
    d = diagnose(out, "table_unrecognised", (3, 9), reason="一格一行，列数不明")
    assert d.severity == "warning" and "一格一行" in d.message_zh and "一格一行" in d.message_en
    assert out.diagnostics == [d]
    with pytest.raises(KeyError):
        diagnose(out, "no_such_code")
    # every severity is a concept of jxv:SeverityScheme
    from jixiao.ingest.datafiles import code_lists

    for code, entry in messages().items():
        assert f"severity_{entry['severity']}" in code_lists(), code


def test_replacing_a_held_report_is_announced_and_recorded(tmp_path):
    import pyoxigraph as ox

    store = tmp_path / "store"
    first = _page(tmp_path, "first.txt", "临川县总工会")
    second = tmp_path / "second.txt"
    second.write_text(first.read_text(encoding="utf-8").replace("45人次", "46人次"), encoding="utf-8")
    assert run("ingest", "--store", str(store), str(first), "--quiet").returncode == 0
    again = run("ingest", "--store", str(store), str(first))  # the same file again: nothing replaced
    assert again.returncode == 0 and "replaces" not in again.stderr
    proc = run("ingest", "--store", str(store), str(second))
    assert proc.returncode == 0, proc.stderr
    assert f"{second} replaces the report read from first.txt" in proc.stderr
    s = ox.Store.read_only(str(store))
    revision = list(s.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/prov#wasRevisionOf"), None))
    import hashlib

    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)}
    assert [(q.subject.value, q.object.value, q.graph_name.value) for q in revision] == [
        (str(iris.source_file(sha["second.txt"])), str(iris.source_file(sha["first.txt"])), str(iris.RUNS_GRAPH))
    ]


def test_a_list_paragraph_is_no_heading_and_every_item_is_read(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(
        "某某县档案馆2023年度部门整体支出绩效自评报告\n一、部门基本情况\n（一）年度工作\n"
        "1.开展宣传活动3次，2.培训干部45人次，3.发展党员16名，较上年增加2名。\n",
        encoding="utf-8",
    )
    r = ingest_file(path)
    assert [s.label for s in r.records.sections] == ["部门基本情况", "年度工作"]
    text = r.source.text
    assert sorted(text[f.span[0] : f.span[1]] for f in r.records.figures) == ["16名", "2名", "3次", "45人次"]


def test_a_text_with_no_title_and_no_cover_is_an_unknown_form(tmp_path):
    path = tmp_path / "body.txt"
    path.write_text("一、基本情况\n本年度项目支出共开展培训12场，培训干部300人次。\n", encoding="utf-8")
    with pytest.raises(InputError, match="department"):
        ingest_file(path)
    r = ingest_file(path, {"department": "某某县人力资源和社会保障局", "year": "2022", "kind": "project"})
    codes = [d.code for d in r.records.diagnostics]
    assert "unknown_form" in codes and codes.count("identity_supplied") == 3
    assert r.records.report.subject  # a project report without a 项目名称 field is told apart by its text
    titled = ingest_file(_page(tmp_path, "a.txt", "临川县妇女联合会"))
    assert "unknown_form" not in [d.code for d in titled.records.diagnostics]
