"""The validation report for people: figures at the report's printed precision, labels (family names
too) in the chosen language, findings grouped by report with a summary each and a corpus summary on
top; the HTML page in Chromium hides a report whose findings are all filtered out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

from jixiao.cli import main
from jixiao.reporting import at_printed_precision, by_report, render_html, render_text, summary_line
from jixiao.validate import Finding, SourceRef, ValidationResult
from tests.browser import chromium
from tests.conftest import SAMPLE


def finding(sev: str, family: str, msg: str, *, graph: str = "urn:a", file: str = "a.txt", quotes=("75%",)) -> Finding:
    refs = tuple(SourceRef(file, 10 * i, 10 * i + len(q), q) for i, q in enumerate(quotes))
    return Finding(
        severity=sev,
        shape=URIRef("https://w3id.org/jixiao/shapes#X"),
        family=family,
        shape_name={"zh": "形状", "en": "shape"},
        message={"zh": msg, "en": msg},
        focus=URIRef("urn:f"),
        focus_label="占比",
        path=None,
        values=(),
        graph=URIRef(graph),
        sources=refs,
    )


@pytest.mark.parametrize(
    "quotes,message,expected",
    [
        # the sample's planted fault: 1258.30 ÷ 1689.58 = 0.7447412966… (by hand), printed with 2 decimals
        (("78.47%", "1258.30 万元"), "= 74.474129665360622166%。", "= 74.47%。"),
        # printed without decimals: 74.47… → 74; but 99.96 would read as the printed 100 → 99.96
        (("75%",), "= 74.474129665360622166%", "= 74%"),
        (("100%",), "得 99.96%，声明 100%", "得 99.96%，声明 100%"),
        (("100%",), "得 99.9612%", "得 99.96%"),
        # numbers no longer than the printed ones, and integers, stay as they are
        (("12.5 万元",), "追加 0 元，压减 359700 元，合计 12.5 万元", "追加 0 元，压减 359700 元，合计 12.5 万元"),
    ],
)
def test_numbers_at_the_printed_precision(quotes, message, expected):
    assert at_printed_precision(message, finding("Violation", "arithmetic", message, quotes=quotes)) == expected


TWO = ValidationResult(
    findings=[
        finding("Warning", "consistency", "两个数字不一致", graph="urn:b", file="b.txt"),
        finding("Info", "consistency", "名称由叙述推断", graph="urn:a", file="a.txt"),
        finding(
            "Violation",
            "arithmetic",
            "占比 75% 与分子/分母不符：= 74.474129665360622166%。",
            graph="urn:c",
            file="c.txt",
        ),
        finding("Warning", "indicators", "指标值偏低", graph="urn:c", file="c.txt"),
    ],
    reports=5,
    engine="sparql",
)


def test_reports_worst_first_with_their_own_summary():
    assert [name for _, name, _ in by_report(TWO)] == ["c.txt", "b.txt", "a.txt"]
    text = render_text(TWO, "zh")
    lines = text.splitlines()
    assert lines[0] == "== jixiao 数据质量报告: " + summary_line(TWO, "zh")
    assert lines[1].strip() == "有问题的报告 2 份（有违规 1 份，仅有警告 1 份），其余 3 份无违规和警告。"
    assert lines[2].strip() == (
        "按约束类别：数额核算 违规 1 项，警告 0 项，提示 0 项；绩效指标 违规 0 项，警告 1 项，提示 0 项；"
        "前后一致 违规 0 项，警告 1 项，提示 1 项"
    )
    c = lines.index("== 报告 c.txt  <urn:c>")
    assert lines[c + 1].strip() == "违规 1 项，警告 1 项，提示 0 项。不符合约束。"
    assert lines[c + 2 : c + 4] == ["-- 违规 (1)", "- 占比 75% 与分子/分母不符：= 74%。"]
    assert "[数额核算/形状] 占比" in text and "[绩效指标/形状]" in text
    a = lines.index("== 报告 a.txt  <urn:a>")
    assert lines[a + 1].strip() == "违规 0 项，警告 0 项，提示 1 项。符合约束。"
    assert lines[-1] == summary_line(TWO, "zh")
    english = render_text(TWO, "en")
    assert "[arithmetic/shape]" in english and "2 report(s) with problems (1 with violations" in english


def _visible_text(page: str) -> str:
    body = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_html_labels_in_the_chosen_language():
    zh = _visible_text(render_html(TWO, "zh"))
    for word in ("数额核算", "绩效指标", "前后一致", "违规", "警告", "提示", "约束类别", "严重程度"):
        assert word in zh, word
    for word in ("arithmetic", "indicators", "consistency", "Violation", "Warning", "family", "severity"):
        assert word not in zh, word
    assert "74.47" not in zh and "= 74%" in zh and "74.474129" not in zh
    en = _visible_text(render_html(TWO, "en"))
    assert "arithmetic" in en and "数额核算" not in en


@pytest.mark.browser
def test_html_overview_links_and_filters_in_chromium(tmp_path: Path):
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(TWO, "en"), encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(page_file.as_uri())
        assert page.inner_text("#summary") == summary_line(TWO, "en")
        overview = page.locator("#overview tbody tr")
        assert [overview.nth(i).inner_text().split("\t") for i in range(3)] == [
            ["c.txt", "1", "1", "0"],
            ["b.txt", "0", "1", "0"],
            ["a.txt", "0", "0", "1"],
        ]
        page.click("#overview a >> text=a.txt")
        assert page.evaluate("location.hash") == "#r3"
        assert page.locator("#r3 .report-summary").inner_text().startswith("0 violation(s), 0 warning(s), 1 info")
        reports = page.locator(".report")
        assert [reports.nth(i).is_visible() for i in range(3)] == [True, True, True]
        page.uncheck('input[data-severity="Info"]')  # a.txt has only an Info finding: its section goes
        assert [reports.nth(i).is_visible() for i in range(3)] == [True, True, False]
        page.uncheck('input[data-family="indicators"]')
        assert page.locator("#r1 .finding:visible").count() == 1
        page.check('input[data-severity="Info"]')
        assert reports.nth(2).is_visible()


def test_sample_report_fault_prints_at_its_precision(tmp_path, capsys):
    """The bundled sample's planted share fault (samples/haiyuan-sports-bureau-2024.faults.toml)."""
    data = tmp_path / "sample.nq"
    assert main(["ingest", str(SAMPLE), "--out", str(data), "--quiet"]) == 0
    assert main(["validate", "--data", str(data), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "占比 78.47% 与分子/分母不符：1258.30 万元 ÷ 1689.58 万元 = 74.47%。" in out
    assert "74.474" not in out
    html_out = tmp_path / "v.html"
    assert main(["validate", "--data", str(data), "--format", "html", "--out", str(html_out)]) == 1
    page = html_out.read_text(encoding="utf-8")
    assert "= 74.47%" in page and "74.474" not in page and 'id="overview"' in page
