"""The query page of ``jixiao serve`` (YASGUI, vendored) in headless Chromium: library queries with
their parameters, rows, numbers sorted as numbers, paging, download, the chart view, an error that
replaces old results, and nothing fetched from another host. Expected rows come from the fixture
texts (tests/queries/manifest.ttl was written from them by hand)."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from rdflib.plugins.sparql.parser import parseQuery

from jixiao import queries as Q
from tests.browser import chromium

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    store = servers.build_store(tmp_path_factory.mktemp("browser") / "store")
    with servers.jixiao_serve(store) as base:
        yield base


@pytest.fixture
def page(browser, endpoint):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.foreign = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith((endpoint, "data:")) else page.foreign.append(r.url))
    page.goto(endpoint + "/")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    assert page.errors == []
    assert page.foreign == [], "the page fetched from another host"
    context.close()


def editor(page) -> str:
    return page.evaluate("jixiao.yasgui.getTab().getYasqe().getValue()")


def set_editor(page, text: str) -> None:
    page.evaluate("t => jixiao.yasgui.getTab().getYasqe().setValue(t)", text)


def run(page) -> None:
    page.locator(".yasqe_queryButton:visible").click()


def rows(page):
    return page.locator(".yasr:visible table.dataTable tbody tr")


def test_library_query_with_a_parameter_shows_its_rows(page):
    assert page.locator("#examples option").count() == len(Q.library()) + 1  # the placeholder, then the library
    page.select_option("#examples", "targets-too-low")
    assert page.inner_text("#picked-title") == "指标值设置偏低的指标 · Indicators whose target looks too low"
    assert "actual exceeds threshold" in page.inner_text("#description")
    assert page.input_value("#params input[name=threshold]") == "1.5"
    assert "VALUES (?threshold) { (1.5) }" in editor(page)
    page.fill("#params input[name=threshold]", "1.1")
    assert "VALUES (?threshold) { (1.1) }" in editor(page) and "(1.5)" not in editor(page)
    run(page)
    rows(page).first.wait_for()
    assert rows(page).count() == 2
    assert "举办健身活动场次" in rows(page).nth(0).inner_text()  # 25 / 10 = 2.5, first by ratio
    assert "举办阅读活动场次" in rows(page).nth(1).inner_text()  # 120 / 100 = 1.2
    assert "2 results" in page.locator(".yasr:visible .yasr_response_chip").inner_text()


def test_editing_the_text_keeps_the_parameters(page):
    page.select_option("#examples", "targets-too-low")
    set_editor(page, editor(page).replace("ORDER BY DESC(?ratio)", "ORDER BY ?ratio"))  # the researcher edits
    page.fill("#params input[name=threshold]", "2")
    text = editor(page)
    assert "ORDER BY ?ratio" in text and "VALUES (?threshold) { (2.0) }" in text  # edit kept, value rebound
    run(page)
    expect(page.locator(".yasr:visible .yasr_response_chip")).to_contain_text("1 result")
    assert rows(page).count() == 1 and "举办健身活动场次" in rows(page).first.inner_text()
    page.fill("#params input[name=threshold]", "high")
    assert page.get_attribute("#params input[name=threshold]", "aria-invalid") == "true"
    assert "not a valid xsd:decimal" in page.inner_text("#param-error")
    assert "(2.0)" in editor(page)  # a bad value leaves the last good binding


def test_page_binding_means_what_the_python_binding_means(page):
    """For every library query with parameters, the text the page binds gives the rows that
    jixiao.queries gives for the same values (sample values where there is no default)."""
    samples = {
        "phrase": "支出",
        "offset": "300",
        "category": "jxv:ind_quantity",
        "role": "jxv:role_budget_execution",
        "region": "440000",
        "fiscal_year": "2024",
        "severity": "warning",
        "code": "figure_unlabelled",
    }
    dataset = Q.open_dataset(data=servers.FIXTURES)
    checked = 0
    for q in Q.library():
        if not q.params:
            continue
        values = {p.name: p.default or samples.get(p.name) or "" for p in q.params}
        values = {k: v for k, v in values.items() if v}
        bound = page.evaluate(
            "([text, params, values]) => jixiao.bindParams(text, params, values)",
            [q.text, [{"name": p.name, "type": p.type} for p in q.params], values],
        )
        parseQuery(bound)
        page_rows = Q.execute(Q.LibraryQuery(q.name, q.path, bound, "", "", ""), dataset=dataset).rows
        assert page_rows == Q.execute(q, values, dataset=dataset).rows, q.name
        checked += 1
    assert checked >= 8
    hostile = 'x" } } DROP ALL ; SELECT * { "'
    bound = page.evaluate(
        "([t, v]) => jixiao.bindParams(t, [{name: 'phrase', type: 'xsd:string'}], {phrase: v})",
        [Q.load("find-figure").text, hostile],
    )
    parseQuery(bound)  # still one query: the value stayed inside its literal
    assert Q.execute(Q.LibraryQuery("x", Path("x"), bound, "", "", ""), dataset=dataset).rows == []


def test_numbers_read_and_sort_as_numbers_and_rows_page(page):
    page.select_option("#examples", "budget-execution")
    run(page)
    rows(page).first.wait_for()
    assert rows(page).count() == 7
    table = page.locator(".yasr:visible table.dataTable")
    assert "1,200,000" in table.inner_text() and "4,680,000" in table.inner_text()
    header = table.locator("thead th", has_text="spending")
    header.click()  # ascending, as numbers: 480,000 < 800,000 < 1,100,000 (as text "1,100,000" would sort first)
    col = [h.inner_text().strip() for h in table.locator("thead th").all()].index("spending")
    first = [rows(page).nth(i).locator("td").nth(col).inner_text().strip() for i in range(3)]
    assert first == ["480,000", "800,000", "1,100,000"]
    set_editor(page, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 120")
    run(page)
    info = page.locator(".yasr:visible .dataTables_info, .yasr:visible .dt-info").first
    expect(info).to_contain_text("1 to 50 of 120")  # waits for the new answer to replace the old one
    assert rows(page).count() == 50
    page.locator(".yasr:visible .dt-paging-button.next, .yasr:visible .paginate_button.next").first.click()
    expect(info).to_contain_text("51 to 100 of 120")


def test_download_gives_the_rows_as_csv(page, tmp_path):
    page.select_option("#examples", "evaluation-scores")
    run(page)
    rows(page).first.wait_for()
    with page.expect_download() as info:
        page.locator(".yasr:visible .yasr_downloadIcon").click()
    path = tmp_path / "rows.csv"
    info.value.save_as(path)
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert table[0][:3] == ["report", "kind", "evaluator"] and len(table) == 4
    assert sorted(r[2] for r in table[1:]) == ["海源市文化局", "海源市财政局", "青溪县体育局"]


def test_chart_draws_marks(page):
    page.select_option("#examples", "budget-execution")
    run(page)
    rows(page).first.wait_for()
    page.locator(".yasr:visible .select_chart").click()
    chart = page.locator(".yasr:visible .jx-chart svg")
    chart.wait_for()
    assert page.locator(".yasr:visible .jx-chart-controls select").first.input_value() == "line_name"
    marks = chart.locator("path").count()
    assert marks >= 10  # bars of three series over seven lines, axes and legend
    assert "公共文化活动经费" in chart.inner_html()  # the category axis names the budget lines


def test_an_error_replaces_the_old_results(page):
    page.select_option("#examples", "budget-execution")
    run(page)
    rows(page).first.wait_for()
    set_editor(page, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    run(page)
    page.locator(".yasr:visible", has_text="SERVICE is refused").wait_for()
    assert rows(page).count() == 0  # the old table is gone, not left under the message
    assert "公共文化活动经费" not in page.locator(".yasr:visible").inner_text()
