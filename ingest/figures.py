"""Figures (quantities) in report text: value, multiplier, unit, qualifier and what they count.

Data: ``ingest/data/units.tsv`` (units, multipliers 万/亿), ``ingest/data/qualifiers.tsv`` (余, 近, ≥,
以上 …), ``ingest/data/not_quantities.toml`` (years, dates, 文号, hotlines, list numbers, names in
quotes), ``ingest/lexicon/function_words.txt`` and ``light_verbs.txt`` (the counted phrase).

A figure is ``[before-qualifier] number [range] [余/多] [万/亿…] [余/多] [unit | 大] [after-qualifier]``;
spaces are allowed between the parts (PDF extraction inserts them), a line break only when the next
part starts a token. A unit whose last character falls inside a longer dictionary word ("3 人民币")
is no unit. A Chinese-numeral figure needs a unit or 大 ("七个县", "三大职能" → unit "other"); a lone
一 is an article ("一个", "一种", "一次"), never a figure. "X 年开展一次" (a period) is a figure:
value X, unit year, kind other. ``comparator`` is set for bounds written as a target writes them
(≥ ≤ 不低于 不少于 不超过 以上 以下 …), not for narrative 超/最高 (qualifier only).

What a figure counts (``counts``), from the segmentation, in this order:
1. a figure opening a table cell: the previous cell's text (the row name, without the column), or
   the counts of the figure in that cell; a bare number in a table column takes the unit of the
   column header ("支出数（万元）": yuan x 10000, stated_unit "万元");
2. for counts and areas: the noun phrase right after the measure word ("5120 名快递从业人员",
   "214 户建档低收入家庭"): up to two modifiers, then nouns, ended by the first non-noun; a verb
   right after a person/household unit means the people act ("12 人参加"), so there is no phrase;
3. else the phrase before the number: at most four tokens back to punctuation, a number, a tab, a
   function word (function_words.txt) or a function-word tag (p c u r t m q …); a 的 right before
   the number is skipped ("预算数的 95%"); after a preposition, or at a light verb
   (light_verbs.txt: 发放, 投入 …), the phrase starts at that verb ("为企业攻克工艺难题" → 攻克工艺难题);
   a leading light verb is dropped when something follows it ("发放防暑用品 427 万元" → 防暑用品);
   a number right after a closing quote counts the quoted name ("“送温暖活动经费”42.60 万元").
``counts`` has whitespace removed; ``counts_start``/``counts_end`` span the raw text. The unit's
alternatives (units.tsv) are chosen by words of ``counts`` (家 → enterprise when it names 企业).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from jixiao.ingest.datafiles import toml, tsv, word_list
from jixiao.ingest.numerals import (
    ARABIC_RE,
    CHINESE_NUMERAL_CHARS,
    DIGITS,
    fold_fullwidth,
    number_value,
    split_multiplier,
)
from jixiao.ingest.segment import Segmenter, get_segmenter


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    text: str
    value: Decimal
    value_max: Decimal | None
    multiplier: int
    unit: str | None
    stated_unit: str
    qualifier: str | None
    comparator: str | None
    counts: str | None
    counts_start: int | None
    counts_end: int | None
    kind: str


@dataclass(frozen=True)
class Unit:
    key: str
    multiplier: int
    kind: str
    alternatives: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Qualifier:
    key: str
    position: str
    comparator: str | None


@dataclass(frozen=True)
class Rules:
    units: dict[str, Unit]
    multipliers: dict[str, int]
    qualifiers: dict[str, Qualifier]
    conf: dict
    patterns: tuple[re.Pattern, ...]
    function_words: frozenset[str]
    light_verbs: frozenset[str]
    # derived once from the above (the text scanned with fewer Python steps)
    cn_next: frozenset[str]  # what may follow a Chinese numeral that is a figure (see _Extractor)
    qualifier_firsts: frozenset[str]  # first characters of the qualifiers (_longest)
    multiplier_firsts: frozenset[str]
    before_last: frozenset[str]  # last characters of the qualifiers written before a number
    preceded_by: tuple[str, ...]
    followed_by: tuple[str, ...]
    year_followed_by: tuple[str, ...]
    month_words: tuple[str, ...]
    day_words: tuple[str, ...]


CN_DIGITS = "".join(DIGITS) + "十"
NUMBER_RE = re.compile(
    rf"(?P<ar>(?<![\d.])(?:{ARABIC_RE.pattern}))"
    rf"|(?P<cn>(?:百分之)?[{CHINESE_NUMERAL_CHARS}]*[{CN_DIGITS}][{CHINESE_NUMERAL_CHARS}]*)"
)
RANGE_RE = re.compile(rf"[ \u3000]*(?:-|~|—|–|至|到)[ \u3000]*(?:{ARABIC_RE.pattern}|[{CHINESE_NUMERAL_CHARS}]+)")
SPACES = " \u3000"
BOUNDARY_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "t", "m", "y", "e", "o", "q"})
NOUN_TAGS = frozenset({"vn", "an", "j", "l", "x", "eng", "zg"})
MODIFIER_TAGS = frozenset({"a", "b", "z", "m"})
HEADER_UNIT_RE = re.compile(r"[（(]\s*([^（）()]{1,6})\s*[)）]\s*$")
SPACE_RUN = re.compile(r"\s+")
CLOSING_QUOTES = '”」』"'
PERSON_UNITS = frozenset({"person", "person_time", "household"})


@cache
def rules() -> Rules:
    units, multipliers = {}, {}
    for row in tsv("units.tsv"):
        surface, key, mult, kind = row[:4]
        if key == "*":
            multipliers[surface] = int(mult)
            continue
        alternatives = []
        for alt in (row[4] if len(row) > 4 else "").split(";"):
            if alt:
                alt_key, _, words = alt.partition(":")
                alternatives.append((alt_key, tuple(words.split(","))))
        units[surface] = Unit(key, int(mult), kind, tuple(alternatives))
    qualifiers = {s: Qualifier(k, pos, None if c == "-" else c) for s, k, pos, c in tsv("qualifiers.tsv")}
    conf = toml("not_quantities.toml")
    patterns = tuple(re.compile(p, re.M) for _, p in sorted(conf["patterns"].items()))
    # a unit, a multiplier, 余/多, 大 or a space may follow a Chinese numeral that is a figure
    cn_next = frozenset({k[0] for k in (*units, *multipliers, *qualifiers)} | set("大 \u3000\r\n"))
    before_last = frozenset(k[-1] for k, q in qualifiers.items() if q.position == "before" and k)
    ctx, date = conf["context"], conf["date"]
    return Rules(
        units,
        multipliers,
        qualifiers,
        conf,
        patterns,
        frozenset(word_list("function_words")),
        frozenset(word_list("light_verbs")),
        cn_next,
        frozenset(k[:1] for k in qualifiers),
        frozenset(k[:1] for k in multipliers),
        before_last,
        tuple(ctx["preceded_by"]),
        tuple(ctx["followed_by"]),
        tuple(conf["year"]["followed_by"]),
        tuple(date["month_words"]),
        tuple(date["day_words"]),
    )


def _longest(text: str, pos: int, table, firsts: frozenset[str] | None = None) -> str | None:
    """The longest key of ``table`` (up to 8 characters) at ``pos``; ``firsts``, the first characters
    of the keys, answers None at once for most positions."""
    if firsts is not None and text[pos : pos + 1] not in firsts:
        return None
    for n in (8, 7, 6, 5, 4, 3, 2, 1):
        s = text[pos : pos + n]
        if len(s) == n and s in table:
            return s
    return None


def _skip(text: str, pos: int, chars: str = SPACES) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _skip_back(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in SPACES:
        pos -= 1
    return pos


@cache
def _pair_re(left: str, right: str) -> re.Pattern:
    """left, then no left/right/newline, then right: a bracketed stretch (compiled once)."""
    return re.compile(re.escape(left) + f"[^{re.escape(left + right)}\\n]*" + re.escape(right))


@cache
def _literal_re(word: str) -> re.Pattern:
    return re.compile(re.escape(word))


def _spans(text: str, pairs, extra: tuple[re.Pattern, ...] = ()) -> list[tuple[int, int]]:
    out = []
    for left, right in pairs:
        if left in text:
            out += [m.span() for m in _pair_re(left, right).finditer(text)]
    for pattern in extra:
        out += [m.span() for m in pattern.finditer(text)]
    return sorted(out)


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> tuple[int, int] | None:
    """The span overlapping [a, b), if any (spans sorted by start, may overlap)."""
    if not spans:
        return None
    i = bisect_right(spans, (a, 10**12))
    for j in range(i - 1, max(i - 40, -1), -1):
        if spans[j][0] < b and spans[j][1] > a:
            return spans[j]
    return None


def _is_punct(word: str) -> bool:
    return all(not c.isalnum() and not c.isspace() for c in word)


def _has_digit(word: str) -> bool:
    return any("0" <= c <= "9" for c in word)


@lru_cache(maxsize=1 << 14)
def _stop_word(word: str, function_words: frozenset[str]) -> bool:
    """Whether a token ends a counted phrase whatever its tag: punctuation, a digit, a function word
    (cached: the same tokens come back again and again)."""
    return _is_punct(word) or _has_digit(word) or word in function_words


class _Extractor:
    def __init__(self, text: str, segmenter: Segmenter, translated: str):
        self.raw = text
        self.text = translated  # the text with full-width forms folded (fold_fullwidth)
        self.r = rules()
        self.words, self.tags, self.starts, self.ends = segmenter.pos_columns(self.text)
        ctx = self.r.conf["context"]
        self.titles = _spans(self.text, ctx["titles"])
        self.quotes = _spans(self.text, ctx["quotes"])
        self.blocked = _spans(self.text, (), self.r.patterns)
        cn_words = self.r.conf["chinese"]["words"]
        self.cn_blocked = sorted(
            m.span() for w in cn_words if w in self.text for m in _literal_re(w).finditer(self.text)
        )
        self.number_spans: list[tuple[int, int]] = []
        self.cn_next = self.r.cn_next

    # -- parsing one number -------------------------------------------------------------------------
    def run(self) -> list[Figure]:
        found = []
        consumed = 0
        for m in NUMBER_RE.finditer(self.text):
            if m.start() < consumed:  # the second number of a range
                continue
            fig = self.parse(m)
            if m.group("ar") or fig is not None:
                self.number_spans.append((fig[0], fig[1]) if fig else m.span())
            if fig is not None:
                found.append(fig)
                consumed = fig[1]
        self.number_spans.sort()
        figures: list[Figure] = []
        for parts in found:
            figures.append(self.finish(parts, figures))
        return figures

    def parse(self, m: re.Match):
        t, r = self.text, self.r
        a, b = m.span()
        arabic = m.group("ar") is not None
        surface = m.group()
        percent_cn = surface.startswith("百分之")
        if percent_cn:
            surface = surface[3:]
        if arabic:
            before, after = t[a - 1 : a], t[b : b + 1]  # (one character each, or none)
            if (
                (before.isalpha() and before.isascii())
                or (after.isalpha() and after.isascii())
                or _inside(self.blocked, a, b)
            ):
                return None
        elif not percent_cn and (
            (surface == "一" and r.conf["chinese"]["lone_one_is_article"])
            or t[b : b + 1] not in self.cn_next
            or _inside(self.cn_blocked, a, b)
        ):
            return None
        head, mult = split_multiplier(surface)
        value = number_value(head)
        if value is None:
            return None
        bs = _skip_back(t, a)
        if t.endswith(r.preceded_by, 0, bs):
            return None
        pos = b
        value_max = None
        rm = RANGE_RE.match(t, pos)
        if rm:
            other = rm.group().lstrip(SPACES + "-~—–至到")
            value_max = number_value(other)
            if value_max is not None:
                pos = rm.end()
        after = _skip(t, pos)
        if t.startswith(r.followed_by, after):
            return None
        if self._is_date_or_year(value, value_max, mult, bs, after):
            return None
        qualifier = None
        q = _longest(t, self._next(pos), r.qualifiers, r.qualifier_firsts)
        if q and r.qualifiers[q].position == "after_number":
            qualifier, pos = r.qualifiers[q], self._next(pos) + len(q)
        stated = surface[len(head) :]
        if mult == 1:
            mp = _longest(t, self._next(pos), r.multipliers, r.multiplier_firsts)
            if mp:
                mult, stated, pos = r.multipliers[mp], mp, self._next(pos) + len(mp)
        if qualifier is None:
            q = _longest(t, self._next(pos), r.qualifiers, r.qualifier_firsts)
            if q and r.qualifiers[q].position == "after_number":
                qualifier, pos = r.qualifiers[q], self._next(pos) + len(q)
        unit_surface, unit, da = "", None, False
        p = self._next(pos)
        if percent_cn:
            unit = r.units["%"]
        elif t.startswith("大", p) and value <= r.conf["chinese"]["da_max"] and mult == 1:
            da, pos = True, p + 1
        if unit is None:
            unit_surface, unit, pos = self._unit(pos)
        if not arabic and unit is None and not da:
            return None
        if arabic and unit is None and mult == 1 and head in r.conf["context"]["hotlines"]:
            return None
        if not self._quote_allows(a, arabic, unit is not None):
            return None
        end = pos
        aq = _longest(t, _skip(t, pos), r.qualifiers, r.qualifier_firsts)
        if aq and r.qualifiers[aq].position == "after" and qualifier is None:
            qualifier, end = r.qualifiers[aq], _skip(t, pos) + len(aq)
        start = a
        i, lo = a - 1, max(a - 12, -1)
        while i > lo and t[i].isspace():
            i -= 1
        # a qualifier before the number ends with the first non-space character before it (back[0])
        back = [i for i in range(a - 1, lo, -1) if not t[i].isspace()][:3] if i > lo and t[i] in r.before_last else []
        for n in (3, 2, 1) if back else ():
            bq = "".join(t[i] for i in reversed(back[:n]))
            if len(bq) == n and bq in r.qualifiers and r.qualifiers[bq].position == "before":
                if qualifier is None:
                    qualifier, start = r.qualifiers[bq], back[n - 1]
                break
        return (start, end, value, value_max, mult, unit, stated + unit_surface, qualifier, da)

    def _is_date_or_year(self, value, value_max, mult, bs: int, after: int) -> bool:
        r = self.r
        t = self.text
        whole = value == value.to_integral_value() and mult == 1
        if whole and t.startswith(r.year_followed_by, after):
            years = [v for v in (value, value_max) if v is not None]
            if all(r.conf["year"]["min"] <= v <= r.conf["year"]["max"] for v in years):
                return True
        if whole and 1 <= value <= 12 and t.startswith(r.month_words, after):
            return True
        return whole and 1 <= value <= 31 and t.endswith(r.month_words, 0, bs) and t.startswith(r.day_words, after)

    def _next(self, pos: int) -> int:
        """The next non-space position; across a line break only when a token starts there."""
        t = self.text
        p = _skip(t, pos)
        if t[p : p + 1] in ("\r", "\n"):
            q = _skip(t, p, SPACES + "\r\n")
            i = bisect_left(self.starts, q)
            return q if i < len(self.starts) and self.starts[i] == q else p
        return p

    def _unit(self, pos: int) -> tuple[str, Unit | None, int]:
        t = self.text
        p = self._next(pos)
        for n in range(min(8, len(t) - p), 0, -1):
            s = t[p : p + n]
            if s in self.r.units and self._ends_token(p, p + n):
                return s, self.r.units[s], p + n
        return "", None, pos

    def _ends_token(self, a: int, b: int) -> bool:
        """False when the unit's last character lies inside a longer known word starting in the unit."""
        i = bisect_right(self.starts, b - 1) - 1
        return not (self.starts[i] >= a and self.ends[i] > b and self.tags[i] != "x")

    def _quote_allows(self, a: int, arabic: bool, has_unit: bool) -> bool:
        if _inside(self.titles, a, a + 1):
            return False
        q = _inside(self.quotes, a, a + 1)
        if q is None:
            return True
        opening = self.text[q[0] + 1 : a].strip(SPACES)
        opening = opening.rstrip("".join(k for k in self.r.qualifiers if len(k) == 1) + SPACES)
        return arabic and has_unit and bool(opening)

    # -- counts ---------------------------------------------------------------------------------------
    def finish(self, parts, previous: list[Figure]) -> Figure:
        start, end, value, value_max, mult, unit, stated, qualifier, da = parts
        span = self._cell_counts(start, previous)
        if span is None and ((unit and unit.kind in ("count", "area")) or da):
            span = self._after(end, unit.key if unit else None)
        if span is None:
            span = self._before(start)
        cs, ce, counts = span if span else (None, None, None)
        if unit is None and not da and mult == 1:
            stated, unit, mult = self._header_unit(start) or (stated, unit, mult)
        key = unit.key if unit else ("other" if da else None)
        if unit and counts:
            for alt_key, words in unit.alternatives:
                if any(w in counts for w in words):
                    key = alt_key
                    break
        kind = unit.kind if unit else ("count" if da else "other")
        return Figure(
            start,
            end,
            self.raw[start:end],
            value,
            value_max,
            mult,
            key,
            stated,
            qualifier.key if qualifier else None,
            qualifier.comparator if qualifier else None,
            counts,
            cs,
            ce,
            kind,
        )

    def _header_unit(self, start: int) -> tuple[str, Unit, int] | None:
        """A bare number in a table column takes the unit its header states: "支出数（万元）"."""
        t = self.text
        line_start = t.rfind("\n", 0, start) + 1
        column = t.count("\t", line_start, start)
        if not column:
            return None
        while line_start > 0:  # up through the table's lines to the nearest header with a unit
            line_start = t.rfind("\n", 0, line_start - 1) + 1
            line = t[line_start : t.find("\n", line_start)]
            if "\t" not in line:
                return None
            cells = line.split("\t")
            m = HEADER_UNIT_RE.search(cells[column]) if column < len(cells) else None
            if m:
                inner = m.group(1).strip()
                mp = _longest(inner, 0, self.r.multipliers) or ""
                if inner[len(mp) :] in self.r.units:
                    return inner, self.r.units[inner[len(mp) :]], self.r.multipliers.get(mp, 1)
        return None

    def _span(self, a: int, b: int):
        counts = SPACE_RUN.sub("", self.raw[a:b])
        return (a, b, counts) if counts else None

    def _cell_counts(self, start: int, previous: list[Figure]):
        t = self.text
        i = _skip_back(t, start)
        if i == 0 or t[i - 1] != "\t":
            return None
        line_start = t.rfind("\n", 0, i - 1) + 1
        cell_start = max(t.rfind("\t", line_start, i - 1) + 1, line_start)
        if previous and previous[-1].end > cell_start:
            last = previous[-1]
            return (last.counts_start, last.counts_end, last.counts) if last.counts else None
        a = cell_start + (len(t[cell_start : i - 1]) - len(t[cell_start : i - 1].lstrip()))
        b = len(t[: i - 1].rstrip())
        return self._span(a, b) if b > a else None

    def _stop(self, k: int) -> bool:
        return (
            _stop_word(self.words[k], self.r.function_words)
            or self.tags[k] in BOUNDARY_TAGS
            or _inside(self.number_spans, self.starts[k], self.ends[k]) is not None
        )

    def _nounish(self, k: int) -> bool:
        tag = self.tags[k]
        return tag.startswith("n") or tag in NOUN_TAGS

    def _after(self, end: int, unit_key: str | None):
        k = bisect_left(self.starts, end)
        if k > 0 and self.ends[k - 1] > end:
            return None
        taken, nouns, mods = [], False, 0
        while k < len(self.words) and len(taken) < 5:
            w = self.words[k]
            if w.isspace():
                if "\t" in w:
                    break
                k += 1
                continue
            if self._stop(k) and not (self.tags[k] == "m" and not _has_digit(w) and not taken):
                break
            if self._nounish(k):
                nouns = True
            elif nouns:
                break
            elif mods < 2 and (
                self.tags[k] in MODIFIER_TAGS or (self.tags[k].startswith("v") and unit_key not in PERSON_UNITS)
            ):
                mods += 1
            else:
                break
            taken.append(k)
            k += 1
        while taken and not self._nounish(taken[-1]):
            taken.pop()
        return self._span(self.starts[taken[0]], self.ends[taken[-1]]) if taken else None

    def _before(self, start: int):
        k = bisect_right(self.ends, start) - 1
        while k >= 0 and self.words[k].isspace() and "\t" not in self.words[k]:
            k -= 1
        if k >= 0 and self.words[k] in CLOSING_QUOTES:
            q = _inside(self.quotes, self.starts[k], self.ends[k])
            return self._span(q[0] + 1, q[1] - 1) if q and q[1] - q[0] <= 32 else None
        taken: list[int] = []
        while k >= 0 and len(taken) < 4:
            w = self.words[k]
            if w.isspace():
                if "\t" in w:
                    break
            elif self._stop(k):
                if taken or w != "的":
                    break
            else:
                taken.append(k)
            k -= 1
        taken.reverse()
        after_prep = k >= 0 and self.tags[k] == "p"
        for i in range(len(taken) - 2, 0, -1):  # "(为)企业攻克工艺难题" → 攻克工艺难题
            w = self.words[taken[i]]
            if self.tags[taken[i]] == "v" and self._nounish(taken[i - 1]) and (after_prep or w in self.r.light_verbs):
                taken = taken[i:]
                break
        if len(taken) > 1 and self.words[taken[0]] in self.r.light_verbs:
            taken = taken[1:]
        return self._span(self.starts[taken[0]], self.ends[taken[-1]]) if taken else None


def extract_figures(text: str, segmenter: Segmenter | None = None) -> list[Figure]:
    """Every figure in ``text`` in order of position (offsets index ``text``). A text with no number
    at all has none: it is not segmented."""
    translated = fold_fullwidth(text)
    if not NUMBER_RE.search(translated):
        return []
    return _Extractor(text, segmenter or get_segmenter(), translated).run()
