"""Screenshots of the endpoint page and the report page for the README (docs/img/*.png).

    .venv/bin/python scripts/screenshots.py

Ingests the bundled fictional samples (samples/*.txt) into a temporary store, starts `jixiao serve`
on a free loopback port with the samples as --sources, drives Debian chromium (/usr/bin/chromium)
with Playwright, and writes docs/img/endpoint.png, docs/img/report.png and docs/img/report-text.png.
The server and the browser are stopped at the end, whatever happens.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def jixiao(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "jixiao", *args], check=True, cwd=ROOT)


def main() -> int:
    from playwright.sync_api import sync_playwright

    from jixiao.ingest.pipeline import ingest_file
    from jixiao.serve import free_port

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-shots-") as tmp:
        store = Path(tmp) / "store"
        jixiao("ingest", *map(str, SAMPLES), "--store", str(store), "--quiet")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "jixiao", "serve", "--store", str(store), "--port", str(port), "--quiet",
             "--sources", str(ROOT / "samples")],
            cwd=ROOT,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/queries.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.goto(base + "/")
                    page.wait_for_selector("body[data-ready=true]")
                    page.select_option("#examples", "budget-execution")
                    page.locator(".yasqe_queryButton:visible").click()
                    page.locator(".yasr:visible table.dataTable tbody tr").first.wait_for()
                    page.screenshot(path=str(OUT / "endpoint.png"))

                    graph = str(ingest_file(SAMPLES[0]).graph_iri)
                    page = browser.new_page(viewport={"width": 1440, "height": 1500})
                    page.goto(f"{base}/report?graph={quote(graph, safe='')}")
                    page.wait_for_selector("body[data-ready=true]")
                    page.screenshot(path=str(OUT / "report.png"))
                    page.locator("#text [data-f]", has_text="78.47%").first.click()
                    page.locator(".finding", has_text="78.47%").first.click()
                    page.locator("#source").screenshot(path=str(OUT / "report-text.png"))
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(10)
    for name in ("endpoint.png", "report.png", "report-text.png"):
        print(f"wrote {OUT / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
