"""The files of jixiao/web: vendored bundles as recorded (scripts/vendor-web.sh), the generated
prefixes.js current, the page's font stacks the shared ones, no script or style from another host."""

from __future__ import annotations

import hashlib
import json
import re

from jixiao import data as _data
from jixiao.pagekit import FONT_STACK, MONO_STACK, prefixes_js

WEB = _data.web_dir()


def test_vendored_files_are_the_recorded_ones():
    vendor = json.loads((WEB / "VENDOR.json").read_text(encoding="utf-8"))
    assert set(vendor) == {"yasgui.min.js", "yasgui.min.css", "echarts.min.js"}
    for name, info in vendor.items():
        assert hashlib.sha256((WEB / name).read_bytes()).hexdigest() == info["sha256"], name
        assert info["license"] in ("MIT", "Apache-2.0") and info["version"]
    lock = json.loads((_data.web_dir().parents[1] / "scripts" / "web" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@zazuko/yasgui"]["version"] == vendor["yasgui.min.js"]["version"]
    assert lock["packages"]["node_modules/echarts"]["version"] == vendor["echarts.min.js"]["version"]
    for licence in ("LICENSE-yasgui.txt", "LICENSE-echarts.txt", "NOTICE-echarts.txt", "THIRD-PARTY.txt"):
        assert (WEB / licence).stat().st_size > 100, licence
    # no source-map comment: the browser would ask the server for a .map file that is not shipped
    for name in vendor:
        assert "sourceMappingURL" not in (WEB / name).read_text(encoding="utf-8")[-300:], name


def test_prefixes_js_is_current():
    assert (WEB / "prefixes.js").read_text(encoding="utf-8") == prefixes_js(), "run `make docs`"


def test_page_uses_the_shared_font_stacks_and_nothing_remote():
    css = (WEB / "style.css").read_text(encoding="utf-8")
    assert f"font-family: {FONT_STACK};" in css and f"font-family: {MONO_STACK};" in css
    html = (WEB / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith(("/static/", "/corpus", "data:")) for r in refs), refs
    for name in ("prefixes.js", "yasgui.min.js", "echarts.min.js", "app.js", "yasgui.min.css", "style.css"):
        assert f"/static/{name}" in html
