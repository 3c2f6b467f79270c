"""Administrative divisions (GB/T 2260 行政区划代码) and the resolver that places an organisation's name.

The table is data shipped in the package (``ontology/regions/``, built by scripts/build_regions.py
from the source decision 0007 names): provinces, prefectures and counties with their 6-digit codes,
townships with their 9-digit codes (read only when a name needs them), and the divisions renamed or
re-coded since 2010. Nothing is loaded until first use.

:func:`resolve` splits a name into the division it names and its local part::

    resolve("池州市贵池区棠溪镇人民政府")  → 341702117 棠溪镇 (township), span (0, 9), local 人民政府
    resolve("市财政局", context="430921")   → 430900 益阳市 (relative: the county's prefecture)

Relative names (市财政局, 县总工会), self references (本局, 我局) and ambiguous names (朝阳区 is in
Beijing and in Changchun) need the report's own division as ``context``; without one, or when the
context does not decide, the result has no region and a diagnostic that says why — never a guess.
"""

from __future__ import annotations

import gzip
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jixiao.data import ontology_dir

LEVELS = ("province", "prefecture", "county", "township")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None

    @property
    def short(self) -> str | None:
        """The name without its level suffix (韶关市 → 韶关), or None when that is too short."""
        return _short_name(self.name)


@dataclass(frozen=True)
class Former:
    """A division's former name or code (until ``year``) and the current division it goes on as."""

    year: int
    code: str
    name: str
    current: str
    change: str


@dataclass(frozen=True)
class Resolution:
    """Where a name belongs. ``span`` is the division part of ``name`` (start, end), ``local`` the
    name without it (canonical form: see :func:`local_name`), ``how`` one of ``name`` (written in
    full), ``short`` (韶关 for 韶关市), ``former`` (a division renamed since), ``relative`` (市…
    against the context), ``context`` (an ambiguous or partial name decided by the context), ``self``
    (本局), ``none`` (no division found)."""

    name: str
    region: Region | None
    span: tuple[int, int] | None
    local: str
    how: str
    candidates: tuple[Region, ...] = ()
    diagnostic: str | None = None
    leading: str = ""

    @property
    def resolved(self) -> bool:
        return self.region is not None


def normalise(name: str) -> str:
    """NFKC, no whitespace: the form names are matched and keyed in (decision 0001's key())."""
    return "".join(unicodedata.normalize("NFKC", name).split())


# --------------------------------------------------------------------------------------------
# The table


def _dir() -> Path:
    return ontology_dir() / "regions"


def _rows(path: Path) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8") if not line.startswith("#")]


