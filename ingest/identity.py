"""Who a report is: its department, fiscal year, kind and project, read where reports state them.

Sources, in the order trusted (the words are in ingest/data/identity.toml):
- the fields of a cover block or a form header (部门名称, 单位名称, 实施单位, 项目名称 …; 主管部门 only
  when no field names the unit itself), with the value ending at a cell or field boundary or at the
  next field's label glued on (…联合社填报日期:…), a leading code dropped (219001-…);
- the title line (a line of the head holding a title marker), or a letter head (某某局关于…);
- an implementing unit named in the opening prose (由区农业农村局实施), completed with the region.
Never a breadcrumb or page chrome (those lines are skipped), never a heading or a fragment (a name
must end like an organisation and hold none of the genre's fragment words). Publication metadata
(索引号, 发布机构, 发布日期, 文号, 来源) is read as metadata; a title's short name that a page's
publisher completes (某某镇 → 某某镇人民政府) takes the complete name.

Every field carries the span of normalised text it was read from; a field not found is None and
the caller decides (``jixiao ingest`` refuses the file unless the user supplies it).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from jixiao.ingest import meta
from jixiao.ingest.datafiles import code_lists, toml
from jixiao.ingest.furniture import is_furniture

NSpan = tuple[int, int]
# a line opening with a heading or list number (一、 (一) 1. (1)) is a heading or an item, not a title
_NUMBERED = re.compile(
    r"\s*(?:[•·▪●]|[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．](?!\d))"
)


@dataclass(frozen=True)
class Stated:
    """A value as read: ``span`` is where it stands in the normalised text (None: not in the text),
    ``how`` says where it came from ("cover", "title", "letter_head", "metadata", "prose",
    "head", "text", "supplied")."""

    value: Any
    span: NSpan | None
    how: str


@dataclass
class Identity:
    title: str
    title_span: NSpan | None
    department: Stated | None = None
    year: Stated | None = None
    kind: Stated | None = None
    project: Stated | None = None
    supervisor: Stated | None = None
    codes: dict[str, Stated] = field(default_factory=dict)
    metadata: dict[str, Stated] = field(default_factory=dict)


@cache
def _conf() -> dict[str, Any]:
    conf = toml("identity.toml")
    dom = toml("domain.toml")
    suffixes = dom["orgs"]["suffixes"] + dom["units"]["name_suffixes"] + conf["names"]["extra_suffixes"]
    labels = conf["cover"]["department"] + conf["cover"]["supervisor"] + conf["cover"]["project"]
    labels += [c[0] for c in conf["cover"]["code"]] + conf["cover"]["not_supervisor"]
    stops = sorted(set(labels + conf["cover"]["stops"] + [m[0] for m in conf["metadata"]["fields"]]), key=len)
    return {
        **conf,
        "suffixes": tuple(sorted(set(suffixes), key=len, reverse=True)),
        "org_suffixes": tuple(sorted(set(dom["orgs"]["suffixes"] + conf["names"]["extra_suffixes"]), key=len)[::-1]),
        "stops": stops[::-1],
        "gloss_re": re.compile(conf["names"]["gloss"]["pattern"]),
        "code_re": re.compile(conf["cover"]["code_prefix"]),
        "lead_re": re.compile(conf["title"]["lead"]),
        "impl_re": re.compile(conf["title"]["implemented_by"]),
        "year_re": re.compile(conf["year"]["header_pattern"]),
        "date_re": re.compile(conf["metadata"]["date_pattern"]),
        "head_patterns": [(re.compile(p), k) for p, k in conf["kind"]["head_patterns"]],
        "name_stops": dom["report"]["name_stops"],
    }


# -- lines -----------------------------------------------------------------------------------------
def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of the non-empty lines of the head (identity.toml [head])."""
    conf = _conf()["head"]
    out, pos = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            out.append((pos, raw))
        pos += len(raw) + 1
        if len(out) >= conf["max_lines"] and pos >= conf["max_chars"]:
            break
    return out


