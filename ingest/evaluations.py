"""Evaluations and what they state: the self-evaluation score and grade, the prior third-party
evaluation (its evaluator, score and grade), and declared indicator counts ("数量指标 9 个"). Score,
grade, evaluator and count words come from ingest/data/domain.toml.
"""

from __future__ import annotations

import re

from jixiao.ingest import meta
from jixiao.ingest import records as r
from jixiao.ingest.figures import Figure
from jixiao.ingest.indicators import category_key
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.sections import Block
from jixiao.ingest.words import last_word


class EvaluationReader:
    """Reads evaluations: scores and grades of sentences, the prior evaluation of a paragraph."""

    def __init__(self, reading: Reading):
        self.rd = reading
        self.dom = reading.dom
        conf = self.dom["evaluation"]
        # the words and marks between a grade word and the grade: 评定为“优秀”
        self._grade_lead = re.compile(rf"^[{re.escape(''.join(conf['grade_fillers']))}：:\s“”\"']+")
        # the evaluator: a firm or organisation name right before 对/于 (某某会计师事务所对本单位 …)
        suffixes = sorted(map(re.escape, self.dom["orgs"]["suffixes"]), key=len, reverse=True)
        self._evaluator = re.compile(
            rf"([\u4e00-\u9fff（）()]{{2,30}}?(?:{'|'.join([*map(re.escape, conf['evaluator_suffixes']), *suffixes])}))"
            rf"(?:{'|'.join(map(re.escape, conf['evaluator_followed_by']))})"
        )
        self._commission = re.compile("(" + "|".join(map(re.escape, conf["commission_words"])) + ")")

    def sentence(self, ss: int, se: int, figs: list[Figure], base: int, ctx: Ctx) -> None:
        """Scores and grades, declared indicator counts."""
        rd = self.rd
        text = rd.ntext(ss, se)
        econf = self.dom["evaluation"]
        for f in figs:
            lead = rd.norm.text[max(ss, base + f.start - 12) : base + f.start]
            if f.unit == "point" and any(w in lead for w in econf["score_words"]):
                self_eval = (
                    any(w in lead or w in text for w in econf["self_words"]) and "prior_rectification" not in ctx.roles
                )
                if self_eval:
                    self._evaluation("self", ss, se, f, base, text, ctx, rd.year)
            if f.unit in ("item", None) or f.stated_unit in self.dom["declared_counts"]["stated_units"]:
                word = last_word(
                    rd.norm.text[max(ss, base + f.start - 12) : base + f.start], self.dom["declared_counts"]["words"]
                )
                dconf = self.dom["declared_counts"]
                if word and ctx.roles & set(dconf["roles"]) and not ctx.roles & set(dconf["not_roles"]):
                    key = category_key(word[0])
                    if key:
                        rd.figure(
                            f,
                            base,
                            r.DeclaredCount,
                            category=key,
                            category_word=word[0],
                            about=ctx.section,
                            section=ctx.section,
                        )

    def _evaluation(
        self,
        key: str,
        ss: int,
        se: int,
        score: Figure | None,
        base: int,
        text: str,
        ctx: Ctx,
        year: int,
        evaluator: r.OrgName | None = None,
    ) -> r.Evaluation:
        rd = self.rd
        ev = next((ev for ev in rd.out.evaluations if ev.key == key), None)
        if ev is None:
            ev = r.Evaluation(
                key=key,
                third_party=key == "prior",
                span=rd.trim(*rd.orig(ss, se)),
                section=ctx.section,
                evaluated=rd.dept,
                evaluated_year=year,
                evaluator=evaluator or rd.dept,
            )
            rd.out.evaluations.append(ev)
        if score is not None:
            q = rd.figure(score, base, about=ev, section=ctx.section)
            if q is not None:
                ev.scores.append(q)
        grade = self._grade(text)
        if grade:
            ev.grades.append(grade)
        return ev

    def _grade(self, text: str) -> str | None:
        conf = self.dom["evaluation"]
        for w in conf["grade_words"]:
            i = text.find(w)
            if i < 0:
                continue
            tail = self._grade_lead.sub("", text[i + len(w) : i + len(w) + 8])
            for word, key in conf["grades"]:
                if tail.startswith(word):
                    return key
        return None

    def prior(self, block: Block, ctx: Ctx, figs: list[Figure]) -> None:
        """The prior third-party evaluation, from a paragraph of the prior-rectification section."""
        rd = self.rd
        text = block.text
        conf = self.dom["evaluation"]
        score = next((f for f in figs if f.unit == "point"), None)
        if score is None and not any(w in text for w in conf["third_party_words"]):
            return
        evaluator = None
        m = self._evaluator.search(text)
        if m:
            start, raw = m.start(1), m.group(1)
            commissioned = self._commission.search(raw)  # 某局委托某公司: the evaluator is the firm
            if commissioned:
                start, raw = start + commissioned.end(), raw[commissioned.end() :]
            name = meta.canonical_org(raw, rd.region)
            evaluator = rd.organisation(
                r.OrgName(canonical=name, alias=raw, region=meta.region_of(name) or rd.region),
                span=rd.orig(block.start + start, block.start + start + len(raw)),
            )
        ym = meta.year_re().search(text)
        year = int(ym.group(1)) if ym else rd.year - 1
        self._evaluation("prior", block.start, block.end, score, block.start, text, ctx, year, evaluator)
