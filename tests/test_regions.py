"""The division table and the name resolver (jixiao/regions.py), the organisation IRI rule and the
identifier checks (jixiao/orgs.py). Expected codes are GB/T 2260 codes checked against the official
table by hand, not copied from the code's output."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from jixiao import iris, orgs, regions
from jixiao.errors import InputError

FORMS = Path(__file__).parent / "data" / "forms"


def test_table_counts_match_the_ministry_figures():
    # 民政部 statistics: 34 provincial-level divisions, 333 prefecture-level (293 cities, 7 地区,
    # 30 自治州, 3 盟); county level 2,844 at the end of 2023 and 2,847 after the 2024-2025 additions
    # (新疆 岑岭县, 草湖市 and one more)
    levels = Counter(r.level for r in regions.table().by_code.values())
    assert levels["province"] == 34
    assert levels["prefecture"] == 333
    assert 2844 <= levels["county"] <= 2850


@pytest.mark.parametrize(
    ("code", "name", "level", "parent"),
    [
        ("440000", "广东省", "province", None),
        ("440700", "江门市", "prefecture", "440000"),
        ("440705", "新会区", "county", "440700"),
        ("430921", "南县", "county", "430900"),
        ("530129", "寻甸回族彝族自治县", "county", "530100"),
        ("341702", "贵池区", "county", "341700"),
        ("110105", "朝阳区", "county", "110000"),  # a municipality's districts hang under it directly
        ("429004", "仙桃市", "county", "420000"),  # a county-level city the province governs directly
        ("341702117", "棠溪镇", "township", "341702"),
    ],
)
def test_known_divisions(code, name, level, parent):
    r = regions.region(code)
    assert (r.name, r.level, r.parent) == (name, level, parent)


def test_chain_and_short_names():
    assert [r.code for r in regions.chain("440705")] == ["440000", "440700", "440705"]
    assert regions.region("440700").short == "江门"
    assert regions.region("530129").short == "寻甸"  # ethnic groups dropped with 自治县
    assert regions.region("532500").short == "红河"  # 红河哈尼族彝族自治州
    assert regions.region("650000").short == "新疆"  # 新疆维吾尔自治区: 维吾尔 without 族
    assert regions.region("430921").short is None  # 南县 is never 南


@pytest.mark.parametrize(
    ("name", "context", "code", "span", "local", "how"),
    [
        ("江门市总工会", None, "440700", (0, 3), "总工会", "name"),
        ("江门总工会", None, "440700", (0, 2), "总工会", "short"),
        ("南县住房和城乡建设局", None, "430921", (0, 2), "住房和城乡建设局", "name"),
        ("池州市贵池区棠溪镇人民政府", None, "341702117", (0, 9), "人民政府", "name"),
        ("寻甸回族彝族自治县档案馆", None, "530129", (0, 9), "档案馆", "name"),
        ("红河州财政局", None, "532500", (0, 3), "财政局", "short"),
        ("寻甸县委办公室", None, "530129", (0, 3), "中共委员会办公室", "short"),
        ("中共寻甸回族彝族自治县委员会办公室", None, "530129", (2, 11), "中共委员会办公室", "name"),
        ("共青团岳阳楼区委员会", None, "430602", (3, 7), "共青团委员会", "name"),
        ("江门市新会区财政局", None, "440705", (0, 6), "财政局", "name"),
        # relative names against the report's division: the nearest division of that level
        ("市财政局", "440700", "440700", (0, 1), "财政局", "relative"),
        ("市财政局", "440705", "440700", (0, 1), "财政局", "relative"),  # a district's city
        ("市财政局", "430921", "430900", (0, 1), "财政局", "relative"),  # 南县 → 益阳市
        ("市财政局", "130881", "130881", (0, 1), "财政局", "relative"),  # 平泉市 is itself a 市
        ("县总工会", "530129", "530129", (0, 1), "总工会", "relative"),
        ("区财政局", "440705", "440705", (0, 1), "财政局", "relative"),
        ("团市委", "440705", "440700", (1, 2), "共青团委员会", "relative"),
        ("市市场监督管理局", "440700", "440700", (0, 1), "市场监督管理局", "relative"),
        # an ambiguous name decided by the report's division
        ("朝阳区财政局", "110101", "110105", (0, 3), "财政局", "context"),
        ("朝阳区财政局", "220102", "220104", (0, 3), "财政局", "context"),
        ("棠溪镇人民政府", "341702", "341702117", (0, 3), "人民政府", "context"),
        # a division renamed since: the current one, marked as such
        ("襄樊市财政局", None, "420600", (0, 3), "财政局", "former"),
    ],
)
def test_resolve(name, context, code, span, local, how):
    r = regions.resolve(name, context)
    assert r.region is not None, r.diagnostic
    assert (r.region.code, r.span, r.local, r.how) == (code, span, local, how)


@pytest.mark.parametrize(
    ("name", "context", "says"),
    [
        ("朝阳区财政局", None, "110105 北京市朝阳区; 220104 吉林省长春市朝阳区"),
        ("朝阳区财政局", "440700", "names 2 divisions"),  # neither is in Guangdong: no guess
        ("市财政局", None, "needs the report's division"),
        ("本局", None, "self reference needs the report's division"),
        ("区财政局", "440700", "no division of that level"),  # a city report's 区… names no district
        ("市场监督管理局", "440700", "no division in the name"),  # 市场 is no relative 市
        ("棠溪镇人民政府", None, "no division in the name"),  # a township only inside a known county
    ],
)
def test_unresolved_names_say_why(name, context, says):
    r = regions.resolve(name, context)
    assert r.region is None and r.how == "none"
    assert says in r.diagnostic


def test_self_reference():
    r = regions.resolve("我局", "440705")
    assert (r.how, r.region.code) == ("self", "440705")


def _forms_names():
    for path in sorted(FORMS.glob("*.identity.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        region = {level: v["value"] for level, v in data.get("region", {}).items() if v.get("how") == "name"}
        for field in ("department", "supervisor", "evaluator"):
            if field in data:
                yield pytest.param(data[field]["value"], region, id=f"{path.name[:2]}-{field}")


# The forms whose names the table cannot place, and why (the test fails when one starts to resolve).
UNPLACED = {"草潭鎮人民政府": "traditional characters (鎮), and a township without its county"}


@pytest.mark.parametrize(("name", "expected"), list(_forms_names()))
def test_real_forms_department_names(name, expected):
    """Every department, supervisor and evaluator name in the 39 forms' identity files lands in the
    division its collector read from the name (the identity's region fields marked how = "name")."""
    r = regions.resolve(name)
    if name in UNPLACED:
        assert r.region is None
        return
    assert r.region is not None, r.diagnostic
    names = {a.level: a.name for a in regions.chain(r.region.code)}
    for level, value in expected.items():
        assert names.get(level) == value, (level, names)


def test_real_report_department_and_partner():
    """The real report's department and its 市财政局 (the reader does not call the resolver yet: the
    end-to-end check on its graph comes with the wiring)."""
    dept = orgs.place("江门市总工会")
    assert [r.code for r in regions.chain(dept.region.code)] == ["440000", "440700"]
    assert dept.kind.notation == "trade_union"
    finance = orgs.place("市财政局", region=dept.region)
    assert finance.iri == iris.org_in_region("440700", "财政局")
    assert finance.canonical_name == "江门市财政局"


# --------------------------------------------------------------------------------------------
# The organisation IRI rule


def test_same_body_one_iri_across_spellings():
    one = {
        orgs.org_iri("江门市人社局"),
        orgs.org_iri("江门市人力资源和社会保障局"),
        orgs.org_iri("市人力资源和社会保障局", region="440700"),
        orgs.org_iri("江门人社局"),
    }
    assert one == {iris.org_in_region("440700", "人力资源和社会保障局")}
    assert orgs.org_iri("中共寻甸回族彝族自治县委办公室") == orgs.org_iri("中共寻甸回族彝族自治县委员会办公室")


def test_city_finance_bureaus_of_two_cities_never_merge():
    a = orgs.org_iri("市财政局", region="440700")
    b = orgs.org_iri("市财政局", region="440100")
    assert a != b
    assert str(a) == "https://w3id.org/jixiao/id/org/440700/" + iris.name_key("财政局")


def test_party_and_youth_league_committees_stay_apart():
    assert orgs.org_iri("中共岳阳楼区委员会") != orgs.org_iri("共青团岳阳楼区委员会")


def test_firm_keyed_by_full_name():
    firm = orgs.place("湖南天行会计师事务所（普通合伙）")
    assert firm.kind.notation == "third_party_firm"
    assert firm.iri == iris.org("湖南天行会计师事务所(普通合伙)")  # decision 0001's key, NFKC brackets


@pytest.mark.parametrize(
    ("name", "region", "says"),
    [
        ("市财政局", None, "needs the report's division"),
        ("江门市", None, "names a division"),
        ("本局", "440700", "own"),
    ],
)
def test_org_iri_refuses(name, region, says):
    with pytest.raises(InputError, match=says):
        orgs.org_iri(name, region=region)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("总工会", "trade_union"),
        ("总工会(本级)", "trade_union"),
        ("妇联", "womens_federation"),
        ("住建局", "housing"),
        ("卫生健康委员会", "health"),
        ("第一示范小学", "school"),
        ("中医医院", "hospital"),
        ("人民检察院", "procuratorate"),
        ("天行会计师事务所(普通合伙)", "third_party_firm"),
        ("人居环境指挥部", None),
    ],
)
def test_kind_of(name, kind):
    k = orgs.kind_of(name)
    assert (k.notation if k else None) == kind


