"""What a section is in itself: a duty, a performance goal, an audit issue and its problem, measure
and effect, this year's problems and measures (one per 一是/二是 item), and the work items of the
narrative. Which section is which comes from its role (ingest/data/sections.toml); problem patterns
from ingest/data/problem_patterns.toml.
"""

from __future__ import annotations

from jixiao.ingest import records as r
from jixiao.ingest.datafiles import toml
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.sections import Section
from jixiao.ingest.sentences import split_enumeration


class StructureReader:
    """Reads what sections are in themselves (see the module docstring)."""

    def __init__(self, reading: Reading):
        self.rd = reading
        self._pattern_rules = toml("problem_patterns.toml")["patterns"]
        self._issue: r.AuditIssue | None = None  # the last audit issue read: its parts follow it

    def section(self, sec: Section, node: r.Section, ctx: Ctx, path: str, parent: Section) -> None:
        """Records a section is in itself; sets ``ctx.about`` to a goal, issue or issue part."""
        rd, role = self.rd, sec.role
        out = rd.out
        s, e = rd.trim(*rd.orig(sec.start, sec.end))
        body = rd.ntext(sec.heading_start, sec.end).strip()
        if parent.role == "duties" or role == "duty":
            key = path.rsplit("-", 1)[-1] if "-" in path else path
            text = _strip_number(body, sec.number)
            out.duties.append(r.Duty(key=key, ordinal=sec.ordinal or 0, text=text, span=(s, e), section=node))
        elif parent.role == "goals" and sec.level >= 3:
            goal = r.Goal(key=str(sec.ordinal or path), text=_strip_number(body, sec.number), span=(s, e), section=node)
            out.goals.append(goal)
            ctx.about = goal
        elif role == "rectification_issue":
            prior = next((ev for ev in out.evaluations if ev.key == "prior"), None)
            issue = r.AuditIssue(
                number=len(out.issues) + 1,
                title=sec.title.strip(),
                span=rd.orig(sec.heading_start, sec.heading_end),
                section=node,
                raised_by=prior,
            )
            out.issues.append(issue)
            self._issue = issue
            ctx.about = issue
        elif role in ("issue_problem", "issue_measure", "issue_effect") and self._issue is not None:
            kind = role.split("_", 1)[1]
            part = r.IssuePart(
                issue=self._issue,
                kind=kind,
                text=_strip_number(body, sec.number),
                span=(s, e),
                section=node,
                patterns=self._patterns(body) if kind == "problem" else [],
                addresses="problem" if kind == "measure" else None,
            )
            out.issue_parts.append(part)
            ctx.about = part
        elif role in ("problems", "measures"):
            self._enumerated(sec, node, "problem" if role == "problems" else "measure")

    def _enumerated(self, sec: Section, node: r.Section, kind: str) -> None:
        """This year's problems / improvement measures, one per 一是/二是 item (or the whole body)."""
        rd = self.rd
        for block in sec.blocks:
            if block.kind != "para":
                continue
            items = split_enumeration(block.text, block.start) or [(1, block.start, block.end)]
            for ordinal, s, e in items:
                os_, oe = rd.trim(*rd.orig(s, e))
                if oe <= os_:
                    continue
                text = rd.ntext(s, e)
                rd.out.statements.append(
                    r.Statement(
                        kind=kind,
                        ordinal=ordinal,
                        text=text.strip(),
                        span=(os_, oe),
                        section=node,
                        patterns=self._patterns(text) if kind == "problem" else [],
                    )
                )

    def _patterns(self, text: str) -> list[str]:
        return [key for key, words in sorted(self._pattern_rules.items()) if any(w in text for w in words)]

    def work_item(self, ss: int, se: int, ctx: Ctx) -> r.WorkItem:
        rd = self.rd
        item = r.WorkItem(text=rd.ntext(ss, se).strip(), span=rd.trim(*rd.orig(ss, se)), section=ctx.section)
        rd.out.work_items.append(item)
        return item


def _strip_number(text: str, number: str) -> str:
    return text[len(number) :].strip() if number and text.startswith(number) else text.strip()
