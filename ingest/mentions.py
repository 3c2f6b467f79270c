"""Names in sentences: cited documents (《…》), beneficiary groups (lexicon), partner organisations
(after a partner cue), named programmes (quoted names), and cut-off notes. Cue words, suffixes and
limits come from ingest/data/domain.toml; groups and organisations from ingest/lexicon/.
"""

from __future__ import annotations

import re

from jixiao.ingest import meta
from jixiao.ingest import records as r
from jixiao.ingest.datafiles import lexicon
from jixiao.ingest.figures import Figure
from jixiao.ingest.reading import Ctx, Reading
from jixiao.ingest.sections import Block

QUOTE_RE = re.compile(r"“([^“”\n]{1,40})”")
DOC_RE = re.compile(r"《([^《》\n]{2,60})》")


class MentionReader:
    """Reads the names a paragraph or sentence mentions (documents, groups, partners, programmes)."""

    def __init__(self, reading: Reading, indicator_names: set[str]):
        self.rd = reading
        self.dom = reading.dom
        quotes = self.dom["quotes"]
        self._project_context = re.compile(r"\s*(" + "|".join(map(re.escape, quotes["project_context"])) + ")")
        self._indicator_after = tuple(quotes["indicator_after"])
        self._joiner = re.compile("|".join(map(re.escape, self.dom["orgs"]["list_joiners"])))
        self.indicator_names = indicator_names
        self._groups = sorted(((w, c or w) for w, _f, _t, c in lexicon("beneficiary_groups")), key=lambda e: -len(e[0]))
        # any group word at all: one search instead of a `word in text` per group word and sentence
        self._any_group = re.compile("|".join(re.escape(w) for w, _ in self._groups) or r"(?!)")
        self._orgs = sorted((w for w, _f, _t, _c in lexicon("organisations")), key=len, reverse=True)
        self._org_starts: tuple[str, ...] | None = None  # what a partner's name starts with (built once)
        self._name_ends_before = tuple(self.dom["orgs"]["name_ends_before"])

    # -- a paragraph ------------------------------------------------------------------------------
    def cutoff(self, block: Block, ctx: Ctx) -> None:
        conf = self.dom["evaluation"]
        for w in conf["cutoff_words"]:
            i = block.text.find(w)
            if i >= 0 and any(c in block.text for c in conf["cutoff_context"]):
                ctx.section.cutoff_notes.append(w)
                return

    def documents(self, block: Block, ctx: Ctx) -> None:
        rd = self.rd
        for m in DOC_RE.finditer(block.text):
            span = rd.orig(block.start + m.start(), block.start + m.end())
            rd.out.documents.append(r.Document(title=m.group(1).strip(), span=span, section=ctx.section))

    # -- a sentence -------------------------------------------------------------------------------
    def sentence(
        self, ss: int, se: int, text: str, about: object, figs: list[Figure], base: int, roles: set[str]
    ) -> None:
        """Groups, partners and programmes named in the sentence [ss, se) of the normalised text."""
        rd = self.rd
        for word, canonical in self._groups if self._any_group.search(text) else ():
            if word in text:
                rd.out.beneficiaries.append(
                    r.BeneficiaryMention(
                        group=canonical,
                        # a work item, measure or effect serves the group; a whole section does not, or
                        # every figure of the section would be counted as the group's
                        about=None if isinstance(about, r.Section) else about,
                        figures=[rd.orig(base + f.start, base + f.end) for f in figs if f.counts and word in f.counts],
                    )
                )
        for name, ns, ne in self._partners(text):
            org = r.OrgName(canonical=meta.canonical_org(name, rd.region), alias=name, region=rd.region)
            rd.organisation(org, span=rd.orig(ss + ns, ss + ne))
            rd.out.partners.append(r.Partner(org=org, about=about))
        qconf = self.dom["quotes"]
        if not roles & set(qconf["roles"]):
            return
        for m in QUOTE_RE.finditer(text):
            name = m.group(1).strip()
            if not qconf["min_chars"] <= len(name) <= qconf["max_chars"] or not re.search(r"[\u4e00-\u9fff]", name):
                continue
            if (
                any(w in name for w in qconf["not_programme"])
                or name.endswith(tuple(qconf["not_programme_suffixes"]))
                or self._project_context.match(text, m.end(), m.end() + 8)
                or name in self.indicator_names
                or text.startswith(self._indicator_after, m.end())
            ):
                continue
            span = rd.orig(ss + m.start(1), ss + m.end(1))
            rd.out.programmes.append(r.Programme(name=name, span=span, about=about))

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
            region = self.rd.region
            starts = self._org_starts = (*conf["name_starts"], *([region] if region else []), *self._orgs)
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
                    joiner = self._joiner.match(window, end)
                    if not joiner:
                        break
                    pos += joiner.end()  # 联合 A、B: the list goes on after the joiner
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
