"""Domain extraction: a parsed report (sections, tables, figures) → resources of the ontology.

Rules come from ingest/data/domain.toml and problem_patterns.toml; this module only walks the
section tree and applies them. Offsets: parsing happens on the normalised text; every span
emitted is mapped back to the original text with ``Normalised.to_original``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from rdflib import URIRef

from jixiao import iris
from jixiao.errors import InputError
from jixiao.ingest import meta
from jixiao.ingest.datafiles import lexicon, toml
from jixiao.ingest.emit import JX, JXV, RDF_TYPE, RDFS_LABEL, GraphBuilder, boolean, gyear, integer, zh
from jixiao.ingest.emit import text as literal
from jixiao.ingest.figures import Figure, extract_figures
from jixiao.ingest.normalise import Normalised
from jixiao.ingest.sections import Block, Section
from jixiao.ingest.segment import Segmenter
from jixiao.ingest.sentences import split_enumeration, split_sentences
from jixiao.ingest.tables import Row, Table

BUDGET_ROLES = {"spending", "goals", "cost_control", "budget_execution", "budget_preparation"}
WORK_ROLES = {"annual_work", "indicator_analysis"}
NUMBER_RE = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
QUOTE_RE = re.compile(r"“([^“”\n]{1,40})”")
DOC_RE = re.compile(r"《([^《》\n]{2,60})》")
# "比 2023 年 X 万元" / "较 2023 年": a comparison with a named year (the prior year when it is fiscal - 1)
PRIOR_YEAR_RE = re.compile(r"(?:比|较|与)\s*(\d{4})\s*年(?:相比|同期)?")
LEADING_YEAR_RE = re.compile(r"^\s*\d{4}\s*年度?\s*")
# A quoted project name right before its amount: “X”压减 / “X”支出 (closing quote sometimes missing)
PROJECT_QUOTE_RE = re.compile(
    r"“([^“”]{2,40}?)(?:”|(?=压减|支出|执行|追加))\s*(?:实际)?(?:压减|追加|支出|执行|使用|安排|下达)?\s*$"
)
IND_CATEGORIES = {
    "产出": "ind_output",
    "效益": "ind_outcome",
    "满意度": "ind_satisfaction",
    "数量": "ind_quantity",
    "质量": "ind_quality",
    "时效": "ind_timeliness",
    "成本": "ind_cost",
    "经济效益": "ind_economic",
    "社会效益": "ind_social",
    "生态效益": "ind_ecological",
    "环境效益": "ind_ecological",
    "可持续影响": "ind_sustainability",
    "服务对象满意度": "ind_beneficiary_satisfaction",
    "社会公众满意度": "ind_beneficiary_satisfaction",
    "定量": "nature_quantitative",
    "定性": "nature_qualitative",
}
RATE_LABELS = {"share": "占比", "change": "同比变化率", "execution": "执行率", "completion": "完成率", "cut": "压减率"}
CMP_SIGNS = {"≥": "ge", ">=": "ge", "≤": "le", "<=": "le", "=": "eq", ">": "gt", "<": "lt"}


def first_word(text: str, words: list[str]) -> str | None:
    """The word of ``words`` that occurs earliest in ``text`` (longest on ties), or None."""
    best: tuple[int, int, str] | None = None
    for w in words:
        i = text.find(w)
        if i >= 0 and (best is None or (i, -len(w)) < (best[0], best[1])):
            best = (i, -len(w), w)
    return best[2] if best else None


def last_word(text: str, words: list[str]) -> tuple[str, int] | None:
    """The word of ``words`` whose occurrence ends last in ``text`` (longest on ties), with its end."""
    best: tuple[int, int, str] | None = None
    for w in words:
        i = text.rfind(w)
        if i >= 0:
            key = (i + len(w), len(w), w)
            if best is None or key > best:
                best = key
    return (best[2], best[0]) if best else None


def category_key(text: str) -> str | None:
    t = re.sub(r"[（(][^）)]*[）)]|\s+", "", text).removesuffix("指标")  # 产出指标（50分） → 产出
    return IND_CATEGORIES.get(t)


@dataclass
class Mention:
    """A narrative statement of a budget amount for a named project, resolved after all are read."""

    name: str
    figure: Figure
    start: int  # original offsets of the figure
    end: int
    phase: str
    clause: tuple[int, int]  # original offsets of the clause (evidence)
    section: URIRef
    rate: bool = False


@dataclass
class Ctx:
    roles: set[str]
    section: URIRef
    section_obj: Section
    about: URIRef | None = None
    role: str | None = None  # the nearest role: the section's own, else its closest ancestor's


@dataclass
class Holder:
    node: URIRef
    name: str
    lines: dict[str, URIRef] = field(default_factory=dict)


class Extractor:
    def __init__(self, source, norm: Normalised, root: Section, segmenter: Segmenter):
        self.src, self.norm, self.root, self.seg = source, norm, root, segmenter
        self.dom = toml("domain.toml")
        self._groups = self._load_groups()
        # any group word at all: one search instead of a `word in text` per group word and sentence
        self._any_group = re.compile("|".join(re.escape(w) for w, _ in self._groups) or r"(?!)")
        orgs = lexicon("organisations")
        self._orgs = sorted((w for w, _f, _t, _c in orgs), key=len, reverse=True)
        self._org_starts: tuple[str, ...] | None = None  # what a partner's name starts with (built once)
        self._name_ends_before = tuple(self.dom["orgs"]["name_ends_before"])
        self._roles: set[str] = set()
        self._pattern_rules = toml("problem_patterns.toml")["patterns"]
        self.mentions: list[Mention] = []
        self.projects: dict[int, tuple[URIRef, str, dict[str, Decimal]]] = {}  # row → node, name, values
        self.emitted: set[tuple[int, int]] = set()
        self.units: list[Holder] = []
        self.totals: dict[str, URIRef] = {}
        self.deferred: set[tuple[int, int]] = set()  # narrative project figures, emitted once resolved

    # -- helpers ---------------------------------------------------------------------------------
    def orig(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.to_original(start, end)

    def ntext(self, start: int, end: int) -> str:
        return self.norm.text[start:end]

    @staticmethod
    def _load_groups() -> list[tuple[str, str]]:
        entries = lexicon("beneficiary_groups")
        return sorted(((w, c or w) for w, _f, _t, c in entries), key=lambda e: -len(e[0]))

    # -- entry point -----------------------------------------------------------------------------
    def run(self) -> GraphBuilder:
        title = self.root.title.strip() or self.norm.text.strip().split("\n", 1)[0]
        # a title may open with the year (2024年度某某局部门整体支出…): the name follows it
        dept = meta.cover_department(self.norm.text) or meta.department_from_title(LEADING_YEAR_RE.sub("", title))
        if not dept:
            raise InputError(
                "cannot find the department name in the title or cover block", file=self.src.path, where="title"
            )
        year = meta.fiscal_year(title, self.norm.text)
        if year is None:
            raise InputError(
                "cannot find the fiscal year (no 'YYYY 年' in title or text)", file=self.src.path, where="title"
            )
        self.year, self.kind = year, meta.kind_from_title(title)
        self.region = meta.region_of(dept)
        self.dept_name = meta.canonical_org(dept, self.region)
        # a department publishes one department-wide report a year but one report per project
        subject = None if self.kind == "department_whole" else re.sub(r"\s+", "", title)
        self.report = iris.report(self.dept_name, year, self.kind, subject)
        from jixiao.ingest.emit import Source

        self.b = b = GraphBuilder(self.report, Source(self.src.path, self.src.text, self.src.sha256, self.src.encoding))
        self.dept = b.organisation(self.dept_name, JX.Department, alias=dept, region=self.region)
        s, e = (
            self.orig(self.root.heading_start, self.root.heading_end)
            if self.root.heading_end > self.root.heading_start
            else (0, max(1, len(title)))
        )
        b.resource(self.report, JX.Report, s, e, label=title)
        b.add(self.report, JX.title, literal(title))
        b.add(self.report, JX.department, self.dept)
        b.add(self.report, JX.fiscalYear, gyear(year))
        b.add(self.report, JX.fiscalPeriod, b.year(year))
        b.add(self.report, JX.reportKind, getattr(JXV, f"kind_{self.kind}"))
        b.add(self.report, JX.sourceFile, b.file)
        self.holder = Holder(self.dept, self.dept_name)
        self.table_names = sorted(
            {t.get(r, "name").strip() for t in self._tables(self.root) if t.kind == "project_budget" for r in t.rows}
            - {""},
            key=len,
            reverse=True,
        )
        self.indicator_names = {
            t.get(r, "level3").strip() for t in self._tables(self.root) if t.kind == "indicators" for r in t.rows
        } - {""}
        self._walk(self.root, self.report, "", set())
        self._resolve_mentions()
        return b

    def _tables(self, sec: Section):
        for block in sec.blocks:
            if block.kind == "table" and getattr(block, "table", None) is not None:
                yield block.table
        for child in sec.children:
            yield from self._tables(child)

    # -- sections --------------------------------------------------------------------------------
    def _walk(self, sec: Section, parent: URIRef, path: str, inherited: set[str], nearest: str | None = None) -> None:
        for i, child in enumerate(sec.children, 1):
            cpath = f"{path}-{i}" if path else str(i)
            node = iris.section(self.report, cpath)
            s, e = self._trim(*self.orig(child.heading_start, child.heading_end))
            if e <= s:
                s, e = self._trim(*self.orig(child.start, child.end))
            if e <= s:  # an empty block with no text: nothing to source, keep walking below it
                self._walk(child, parent, cpath, inherited, nearest)
                continue
            self.b.resource(node, JX.Section, s, e, label=child.title.strip() or child.number)
            self.b.add(node, JX.number, literal(child.number))
            self.b.add(node, JX.level, integer(child.level))
            self.b.add(node, JX.ordinal, integer(child.ordinal or i))
            self.b.add(node, JX.inReport, self.report)
            self.b.add(parent, JX.hasSection, node)
            if child.role:
                self.b.add(node, JX.sectionRole, getattr(JXV, f"role_{child.role}"))
            roles = inherited | ({child.role} if child.role else set())
            ctx = Ctx(roles, node, child, role=child.role or nearest)
            self._section_resource(child, node, ctx, cpath, sec)
            for block in child.blocks:
                if block.kind == "table":
                    self._table(block, ctx)
                else:
                    self._paragraph(block, ctx)
            self._walk(child, node, cpath, roles, ctx.role)

    def _section_resource(self, sec: Section, node: URIRef, ctx: Ctx, path: str, parent: Section) -> None:
        """Resources a section is in itself: a duty, a goal, a rectification issue and its parts."""
        b, role = self.b, sec.role
        s, e = self.orig(sec.start, sec.end)
        s, e = self._trim(s, e)
        body = self.ntext(sec.heading_start, sec.end).strip()
        if parent.role == "duties" or role == "duty":
            duty = iris.duty(self.report, path.rsplit("-", 1)[-1] if "-" in path else path)
            b.resource(duty, JX.Duty, s, e, section=node)
            b.add(duty, JX.ordinal, integer(sec.ordinal or 0))
            b.add(duty, JX.text, literal(self._strip_number(body, sec.number)))
            b.add(self.dept, JX.hasDuty, duty)
            b.add(self.report, JX.hasDuty, duty)
        elif parent.role == "goals" and sec.level >= 3:
            goal = iris.goal(self.report, sec.ordinal or path)
            b.resource(goal, JX.PerformanceGoal, s, e, section=node)
            b.add(goal, JX.text, literal(self._strip_number(body, sec.number)))
            b.add(self.report, JX.hasGoal, goal)
            ctx.about = goal
        elif role == "rectification_issue":
            n = sum(1 for _ in b.t.objects(self.report, JX.rectificationIssue)) + 1
            issue = iris.issue(self.report, n)
            hs, he = self.orig(sec.heading_start, sec.heading_end)
            b.resource(issue, JX.RectificationIssue, hs, he, section=node, label=sec.title.strip())
            b.add(issue, JX.title, literal(sec.title.strip()))
            b.add(self.report, JX.rectificationIssue, issue)
            prior = iris.evaluation(self.report, "prior")
            if (prior, RDF_TYPE, JX.ThirdPartyEvaluation) in b.t:
                b.add(issue, JX.raisedBy, prior)
            self._issue = issue
            ctx.about = issue
        elif role in ("issue_problem", "issue_measure", "issue_effect") and getattr(self, "_issue", None):
            kind = role.split("_", 1)[1]
            cls = {"problem": JX.Problem, "measure": JX.Measure, "effect": JX.Effect}[kind]
            prop = {"problem": JX.problem, "measure": JX.measure, "effect": JX.effect}[kind]
            part = iris.issue_part(self._issue, kind)
            b.resource(part, cls, s, e, section=node)
            b.add(part, JX.text, literal(self._strip_number(body, sec.number)))
            b.add(self._issue, prop, part)
            if kind == "problem":
                self._patterns(part, body)
            if kind == "measure":
                b.add(part, JX.addresses, iris.issue_part(self._issue, "problem"))
            ctx.about = part
        elif role in ("problems", "measures"):
            self._enumerated(sec, node, ctx, "problem" if role == "problems" else "measure")

    def _enumerated(self, sec: Section, node: URIRef, ctx: Ctx, kind: str) -> None:
        """This year's problems / improvement measures, one per 一是/二是 item (or the whole body)."""
        b = self.b
        cls, prop = (JX.Problem, JX.problem) if kind == "problem" else (JX.Measure, JX.measure)
        for block in sec.blocks:
            if block.kind != "para":
                continue
            items = split_enumeration(block.text, block.start) or [(1, block.start, block.end)]
            for ordinal, s, e in items:
                os_, oe = self._trim(*self.orig(s, e))
                if oe <= os_:
                    continue
                n = iris.statement(self.report, kind, os_)
                b.resource(n, cls, os_, oe, section=node)
                b.add(n, JX.ordinal, integer(ordinal))
                b.add(n, JX.text, literal(self.ntext(s, e).strip()))
                b.add(self.report, prop, n)
                if kind == "problem":
                    self._patterns(n, self.ntext(s, e))

    def _patterns(self, node: URIRef, text: str) -> None:
        for key, words in sorted(self._pattern_rules.items()):
            if any(w in text for w in words):
                self.b.add(node, JX.problemPattern, getattr(JXV, f"pattern_{key}"))

    @staticmethod
    def _strip_number(text: str, number: str) -> str:
        return text[len(number) :].strip() if number and text.startswith(number) else text.strip()

    def _trim(self, s: int, e: int) -> tuple[int, int]:
        t = self.src.text
        while s < e and t[s].isspace():
            s += 1
        while e > s and t[e - 1].isspace():
            e -= 1
        return s, e

    # -- paragraphs ------------------------------------------------------------------------------
    def _paragraph(self, block: Block, ctx: Ctx) -> None:
        self._roles = ctx.roles
        figures = extract_figures(block.text, self.seg)
        sentences = split_sentences(block.text, block.start)
        self._cutoff(block, ctx)
        self._documents(block, ctx)
        if "prior_rectification" in ctx.roles and ctx.section_obj.role == "prior_rectification":
            self._prior_evaluation(block, ctx, figures)
        by_sentence: dict[tuple[int, int], list[Figure]] = {s: [] for s in sentences}
        for f in figures:
            fs = f.start + block.start
            for s in sentences:
                if s[0] <= fs < s[1]:
                    by_sentence[s].append(f)
                    break
        for ss, se in sentences:
            figs = by_sentence[(ss, se)]
            text = self.ntext(ss, se)
            about = ctx.about
            if ctx.roles & WORK_ROLES and not ctx.about and (figs or QUOTE_RE.search(text)):
                about = self._work_item(ss, se, ctx)
            self._budget_units(text, ss)  # the list of budget units may stand in any section
            self._groups_partners_programmes(ss, se, text, about or ctx.section, figs, block.start)
            # by the nearest role: a conclusion or an indicator analysis under a spending heading
            # (三、部门整体支出绩效情况 → 自评结论) tells no budget lines
            if ctx.role in BUDGET_ROLES:
                self._budget_sentence(ss, se, figs, block.start, ctx)
            self._special_figures(ss, se, figs, block.start, ctx)
            for f in figs:
                self._generic(f, block.start, about or ctx.section, ctx)

    def _work_item(self, ss: int, se: int, ctx: Ctx) -> URIRef:
        s, e = self._trim(*self.orig(ss, se))
        node = iris.work_item(self.report, s)
        self.b.resource(node, JX.WorkItem, s, e, section=ctx.section)
        self.b.add(node, JX.text, literal(self.ntext(ss, se).strip()))
        return node

    def _cutoff(self, block: Block, ctx: Ctx) -> None:
        words = self.dom["evaluation"]["cutoff_words"]
        for w in words:
            i = block.text.find(w)
            if i >= 0 and ("数据" in block.text or "口径" in block.text):
                self.b.add(ctx.section, JX.cutoffNote, literal(w))
                return

    def _documents(self, block: Block, ctx: Ctx) -> None:
        for m in DOC_RE.finditer(block.text):
            title = m.group(1).strip()
            node = iris.document(title)
            b = self.b
            b.t.add((node, RDF_TYPE, JX.Document))
            b.t.add((node, JX.title, literal(title)))
            b.t.add((node, RDFS_LABEL, zh(title)))
            s, e = self.orig(block.start + m.start(), block.start + m.end())
            b.sourced(node, s, e)
            b.add(ctx.section, JX.cites, node)

    def _groups_partners_programmes(
        self, ss: int, se: int, text: str, about: URIRef, figs: list[Figure], base: int
    ) -> None:
        b = self.b
        for word, canonical in self._groups if self._any_group.search(text) else ():
            if word in text:
                g = iris.group(canonical)
                b.t.add((g, RDF_TYPE, JX.BeneficiaryGroup))
                b.t.add((g, JX.canonicalName, literal(canonical)))
                b.t.add((g, RDFS_LABEL, zh(canonical)))
                if (about, RDF_TYPE, JX.Section) not in b.t:
                    # a work item, measure or effect serves the group; a whole section does not, or
                    # every figure of the section would be counted as the group's
                    b.add(about, JX.beneficiary, g)
                for f in figs:
                    if f.counts and word in f.counts:
                        b.add(self._fig_iri(f, base), JX.beneficiary, g)
        for name, ns, ne in self._partners(text):
            org = b.organisation(meta.canonical_org(name, self.region), alias=name, region=self.region)
            b.sourced(org, *self.orig(ss + ns, ss + ne))
            b.add(about, JX.partner, org)
        qconf = self.dom["quotes"]
        if not self._roles & set(qconf["roles"]):
            return
        for m in QUOTE_RE.finditer(text):
            name = m.group(1).strip()
            if not qconf["min_chars"] <= len(name) <= qconf["max_chars"] or not re.search(r"[\u4e00-\u9fff]", name):
                continue
            if (
                any(w in name for w in qconf["not_programme"])
                or name.endswith(tuple(qconf["not_programme_suffixes"]))
                or self._is_project_context(text, m)
                or name in self.indicator_names
                or text[m.end() : m.end() + 2] == "指标"
            ):
                continue
            prog = iris.programme(self.dept_name, name)
            b.t.add((prog, RDF_TYPE, JX.Programme))
            b.t.add((prog, JX.name, literal(name)))
            b.t.add((prog, RDFS_LABEL, zh(name)))
            s, e = self.orig(ss + m.start(1), ss + m.end(1))
            b.sourced(prog, s, e)
            b.add(about, JX.programme, prog)

    def _partners(self, text: str) -> list[tuple[str, int, int]]:
        """Organisations named right after a partner cue (联合市住建局，…; 联合 A、B 和 C): name and offsets.
        After a weak cue (与) the name must start like an organisation (a level of government, the
        report's region, a lexicon name); after a strong cue (联合, 会同 …) any name ending in an
        organisation suffix counts."""
        conf = self.dom["orgs"]
        if not any(cue in text for cue in conf["partner_cues"]):
            return []
        starts = self._org_starts
        if starts is None:  # (built once a report, after the region is known: the lexicon names are many)
            starts = self._org_starts = (*conf["name_starts"], *([self.region] if self.region else []), *self._orgs)
        out = []
        for cue in conf["partner_cues"]:
            strong = cue in conf["strong_partner_cues"]
            for m in re.finditer(re.escape(cue), text):
                pos = m.end()
                while True:
                    window = text[pos : pos + conf["max_chars"]]
                    if not strong and not window.startswith(starts):
                        break
                    end = self._org_end(window)
                    if not end:
                        break
                    out.append((window[:end], pos, pos + end))
                    joiner = re.match(r"[、和及与]", window[end:])
                    if not joiner:
                        break
                    pos += end + 1  # 联合 A、B: the list goes on
        return sorted(set(out), key=lambda t: t[1])

    def _org_end(self, window: str) -> int | None:
        """Where an organisation name at the start of ``window`` ends: the first organisation suffix
        followed by a boundary word; None when there is none (or the name is too short)."""
        best = None
        ends_before = self._name_ends_before
        for suffix in self.dom["orgs"]["suffixes"]:
            for sm in re.finditer(re.escape(suffix), window):
                end = sm.end()
                if window.startswith(ends_before, end) and (best is None or end < best):
                    best = end
        return best if best and best >= 3 and re.fullmatch(r"[\u4e00-\u9fff（）()]+", window[:best]) else None

    def _is_project_context(self, text: str, m: re.Match) -> bool:
        after = text[m.end() : m.end() + 8]
        return bool(re.match(r"\s*(支出|压减|追加|执行|项目|经费|资金)", after))

    # -- figures ---------------------------------------------------------------------------------
    def _fig_iri(self, f: Figure, base: int) -> URIRef:
        s, e = self.orig(base + f.start, base + f.end)
        return iris.figure(self.report, s, e)

    def _emit(self, f: Figure, base: int, method: str = "quantity", **kw) -> URIRef | None:
        s, e = self.orig(base + f.start, base + f.end)
        if (s, e) in self.emitted or (s, e) in self.deferred:
            return None
        self.emitted.add((s, e))
        common = dict(
            value=f.value,
            multiplier=f.multiplier,
            unit=self._unit(f.unit),
            stated_unit=f.stated_unit or None,
            qualifier=f.qualifier,
            comparator=f.comparator,
            counts=f.counts,
            value_max=f.value_max,
        )
        if method != "rate":
            common["kind"] = f.kind if f.kind in ("amount", "count", "percent", "area", "score") else "other"
        common.update(kw)
        if not common.get("counts"):  # name what a budget figure or rate counts when the text leaves it implicit
            common["counts"] = self._implicit_counts(method, common)
        return getattr(self.b, method)(s, e, **common)

    def _implicit_counts(self, method: str, kw: dict) -> str | None:
        if method == "rate":
            return RATE_LABELS.get(kw.get("kind", ""))
        line = kw.get("line")
        if method == "budget_figure" and line is not None:
            label = self.b.t.value(line, RDFS_LABEL) or self.b.t.value(line, JX.name)
            if label is not None:
                return ("上年" if kw.get("reference_year") else "") + str(label)
        if method == "change":
            return "比上年增减"
        return None

    @staticmethod
    @cache  # (a key the vocabulary lacks costs an exception in the namespace each time)
    def _unit(key: str | None) -> str | None:
        if key is None:
            return None
        return key if hasattr(JXV, f"unit_{key}") else "other"

    def _generic(self, f: Figure, base: int, about: URIRef, ctx: Ctx) -> None:
        self._emit(f, base, about=about, section=ctx.section)

    def _special_figures(self, ss: int, se: int, figs: list[Figure], base: int, ctx: Ctx) -> None:
        """Scores and grades, declared indicator counts."""
        text = self.ntext(ss, se)
        econf = self.dom["evaluation"]
        for f in figs:
            lead = self.norm.text[max(ss, base + f.start - 12) : base + f.start]
            if f.unit == "point" and any(w in lead for w in econf["score_words"]):
                self_eval = (
                    any(w in lead or w in text for w in econf["self_words"]) and "prior_rectification" not in ctx.roles
                )
                if self_eval:
                    self._evaluation("self", JX.SelfEvaluation, ss, se, f, base, text, ctx, self.dept, self.year)
            if f.unit in ("item", None) or f.stated_unit in ("个", "项"):
                word = last_word(
                    self.norm.text[max(ss, base + f.start - 12) : base + f.start], self.dom["declared_counts"]["words"]
                )
                dconf = self.dom["declared_counts"]
                if word and ctx.roles & set(dconf["roles"]) and not ctx.roles & set(dconf["not_roles"]):
                    key = category_key(word[0])
                    if key:
                        n = self._emit(f, base, cls=JX.DeclaredCount, about=ctx.section, section=ctx.section)
                        if n is not None:
                            self.b.add(n, JX.countedCategory, getattr(JXV, key))
                            self.b.add(n, JX.counts, literal(word[0]))

    def _evaluation(
        self,
        key: str,
        cls: URIRef,
        ss: int,
        se: int,
        score: Figure | None,
        base: int,
        text: str,
        ctx: Ctx,
        evaluated: URIRef,
        year: int,
        evaluator: URIRef | None = None,
    ) -> URIRef:
        b = self.b
        node = iris.evaluation(self.report, key)
        s, e = self._trim(*self.orig(ss, se))
        if (node, RDF_TYPE, cls) not in b.t:
            b.resource(node, cls, s, e, section=ctx.section)
            b.add(node, RDF_TYPE, JX.Evaluation)
            b.add(self.report, JX.evaluation, node)
            b.add(node, JX.evaluated, evaluated)
            b.add(node, JX.evaluatedYear, gyear(year))
            b.add(node, JX.evaluator, evaluator or self.dept)
        if score is not None:
            q = self._emit(score, base, about=node, section=ctx.section)
            if q is not None:
                b.add(node, JX.score, q)
        grade = self._grade(text)
        if grade:
            b.add(node, JX.grade, getattr(JXV, f"grade_{grade}"))
        return node

    def _grade(self, text: str) -> str | None:
        conf = self.dom["evaluation"]
        for w in conf["grade_words"]:
            i = text.find(w)
            if i < 0:
                continue
            tail = re.sub(r"^[为是：:\s“”\"']+", "", text[i + len(w) : i + len(w) + 8])
            for word, key in conf["grades"]:
                if tail.startswith(word):
                    return key
        return None

    def _prior_evaluation(self, block: Block, ctx: Ctx, figs: list[Figure]) -> None:
        text = block.text
        conf = self.dom["evaluation"]
        score = next((f for f in figs if f.unit == "point"), None)
        if score is None and not any(w in text for w in conf["third_party_words"]):
            return
        suffixes = "|".join(sorted(map(re.escape, self.dom["orgs"]["suffixes"]), key=len, reverse=True))
        evaluator = None
        m = re.search(rf"([\u4e00-\u9fff（）()]{{2,30}}?(?:有限公司|事务所|{suffixes}))(?:对|于)", text)
        if m:
            start, raw = m.start(1), m.group(1)
            commissioned = re.search(r"(委托|聘请|邀请)", raw)  # 某局委托某公司: the evaluator is the firm
            if commissioned:
                start, raw = start + commissioned.end(), raw[commissioned.end() :]
            name = meta.canonical_org(raw, self.region)
            evaluator = self.b.organisation(name, alias=raw, region=meta.region_of(name) or self.region)
            self.b.sourced(evaluator, *self.orig(block.start + start, block.start + start + len(raw)))
        ym = meta.YEAR_RE.search(text)
        year = int(ym.group(1)) if ym else self.year - 1
        self._evaluation(
            "prior",
            JX.ThirdPartyEvaluation,
            block.start,
            block.end,
            score,
            block.start,
            text,
            ctx,
            self.dept,
            year,
            evaluator,
        )

    # -- money -----------------------------------------------------------------------------------
    def _line(self, holder: Holder, kind: str) -> URIRef:
        if kind not in holder.lines:
            node = iris.spending_line(self.report, kind, None if holder.node == self.dept else holder.name)
            b = self.b
            b.t.add((node, RDF_TYPE, JX.SpendingAggregate))
            b.t.add((node, JX.spendingKind, getattr(JXV, f"spend_{kind}")))
            b.t.add((node, JX.budgetHolder, holder.node))
            label = {
                "total": "整体支出",
                "basic": "基本支出",
                "project": "项目支出",
                "personnel": "人员经费",
                "public": "公用经费",
            }[kind]
            b.t.add((node, RDFS_LABEL, zh(f"{holder.name}{label}")))
            holder.lines[kind] = node
        return holder.lines[kind]

    def _budget_units(self, text: str, base: int) -> None:
        conf = self.dom["units"]
        if self.units or not any(w in text for w in conf["sentence_markers"]):
            return
        cue = first_word(text, conf["cues"])
        if not cue:
            return
        rest = text[text.find(cue) + len(cue) :]
        offset = base + text.find(cue) + len(cue)
        # a unit is named like an organisation (…局, …中心): "走访慰问预算单位 300 人次" lists none
        suffixes = (*self.dom["orgs"]["suffixes"], *conf["name_suffixes"])
        names = [(m, m.group(0).strip()) for m in re.finditer(r"[^和、，,及。；]+", rest)]
        names = [
            (m, raw, name)
            for m, raw in names
            if len(name := re.sub(r"[（(][^）)]*[）)]$", "", raw).strip()) >= 3
            and name.endswith(suffixes)
            and not re.search(r"[\d“”\"]", name)
        ]
        for m, raw, name in names:
            kindtext = raw[len(name) :]
            hq = any(w in kindtext for w in conf["headquarters_marks"])
            canonical = meta.canonical_org(name, self.region) + ("（本级）" if hq else "")
            node = self.b.organisation(canonical, JX.BudgetUnit, alias=raw, region=self.region)
            self.b.add(
                node,
                JX.unitKind,
                JXV.unitkind_headquarters
                if hq
                else (JXV.unitkind_public_institution if "事业" in kindtext else JXV.unitkind_other),
            )
            self.b.add(self.dept, JX.hasBudgetUnit, node)
            s, e = self.orig(offset + m.start(), offset + m.start() + len(raw))
            self.b.sourced(node, *self._trim(s, e))
            self.units.append(Holder(node, canonical))

    def _holder_in(self, text: str) -> Holder | None:
        for h in self.units:
            plain = h.name.replace("（本级）", "")
            if plain in text and (("本级" in text) == ("本级" in h.name) or plain != self.dept_name):
                return h
        return None

    def _budget_sentence(self, ss: int, se: int, figs: list[Figure], base: int, ctx: Ctx) -> None:
        text = self.ntext(ss, se)
        bconf = self.dom["budget"]
        chg = bconf["change"]
        holder = self._holder_in(text) or self.holder
        current: URIRef | None = None
        current_line: URIRef | None = None
        prior: URIRef | None = None
        totals = self.totals
        current_phase = "executed"
        budget_of_current: URIRef | None = None
        last_project: str | None = None
        clause_start = ss
        prev_end = ss
        for f in figs:
            fs, fe = base + f.start, base + f.end
            boundary = max(self.norm.text.rfind(c, prev_end, fs) for c in "；;")
            if boundary >= prev_end:  # a new clause: holder and comparison state restart
                clause_start = boundary + 1
                h = self._holder_in(self.norm.text[clause_start:fs])
                holder = h or holder
                prior = current = current_line = None
                last_project = None
            before = self.norm.text[ss:fs]
            in_brackets = (before.count("（") + before.count("(")) > (before.count("）") + before.count(")"))
            lead = self.norm.text[max(prev_end, clause_start) : fs]
            project = self._project_name(self.ntext(clause_start, fs), self.norm.text[fe : fe + 20])
            if f.unit == "yuan" and f.kind == "amount":
                if (
                    project
                    and ctx.roles & BUDGET_ROLES
                    and not any(w in lead for w in chg["prior"])
                    and (phase := self._mention_phase(lead, project))
                ):
                    if "goals" in ctx.roles and phase not in ("cut", "addition"):
                        phase = "approved"
                    last_project = project
                    cs, ce = self._trim(*self.orig(clause_start, min(se, fe)))
                    os_, oe = self.orig(fs, fe)
                    self.mentions.append(Mention(project, f, os_, oe, phase, (cs, ce), ctx.section))
                    self.deferred.add((os_, oe))
                    prev_end = fe
                    continue
                named_year = PRIOR_YEAR_RE.search(lead)
                if named_year and int(named_year.group(1)) == self.year - 1:
                    lead = lead[: named_year.start()] + "上年" + lead[named_year.end() :]
                direction = self._direction(lead)  # 比上年减少 X: X is the change, not last year's amount
                if any(w in lead for w in chg["prior"]) and current_line is not None and not direction:
                    prior = self._emit(
                        f,
                        base,
                        "budget_figure",
                        line=current_line,
                        phase=current_phase,
                        reference_year=self.year - 1,
                        section=ctx.section,
                    )
                elif direction and (prior or current or any(w in lead for w in chg["prior"])):
                    # 比上年减少 X / 项目预算比上年压减 X: the change, even when neither year's amount is stated
                    self._emit(
                        f,
                        base,
                        "change",
                        direction=direction,
                        change_from=prior,
                        change_to=current,
                        section=ctx.section,
                    )
                elif any(w in lead for w in chg["prior"]):
                    # a prior-year figure with no current one in its clause: the holder is only implicit
                    other = [h for h in self.units if h is not holder and not h.lines]
                    h = other[0] if len(other) == 1 else None
                    holder = h or holder  # what follows in the clause is that unit's too
                    line = self._line(h or Holder(self.dept, self.dept_name), "total")
                    prior = self._emit(
                        f,
                        base,
                        "budget_figure",
                        line=line,
                        phase="executed",
                        reference_year=self.year - 1,
                        section=ctx.section,
                    )
                    current, current_line = None, line
                    if prior is not None:
                        self.b.flag(prior, "implicit_holder")
                        note = f"{self.year} 年数值未写明 / current-year value not stated"
                        self.b.add(line, JX.missing, literal(note))
                elif f.qualifier in ("at_least", "at_most"):
                    pass  # a threshold ("5 万元以上"), not a budget amount
                else:
                    lead = re.split(r"[，,：:]", lead)[-1]
                    lead = lead.split("占")[-1]  # 压减金额占年初预算 X: X is the whole, named after 占
                    kind = last_word(lead, sorted([w for k, ws in bconf["lines"].items() for w in ws], key=len))
                    line_kind = next((k for k, ws in bconf["lines"].items() if kind and kind[0] in ws), None)
                    if line_kind is None:
                        phase = self._phase(lead)
                        if phase in ("approved", "revised") and current_line is not None and not in_brackets:
                            # 完成全年预算数 4933.10 万元: the budget of the line just stated
                            budget_of_current = self._emit(
                                f, base, "budget_figure", line=current_line, phase=phase, section=ctx.section
                            )
                        prior = None  # an unrelated amount breaks a year-over-year comparison
                        prev_end = fe
                        continue
                    h = self._holder_in(lead) or holder
                    line = self._line(h, line_kind)
                    # the phase from the words around the line's name, else from the name itself (项目预算)
                    phase = self._phase(lead.replace(kind[0], "")) or self._phase(kind[0]) or "executed"
                    node = self._emit(f, base, "budget_figure", line=line, phase=phase, section=ctx.section)
                    if not in_brackets:  # a bracketed aside does not become the clause's subject
                        current, current_line, current_phase, prior = node, line, phase, None
                        budget_of_current = None
                        if line_kind == "total" and phase == "executed":
                            totals[h.name] = current
            elif f.unit == "percent":
                project = project or last_project
                if project:
                    cs, ce = self._trim(*self.orig(clause_start, min(se, fe)))
                    os_, oe = self.orig(fs, fe)
                    if any(w in lead for w in chg["execution_rate"]):
                        self.mentions.append(Mention(project, f, os_, oe, "rate", (cs, ce), ctx.section, rate=True))
                        self.deferred.add((os_, oe))
                        prev_end = fe
                        continue
                if any(w in lead for w in chg["share"]) and current is not None:
                    whole = totals.get(holder.name)  # never another holder's total
                    self._emit(f, base, "rate", kind="share", numerator=current, denominator=whole, section=ctx.section)
                elif (direction := self._direction(lead)) and prior is not None:
                    r = self._emit(f, base, "rate", kind="change", section=ctx.section)
                    if r is not None:
                        self.b.add(r, JX.direction, getattr(JXV, f"dir_{direction}"))
                        self.b.add(r, JX.changeFrom, prior)
                        self.b.add(r, JX.changeTo, current)
                elif any(w in lead for w in chg["cut_rate"]):
                    self._emit(f, base, "rate", kind="cut", section=ctx.section)
                elif any(w in lead for w in chg["execution_rate"]) and current_line is not None:
                    self._emit(
                        f, base, "rate", kind="execution", line=current_line, numerator=current, section=ctx.section
                    )
                elif current is not None and "完成" in (clause := re.split(r"[，,]", self.norm.text[ss:fs])[-1]):
                    # 完成全年预算数（…）的 98.57%: executed over the year's budget of the same line
                    kind = "execution" if "预算" in clause else "completion"
                    self._emit(
                        f,
                        base,
                        "rate",
                        kind=kind,
                        line=current_line,
                        numerator=current,
                        denominator=budget_of_current,
                        section=ctx.section,
                    )
            prev_end = fe

    def _direction(self, lead: str) -> str | None:
        """'increase' / 'decrease' when the words right before the figure say so (减少 12.30 万元)."""
        chg = self.dom["budget"]["change"]
        tail = re.sub(r"[了额为达\s]+$", "", lead)[-4:]
        for direction, words in (("increase", chg["increase"]), ("decrease", chg["decrease"])):
            if any(tail.endswith(w) for w in words):
                return direction
        return None

    def _phase(self, lead: str) -> str | None:
        phases = self.dom["budget"]["phases"]
        for phase in ("cut", "addition", "revised"):  # these win wherever they are said
            if any(w in lead for w in phases[phase]):
                return phase
        best = last_word(lead, [w for k in ("approved", "executed") for w in phases[k]])
        return next(k for k in ("approved", "executed") if best[0] in phases[k]) if best else None

    def _mention_phase(self, lead: str, project: str) -> str | None:
        """The budget phase of a project's amount: from the words between the name and the amount
        (“X”压减 20 万元, “X”支出 …); an amount right after the name (“X”26.40 万元) is the clause's
        spending. Other words and no phase (“X”方面，投入资金 …) say the amount is not the project's
        budget."""
        i = lead.rfind(project)
        between = lead[i + len(project) :] if i >= 0 else lead
        if not re.sub(r"[”\"'：:\s]", "", between):
            return self._phase(lead) or "executed"
        return self._phase(between)

    def _project_name(self, before: str, after: str) -> str | None:
        """A project named in the clause: a table project's name, else the last quoted name."""
        for name in self.table_names:
            if name in before[-len(name) - 12 :] or after.lstrip("，, ").startswith(("列" + name, name)):
                return name
        m = PROJECT_QUOTE_RE.search(before)
        return m.group(1).strip() if m else None

    # -- tables ----------------------------------------------------------------------------------
    def _table(self, block: Block, ctx: Ctx) -> None:
        table: Table | None = getattr(block, "table", None)
        if table is None:
            return
        if table.kind == "project_budget":
            self._project_table(table, ctx)
        elif table.kind == "indicators":
            self._indicator_table(table, ctx)
        elif table.kind == "funding_summary":
            self._funding_table(table, ctx)
        else:
            for row in table.rows:
                for cell in row.cells:
                    for f in extract_figures(cell.text, self.seg):
                        self._emit(f, cell.start, about=ctx.section, section=ctx.section)

    def _cell_amount(self, table: Table, row: Row, role: str) -> tuple[Decimal, int, int] | None:
        col = table.col(role)
        if col is None or col >= len(row.cells):
            return None
        cell = row.cells[col]
        text = cell.text.replace(",", "").strip()
        if role == "rate":  # "97.86%" as well as "97.86"
            text = text.removesuffix("%").strip()
        if not NUMBER_RE.match(text):
            return None
        try:
            return Decimal(text), cell.start, cell.end
        except InvalidOperation:
            return None

    @staticmethod
    def _cell_counts(row_name: str, header: str) -> str:
        column = re.sub(r"[（(][^）)]*[）)]", "", header).strip()
        return f"{row_name}{column}" if row_name else column

    def _unit_hint(self, hint: str | None) -> tuple[str, int]:
        if hint and "亿" in hint:
            return "亿元", 100000000
        if hint and "万" in hint:
            return "万元", 10000
        return "元", 1

    def _project_table(self, table: Table, ctx: Ctx) -> None:
        b = self.b
        stated, mult = self._unit_hint(table.unit_hint)
        total_line = self._line(self.holder, "project")
        phases = {"approved": "approved", "adjusted": "revised", "executed": "executed"}
        base = len(self.projects)  # rows of an earlier project table come first
        for i, row in enumerate(table.rows, 1):
            name = table.get(row, "name").strip()
            node = iris.project(self.report, base + i)
            s, e = self._trim(*self.orig(row.start, row.end))
            b.resource(node, JX.Project, s, e, label=name or None, section=ctx.section)
            b.add(node, JX.tableRow, integer(i))
            b.add(node, JX.budgetHolder, self.dept)
            if name:
                b.add(node, JX.name, literal(name))
                b.add(node, JX.nameStatus, JXV.name_stated)
            else:
                b.flag(node, "no_name")
                b.add(node, JX.nameStatus, JXV.name_missing)
            if any(fl.startswith("shifted") for fl in row.flags):
                b.flag(node, "shifted")
            values: dict[str, Decimal] = {}
            for role, phase in phases.items():
                cell = self._cell_amount(table, row, role)
                if cell:
                    value, cs, ce = cell
                    values[phase] = value * mult
                    os_, oe = self.orig(cs, ce)
                    self.emitted.add((os_, oe))
                    b.budget_figure(
                        os_,
                        oe,
                        line=node,
                        phase=phase,
                        value=value,
                        multiplier=mult,
                        unit="yuan",
                        stated_unit=stated,
                        kind="amount",
                        section=ctx.section,
                        counts=self._cell_counts(name, table.header[table.col(role)].text),
                    )
            rate = self._cell_amount(table, row, "rate")
            if rate:
                os_, oe = self.orig(rate[1], rate[2])
                self.emitted.add((os_, oe))
                b.rate(
                    os_,
                    oe,
                    kind="execution",
                    line=node,
                    value=rate[0],
                    stated_unit="%",
                    counts="执行率",
                    section=ctx.section,
                )
            self.projects[base + i] = (node, name, values)
        if table.total_row is not None:
            for role, phase in phases.items():
                cell = self._cell_amount(table, table.total_row, role)
                if cell:
                    os_, oe = self.orig(cell[1], cell[2])
                    self.emitted.add((os_, oe))
                    b.budget_figure(
                        os_,
                        oe,
                        line=total_line,
                        phase=phase,
                        value=cell[0],
                        multiplier=mult,
                        unit="yuan",
                        stated_unit=stated,
                        counts="合计",
                        kind="amount",
                        section=ctx.section,
                    )

    def _funding_table(self, table: Table, ctx: Ctx) -> None:
        """The department's spending lines in a table (Hunan 自评表: 年度资金总额 / 其中：基本支出 / 项目支出):
        each amount a BudgetFigure on the line its row label names (the total row: the total line), the
        执行率 an execution rate of that line. Placeholder cells ("—") are not figures."""
        b, lines = self.b, self.dom["budget"]["lines"]
        stated, mult = self._unit_hint(table.unit_hint)
        words = sorted((w for ws in lines.values() for w in ws), key=len)
        phases = {"approved": "approved", "adjusted": "revised", "executed": "executed"}
        for row in ([table.total_row] if table.total_row is not None else []) + table.rows:
            label = table.get(row, "line").strip()
            word = last_word(label, words)
            kind = next((k for k, ws in lines.items() if word and word[0] in ws), None)
            kind = kind or ("total" if row is table.total_row else None)
            if kind is None:
                continue
            line = self._line(self.holder, kind)
            executed = None
            for role, phase in phases.items():
                if cell := self._cell_amount(table, row, role):
                    os_, oe = self.orig(cell[1], cell[2])
                    self.emitted.add((os_, oe))
                    node = b.budget_figure(
                        os_,
                        oe,
                        line=line,
                        phase=phase,
                        value=cell[0],
                        multiplier=mult,
                        unit="yuan",
                        stated_unit=stated,
                        kind="amount",
                        section=ctx.section,
                        counts=self._cell_counts(label, table.header[table.col(role)].text),
                    )
                    executed = node if phase == "executed" else executed
            if rate := self._cell_amount(table, row, "rate"):
                os_, oe = self.orig(rate[1], rate[2])
                self.emitted.add((os_, oe))
                b.rate(
                    os_,
                    oe,
                    kind="execution",
                    line=line,
                    numerator=executed,
                    value=rate[0],
                    stated_unit="%",
                    counts=f"{label}执行率",
                    section=ctx.section,
                )

    def _indicator_table(self, table: Table, ctx: Ctx) -> None:
        b = self.b
        base = sum(1 for _ in b.t.objects(self.report, JX.hasIndicator))  # rows of an earlier indicator table
        for i, row in enumerate(table.rows, 1):
            name = table.get(row, "level3").strip()
            node = iris.indicator(self.report, base + i)
            s, e = self._trim(*self.orig(row.start, row.end))
            b.resource(node, JX.Indicator, s, e, label=name or None, section=ctx.section)
            b.add(self.report, JX.hasIndicator, node)
            b.add(node, JX.tableRow, integer(i))
            if name:
                b.add(node, JX.name, literal(name))
            cat = category_key(table.get(row, "level2")) or category_key(table.get(row, "level1"))
            if cat and cat.startswith("ind_"):
                b.add(node, JX.category, getattr(JXV, cat))
            if row.inherited:
                b.flag(node, "inherited")
            if any(fl.startswith("shifted") for fl in row.flags):
                b.flag(node, "shifted")
            unit_col = table.get(row, "unit").strip()
            cmp_col = table.get(row, "comparator").strip()
            target = self._indicator_value(table, row, "target", node, name, ctx, unit_col, cmp_col)
            actual = self._indicator_value(table, row, "actual", node, name, ctx, unit_col, None)
            if target is not None:
                b.add(node, JX.target, target[0])
                if target[1]:
                    b.add(node, JX.comparator, getattr(JXV, f"cmp_{target[1]}"))
            b.add(node, JX.quantitative, boolean(target is not None))
            if target is None and table.get(row, "target").strip():
                b.add(node, JX.comparator, JXV.cmp_text)
            if actual is not None:
                b.add(node, JX.actual, actual[0])
            if not table.get(row, "actual").strip():
                b.flag(node, "missing_actual")

    def _indicator_value(
        self, table: Table, row: Row, role: str, node: URIRef, name: str, ctx: Ctx, unit_col: str, cmp_col: str | None
    ) -> tuple[URIRef, str | None] | None:
        col = table.col(role)
        if col is None or col >= len(row.cells):
            return None
        cell = row.cells[col]
        text = cell.text.strip()
        if not text:
            return None
        self.b.add(node, JX.targetText if role == "target" else JX.actualText, literal(text))
        figs = extract_figures(text + (unit_col if NUMBER_RE.match(text) and unit_col else ""), self.seg)
        figs = [f for f in figs if f.start < len(text)]
        if not figs:
            return None
        f = figs[0]
        if f.end > len(text):  # the unit came from the unit column: the span is the number only
            f = Figure(**{**f.__dict__, "end": len(text), "text": text[f.start :]})
        comparator = (
            f.comparator
            or CMP_SIGNS.get(cmp_col or "")
            or (next((v for k, v in CMP_SIGNS.items() if text.startswith(k)), None))
        )
        if comparator is None and role == "target" and f.qualifier is None:
            comparator = "eq"  # a bare quantitative target (100%, 0) states the value to reach exactly
        q = self._emit(
            f,
            cell.start,
            about=node,
            section=ctx.section,
            counts=name or f.counts,
            comparator=comparator if role == "target" else None,
        )
        if q is None:
            return None
        return q, comparator

    # -- narrative project mentions --------------------------------------------------------------
    def _resolve_mentions(self) -> None:
        """Attach each narrative project statement to a table row (by name, else by a unique equal
        amount, recording an inferred name with its evidence), or to a narrative-only project."""
        b = self.b
        by_name: dict[str, URIRef] = {name: node for node, name, _v in self.projects.values() if name}
        resolved: dict[str, URIRef] = {}
        for name in sorted(
            {m.name for m in self.mentions}, key=lambda n: min(m.start for m in self.mentions if m.name == n)
        ):
            ms = [m for m in self.mentions if m.name == name]
            node = by_name.get(name) or next((n for k, n in by_name.items() if name in k or k in name), None)
            if node is None:
                node = self._match_by_amount(ms)
                if node is not None:
                    row_name = next(nm for n, nm, _v in self.projects.values() if n == node)
                    if not row_name and (node, JX.inferredName, None) not in b.t:
                        b.t.remove((node, JX.nameStatus, JXV.name_missing))
                        b.add(node, JX.nameStatus, JXV.name_inferred)
                        b.add(node, JX.inferredName, literal(name))
                        ev = next(m for m in ms if not m.rate)
                        b.add(node, JX.inferenceEvidence, b.span(*ev.clause))
                    elif row_name:
                        b.add(node, JX.alias, literal(name))
            if node is None:
                node = iris.narrative_project(self.report, name)
                first = ms[0]
                b.resource(node, JX.Project, *first.clause, label=name, section=first.section)
                b.add(node, JX.name, literal(name))
                b.add(node, JX.nameStatus, JXV.name_stated)
                b.add(node, JX.budgetHolder, self.dept)
            resolved[name] = node
        for m in self.mentions:
            line = resolved[m.name]
            if (m.start, m.end) in self.emitted:
                continue
            self.emitted.add((m.start, m.end))
            f = m.figure
            if m.rate:
                b.rate(
                    m.start,
                    m.end,
                    kind="execution",
                    line=line,
                    value=f.value,
                    stated_unit=f.stated_unit,
                    counts=f"{m.name}执行率",
                    section=m.section,
                )
            else:
                b.budget_figure(
                    m.start,
                    m.end,
                    line=line,
                    phase=m.phase,
                    value=f.value,
                    multiplier=f.multiplier,
                    unit="yuan",
                    stated_unit=f.stated_unit,
                    qualifier=f.qualifier,
                    counts=m.name,
                    kind="amount",
                    section=m.section,
                )

    def _match_by_amount(self, ms: list[Mention]) -> URIRef | None:
        amounts = {m.figure.value * m.figure.multiplier for m in ms if not m.rate}
        hits = set()
        for node, _name, values in self.projects.values():
            if any(values.get(phase) in amounts for phase in ("executed", "approved")):
                hits.add(node)
        return next(iter(hits)) if len(hits) == 1 else None