# -- names -----------------------------------------------------------------------------------------
def clean_name(value: str) -> str:
    """A name as written without spaces, pinyin glosses, a leading code and closing punctuation."""
    value = _conf()["gloss_re"].sub("", re.sub(r"\s+|\x1b\[[\d;]*[A-Za-z]", "", value))
    value = _conf()["code_re"].sub("", value)
    return value.strip("：:，,。；;、|“”\"' ")


def is_org_name(name: str) -> bool:
    """Whether a cleaned string can be a department's name: its length, an organisation's ending,
    no fragment word, no digit, no heading number."""
    conf = _conf()
    n = conf["names"]
    if not n["min_chars"] <= len(name) <= n["max_chars"]:
        return False
    if any(w in name for w in n["not_in_name"]) or not re.fullmatch(r"[\u4e00-\u9fff（）()]+", name):
        return False
    return name.endswith(conf["suffixes"])


def _field_value(text: str, start: int) -> tuple[str, int, int] | None:
    """The value after a label ending at ``start``: separators (:：|, spaces, line ends of a
    one-cell-per-line form) skipped, then up to a cell or field end or a glued label."""
    conf = _conf()
    i, n = start, len(text)
    aside = re.compile(r"[（(][^）)\n]{0,6}[）)]").match(text, i)  # 名称（盖章）：
    if aside and any(c in text[aside.end() : aside.end() + 2] for c in ":：|\t "):
        i = aside.end()
    newlines = 0
    while i < n and text[i] in " \u3000\t:：|\n":
        newlines += text[i] == "\n"
        if newlines > 3:
            return None
        i += 1
    j = i
    while j < n and text[j] not in conf["cover"]["value_end"] and not text.startswith("  ", j):
        j += 1
    while i < j and text[i] in "•·▪● \u3000":  # a list bullet of a page's metadata block
        i += 1
    value = text[i:j]
    cut = len(value)
    for label in conf["stops"]:
        k = value.find(label)
        if k == 0:
            return None  # the field is empty: the next label follows
        if 0 < k < cut:
            cut = k
    value = value[:cut].rstrip()
    if " " in value:  # a name has no space inside once normalised: what follows is another cell
        value = value.split(" ", 1)[0] if not _conf()["code_re"].match(value) else value
    if not re.search(r"\w", value) or value.endswith((":", "：")):
        return None  # punctuation only, or the next field's label: this field is empty
    return (value, i, i + len(value))


def _labelled(text: str, labels: list[str], limit: int) -> list[tuple[str, str, int, int]]:
    """(label, value, start, end) of each field with one of ``labels`` in text[:limit], in text
    order; a label inside a longer label of the lists is not matched."""
    conf = _conf()
    found = []
    for label in labels:
        for m in re.finditer(re.escape(label), text[:limit]):
            s = m.start()
            if s and not (
                text[s - 1] in conf["cover"]["label_after"]
                or text.endswith(tuple(conf["stops"]), 0, s)  # after an empty field's label
                or text.endswith(conf["suffixes"], 0, s)  # after a name, the cells fused
            ):
                continue  # inside a word: 工作者 is no 作者 field
            # part of a longer label (主管部门 in 市级主管部门, 项目名称 in 转移支付(项目)名称)?
            if any(
                len(lb) > len(label) and text.startswith(lb, s - lb.find(label)) and lb.find(label) >= 0
                for lb in conf["stops"]
                if label in lb and lb != label
            ):
                continue
            got = _field_value(text, m.end())
            if got:
                found.append((label, *got))
    return found


def _first_name(text: str, labels: list[str], limit: int) -> Stated | None:
    """The first field in text order with one of ``labels`` whose value is a name. A value with
    the next cell fused on (…财政局情况说明分配…) gives the longest name it starts with."""
    best: Stated | None = None
    for _lb, value, s, e in _labelled(text, labels, limit):
        if best is not None and best.span is not None and best.span[0] <= s:
            continue
        name = clean_name(value)
        if not is_org_name(name):
            name = _name_prefix(name, _conf()["suffixes"])
        if name:
            k = text.find(name[:2], s, e)
            best = Stated(name, (k, k + len(name)) if k >= 0 and text.startswith(name, k) else (s, e), "cover")
    return best


