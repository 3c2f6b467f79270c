"""Validate the hand-checked lists of the forms/ excerpts (tests/data/forms/) against the texts.

For every `<stem>.figures.tsv` in tests/data/forms/ the text is ../shared/corpus/forms/<stem>.txt; the
list's conventions are in tests/data/forms/README.md. These tests check the lists (figures,
exclusions, identity), not the ingest code; the checking functions are shared with the real report's
list (tests/figure_lists.py).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from tests.figure_lists import (
    FORMS_HEADER as HEADER,
)
from tests.figure_lists import (
    Conventions,
    Source,
    check_columns,
    check_document_order,
    check_ids,
    check_markers,
    check_no_duplicates,
    check_surface_and_context,
    check_value,
    fold,
    read_tsv,
    row_offset,
    uncovered_numbers,
    unescape,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LISTS = HERE / "data" / "forms"
TEXTS = ROOT.parent / "shared" / "corpus" / "forms"
README = LISTS / "README.md"

EXCLUSION_HEADER = ["line", "text", "reason"]
ROLES = {
    "",
    "target",
    "actual",
    "weight",
    "score",
    "budget_initial",
    "budget_full_year",
    "executed",
    "rate",
    "income",
    "other_table",
}
QUALIFIER_WORDS = {
    "odd": ("余", "多"),
    "over": ("超", "超过", "逾"),
    "nearly": ("近", "将近", "接近"),
    "approx": ("约", "大约", "左右"),
    "at_least": ("以上", "及以上", "不低于", "不少于", "至少"),
    "at_most": ("以下", "及以下", "以内", "不超过", "不高于", "最高", "最多"),
    "under": ("不足", "不到", "低于", "少于"),
}
COMPARATOR_SIGNS = {
    "ge": ("≥", "≧", ">=", "＞＝"),
    "le": ("≤", "≦", "<=", "＜＝"),
    "eq": ("=", "＝", "═"),
    "gt": (">", "＞"),
    "lt": ("<", "＜"),
}
# A note saying where a unit (and multiplier), a comparator or a qualifier comes from when the surface
# does not show it: "unit from header", "unit from 度量单位 column", "comparator from 指标性质 column".
UNIT_NOTE = re.compile(r"\bunit\b[^;]*?\b(?:from|implied)\b")
COMPARATOR_NOTE = re.compile(r"\bcomparator\b[^;]*?\bfrom\b")
QUALIFIER_NOTE = re.compile(r"\bqualifier\b[^;]*?\bfrom\b")

# Arabic numbers that are never figures, wherever they stand (anything else goes in the file's
# exclusions.tsv with a reason).
GENERIC_PATTERNS = [
    # years: four digits before 年 (2023年, 2023 年度, 2020-2022年)
    re.compile(r"(?<![\d.])(?:19|20)\d\d(?=\s*年)"),
    re.compile(r"(?<![\d.])(?:19|20)\d\d\s*[-—–~至]\s*(?:19|20)\d\d(?=\s*年)"),
    # dates and times: 2022-06-23, 2019-05-22T04:56:35Z, 5月18日, 年 2月, 5日至15日, 15:04
    re.compile(r"(?<![\d.])(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?Z?)?(?![\d.])"),
    re.compile(r"(?<![\d.])\d{1,2}\s*月\s*\d{1,2}\s*日"),
    re.compile(r"年\s*\d{1,2}\s*月"),
    re.compile(r"(?<![\d.])\d{1,2}\s*日\s*[至到~—-]\s*\d{1,2}\s*日"),
    re.compile(r"(?<![\d.:])\d{1,2}:\d{2}(?::\d{2})?(?![\d.])"),
    # list numbering: 1. 1、 1) (1) at a line start; (1) and 1、 anywhere; 1. after a separator
    re.compile(r"^[ \t\u3000]*[(（]?\d{1,2}\s*[.、．)）](?!\d)", re.M),
    re.compile(r"[(（]\d{1,2}[)）]"),
    re.compile(r"(?<![\d.])\d{1,2}、"),
    re.compile(r"(?<=[|;；。，,:：]) ?\d{1,2}[.．](?!\d)"),
]
IDENTITY_FIELDS = {
    "department",
    "year",
    "kind",
    "project",
    "project_code",
    "budget_code",
    "supervisor",
    "evaluator",
    "report_date",
    "score",
    "grade",
}
IDENTITY_TABLES = {
    "region": {"province", "prefecture", "county", "township"},
    "publisher": {"index_no", "issuer", "date", "doc_no", "source"},
}
IDENTITY_KEYS = {"value", "surface", "line", "note", "inferred", "how", "proposed"}
REGION_HOW = {"stated", "name", "inferred"}
DATE_FIELDS = {"report_date", "date"}


def _vocab_kinds() -> set[str]:
    vocab = (ROOT / "ontology" / "vocab.ttl").read_text(encoding="utf-8")
    return set(re.findall(r'skos:inScheme jxv:ReportKindScheme ; skos:notation "(\w+)"', vocab))


def _unit_words() -> dict[str, set[str]]:
    """Unit key -> the words that show it: ingest/data/units.tsv (surface, key, …, alternatives) and
    the keys the lists invent (README table `| key | words | files | … |`)."""
    words: dict[str, set[str]] = {}
    for raw in (ROOT / "ingest" / "data" / "units.tsv").read_text(encoding="utf-8").splitlines():
        if raw.startswith(("#", "surface\t")) or not raw.strip():
            continue
        cols = raw.split("\t")
        if cols[1] == "*":
            continue
        words.setdefault(cols[1], set()).add(cols[0])
        for alt in cols[4].split(";") if len(cols) > 4 and cols[4] else []:
            words.setdefault(alt.split(":")[0], set()).add(cols[0])
    for key, surfaces in INVENTED_UNITS.items():
        words.setdefault(key, set()).update(surfaces)
    return words


def _invented_units() -> dict[str, set[str]]:
    """The README's table of invented unit keys: rows `| `key` | 立方米, m³ | … |`."""
    out: dict[str, set[str]] = {}
    section = README.read_text(encoding="utf-8").split("## Unit keys invented", 1)[1].split("\n## ", 1)[0]
    for m in re.finditer(r"^\| `([a-z_]+)` \| ([^|]*) \|", section, re.M):
        out[m.group(1)] = {w.strip() for w in m.group(2).split(",") if w.strip()}
    return out