def test_township_government_kind():
    assert orgs.place("池州市贵池区棠溪镇人民政府").kind.notation == "township_government"
    assert orgs.place("江门市人民政府").kind.notation == "government"


# --------------------------------------------------------------------------------------------
# Identifiers


def test_credit_code_check_digit():
    # GB 32100-2015's example 91350100M000100Y43, by hand: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4
    # times weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 sum to 1640; 1640 mod 31 = 28;
    # 31 - 28 = 3: the check character is 3.
    assert orgs.credit_code_problem("91350100M000100Y43") is None
    assert "should be 3" in orgs.credit_code_problem("91350100M000100Y44")
    assert "18 characters" in orgs.credit_code_problem("91350100M000100Y4")
    assert "not used" in orgs.credit_code_problem("91350100M000100I43")  # no I in credit codes
    assert orgs.credit_code_region("91350100M000100Y43") == "350100"
    assert orgs.credit_code_region("91350100M000100Y44") is None


def test_organisation_code_check_character():
    # M000100Y-4 by hand: M=22, Y=34; 22*3 + 1*5 + 34*2 = 139; 139 mod 11 = 7; 11 - 7 = 4.
    assert orgs.org_code_problem("M000100Y-4") is None
    assert "should be 4" in orgs.org_code_problem("M000100Y5")


