"""Organisations: their kind (jxv:OrgKindScheme), their IRI under the division they belong to, and the
identifiers reports print (统一社会信用代码, 组织机构代码, 预算编码).

The IRI rule (decision 0008): a government-bound organisation is keyed by its division's code and its
canonical local name — ``org_iri("韶关市人社局")`` and ``org_iri("市人力资源和社会保障局",
region="440200")`` are one IRI, ``市财政局`` of two cities are two. A firm (a kind with
``government = false``: 会计师事务所, 有限公司) is keyed by its full name alone, as in decision 0001.
A name that cannot be placed raises :class:`jixiao.errors.InputError` with the resolver's diagnostic.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from jixiao import iris
from jixiao.data import ontology_dir
from jixiao.errors import InputError
from jixiao.ns import JXV
from jixiao.regions import Region, Resolution, normalise, region, resolve, rules


@dataclass(frozen=True)
class Kind:
    notation: str
    names: tuple[str, ...]
    suffixes: tuple[str, ...]
    government: bool
    township: str | None
    under: str | None

    @property
    def iri(self) -> URIRef:
        return JXV[f"okind_{self.notation}"]


@cache
def kinds() -> dict[str, Kind]:
    with (ontology_dir() / "orgs" / "kinds.toml").open("rb") as f:
        data = tomllib.load(f)
    return {
        k["notation"]: Kind(
            k["notation"],
            tuple(normalise(n) for n in k["names"]),
            tuple(normalise(s) for s in k["suffixes"]),
            k.get("government", True),
            k.get("township"),
            k.get("under"),
        )
        for k in data["kind"]
    }


@cache
def _by_name() -> dict[str, Kind]:
    return {n: k for k in kinds().values() for n in k.names}


@cache
def _suffixes() -> list[tuple[str, Kind]]:
    return sorted(((s, k) for k in kinds().values() for s in k.suffixes), key=lambda sk: (-len(sk[0]), sk[0]))


def kind_of(local: str, level: str | None = None) -> Kind | None:
    """The kind a local name shows (its exact name, else its longest kind suffix); a township's
    government is its own kind."""
    local = normalise(local)
    if local.endswith(")") and "(" in local:  # 总工会(本级): the qualifier does not change the kind
        local = local[: local.rindex("(")]
    k = _by_name().get(local)
    if k is None:
        k = next((kind for s, kind in _suffixes() if local.endswith(s)), None)
    if k is not None and level == "township" and k.township:
        k = kinds()[k.township]
    return k


def canonical_local(local: str, level: str | None = None) -> str:
    """The local name the IRI is keyed by: the canonical name of the one body of its kind
    (人社局 → 人力资源和社会保障局; a province's 厅: 人社厅 → 人力资源和社会保障厅), else the local name
    as written (normalised)."""
    local = normalise(local)
    k = _by_name().get(local)
    if k is None:
        return local
    provincial = [n for n in k.names if n.endswith(_PROVINCIAL)]
    if level == "province" and provincial:
        return provincial[0]
    return next((n for n in k.names if not n.endswith(_PROVINCIAL)), k.names[0])


_PROVINCIAL = "厅"  # a province's department is a 厅 where a city's or county's is a 局


@dataclass(frozen=True)
class Placed:
    """An organisation's name placed: its division (None for a firm not bound to one), canonical local
    name, kind and IRI, with the resolver's answer."""

    name: str
    iri: URIRef
    region: Region | None
    local: str
    kind: Kind | None
    resolution: Resolution

    @property
    def canonical_name(self) -> str:
        """The display name: division and canonical local name (韶关市 + 总工会; a township's with its
        county: 贵池区棠溪镇人民政府; 中共 + 寻甸回族彝族自治县 + 委员会办公室)."""
        if self.region is None or (self.kind is not None and not self.kind.government):
            return self.name
        where = self.region.name
        if self.region.level == "township" and self.region.parent:
            where = resolve_parent_name(self.region) + where
        for lead in _LEADING:
            if self.local.startswith(lead):
                return lead + where + self.local[len(lead) :]
        return where + self.local


_LEADING = ("中共", "共青团")


def resolve_parent_name(r: Region) -> str:
    return region(r.parent).name if r.parent else ""


def place(name: str, region: str | Region | None = None) -> Placed:
    """Resolve and key an organisation's name (``region``: the report's division, for relative and
    ambiguous names). Raises InputError when it cannot be placed."""
    res = resolve(name, region)
    full = normalise(name)
    firm = kind_of(full)
    if firm is not None and not firm.government:
        return Placed(full, iris.org(full), res.region, full, firm, res)
    if res.region is None:
        raise InputError(f"cannot place {name!r}: {res.diagnostic}")
    if res.how == "self":
        raise InputError(f"{name!r} is the report's own department: place the department's name instead")
    if not res.local:
        raise InputError(f"{name!r} names a division ({res.region.code} {res.region.name}), not an organisation")
    local = canonical_local(res.local, res.region.level)
    kind = kind_of(local, res.region.level)
    return Placed(full, iris.org_in_region(res.region.code, local), res.region, local, kind, res)


def body(division: Region, kind: str) -> Placed:
    """The one body of a kind a division has (its 人民政府, its 中共…委员会), placed."""
    k = kinds()[kind]
    local = canonical_local(k.names[0], division.level)
    name = division.name + local
    res = Resolution(name, division, (0, len(division.name)), local, "name")
    return Placed(name, iris.org_in_region(division.code, local), division, local, kind_of(local, division.level), res)


def org_iri(name: str, region: str | None = None) -> URIRef:
    """jixiao's IRI for an organisation (decision 0008): what ``jixiao iri org NAME --region CODE``
    prints. ``region`` is the 6-digit code of the division the name is relative to (the report's)."""
    return place(name, region).iri


# --------------------------------------------------------------------------------------------
# Identifiers

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997


def org_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid 组织机构代码 (8 characters + check, the hyphen optional), else why not."""
    code = normalise(code).upper().replace("-", "")
    if len(code) != 9 or not all(c.isdigit() or "A" <= c <= "Z" for c in code[:8]):
        return "an organisation code has 8 digits or capital letters and a check character"
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in code[:8]]
    check = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS, strict=True)) % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    return None if code[8] == expected else f"check character is {code[8]}, should be {expected}"


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid 统一社会信用代码 (GB 32100-2015, 18 characters), else why not.
    Characters 3-8 are the registering authority's division code, 9-17 an organisation code."""
    code = normalise(code).upper()
    if len(code) != 18:
        return f"a credit code has 18 characters, not {len(code)}"
    bad = sorted({c for c in code if c not in _USCC_CHARS})
    if bad:
        return f"characters not used in credit codes: {''.join(bad)}"
    if not code[2:8].isdigit():
        return "characters 3-8 are a division code (digits)"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    expected = _USCC_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"check character is {code[17]}, should be {expected}"
    return None


def credit_code_region(code: str) -> str | None:
    """The division code inside a valid credit code (its registering authority's), else None."""
    return normalise(code).upper()[2:8] if credit_code_problem(code) is None else None


@dataclass(frozen=True)
class Identifier:
    """An identifier printed in a text: kind (credit_code | organisation_code | budget_code), value,
    where it stands (start, end) and, when it fails its check, why."""

    kind: str
    value: str
    start: int
    end: int
    problem: str | None


_CREDIT = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Z])")
_LABEL_GAP = r"\s*[:：]?\s*"