@cache
def rules() -> dict:
    with (ontology_dir() / "orgs" / "names.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def _ethnic() -> tuple[str, ...]:
    names = [w for w in (ontology_dir() / "regions" / "ethnic-groups.txt").read_text("utf-8").split() if w[0] != "#"]
    names += [n[:-1] for n in names]  # also written without 族 (新疆维吾尔自治区)
    return tuple(sorted({n for n in names if n}, key=lambda s: (-len(s), s)))


def _short_name(name: str) -> str | None:
    conf = rules()["division"]
    for suffix in sorted(conf["suffixes"], key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = _strip_ethnic(stem)
            return stem if len(stem) >= conf["min_short"] else None
    return None


def _strip_ethnic(stem: str) -> str:
    """寻甸回族彝族 → 寻甸: ethnic-group names taken off the end, as long as some are there."""
    groups = _ethnic()
    changed = True
    while changed:
        changed = False
        for g in groups:
            if stem.endswith(g) and len(stem) > len(g):
                stem, changed = stem[: -len(g)], True
                break
    return stem


@dataclass
class _Table:
    by_code: dict[str, Region]
    children: dict[str, list[str]]
    surfaces: dict[str, list[tuple[Region, str]]]  # surface form → (region, how)
    longest: int
    townships_of: dict[str, dict[str, Region]] = field(default_factory=dict)  # filled on demand
    former: list[Former] = field(default_factory=list)


@cache
def table() -> _Table:
    by_code: dict[str, Region] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for code, name, level, parent in _rows(_dir() / "divisions.tsv"):
        by_code[code] = Region(code, name, level, parent or None)
        if parent:
            children[parent].append(code)
    surfaces: dict[str, list[tuple[Region, str]]] = defaultdict(list)
    level_words = rules()["division"]["autonomous_short_suffixes"]
    for r in by_code.values():
        surfaces[r.name].append((r, "name"))
        short = r.short
        if short and short != r.name:
            surfaces[short].append((r, "short"))
            for suffix, word in level_words.items():
                if r.name.endswith(suffix):
                    surfaces[short + word].append((r, "short"))
    former = [
        Former(int(year), old_code, old_name, new_code, change)
        for year, old_code, old_name, new_code, _new_name, change in _rows(_dir() / "former.tsv")
    ]
    for f in former:
        r = by_code[f.current]
        if all(x.name != f.name for x, _ in surfaces.get(f.name, [])):  # a current name always wins
            surfaces[f.name].append((r, "former"))
    longest = max(len(s) for s in surfaces)
    return _Table(by_code, dict(children), dict(surfaces), longest, {}, former)


@cache
def _townships() -> dict[str, dict[str, Region]]:
    out: dict[str, dict[str, Region]] = defaultdict(dict)
    with gzip.open(_dir() / "townships.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            code, name = line.rstrip("\n").split("\t")
            out[code[:6]][name] = Region(code, name, "township", code[:6])
    return dict(out)


def region(code: str) -> Region:
    """The division with this code (6 digits; 9 for a township). KeyError when there is none."""
    code = code.strip()
    t = table()
    if code in t.by_code:
        return t.by_code[code]
    if len(code) == 9:
        for r in _townships().get(code[:6], {}).values():
            if r.code == code:
                return r
    raise KeyError(code)


def chain(code: str) -> list[Region]:
    """The division and its ancestors, province first."""
    out: list[Region] = []
    r: Region | None = region(code)
    while r is not None:
        out.append(r)
        r = region(r.parent) if r.parent else None
    return out[::-1]


def _within(r: Region, ancestor: Region) -> bool:
    return any(a.code == ancestor.code for a in chain(r.code))


# --------------------------------------------------------------------------------------------
# The resolver


def _parses(name: str, pos: int, above: list[Region]) -> list[tuple[int, list[tuple[Region, str]]]]:
    """Division names written at ``pos`` (longest first) with their candidates; when ``above`` is
    given (the previous link's candidates), only candidates inside one of them."""
    t = table()
    found: list[tuple[int, list[tuple[Region, str]]]] = []
    for end in range(min(len(name), pos + t.longest), pos, -1):
        cands = t.surfaces.get(name[pos:end])
        if cands and above:
            cands = [(r, h) for r, h in cands if any(r.code != a.code and _within(r, a) for a in above)]
        if cands:
            found.append((end, cands))
    return found


def _township(name: str, pos: int, county: Region) -> tuple[int, Region] | None:
    towns = _townships().get(county.code, {})
    for end in range(len(name), pos, -1):
        r = towns.get(name[pos:end])
        if r is not None:
            return end, r
    return None


def _best_chain(name: str, pos: int) -> tuple[int, list[list[tuple[Region, str]]]]:
    """The longest run of nested division names from ``pos`` (province 省, prefecture 市, county 县…):
    its end and, per link, the candidates (region, how) that fit the links before it."""
    best: tuple[int, list[list[tuple[Region, str]]]] = (pos, [])

    def walk(p: int, links: list[list[tuple[Region, str]]]) -> None:
        nonlocal best
        options = _parses(name, p, [r for r, _ in links[-1]] if links else [])
        if not options:
            if p > best[0] or (p == best[0] and _score(links) > _score(best[1])):
                best = (p, list(links))
            return
        for end, cands in options:
            walk(end, [*links, cands])

    walk(pos, [])
    return best


def _score(links: list[list[tuple[Region, str]]]) -> int:
    return sum(1 for link in links for _, h in link[:1] if h == "name")


def _relative_target(word: str, context: Region) -> Region | None:
    levels = rules()["relative"]["levels"][word]
    ancestors = chain(context.code)[::-1]  # nearest first
    for level in levels:
        for a in ancestors:
            if a.level == level and a.name.endswith(word) and not a.name.endswith("自治区"):
                return a
    return None


def _context_pick(cands: list[Region], context: Region | None) -> Region | None:
    """The one candidate that shares the most specific ancestor with the context, if exactly one does."""
    if context is None:
        return None
    ctx = chain(context.code)
    for depth in range(len(ctx), 0, -1):
        anchor = ctx[depth - 1]
        inside = [c for c in cands if c.code == anchor.code or _within(c, anchor)]
        if len(inside) == 1:
            return inside[0]
        if len(inside) > 1:
            return None
    return None


def _describe(regions: list[Region]) -> str:
    return "; ".join(f"{r.code} {''.join(a.name for a in chain(r.code))}" for r in regions)


def resolve(name: str, context: str | Region | None = None) -> Resolution:
    """Place an organisation's name in the division table (see the module docstring)."""
    text = normalise(name)
    ctx = region(context) if isinstance(context, str) else context
    conf = rules()
    if text in conf["relative"]["self"]:
        if ctx is None:
            return Resolution(text, None, None, text, "none", diagnostic="self reference needs the report's division")
        return Resolution(text, ctx, None, "", "self")

    leading, pos = "", 0
    for word, canonical in conf["local"]["leading"]:
        if text.startswith(word) and len(text) > len(word):
            rest = text[len(word) :]
            if _best_chain(rest, 0)[1] or (ctx and _relative_word(rest)):
                leading, pos = canonical, len(word)
                break

    end, links = _best_chain(text, pos)
    if links:
        last = links[-1]
        regions = list(dict.fromkeys(r for r, _ in last))
        how = "former" if all(h == "former" for _, h in last) else ("name" if last[0][1] == "name" else "short")
        if any(h == "name" for _, h in last):
            how = "name"
        if len(regions) > 1:
            pick = _context_pick(regions, ctx)
            if pick is None:
                diag = f"{text[pos:end]} names {len(regions)} divisions: {_describe(regions)}"
                if ctx is None:
                    diag += " (no report division to decide)"
                return Resolution(text, None, (pos, end), text[end:], "none", tuple(regions), diag, leading)
            regions, how = [pick], "context"
        found = regions[0]
        if found.level in ("county", "prefecture"):
            town = _township(text, end, found)
            if town:
                end, found = town[0], town[1]
        return _done(text, found, (pos, end), text[end:], how, leading)

    word = _relative_word(text[pos:])
    if word:
        if ctx is None:
            return Resolution(
                text, None, (pos, pos + 1), text[pos + 1 :], "none", diagnostic=f"{word}… needs the report's division"
            )
        target = _relative_target(word, ctx)
        if target is None:
            diag = f"{word}… has no division of that level above {ctx.code} {ctx.name}"
            return Resolution(text, None, (pos, pos + 1), text[pos + 1 :], "none", diagnostic=diag)
        return _done(text, target, (pos, pos + 1), text[pos + 1 :], "relative", leading)

    if ctx is not None and ctx.level in ("county", "prefecture"):
        town = _township(text, pos, ctx)
        if town:
            return _done(text, town[1], (pos, town[0]), text[town[0] :], "context", leading)
    return Resolution(text, None, None, text, "none", diagnostic="no division in the name", leading=leading)


def _relative_word(text: str) -> str | None:
    rel = rules()["relative"]
    if len(text) < 2 or any(text.startswith(w) for w in rel["not_relative"]):
        return None
    return text[0] if text[0] in rel["levels"] else None


def _done(text: str, found: Region, span: tuple[int, int], rest: str, how: str, leading: str) -> Resolution:
    return Resolution(text, found, span, local_name(leading, rest), how, leading=leading)


def local_name(leading: str, rest: str) -> str:
    """The canonical local name: a committee's 委 written out (县委办公室 → 中共 + 委员会办公室), the
    leading word kept (共青团…委员会 is not 中共…委员会)."""
    loc = rules()["local"]
    short, full = loc["committee_short"], loc["committee_full"]
    if rest.startswith(short) and not rest.startswith(full):
        rest = full + rest[len(short) :]
    if rest.startswith(full) and not leading:
        leading = loc["committee_default_leading"]
    return leading + rest