INVENTED_UNITS = _invented_units()
VOCAB_UNITS = set(
    re.findall(
        r'jxv:unit_\w+ a skos:Concept ; skos:inScheme jxv:UnitScheme ; skos:notation "(\w+)"',
        (ROOT / "ontology" / "vocab.ttl").read_text(encoding="utf-8"),
    )
)
UNIT_WORDS = {k: tuple(sorted(v)) for k, v in _unit_words().items()}
CONVENTIONS = Conventions(
    units=frozenset({*VOCAB_UNITS, *INVENTED_UNITS, "other", ""}),
    qualifiers=QUALIFIER_WORDS,
    comparators=COMPARATOR_SIGNS,
    percent_marks=("%", "百分比", "百分之"),
    unit_words={**{k: v for k, v in UNIT_WORDS.items() if k != "other"}, "percent": ("%", "百分比", "百分之")},
    unit_note=UNIT_NOTE,
    comparator_note=COMPARATOR_NOTE,
    qualifier_note=QUALIFIER_NOTE,
)
KINDS = _vocab_kinds()
STEMS = sorted(p.name.removesuffix(".figures.tsv") for p in LISTS.glob("*.figures.tsv"))


@dataclass
class FormsFile:
    stem: str
    source: Source
    header_lines: int  # the collector's lines, `---` included
    rows: list[dict[str, str]]
    exclusions: list[dict[str, str]]
    identity: dict

    @property
    def body_start(self) -> int:
        return self.source.starts[self.header_lines]

    def surface_spans(self) -> list[tuple[int, int]]:
        spans = []
        for row in self.rows:
            start = row_offset(self.source, row)
            spans.append((start, start + len(unescape(row["surface"]))))
        return spans


