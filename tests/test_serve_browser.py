"""The query page of ``jixiao serve`` in headless Chromium: load, pick a library query, run, see rows."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = [pytest.mark.browser, pytest.mark.server]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium missing at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium missing at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    store = servers.build_store(tmp_path_factory.mktemp("browser") / "store")
    with servers.jixiao_serve(store) as base:
        yield base


def test_pick_library_query_and_run(browser, endpoint, tmp_path):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(endpoint + "/")
    page.wait_for_selector("body[data-ready=true]")
    options = page.locator("#examples option")
    assert options.count() >= 26  # the placeholder plus the library
    page.select_option("#examples", "targets-too-low")
    assert "SELECT" in page.input_value("#editor")
    assert page.input_value("#params input[name=threshold]") == "1.5"
    page.fill("#params input[name=threshold]", "1.1")
    page.click("#run")
    page.wait_for_selector("#table tbody tr")
    rows = page.locator("#table tbody tr")
    assert rows.count() == 2
    assert "举办健身活动场次" in rows.nth(0).inner_text()
    assert page.inner_text("#status") == "2 rows"
    page.screenshot(path=str(tmp_path / "page.png"))
    assert errors == []


def test_edited_query_runs_through_sparql_and_errors_show(browser, endpoint):
    page = browser.new_page()
    page.goto(endpoint + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.fill(
        "#editor",
        "SELECT ?t WHERE { ?r a <https://w3id.org/jixiao/def#Report> ; "
        "<https://w3id.org/jixiao/def#title> ?t } ORDER BY ?t",
    )
    page.click("#run")
    page.wait_for_selector("#table tbody tr")
    assert page.locator("#table tbody tr").count() == 2
    page.fill("#editor", "DROP ALL")
    page.click("#run")
    page.wait_for_function("document.getElementById('status').textContent.startsWith('403')")