def _name_prefix(value: str, suffixes: tuple[str, ...]) -> str | None:
    """The longest prefix of ``value`` that is a name ending with one of ``suffixes``."""
    top = min(len(value), _conf()["names"]["max_chars"])
    for k in range(top, _conf()["names"]["min_chars"] - 1, -1):
        if value[:k].endswith(suffixes) and is_org_name(value[:k]):
            return value[:k]
    return None


# -- the title -------------------------------------------------------------------------------------
def title_lines(text: str) -> list[tuple[int, str]]:
    """The head's title lines (see `_title_lines`), computed once per text."""
    return list(_title_lines(text))


@lru_cache(maxsize=4)
def _title_lines(text: str) -> tuple[tuple[int, str], ...]:
    """The head's title lines (identity.toml [title]), furniture skipped; a line that ends a title
    begun on the line before (…部门整体支出 / 绩效评价报告) is joined to it."""
    conf = _conf()["title"]
    lines = [(p, ln) for p, ln in _lines(text) if not is_furniture(ln)]
    if lines and len(lines[0][1].strip()) > conf["max_chars"]:  # a title run into the text after it
        pos, line = lines[0]
        ends = [k + len(m) for m in conf["markers"] if 0 <= (k := line.find(m)) <= conf["max_chars"]]
        if ends:
            lines[0] = (pos, line[: min(ends)])
    out = []
    for k, (pos, line) in enumerate(lines):
        if (
            len(line.strip()) > conf["max_chars"]
            or not any(m in line for m in conf["markers"])
            or _NUMBERED.match(line)
            or line.rstrip().endswith("。")
            or any(label in line for label, _key in _conf()["metadata"]["fields"] if len(label) > 2)
        ):
            if _letter_head(line):
                out.append((pos, line))
            continue
        prev = lines[k - 1] if k else None
        compact = re.sub(r"\s+", "", line)
        if prev and len(compact) <= 12 and prev[0] + len(prev[1]) + 1 >= pos - 2 and "|" not in prev[1]:
            out.append((prev[0], text[prev[0] : pos + len(line.rstrip())]))  # the two lines as written
        out.append((pos, line))
    return tuple(out)


def _letter_head(line: str) -> str | None:
    word = _conf()["names"]["letter_head"]
    compact = re.sub(r"\s+", "", line)
    k = compact.find(word)
    if k > 0:
        name = clean_name(compact[:k])
        if is_org_name(name):
            return name
    return None


def _title_prefix(title: str) -> str:
    """A title's text before its year or kind words, cleaned."""
    conf = _conf()
    t = re.sub(r"\s+", "", conf["lead_re"].sub("", conf["gloss_re"].sub("", title)))
    cut = len(t)
    for w in conf["name_stops"]:
        i = t.find(w)
        if 0 < i < cut:
            cut = i
    return clean_name(t[:cut])


def _title_name(title: str) -> str | None:
    """The department a title names: before 关于 in a letter head, else before the year or the kind
    words; when that is a department and a project (某某指挥部乡村振兴项目资金), the department."""
    conf = _conf()
    letter = _letter_head(title)
    if letter:
        return letter
    name = _title_prefix(title)
    if is_org_name(name):
        return name
    # the longest prefix ending like an organisation, when a project follows it
    head = _name_prefix(name, conf["org_suffixes"])
    if head and any(w in name[len(head) :] for w in conf["names"]["project_words"]):
        return head
    return None


def _span_of(text: str, value: str, lo: int, hi: int) -> NSpan | None:
    """Where ``value`` stands in text[lo:hi]; written with spaces or a gloss inside, from its
    first character to its last."""
    k = text.find(value, lo, hi)
    if k >= 0:
        return (k, k + len(value))
    k = text.find(value[0], lo, hi)
    e = text.find(value[-1], k + 1, hi) if k >= 0 else -1
    return (k, e + 1) if k >= 0 and e > k else None