@cache
def load(stem: str) -> FormsFile:
    text_path = TEXTS / f"{stem}.txt"
    assert text_path.exists(), f"no text {text_path}"
    source = Source.read(text_path)
    lines = source.text.split("\n")
    assert "---" in lines, f"{stem}: no `---` line after the collector's header"
    identity = tomllib.loads((LISTS / f"{stem}.identity.toml").read_text(encoding="utf-8"))
    return FormsFile(
        stem=stem,
        source=source,
        header_lines=lines.index("---") + 1,
        rows=read_tsv(LISTS / f"{stem}.figures.tsv", HEADER),
        exclusions=read_tsv(LISTS / f"{stem}.exclusions.tsv", EXCLUSION_HEADER),
        identity=identity,
    )


def _all_rows() -> list[tuple[str, dict[str, str]]]:
    return [(stem, row) for stem in STEMS for row in load(stem).rows]


ROWS = _all_rows()
ROW_IDS = [f"{stem.split('_')[0]}-{row['id']}" for stem, row in ROWS]


def test_lists_exist() -> None:
    assert STEMS, "no *.figures.tsv in tests/data/forms"
    for stem in STEMS:
        for suffix in (".exclusions.tsv", ".identity.toml"):
            assert (LISTS / f"{stem}{suffix}").exists(), f"{stem}{suffix} missing"
    for path in LISTS.glob("*.*.*"):
        stem = path.name.split(".")[0]
        assert stem in STEMS, f"{path.name} has no figures list"


@pytest.mark.parametrize("stem", STEMS)
def test_ids_order_and_uniqueness(stem: str) -> None:
    f = load(stem)
    check_ids(f.rows)
    assert [r["id"] for r in f.rows] == [f"F{i:03d}" for i in range(1, len(f.rows) + 1)], "ids F001… in order"
    check_no_duplicates(f.rows)
    check_document_order(f.source, f.rows)


@pytest.mark.parametrize(("stem", "row"), ROWS, ids=ROW_IDS)
def test_surface_at_line_and_context(stem: str, row: dict[str, str]) -> None:
    f = load(stem)
    assert int(row["line"]) > f.header_lines, "a figure in the collector's header"
    check_surface_and_context(f.source, row, fused_ok="fused" in row["note"])


@pytest.mark.parametrize(("stem", "row"), ROWS, ids=ROW_IDS)
def test_columns_well_formed(stem: str, row: dict[str, str]) -> None:
    check_columns(row, CONVENTIONS)
    assert row["role"] in ROLES, f"unknown role {row['role']!r}"
    assert "\\n" not in row["role"]


@pytest.mark.parametrize(("stem", "row"), ROWS, ids=ROW_IDS)
def test_value_matches_surface(stem: str, row: dict[str, str]) -> None:
    check_value(row)


@pytest.mark.parametrize(("stem", "row"), ROWS, ids=ROW_IDS)
def test_unit_qualifier_comparator_match_surface(stem: str, row: dict[str, str]) -> None:
    check_markers(row, CONVENTIONS)


@pytest.mark.parametrize(("stem", "row"), ROWS, ids=ROW_IDS)
def test_role_agrees_with_unit(stem: str, row: dict[str, str]) -> None:
    """Budget columns hold money, an execution-rate column percentages, score columns points."""
    role, unit = row["role"], row["unit"]
    if role in {"budget_initial", "budget_full_year", "executed", "income"}:
        assert unit == "yuan", f"{role} cell with unit {unit!r}"
    if role == "rate":
        assert unit == "percent"
    if role in {"weight", "score"}:
        assert unit in {"point", "percent", ""}, f"{role} cell with unit {unit!r}"