def find_identifiers(text: str) -> list[Identifier]:
    """The identifiers a text prints: labelled ones (names.toml [identifiers]) with their check, and
    unlabelled 18-character credit codes whose check character is right."""
    labels = rules()["identifiers"]
    found: dict[tuple[int, int], Identifier] = {}
    patterns = {
        "credit_code": r"([0-9A-Za-z]{18})",
        "organisation_code": r"([0-9A-Za-z]{8}-?[0-9A-Za-z])",
        "budget_code": r"(\d{3,12})",
    }
    check = {"credit_code": credit_code_problem, "organisation_code": org_code_problem, "budget_code": lambda v: None}
    for kind, words in labels.items():
        for word in sorted(words, key=len, reverse=True):
            for m in re.finditer(re.escape(word) + _LABEL_GAP + patterns[kind] + r"(?![0-9A-Za-z])", text):
                span = m.span(1)
                if any(s <= span[0] < e for s, e in found):
                    continue
                found[span] = Identifier(kind, m.group(1).upper(), *span, check[kind](m.group(1)))
    for m in _CREDIT.finditer(text):
        if m.span() not in found and credit_code_problem(m.group()) is None:
            found[m.span()] = Identifier("credit_code", m.group(), *m.span(), None)
    return [found[k] for k in sorted(found)]
