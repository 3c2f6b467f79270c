"""Chinese renders on every page the project serves or writes: the endpoint page, the validation
report, the ontology docs, the report page and the corpus page each name an installed CJK font for
every element that shows Chinese, and no Chinese character is drawn as the fallback box
(tests/browser.py: cjk_problems). The last two tests show the check failing where it must: on a page
whose font stack names no CJK font, and in a browser that has no CJK font at all (as Debian chromium
without fonts-noto-cjk, the machine .ci/run used to set up)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jixiao.cli import main
from tests.browser import chromium, cjk_families, cjk_problems, hidden_cjk_fontconfig
from tests.conftest import ROOT, SAMPLE

sys.path.insert(0, str(Path(__file__).resolve().parent / "queries"))
import servers

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The pages jixiao writes, each made the way a user makes it."""
    out = tmp_path_factory.mktemp("pages")
    data = out / "sample.nq"
    assert main(["ingest", str(SAMPLE), "--out", str(data), "--quiet"]) == 0
    assert main(["validate", "--data", str(data), "--format", "html", "--out", str(out / "validation.html")]) == 1
    assert main(["report", str(SAMPLE), "--out", str(out / "report.html")]) == 0
    assert main(["report", "--corpus", "--data", str(data), "--out", str(out / "corpus.html")]) == 0
    return {
        "validation": out / "validation.html",
        "report": out / "report.html",
        "corpus": out / "corpus.html",
        "ontology docs": ROOT / "docs" / "ontology" / "index.html",
    }


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def test_a_cjk_font_is_installed():
    assert any("cjk" in f or "hei" in f or "han" in f for f in cjk_families()), "install fonts-noto-cjk (.ci/run does)"


@pytest.mark.parametrize("name", ["validation", "report", "corpus", "ontology docs"])
def test_written_pages_render_chinese(browser, pages, name):
    page = _open(browser, pages[name].as_uri())
    assert cjk_problems(page) == []
    page.close()


@pytest.mark.server
def test_served_pages_render_chinese(browser, tmp_path):
    store = servers.build_store(tmp_path / "store")
    with servers.jixiao_serve(store) as base:
        page = _open(browser, base + "/")
        page.wait_for_selector("body[data-ready=true]")
        page.select_option("#examples", "budget-execution")  # Chinese in the editor and in the result table
        page.locator(".yasqe_queryButton:visible").click()
        page.locator(".yasr:visible table.dataTable tbody tr").first.wait_for()
        assert "公共文化活动经费" in page.locator(".yasr:visible").inner_text()
        assert cjk_problems(page) == []
        for path in ("/corpus", "/report?graph=" + str(next(iter(servers.report_graphs())))):
            served = _open(browser, base + path)
            served.wait_for_selector("body[data-ready=true]")
            assert cjk_problems(served) == [], path


# -- the check can fail --------------------------------------------------------------------------
def test_check_fails_on_a_font_stack_without_cjk(browser, tmp_path):
    bad = tmp_path / "latin-only.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        '<style>body{font-family:"DejaVu Sans",Arial,sans-serif}</style></head>'
        "<body><p>预算执行率 98.57%</p></body></html>",
        encoding="utf-8",
    )
    problems = cjk_problems(_open(browser, bad.as_uri()))
    assert len(problems) == 1 and "names no installed CJK font" in problems[0]


def test_check_fails_where_no_cjk_font_is_installed(pages, tmp_path):
    """The real validation report in a Chromium whose fontconfig sees only DejaVu: boxes, and the check says so."""
    with chromium(env=hidden_cjk_fontconfig(tmp_path)) as bare:
        page = _open(bare, pages["validation"].as_uri())
        problems = cjk_problems(page)
        assert problems and all("drawn as the fallback box" in p for p in problems)
        assert any("数" in p or "违" in p or "报" in p for p in problems)