def test_kinds_data_and_code_list_agree():
    """Every kind the classifier names is a concept of jxv:OrgKindScheme, and every concept has rules."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from jixiao.data import ontology_dir
    from jixiao.ns import JXV

    g = Graph().parse(ontology_dir() / "vocab.ttl")
    concepts = set(g.subjects(SKOS.inScheme, JXV.OrgKindScheme))
    assert {k.iri for k in orgs.kinds().values()} == concepts
    assert all(orgs.kinds()[t].township is None for t in [k.township for k in orgs.kinds().values() if k.township])


def test_find_identifiers_in_text():
    text = (
        "单位名称：某某县文化馆\n统一社会信用代码：91350100M000100Y44\n组织机构代码：M000100Y-4\n"
        "预算编码：219001\n联系电话 12345。另见 91350100M000100Y43 与 91350100M000100Y45。"
    )
    found = [(i.kind, i.value, text[i.start : i.end], i.problem) for i in orgs.find_identifiers(text)]
    assert found == [
        # labelled: reported with the failed check (the right check character is 3)
        ("credit_code", "91350100M000100Y44", "91350100M000100Y44", "check character is 4, should be 3"),
        ("organisation_code", "M000100Y-4", "M000100Y-4", None),
        ("budget_code", "219001", "219001", None),
        # unlabelled: only the one whose check character is right
        ("credit_code", "91350100M000100Y43", "91350100M000100Y43", None),
    ]
