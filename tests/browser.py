"""Headless Chromium for the page tests, and the check that Chinese text really renders.

``cjk_problems(page)`` looks at every visible element of a page that holds Chinese text and reports:

* a font stack that names no installed font covering Chinese (fontconfig's ``fc-list :lang=zh``,
  the list Chromium itself draws from on Linux): the page would depend on the browser's fallback;
* a character drawn as the fallback box: each character is drawn on a canvas in the element's own
  font stack and compared, pixel by pixel, with U+0378 (unassigned, so no font has it: it is always
  drawn as the .notdef box). A Chinese character with no font draws that same box.

tests/test_cjk_fonts.py shows both checks failing on pages built to fail (a stack without any CJK
family; a browser whose fontconfig hides the CJK fonts, as on a machine without fonts-noto-cjk).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

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
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-monospace", "ui-sans-serif"}


def require_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium missing at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium missing at {CHROMIUM}")


_PLAYWRIGHT = None


def _playwright():
    """One Playwright driver for the test process (two sync drivers cannot nest), stopped at exit."""
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        import atexit

        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
        atexit.register(_PLAYWRIGHT.stop)
    return _PLAYWRIGHT


@contextlib.contextmanager
def chromium(env: dict[str, str] | None = None) -> Iterator:
    """A launched browser (playwright), closed at the end of the block; ``env``: its environment."""
    require_chromium()
    b = _playwright().chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
    try:
        yield b
    finally:
        b.close()


@functools.cache
def cjk_families() -> frozenset[str]:
    """Families of the installed fonts that cover Chinese, lower-cased (empty without fontconfig)."""
    exe = shutil.which("fc-list")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("fc-list (Debian fontconfig) is missing")
        return frozenset()
    out = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    found = frozenset(name.strip().lower() for line in out.splitlines() for name in line.split(",") if name.strip())
    if not found and os.environ.get("CI") == "true":
        pytest.fail("no font covering Chinese is installed (apt-get install fonts-noto-cjk; .ci/run does)")
    return found


COLLECT = r"""
() => {
  const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  const byFont = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!CJK.test(node.data)) continue;
    const el = node.parentElement;
    if (!el || el.closest("script,style,noscript,template")) continue;
    const rect = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || rect.width === 0 || rect.height === 0) continue;
    const key = cs.fontFamily;
    const where = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    if (!byFont.has(key)) byFont.set(key, {where, chars: new Set()});
    const entry = byFont.get(key);
    for (const ch of node.data) if (CJK.test(ch) && entry.chars.size < 60) entry.chars.add(ch);
  }
  return Array.from(byFont, ([font, e]) => ({font, where: e.where, chars: Array.from(e.chars).join("")}));
}
"""

BOXES = r"""
([font, chars]) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (ch) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = "32px " + font;
    ctx.textBaseline = "top";
    ctx.fillText(ch, 4, 4);
    const a = ctx.getImageData(0, 0, 48, 48).data;
    let s = "";
    for (let i = 3; i < a.length; i += 4) s += a[i] > 127 ? "1" : "0";
    return s;
  };
  const box = draw("\u0378");
  return Array.from(chars).filter((ch) => draw(ch) === box).join("");
}
"""


def _families(stack: str) -> list[str]:
    return [f.strip().strip("\"'").lower() for f in stack.split(",") if f.strip()]


def cjk_problems(page) -> list[str]:
    """What stops the page's Chinese from rendering (empty: every Chinese character draws a glyph
    from a font the page names). Fails the test when the page shows no Chinese at all."""
    found = page.evaluate(COLLECT)
    assert found, "the page shows no Chinese text to check"
    installed = cjk_families()
    problems = []
    for entry in found:
        named = [f for f in _families(entry["font"]) if f not in GENERIC]
        if installed and not any(f in installed for f in named):
            problems.append(f"{entry['where']}: the font stack {entry['font']} names no installed CJK font")
        boxes = page.evaluate(BOXES, [entry["font"], entry["chars"]])
        if boxes:
            problems.append(f"{entry['where']}: {boxes} drawn as the fallback box in {entry['font']}")
    return problems


def hidden_cjk_fontconfig(tmp: Path) -> dict[str, str]:
    """Environment for a Chromium that sees only the DejaVu fonts: a machine without any CJK font."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("no DejaVu fonts to build a CJK-less fontconfig from")
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{dejavu}</dir><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}
