"""The report page and the corpus page: ``jixiao report`` files and ``jixiao serve``'s /report and /corpus.

Facts checked against the bundled sample's text by hand (samples/haiyuan-sports-bureau-2024.txt):
line 130 "输送省级以上运动队运动员人数 ≥15 人 → 12 人" is the one indicator that missed its target; line 136
"市级赛事人均组织成本 ≤120 元/人次 → 108 元/人次" met its (upper) target; line 103 states the share 78.47%
that the planted fault contradicts (1258.30 ÷ 1689.58 = 74.47%)."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import httpx
import pytest
from rdflib.namespace import RDF

from jixiao import reportdata as D
from jixiao.cli import main
from jixiao.ingest.pipeline import ingest_file
from jixiao.ns import JX
from jixiao.store import ntriples
from tests.browser import chromium
from tests.conftest import ROOT, SAMPLE, SAMPLE_GB

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

SEGMENT = re.compile(r'<span class="([^"]*)" data-at="(\d+)"[^>]*>(.*?)</span>', re.S)


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sample.html"
    assert main(["report", str(SAMPLE), "--out", str(out)]) == 0
    return out


def test_page_is_one_file_with_the_reports_facts(sample_page):
    page = sample_page.read_text(encoding="utf-8")
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page  # scripts inlined, nothing fetched
    assert 'version="6.1.0"' in page or 't.version="6.1.0"' in page  # the vendored ECharts, inline
    for fact in ("海源市体育局", "2024", "haiyuan-sports-bureau-2024.txt", "全民健身赛事活动经费", "94.5"):
        assert fact in page, fact
    assert "没有原文件" not in page  # the real text, not pieced together


def test_every_figure_is_highlighted_on_its_own_text(sample_page):
    text = SAMPLE.read_text(encoding="utf-8")
    page = sample_page.read_text(encoding="utf-8")
    body = page[page.index('<div id="text">') : page.index('<aside id="triples">')]
    segments = SEGMENT.findall(body)
    assert len(segments) > 250
    for _, at, chunk in segments:
        chunk = html.unescape(chunk)
        assert text[int(at) : int(at) + len(chunk)] == chunk  # every marked stretch is the text at its offset
    marked = set(re.findall(r'data-f="([^"]+)"', body))
    marked_ids = {i for ids in marked for i in ids.split()}
    g = ingest_file(SAMPLE).graph
    with_span = {f for f in g.subjects(RDF.type, JX.Quantity) if (f, JX.sourceSpan, None) in g}
    assert len(marked_ids) == len(with_span) > 250
    # the text shown is the whole file, in order, once
    assert html.unescape(
        re.sub(r"<[^>]+>", "", body.removeprefix('<div id="text">').removesuffix("</div></div>"))
    ).startswith(text[:200])


def test_pieced_text_is_the_text_where_the_graph_quotes_it():
    result = ingest_file(SAMPLE)
    store = D.report_store(str(result.graph_iri), ntriples(result.triples))
    pieces = D.pieces_from_spans(store)
    text = result.source.text
    assert len(pieces) > 10
    for offset, piece in pieces:
        assert text[offset : offset + len(piece)] == piece
    covered = sum(len(p) for _, p in pieces)
    assert 0.2 * len(text) < covered < len(text)


def test_graph_report_needs_its_own_source_file(tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), str(SAMPLE_GB), "--store", str(store), "--quiet"]) == 0
    graph = str(ingest_file(SAMPLE).graph_iri)
    out = tmp_path / "r.html"
    args = ["report", "--graph", graph, "--store", str(store), "--out", str(out)]
    assert main([*args, "--source", str(SAMPLE_GB)]) == 2
    assert "not the file this report was read from" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--source", str(SAMPLE)]) == 0 and "没有原文件" not in out.read_text(encoding="utf-8")
    assert main([*args, "--sources", str(ROOT / "samples")]) == 0 and "没有原文件" not in out.read_text(
        encoding="utf-8"
    )
    assert main(["report", "--graph", graph.removesuffix("/graph"), "--store", str(store), "--out", str(out)]) == 0
    pieced = out.read_text(encoding="utf-8")  # the report IRI names its graph too
    assert "没有原文件" in pieced and "⋯" in pieced
    assert main(["report", "--graph", "https://example.org/none/graph", "--store", str(store), "--out", str(out)]) == 2
    assert main(["report", str(SAMPLE), "--graph", graph]) == 2  # one of FILE, --graph, --corpus


def test_corpus_page_rows(tmp_path):
    out = tmp_path / "corpus.html"
    args = [x for f in servers.FIXTURES for x in ("--data", str(f))]
    assert main(["report", "--corpus", *args, "--out", str(out), "--lang", "en"]) == 0
    page = out.read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d{4})</td>", page)
    assert rows == [("海源市文化局", "2024"), ("青溪县体育局", "2023")]  # the query's order: department, year
    assert "5,200,000" in page and "90.00" in page  # 青溪县: 520 万元 adjusted, 468 / 520 = 90%


def _bars(page, chart: str, color: str) -> int:
    paths = page.locator(f"{chart} svg path")
    fills = [paths.nth(i).get_attribute("fill") or "" for i in range(paths.count())]
    return sum(1 for f in fills if f.lower() == color)


@pytest.mark.browser
def test_report_page_in_chromium(sample_page):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(sample_page.as_uri())
        page.wait_for_selector("body[data-ready=true]")
        # the indicator chart: one bar per indicator with an attainment, red for the one that missed its target
        charted = page.evaluate("JSON.parse(document.getElementById('jx-data').textContent).indicators.length")
        assert charted == 15
        assert _bars(page, "#indicator-chart", "#c0392b") == 1
        assert _bars(page, "#indicator-chart", "#3a7d44") == charted - 1
        assert "输送省级以上运动队运动员人数" in page.inner_html("#indicator-chart")
        # the marks are painted: the chart's screenshot changes when its SVG is hidden
        chart = page.locator("#indicator-chart")
        drawn = chart.screenshot()
        page.evaluate("document.querySelector('#indicator-chart svg').style.visibility = 'hidden'")
        assert chart.screenshot() != drawn
        page.evaluate("document.querySelector('#indicator-chart svg').style.visibility = ''")
        # a click on a figure shows its triples
        page.locator("#text [data-f]", has_text="78.47%").first.click()
        ttl = page.inner_text("#figure-ttl")
        assert 'jx:statedForm "78.47%"' in ttl and "@base <https://w3id.org/jixiao/id/report/" in ttl
        assert "a jx:Rate" in ttl or "jx:Rate" in ttl
        # a click on a finding jumps to its quote
        finding = page.locator(".finding", has_text="74.47%")
        assert finding.count() == 1 and "74.474" not in finding.inner_text()
        finding.click()
        flashed = page.locator("#text .flash")
        assert flashed.count() >= 1 and "78.47%" in "".join(flashed.all_inner_texts())
        assert flashed.first.is_visible() and page.evaluate(
            "(() => { const r = document.querySelector('#text .flash').getBoundingClientRect();"
            " const t = document.getElementById('text').getBoundingClientRect();"
            " return r.top >= t.top && r.bottom <= t.bottom; })()"
        )
        # a budget cell jumps to every place that states it
        page.locator("#budget a.jump", has_text="320 万元").first.click()
        assert "320" in "".join(page.locator("#text .flash").all_inner_texts())
        assert errors == []


@pytest.mark.browser
@pytest.mark.server
def test_served_report_and_corpus_pages(tmp_path):
    store = tmp_path / "store"
    assert main(["ingest", str(SAMPLE), str(SAMPLE_GB), "--store", str(store), "--quiet"]) == 0
    graph = str(ingest_file(SAMPLE_GB).graph_iri)
    with servers.jixiao_serve(store, "--sources", str(ROOT / "samples")) as base, chromium() as browser:
        assert httpx.get(base + "/report", params={"graph": "https://example.org/none/graph"}).status_code == 404
        assert httpx.get(base + "/report", params={"graph": "not an iri"}).status_code == 404
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/corpus")
        page.wait_for_selector("body[data-ready=true]")
        assert page.locator("#corpus-table tbody tr").count() == 2
        for chart in ("#rate-chart", "#met-chart"):
            assert page.locator(f"{chart} svg path").count() >= 4
        page.click("#corpus-table a >> text=2023年度部门整体支出绩效自评报告")
        page.wait_for_selector("body[data-ready=true]")
        assert graph.replace(":", "%3A").replace("/", "%2F") in page.url
        assert "云溪县农业农村局" in page.inner_text("#identity")
        assert "没有原文件" not in page.inner_text("#source")  # found in --sources by its SHA-256
        assert page.locator("#indicator-chart svg path").count() >= 10
    # without --sources the page pieces the text together, and says so
    with servers.jixiao_serve(store) as base:
        r = httpx.get(base + "/report", params={"graph": graph, "lang": "en"})
        assert r.status_code == 200 and "pieced together" in r.text and "⋯" in r.text
        assert '<script src="/static/echarts.min.js">' in r.text
        assert httpx.get(base + "/static/report.js").status_code == 200


@pytest.mark.server
def test_served_report_page_reads_a_graph_longer_than_the_row_cap(tmp_path):
    """The page reads its graph through the endpoint itself; with a row cap far below the graph's
    size it pages through the graph and shows the same page as without the cap."""
    store = tmp_path / "store"
    assert main(["ingest", str(SAMPLE_GB), "--store", str(store), "--quiet"]) == 0
    result = ingest_file(SAMPLE_GB)
    graph = str(result.graph_iri)
    assert len(result.triples) > 2 * 1000
    pages = []
    for cap in ("100000", "1000"):  # the second: three pages
        with servers.jixiao_serve(store, "--max-rows", cap) as base:
            r = httpx.get(base + "/report", params={"graph": graph}, timeout=120)
            assert r.status_code == 200, r.text[:300]
            pages.append(r.text)
    assert pages[0] == pages[1]
    assert len(set(re.findall(r'data-f="([^"]+)"', pages[0]))) >= 50  # the figures are on the page