# -- the report ------------------------------------------------------------------------------------
def read_identity(text: str) -> Identity:
    """Department, year, kind, project, supervisor, codes and metadata of the normalised ``text``."""
    conf = _conf()
    lines = _lines(text)
    limit = (lines[-1][0] + len(lines[-1][1])) if lines else 0
    head = limit
    limit = _preamble_end(text, limit)  # fields of the head: the body's tables are not a cover
    titles = title_lines(text)
    title_pos, title = (titles[0][0], titles[0][1]) if titles else (None, "")
    ident = Identity(title=re.sub(r"\s*\n\s*", "", title.strip()), title_span=None)
    if title_pos is not None:
        lead = len(title) - len(title.lstrip())
        ident.title_span = (title_pos + lead, min(len(text), title_pos + len(title.rstrip())))

    # publication metadata
    for label, key in conf["metadata"]["fields"]:
        if key in ident.metadata:
            continue
        for _lb, value, s, _e in _labelled(text, [label], limit):
            if key == "date":  # a date (and time), maybe glued to what follows it
                m = conf["date_re"].match(value.strip())
                if m is None:
                    continue
                value = m.group(0)
            elif is_furniture(value):  # 文号 | 浏览量: an empty field, then page chrome
                continue
            value = value.strip()
            k = text.find(value, s)
            ident.metadata[key] = Stated(value, (k, k + len(value)), "metadata")
            break
    for label, key in conf["cover"]["code"]:
        for _lb, value, s, _e in _labelled(text, [label], limit):
            m = re.match(r"[0-9A-Za-z\-]+", value.strip())
            if m:
                ident.codes[key] = Stated(m.group(0), (s, s + len(m.group(0))), "cover")
                break

    ident.department = _department(text, limit, ident, titles, head)
    ident.supervisor = _first_name(text, conf["cover"]["supervisor"], limit)
    ident.year = _year(text, ident, lines)
    ident.kind = _kind(text, ident, lines, limit)
    ident.project = _project(text, limit)
    return ident


def _department(text: str, limit: int, ident: Identity, titles: list[tuple[int, str]], head: int) -> Stated | None:
    conf = _conf()
    got = _first_name(text, conf["cover"]["department"], limit)
    if got:
        return got
    for pos, line in titles:
        name = _title_name(line)
        if name:
            return Stated(_completed(name, ident), _span_of(text, name, pos, pos + len(line)), "title")
    for pos, line in titles:  # a short name (某某镇) the page's publisher completes
        prefix = _title_prefix(line)
        full = _completed(prefix, ident) if len(prefix) >= 2 else prefix
        if full != prefix:
            return Stated(full, _span_of(text, prefix, pos, pos + len(line)), "title")
    got = _signature(text, limit)
    if got:
        return got
    got = _first_name(text, conf["cover"]["supervisor"], limit)
    if got:
        return got
    m = conf["impl_re"].search(text[:head])
    if m:
        name = clean_name(m.group(1))
        region = _title_region(ident.title)
        name = meta.canonical_org(name, region)
        if is_org_name(name) and (region is None or name.startswith(region)):
            return Stated(name, (m.start(1), m.end(1)), "prose")
    return None


def _signature(text: str, limit: int) -> Stated | None:
    """A letter's or notice's signature in the head: a line that is a name, followed by a date line."""
    lines = _lines(text[:limit])
    for (pos, line), (_p2, nxt) in itertools.pairwise(lines):
        name = clean_name(line)
        if is_org_name(name) and re.fullmatch(r"\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*", nxt):
            k = text.find(name, pos)
            return Stated(name, (k, k + len(name)), "signature")
    return None


def _completed(name: str, ident: Identity) -> str:
    """A title's short name completed by the page's publisher or author (某某镇 → 某某镇人民政府)."""
    for key in ("author", "issuer", "source"):
        st = ident.metadata.get(key)
        if st is None:
            continue
        full = clean_name(st.value)
        if full == name or not full.startswith(name) or not is_org_name(full):
            continue
        if is_org_name(name) or full[len(name) :] in _conf()["names"]["region_government"]:
            return full
    return name


