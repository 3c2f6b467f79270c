"""The HTML report in headless Chromium: the summary shows, filters hide rows, text is escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from jixiao.reporting import render_html, summary_line
from jixiao.validate import Finding, SourceRef, ValidationResult
from tests.browser import chromium

SH = "http://www.w3.org/ns/shacl#"


def _finding(sev: str, family: str, msg: str, quote: str = "372.81 万元") -> Finding:
    ref = SourceRef("report.txt", 105, 105 + len(quote), quote, 100, "实际支出 " + quote + "，执行率")
    return Finding(
        severity=sev,
        shape=URIRef("https://w3id.org/jixiao/shapes#X"),
        family=family,
        shape_name={"zh": "名", "en": "name"},
        message={"zh": msg, "en": msg},
        focus=URIRef("urn:f"),
        focus_label="项目支出",
        path=None,
        values=(),
        graph=URIRef("urn:g"),
        sources=(ref,),
    )


RESULT = ValidationResult(
    findings=[
        _finding("Violation", "arithmetic", "sum <b>wrong</b> & broken"),
        _finding("Warning", "consistency", "两个数字不一致"),
        _finding("Info", "consistency", "名称由叙述推断"),
    ],
    reports=1,
    engine="turbo",
)


def test_html_is_self_contained_and_escaped():
    page = render_html(RESULT, "en")
    assert "<b>wrong</b>" not in page and "&lt;b&gt;wrong&lt;/b&gt; &amp; broken" in page
    assert "<mark>372.81 万元</mark>" in page and "实际支出 <mark>" in page
    assert "http://" not in page.replace('lang="en"', "") and "https://" not in page  # no CDN, no links out


@pytest.mark.browser
def test_html_filters_in_chromium(tmp_path: Path):
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(RESULT, "en"), encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(page_file.as_uri())
        assert page.inner_text("#summary") == summary_line(RESULT, "en")
        rows = page.locator(".finding")
        assert rows.count() == 3
        assert [rows.nth(i).is_visible() for i in range(3)] == [True, True, True]
        page.uncheck('input[data-severity="Warning"]')
        assert [rows.nth(i).is_visible() for i in range(3)] == [True, False, True]
        page.uncheck('input[data-family="consistency"]')
        assert [rows.nth(i).is_visible() for i in range(3)] == [True, False, False]
        page.check('input[data-severity="Warning"]')
        page.check('input[data-family="consistency"]')
        assert [rows.nth(i).is_visible() for i in range(3)] == [True, True, True]
        assert page.locator("mark").first.inner_text() == "372.81 万元"