def _exclusion_spans(f: FormsFile) -> list[tuple[int, int, dict[str, str]]]:
    spans = []
    for ex in f.exclusions:
        text = unescape(ex["text"])
        hits = f.source.find_all(int(ex["line"]), text)
        assert hits, f"exclusion {ex['text']!r} not on line {ex['line']}"
        spans.extend((h, h + len(text), ex) for h in hits)
    return spans


@pytest.mark.parametrize("stem", STEMS)
def test_exclusions_well_formed(stem: str) -> None:
    """Each exclusion is on its line (every match there is excluded), holds an Arabic number that
    neither a listed surface nor a generic pattern covers, overlaps no listed surface, and says why."""
    f = load(stem)
    text = f.source.text
    surfaces = f.surface_spans()
    generic = [False] * len(text)
    for pattern in GENERIC_PATTERNS:
        for m in pattern.finditer(text):
            generic[m.start() : m.end()] = [True] * (m.end() - m.start())
    keys = [(ex["line"], ex["text"]) for ex in f.exclusions]
    assert len(keys) == len(set(keys)), "an exclusion is listed twice"
    lines = [int(ex["line"]) for ex in f.exclusions]
    assert lines == sorted(lines), "exclusions in line order"
    for start, end, ex in _exclusion_spans(f):
        assert int(ex["line"]) > f.header_lines, "an exclusion in the collector's header"
        assert ex["reason"].strip(), f"exclusion {ex['text']!r} without a reason"
        for s, e in surfaces:
            assert end <= s or e <= start, f"exclusion {ex['text']!r} overlaps the figure {text[s:e]!r}"
        numbers = [range(m.start() + start, m.end() + start) for m in re.finditer(r"[0-9０-９]", text[start:end])]
        assert numbers, f"exclusion {ex['text']!r} holds no Arabic digit"
        assert any(not generic[i] for r in numbers for i in r), (
            f"exclusion {ex['text']!r} on line {ex['line']} is already covered by a generic pattern"
        )


@pytest.mark.parametrize("stem", STEMS)
def test_every_arabic_number_is_listed_or_excluded(stem: str) -> None:
    f = load(stem)
    spans = f.surface_spans() + [(s, e) for s, e, _ in _exclusion_spans(f)]
    missing = uncovered_numbers(f.source, spans, GENERIC_PATTERNS, begin=f.body_start)
    assert not missing, f"{stem}: numbers neither listed nor excluded:\n" + "\n".join(missing)


def _identity_fields(identity: dict) -> list[tuple[str, dict]]:
    fields = []
    for key, entry in identity.items():
        if key == "notes":
            assert isinstance(entry, str) and entry.strip()
        elif key in IDENTITY_TABLES:
            assert isinstance(entry, dict)
            for sub, value in entry.items():
                assert sub in IDENTITY_TABLES[key], f"unknown field {key}.{sub}"
                fields.append((f"{key}.{sub}", value))
        else:
            assert key in IDENTITY_FIELDS, f"unknown field {key}"
            fields.append((key, entry))
    return fields


@pytest.mark.parametrize("stem", STEMS)
def test_identity_fields_stated_on_their_lines(stem: str) -> None:
    f = load(stem)
    for name, entry in _identity_fields(f.identity):
        assert isinstance(entry, dict) and {"value", "surface", "line"} <= entry.keys() <= IDENTITY_KEYS, name
        line, surface, value = entry["line"], entry["surface"], entry["value"]
        assert isinstance(line, int) and line > f.header_lines, f"{name}: line {line} is in the collector's header"
        assert isinstance(surface, str) and surface and surface in f.source.line_text(line), (
            f"{name}: {surface!r} not on line {line}"
        )
        if entry.get("inferred"):
            assert entry.get("note"), f"{name}: inferred without a note saying from what"
        if name.startswith("region."):
            assert entry.get("how") in REGION_HOW, f"{name}: how must be one of {sorted(REGION_HOW)}"
        folded = fold(surface)
        if name == "year":
            years = value if isinstance(value, list) else [value]
            assert all(isinstance(y, int) and 1990 <= y <= 2100 for y in years), f"year {value!r}"
            assert years == sorted(years) and str(years[0]) in folded and str(years[-1]) in folded, name
        elif name == "kind":
            assert value in KINDS or (entry.get("proposed") and entry.get("note")), f"kind {value!r} not in {KINDS}"
        elif name == "score":
            assert isinstance(value, int | float) and not isinstance(value, bool)
            assert format(Decimal(str(value)).normalize(), "f") in folded or str(value) in folded, name
        elif name.split(".")[-1] in DATE_FIELDS:
            m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value))
            assert m, f"{name}: dates are YYYY-MM-DD"
            numbers = [int(n) for n in re.findall(r"\d+", folded)]
            assert numbers[:3] == [int(p) for p in m.groups()], f"{name}: {value} vs {surface!r}"
        else:
            assert isinstance(value, str) and value, name
            assert value in surface or entry.get("note"), f"{name}: {value!r} not in {surface!r} and no note"


