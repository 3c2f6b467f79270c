"""Report metadata: department, region, fiscal year, kind; organisation names and aliases."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from jixiao import iris
from jixiao.ingest.datafiles import toml


@cache
def year_re() -> re.Pattern[str]:
    """A year as written ("2024 年"; group 1: the year), from domain.toml [report] year_pattern."""
    return re.compile(toml("domain.toml")["report"]["year_pattern"])


def region_of(name: str) -> str | None:
    """The administrative prefix of a name: 某某市总工会 → 某某市; None when it has none."""
    best = None
    for suffix in toml("domain.toml")["region"]["suffixes"]:
        i = name.find(suffix)
        if 1 <= i <= 8 and (best is None or i + len(suffix) < best):
            best = i + len(suffix)
    return name[:best] if best else None


def canonical_org(name: str, region: str | None) -> str:
    """Complete a relative short form with the report's region (市财政局 → <region>财政局)."""
    name = re.sub(r"\s+", "", name)
    if region:
        for prefix in toml("domain.toml")["region"]["relative_prefixes"]:
            if name.startswith(prefix) and region.endswith(prefix) and not name.startswith(region):
                return region + name[len(prefix) :]
    return name


def department_from_title(title: str) -> str:
    stops = toml("domain.toml")["report"]["name_stops"]
    cut = len(title)
    for w in stops:
        i = title.find(w)
        if 0 < i < cut:
            cut = i
    return re.sub(r"\s+", "", title[:cut]).strip("：:，, ")


def kind_from_title(title: str) -> str:
    conf = toml("domain.toml")["report"]
    for word, key in conf["kinds"]:
        if word in title:
            return key
    return conf["default_kind"]


def fiscal_year(title: str, text: str) -> int | None:
    m = year_re().search(title)
    if m:
        return int(m.group(1))
    contexts = toml("domain.toml")["report"]["year_contexts"]
    votes: Counter[int] = Counter()
    for m in year_re().finditer(text):
        after = text[m.end() - 1 : m.end() + 8]
        if any(after.startswith(c) for c in contexts):
            votes[int(m.group(1))] += 1
    if not votes:
        votes.update(int(m.group(1)) for m in year_re().finditer(text))
    if not votes:
        return None
    return max(votes.items(), key=lambda kv: (kv[1], kv[0]))[0]


def cover_department(text: str) -> str | None:
    for field in toml("domain.toml")["report"]["name_fields"]:
        m = re.search(re.escape(field) + r"(?:[（(][^）)\n]{0,6}[）)])?\s*[：:\t|]\s*([^\t|\n]+)", text)
        if m:
            return m.group(1).strip()
    return None


def same_name(a: str, b: str) -> bool:
    """Whether two canonical names name one organisation (one IRI: equal after NFKC and without
    whitespace, `jixiao.iris.name_key`)."""
    return iris.name_key(a) == iris.name_key(b)