def _title_region(title: str) -> str | None:
    t = _conf()["lead_re"].sub("", re.sub(r"\s+", "", title))
    return meta.region_of(t)


def _preamble_end(text: str, limit: int) -> int:
    """Where the first 一、 heading starts (the end of the head when there is none)."""
    m = re.search(r"(?m)^\s*一\s*[、.．]", text[:limit])
    return m.start() if m else limit


def _year(text: str, ident: Identity, lines: list[tuple[int, str]]) -> Stated | None:
    conf = _conf()
    if ident.title_span:
        s, e = ident.title_span
        m = meta.year_re().search(text, s, e) or conf["year_re"].search(text, s, e)
        if m:
            return Stated(int(m.group(1)), (m.start(1), m.end(1)), "title")
    for pos, line in lines:  # a form header: (2023年度)
        if is_furniture(line):
            continue
        m = conf["year_re"].search(line)
        if m:
            return Stated(int(m.group(1)), (pos + m.start(1), pos + m.end(1)), "head")
    for pos, line in title_lines(text):
        m = meta.year_re().search(line)
        if m:
            return Stated(int(m.group(1)), (pos + m.start(1), pos + m.end(1)), "title")
    y = meta.fiscal_year("", text)  # the year the text most often writes before the genre's words
    if y is None:
        return None
    m = re.search(rf"(?<!\d){y}\s*年", text)
    return Stated(y, (m.start(), m.start() + 4) if m else None, "text")


def _kind(text: str, ident: Identity, lines: list[tuple[int, str]], limit: int) -> Stated | None:
    conf = _conf()["kind"]
    preamble_end = _preamble_end(text, limit)
    head = text[:preamble_end]
    for word, key in conf["head_cues"]:
        k = head.find(word)
        if k >= 0:
            return Stated(key, (k, k + len(word)), "head")
    for rx, key in _conf()["head_patterns"]:
        m = rx.search(head)
        if m:
            return Stated(key, (m.start(), m.end()), "head")
    spans = ([ident.title_span] if ident.title_span else []) + [(p, p + len(ln)) for p, ln in title_lines(text)]
    for s, e in spans:
        found = _find_compact(text, s, e, [w for w, _k in conf["title_words"]])
        if found is not None:
            word, span = found
            return Stated(dict(conf["title_words"])[word], span, "title")
    for label, key in conf["label_kinds"]:
        k = text.find(label, 0, limit)
        if k >= 0:
            return Stated(key, (k, k + len(label)), "cover")
    return None


def _find_compact(text: str, s: int, e: int, words: list[str]) -> tuple[str, NSpan] | None:
    """The first of ``words`` in text[s:e] read without its whitespace (a title wrapped over two
    lines, 项目支 / 出绩效自评表), with its span in the text."""
    where = [i for i in range(s, e) if not text[i].isspace()]
    compact = "".join(text[i] for i in where)
    for word in words:
        k = compact.find(word)
        if k >= 0:
            return word, (where[k], where[k + len(word) - 1] + 1)
    return None


def _project(text: str, limit: int) -> Stated | None:
    for label in _conf()["cover"]["project"]:
        for _lb, value, s, e in _labelled(text, [label], limit):
            name = clean_name(value)
            if len(name) >= 2 and not re.fullmatch(r"[\d\W]+", name) and name not in _conf()["cover"]["not_project"]:
                k = text.find(name, s, e + 1)
                return Stated(name, (k, k + len(name)) if k >= 0 else (s, e), "cover")
    return None


def kinds() -> list[str]:
    """The notations of jxv:ReportKindScheme."""
    return sorted(k[len("kind_") :] for k in code_lists() if k.startswith("kind_"))


def known_kind(key: str) -> bool:
    """Whether ``key`` is a notation of jxv:ReportKindScheme."""
    return key in kinds()