def test_identity_has_the_core_fields_or_says_why() -> None:
    """department, year and kind are each either given or explained in `notes` (not stated in the text)."""
    for stem in STEMS:
        identity = load(stem).identity
        for key in ("department", "year", "kind"):
            if key not in identity:
                assert key in identity.get("notes", ""), f"{stem}: no {key} and `notes` does not say why"


def test_invented_units_documented_and_used() -> None:
    used = {row["unit"] for _, row in ROWS}
    assert not INVENTED_UNITS.keys() & VOCAB_UNITS, "an invented key that units.tsv already has"
    assert used - VOCAB_UNITS - {"other", ""} <= INVENTED_UNITS.keys(), "a unit key neither in units.tsv nor in README"
    assert INVENTED_UNITS.keys() <= used, f"README lists unused invented keys {INVENTED_UNITS.keys() - used}"
    for key, words in INVENTED_UNITS.items():
        assert words, f"invented key {key} without the words that show it"


@pytest.mark.parametrize(
    ("text", "uncovered"),
    [
        ("2023年度绩效", []),
        ("发布日期:2022-06-23 时间 15:04", []),
        ("2019-05-22T04:56:35Z", []),
        ("报告日期:2022年5月18日", []),
        ("于2023年12月5日至15日", []),
        ("1.项目概况\n(2)产出 3、效益 | 4.其他;5.说明", []),
        ("联络电话 |\n13873006052 |", ["13873006052"]),
        ("资金1.2万元，执行率100%，编制17人", ["1.2", "100", "17"]),
        ("43.2\n\n37.24\n\n10\n\n86%", ["43.2", "37.24", "10", "86"]),
        ("| 0.00 | 3.36 | 100.00% | 10 |", ["0.00", "3.36", "100.00", "10"]),
        ("2,301.44 与 ２０ 人", ["2", "301.44", "２０"]),
    ],
)
def test_generic_patterns_leave_figures_alone(text: str, uncovered: list[str]) -> None:
    """The generic year/date/numbering patterns catch those and nothing that may be a figure."""
    missing = uncovered_numbers(Source(text), [], GENERIC_PATTERNS)
    assert [m.split(": ", 1)[1].split(" in ")[0] for m in missing] == uncovered


@pytest.mark.parametrize(
    ("surface", "value", "ok"),
    [
        ("2,301.44", "2301.44", True),
        ("1,329,120.67元", "1329120.67", True),
        ("１２．５万元", "12.5", True),
        ("８６％", "86", True),
        ("两个", "2", True),
        ("十五个", "15", True),
        ("二十三名", "23", True),
        ("近两年", "2", True),
        ("2,301.44", "2", False),
        ("16.20万元", "16.2", False),
        ("三类", "2", False),
    ],
)
def test_value_parsing(surface: str, value: str, ok: bool) -> None:
    """Thousands separators, full-width digits and Chinese numerals are read as the lists write them."""
    row = {"surface": surface, "value": value}
    if ok:
        check_value(row)
    else:
        with pytest.raises(AssertionError):
            check_value(row)
