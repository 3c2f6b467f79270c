"""Money in the narrative: the department's budget units, its spending lines and those of its units,
and what budget sentences state: amounts of a line in a phase, last year's amounts, changes against
last year, shares, execution and completion rates, and amounts of named projects (held as
`Mention`s, resolved by `jixiao.ingest.projects` once the whole report is read). Line, phase,
change and unit words come from ingest/data/domain.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.ingest import meta
from jixiao.ingest import records as r
from jixiao.ingest.datafiles import code_lists
from jixiao.ingest.figures import Figure
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.words import first_word, last_word


@dataclass
class Holder:
    """Whose money a line is: the department or one of its budget units, with its lines so far."""

    org: r.OrgName
    department: bool
    lines: dict[str, r.SpendingLine] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.org.canonical


@dataclass
class Mention:
    """A narrative statement of a budget amount for a named project, resolved after all are read."""

    name: str
    figure: Figure
    start: int  # original offsets of the figure
    end: int
    phase: str
    clause: tuple[int, int]  # original offsets of the clause (evidence)
    section: r.Section
    rate: bool = False


class MoneyReader:
    """Reads budget units and budget sentences; holds the spending lines and narrative project mentions."""

    def __init__(self, reading: Reading, table_names: list[str]):
        self.rd = reading
        self.dom = reading.dom
        self.table_names = table_names  # project names of the tables, longest first
        self.holder = self.department()
        self.units: list[Holder] = []
        self.totals: dict[str, r.Quantity | None] = {}  # holder name → its total executed amount
        self.mentions: list[Mention] = []
        self.budget_roles = set(self.dom["roles"]["budget"])
        chg = self.dom["budget"]["change"]
        # "比 2023 年 X 万元" / "较 2023 年": a comparison with a named year (the prior year when it is fiscal - 1)
        self._named_year = re.compile(chg["named_year"])
        self._direction_fillers = re.compile(rf"[{re.escape(''.join(chg['direction_fillers']))}\s]+$")
        # a quoted project name right before its amount: “X”压减 / “X”支出 (closing quote sometimes missing)
        self._quoted_project = re.compile(self.dom["projects"]["quoted_name"])
        units = self.dom["units"]
        self._unit_name = re.compile(f"[^{re.escape(''.join(units['separators']))}]+")

    def department(self) -> Holder:
        return Holder(self.rd.dept, True)

    # -- lines ------------------------------------------------------------------------------------
    def line(self, holder: Holder, kind: str) -> r.SpendingLine:
        if kind not in holder.lines:
            line = r.SpendingLine(
                kind=kind,
                holder=None if holder.department else holder.org,
                label=holder.name + code_lists()[f"spend_{kind}"].label,  # 某某局整体支出
            )
            self.rd.out.spending_lines.append(line)
            holder.lines[kind] = line
        return holder.lines[kind]

    def budget_units(self, text: str, base: int) -> None:
        """The list of the department's budget units, read once (it may stand in any section)."""
        rd = self.rd
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
        names = [(m, m.group(0).strip()) for m in self._unit_name.finditer(rest)]
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
            canonical = meta.canonical_org(name, rd.region) + (conf["headquarters_suffix"] if hq else "")
            s, e = rd.orig(offset + m.start(), offset + m.start() + len(raw))
            org = rd.organisation(
                r.OrgName(canonical=canonical, alias=raw, region=rd.region), "budget_unit", rd.trim(s, e)
            )
            public = any(w in kindtext for w in conf["public_institution_marks"])
            kind = "headquarters" if hq else ("public_institution" if public else "other")
            rd.out.budget_units.append(r.BudgetUnit(org=org, kind=kind))
            self.units.append(Holder(org, meta.same_name(canonical, rd.dept.canonical)))

    def _holder_in(self, text: str) -> Holder | None:
        conf = self.dom["units"]
        hq = conf["headquarters_word"]
        for h in self.units:
            plain = h.name.replace(conf["headquarters_suffix"], "")
            if plain in text and ((hq in text) == (hq in h.name) or plain != self.rd.dept.canonical):
                return h
        return None

    # -- budget sentences -------------------------------------------------------------------------
    def sentence(self, ss: int, se: int, figs: list[Figure], base: int, ctx: Ctx) -> None:
        rd = self.rd
        norm = rd.norm.text
        text = rd.ntext(ss, se)
        bconf = self.dom["budget"]
        chg = bconf["change"]
        holder = self._holder_in(text) or self.holder
        current: r.Quantity | None = None
        current_line: r.SpendingLine | None = None
        prior: r.Quantity | None = None
        totals = self.totals
        current_phase = "executed"
        budget_of_current: r.Quantity | None = None
        last_project: str | None = None
        clause_start = ss
        prev_end = ss
        for f in figs:
            fs, fe = base + f.start, base + f.end
            boundary = max(norm.rfind(c, prev_end, fs) for c in "；;")
            if boundary >= prev_end:  # a new clause: holder and comparison state restart
                clause_start = boundary + 1
                h = self._holder_in(norm[clause_start:fs])
                holder = h or holder
                prior = current = current_line = None
                last_project = None
            before = norm[ss:fs]
            in_brackets = (before.count("（") + before.count("(")) > (before.count("）") + before.count(")"))
            lead = norm[max(prev_end, clause_start) : fs]
            project = self._project_name(rd.ntext(clause_start, fs), norm[fe : fe + 20])
            if f.unit == "yuan" and f.kind == "amount":
                if (
                    project
                    and ctx.roles & self.budget_roles
                    and not any(w in lead for w in chg["prior"])
                    and (phase := self._mention_phase(lead, project))
                ):
                    if "goals" in ctx.roles and phase not in ("cut", "addition"):
                        phase = "approved"
                    last_project = project
                    cs, ce = rd.trim(*rd.orig(clause_start, min(se, fe)))
                    os_, oe = rd.orig(fs, fe)
                    self.mentions.append(Mention(project, f, os_, oe, phase, (cs, ce), ctx.section))
                    rd.deferred.add((os_, oe))
                    prev_end = fe
                    continue
                named_year = self._named_year.search(lead)
                if named_year and int(named_year.group(1)) == rd.year - 1:
                    lead = lead[: named_year.start()] + chg["prior_year_word"] + lead[named_year.end() :]
                direction = self._direction(lead)  # 比上年减少 X: X is the change, not last year's amount
                if any(w in lead for w in chg["prior"]) and current_line is not None and not direction:
                    prior = rd.figure(
                        f,
                        base,
                        r.BudgetFigure,
                        line=current_line,
                        phase=current_phase,
                        reference_year=rd.year - 1,
                        section=ctx.section,
                    )
                elif direction and (prior or current or any(w in lead for w in chg["prior"])):
                    # 比上年减少 X / 项目预算比上年压减 X: the change, even when neither year's amount is stated
                    rd.figure(
                        f,
                        base,
                        r.Change,
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
                    line = self.line(h or self.department(), "total")
                    prior = rd.figure(
                        f,
                        base,
                        r.BudgetFigure,
                        line=line,
                        phase="executed",
                        reference_year=rd.year - 1,
                        section=ctx.section,
                    )
                    current, current_line = None, line
                    if prior is not None:
                        prior.flags.append("implicit_holder")
                        line.unstated_years.append(rd.year)
                elif f.qualifier in ("at_least", "at_most"):
                    pass  # a threshold ("5 万元以上"), not a budget amount
                else:
                    lead = re.split(r"[，,：:]", lead)[-1]
                    lead = lead.split(bconf["whole_after"])[-1]  # 压减金额占年初预算 X: X is the whole, named after 占
                    kind = last_word(lead, sorted([w for k, ws in bconf["lines"].items() for w in ws], key=len))
                    line_kind = next((k for k, ws in bconf["lines"].items() if kind and kind[0] in ws), None)
                    if line_kind is None:
                        phase = self._phase(lead)
                        if phase in ("approved", "revised") and current_line is not None and not in_brackets:
                            # 完成全年预算数 4933.10 万元: the budget of the line just stated
                            budget_of_current = rd.figure(
                                f, base, r.BudgetFigure, line=current_line, phase=phase, section=ctx.section
                            )
                        prior = None  # an unrelated amount breaks a year-over-year comparison
                        prev_end = fe
                        continue
                    h = self._holder_in(lead) or holder
                    line = self.line(h, line_kind)
                    # the phase from the words around the line's name, else from the name itself (项目预算)
                    phase = self._phase(lead.replace(kind[0], "")) or self._phase(kind[0]) or "executed"
                    node = rd.figure(f, base, r.BudgetFigure, line=line, phase=phase, section=ctx.section)
                    if not in_brackets:  # a bracketed aside does not become the clause's subject
                        current, current_line, current_phase, prior = node, line, phase, None
                        budget_of_current = None
                        if line_kind == "total" and phase == "executed":
                            totals[h.name] = current
            elif f.unit == "percent":
                project = project or last_project
                if project:
                    cs, ce = rd.trim(*rd.orig(clause_start, min(se, fe)))
                    os_, oe = rd.orig(fs, fe)
                    if any(w in lead for w in chg["execution_rate"]):
                        self.mentions.append(Mention(project, f, os_, oe, "rate", (cs, ce), ctx.section, rate=True))
                        rd.deferred.add((os_, oe))
                        prev_end = fe
                        continue
                if any(w in lead for w in chg["share"]) and current is not None:
                    whole = totals.get(holder.name)  # never another holder's total
                    rd.figure(
                        f, base, r.Rate, rate_kind="share", numerator=current, denominator=whole, section=ctx.section
                    )
                elif (direction := self._direction(lead)) and prior is not None:
                    rate = rd.figure(f, base, r.Rate, rate_kind="change", section=ctx.section)
                    if rate is not None:
                        rate.direction, rate.change_from, rate.change_to = direction, prior, current
                elif any(w in lead for w in chg["cut_rate"]):
                    rd.figure(f, base, r.Rate, rate_kind="cut", section=ctx.section)
                elif any(w in lead for w in chg["execution_rate"]) and current_line is not None:
                    rd.figure(
                        f,
                        base,
                        r.Rate,
                        rate_kind="execution",
                        line=current_line,
                        numerator=current,
                        section=ctx.section,
                    )
                elif current is not None and _says(
                    clause := re.split(r"[，,]", norm[ss:fs])[-1], bconf["completion_words"]
                ):
                    # 完成全年预算数（…）的 98.57%: executed over the year's budget of the same line
                    rd.figure(
                        f,
                        base,
                        r.Rate,
                        rate_kind="execution" if _says(clause, bconf["budget_words"]) else "completion",
                        line=current_line,
                        numerator=current,
                        denominator=budget_of_current,
                        section=ctx.section,
                    )
            prev_end = fe

    def _direction(self, lead: str) -> str | None:
        """'increase' / 'decrease' when the words right before the figure say so (减少 12.30 万元)."""
        chg = self.dom["budget"]["change"]
        tail = self._direction_fillers.sub("", lead)[-4:]
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
        listed_as = self.dom["projects"]["listed_as"]
        for name in self.table_names:
            if name in before[-len(name) - 12 :] or after.lstrip("，, ").startswith(
                (*(w + name for w in listed_as), name)
            ):
                return name
        m = self._quoted_project.search(before)
        return m.group(1).strip() if m else None


def _says(text: str, words: list[str]) -> bool:
    return any(w in text for w in words)
