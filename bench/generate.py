"""Deterministic synthetic corpus of 部门整体支出绩效自评报告 for benchmarks.

    python -m bench.generate --n 100 --seed 1 --out DIR

writes DIR/bench-00000.txt … and, beside each, bench-00000.truth.json: the structure counts, the
table rows and indicators as written, the stated figures, and the planted faults with quotes that
occur verbatim in the decoded text (schema "jixiao-bench-truth/1", see `Report.truth`).

Report i draws only from random.Random(seed + i): the same seed gives byte-identical files, and report
i does not depend on N. Vocabularies live in bench/genre_data.toml; rates are the constants below.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import tomllib
from pathlib import Path

DATA = tomllib.loads(Path(__file__).with_name("genre_data.toml").read_text(encoding="utf-8"))
SCHEMA = "jixiao-bench-truth/1"

# Arithmetic faults: independent probability per report.
FAULT_RATES = {
    "table_total_conflict": 0.20,  # 合计 row ≠ sum of rows, or narrative 项目支出 ≠ table 合计
    "execution_rate_mismatch": 0.10,  # a stated 执行率 matching neither adjusted nor original budget
    "missing_indicator_actual": 0.10,  # 1-2 quantitative indicators with an empty 完成值
    "actual_over_150": 0.15,  # 1-2 "≥" indicators achieved at 160-500 % of target
    "declared_count_mismatch": 0.10,  # "定量指标 N 个" ≠ the table
}
# Text breakage: probability per report (per table for the table kinds).
BREAKAGE_RATES = {
    "page_breaks": 0.85,  # "\n\n" inside sentences, one every 600-1400 characters of prose
    "spacing_all": 0.35,  # "48 次", "2024 年" everywhere (PDF extraction)
    "spacing_sporadic": 0.15,  # a space at 15 % of the digit/CJK joins of the prose
    "empty_name_rows": 0.35,  # 1-3 project rows without a name
    "shifted_cells": 0.20,  # 1-2 rows shifted one cell left or right
    "blank_lines_in_tables": 0.15,  # 1-2 blank lines between rows
}
GB18030_EVERY = 20  # report i is GB18030-encoded when i % 20 == seed % 20: exactly 5 %

CJK = "\u4e00-\u9fff"
SPACE_RE = re.compile(rf"(?<=[{CJK}])(?=\d)|(?<=\d)(?=[{CJK}])")
PH_RE = re.compile(r"\{(\w+)(?::([^{}]*))?\}")
CN = "零一二三四五六七八九"
ORDINALS = "一二三四五六七八九十"
WAN_UNITS = {"人次", "人", "户", "件", "个", "株", "剂次", "吨", "元", "名"}
LEVEL1 = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
POOL_OF = {
    "质量指标": "quality",
    "时效指标": "timeliness",
    "成本指标": "cost",
    "经济效益指标": "economic",
    "社会效益指标": "social",
    "生态效益指标": "ecological",
    "可持续影响指标": "sustainable",
    "服务对象满意度指标": "satisfaction",
}


def cn_num(n: int, liang: bool = True) -> str:
    """Chinese numeral for 0 ≤ n ≤ 99 ("两" for 2 before a measure word)."""
    if n == 2 and liang:
        return "两"
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def wan(c: int) -> str:
    """An amount held in hundredths of 万元, written in 万元 with two decimals."""
    sign, c = ("-", -c) if c < 0 else ("", c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def pct(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def coarse(v: int, up: bool = False) -> int:
    """v kept to two significant digits, rounded down (or up) — the figure behind 余/多/近."""
    mag = 10 ** max(0, len(str(v)) - 2)
    return -(-v // mag) * mag if up else v // mag * mag


def _places() -> list[tuple[dict, str, str, bool]]:
    """Every (province, city, county, county-level?) the corpus can use: each city, then each city
    with each county (and prefixed variants), in a fixed order; enough for ~20,000 unique reports."""
    out = []
    for prov in DATA["province"]:
        out += [(prov, city, prov["counties"][0], False) for city in prov["cities"]]
    for prefix in ("", "东", "西", "南", "北"):
        for prov in DATA["province"]:
            for city in prov["cities"]:
                out += [(prov, city, prefix + county, True) for county in prov["counties"]]
    return out


PLACES = _places()
IDENTITY_STRIDE = 7919  # a prime: coprime with the number of identities unless it divides it


def _check_stride() -> None:
    import math

    total = len(PLACES) * len(DATA["department"]) * 5
    assert math.gcd(IDENTITY_STRIDE, total) == 1, "pick another prime stride"


_check_stride()


class Report:
    def __init__(self, seed: int, index: int):
        self.seed, self.index = seed, index
        self.rng = r = random.Random(seed + index)
        # Identity (place, department, year) is unique per index, as in a real corpus where every
        # report is a different department-year: it decides the report's IRI, so a repeat would
        # replace an earlier report instead of adding one.
        # A fixed multiplicative bijection spreads consecutive indices over all identities, so any
        # 20 reports already vary in place, department and year.
        n_dep = len(DATA["department"])
        k = (index * IDENTITY_STRIDE) % (len(PLACES) * n_dep * 5)
        prov, city, county, county_level = PLACES[k // (n_dep * 5)]
        self.dep = DATA["department"][(k // 5) % n_dep]
        self.g = DATA["generic"]
        self.form = prov["form"] if r.random() < 0.8 else r.choice(["guangdong", "hunan"])
        self.year = 2021 + k % 5
        lv = county[-1] if county_level else "市"
        place = city + county if county_level else city
        self.ctx = {
            "province": prov["name"],
            "city": city,
            "county": county,
            "lv": lv,
            "gov": f"{lv}委、{lv}政府",
            "dept": place + self.dep["name"],
            "short": self.dep["name"],
            "topic": self.dep["topic"],
            "year": str(self.year),
            "prev": str(self.year - 1),
        }
        self.place = place
        self.spacing = (
            "all"
            if (x := r.random()) < BREAKAGE_RATES["spacing_all"]
            else "sporadic"
            if x < BREAKAGE_RATES["spacing_all"] + BREAKAGE_RATES["spacing_sporadic"]
            else "none"
        )
        self.faults = {k: r.random() < p for k, p in FAULT_RATES.items()}
        self.blocks: list[tuple[str, str]] = []
        self.quotes: list[str] = []
        self.planted: list[dict] = []
        self.breakage = {
            "page_breaks": 0,
            "sporadic_spaces": 0,
            "empty_name_rows": 0,
            "shifted_cells": 0,
            "blank_lines_in_tables": 0,
        }
        self.h = [0, 0, 0]
        self.h2_style = r.choice(["（{}）", "({}) ", "（{}） "])
        self.h3_style = "{}、" if self.form == "hunan" else r.choice(["{}. ", "{}."])
        self.act_deck: list[str] = []
        self.units = self._units()
        self.projects = self._projects()
        self.indicators = self._indicators()

    # ---------------------------------------------------------------- text helpers
    def sp(self, s: str) -> str:
        return SPACE_RE.sub(" ", s) if self.spacing == "all" else s

    def fill(self, tpl: str) -> str:
        return PH_RE.sub(self._fill_one, tpl)

    def _fill_one(self, m: re.Match) -> str:
        key, arg = m.group(1), m.group(2)
        r = self.rng
        if arg is None:
            pick = {
                "u": lambda: r.choice(self.units)["name"],
                "g": lambda: r.choice(self.dep["groups"] + self.g["groups"]),
                "o": lambda: self.fill(r.choice(self.g["partners"])),
                "proj": lambda: r.choice([p for p in self.projects if p["name"]])["name"],
            }
            return pick[key]() if key in pick else self.ctx[key]
        lo_s, hi_s, *unit = arg.split(":")[0].split("-") + arg.split(":")[1:]
        lo, hi, unit = float(lo_s), float(hi_s), (unit[0] if unit else "")
        if key == "pct":
            v = r.uniform(lo, hi)
            return pct(round(v, r.choice([0, 1, 2]))) + "%"
        if key == "m":
            return self.money(round(r.uniform(lo, hi) * 100))
        if key == "mu":
            v = r.uniform(lo, hi)
            if v >= 10000 and r.random() < 0.5:
                return f"{v / 10000:.1f}万亩"
            return r.choice([f"{v:.2f}亩", f"{int(v)}亩", f"{coarse(int(v))}余亩"])
        v = r.randint(int(lo), int(hi))
        if key == "x":
            return f"{v}{unit}"
        if key == "cn":
            return cn_num(v) + unit
        return self.count(v, unit)

    def count(self, v: int, unit: str) -> str:
        r = self.rng
        if v >= 10000 and unit in WAN_UNITS and r.random() < 0.5:
            w = v / 10000
            return r.choice([f"{w:.1f}万{unit}", f"{int(w)}万多{unit}", f"{int(w)}万余{unit}", f"超{int(w)}万{unit}"])
        if v <= 12 and r.random() < 0.5:
            return cn_num(v) + unit
        return r.choice(
            [
                f"{v}{unit}",
                f"{v}{unit}",
                f"{coarse(v)}余{unit}",
                f"{coarse(v)}多{unit}",
                f"近{coarse(v, up=True)}{unit}",
                f"超{coarse(v)}{unit}",
                f"约{coarse(v)}{unit}",
                f"{coarse(v)}{unit}以上",
            ]
        )

    def money(self, c: int) -> str:
        r = self.rng
        if c >= 1_000_000 and r.random() < 0.5:
            return f"{c / 1_000_000:.2f}亿元"
        return r.choice([f"{wan(c)}万元", f"{wan(c)}万元", f"{c // 100}万余元", f"约{c // 100}万元"])

    def closer(self) -> str:
        return self.fill(self.rng.choice(self.g["closers"])) if self.rng.random() < 0.5 else ""

    def extra(self, pool: str, lo: int, hi: int) -> str:
        return "".join(self.fill(x) for x in self.rng.sample(self.g[pool], self.rng.randint(lo, hi)))

    def acts(self, k: int) -> str:
        out = []
        for _ in range(k):
            if not self.act_deck:
                self.act_deck = list(self.dep["activities"] + self.g["activities"])
                self.rng.shuffle(self.act_deck)
            out.append(self.fill(self.act_deck.pop()))
        return "".join(out)

    # ---------------------------------------------------------------- blocks
    def h1(self, title: str) -> None:
        self.h = [self.h[0] + 1, 0, 0]
        self.blocks.append(("h", f"{cn_num(self.h[0], False)}、{title}"))

    def h2(self, title: str) -> None:
        self.h = [self.h[0], self.h[1] + 1, 0]
        style = self.h2_style if self.rng.random() < 0.8 else "（{}）"
        self.blocks.append(("h", style.format(cn_num(self.h[1], False)) + title))

    def h3(self, title: str) -> None:
        self.h[2] += 1
        self.blocks.append(("h", self.h3_style.format(self.h[2]) + title))

    def prose(self, text: str) -> None:
        self.blocks.append(("prose", text))

    def numbered(self, items: list[str]) -> None:
        sep = "、" if self.form == "hunan" else ". "
        for i, item in enumerate(items, 1):
            self.prose(f"{i}{sep}{item}")

    # ---------------------------------------------------------------- data
    def _units(self) -> list[dict]:
        r = self.rng
        k = r.choices([1, 2, 3, 4], weights=[3, 4, 2, 1])[0]
        subs = r.sample(self.dep["units"], k - 1)
        units = [{"name": f"{self.ctx['dept']}（本级）", "type": "行政单位"}]
        units += [
            {
                "name": self.fill(s).replace(self.ctx["city"], self.place, 1),
                "type": r.choice(["公益一类事业单位", "公益二类事业单位", "参照公务员法管理事业单位"]),
            }
            for s in subs
        ]
        return units

    def _projects(self) -> list[dict]:
        r = self.rng
        n = r.randint(3, 25)
        names = r.sample(self.dep["projects"], min(n, len(self.dep["projects"])))
        extra = [self.fill(p) for p in r.sample(self.g["projects"], len(self.g["projects"]))]
        names += [p for p in extra if p not in names][: n - len(names)]
        while len(names) < n:
            names.append(f"{self.ctx['county']}{r.choice(self.dep['projects'])}")
            names = list(dict.fromkeys(names))
        unnamed = r.randint(1, 3) if r.random() < BREAKAGE_RATES["empty_name_rows"] else 0
        for _ in range(min(unnamed, n - 1)):
            names[r.randint(1, n - 1)] = ""
        rows = []
        for name in names:
            adj = round(r.uniform(3, 500) * 100)
            if r.random() < 0.3:
                adj = adj // 100 * 100 or 100
            orig = adj if r.random() < 0.6 else round(adj * r.uniform(0.7, 1.3))
            act = adj if r.random() < 0.45 else round(adj * r.uniform(0.8, 0.999))
            rows.append({"name": name, "original": orig, "adjusted": adj, "actual": act})
        self.breakage["empty_name_rows"] = sum(1 for p in rows if not p["name"])
        return rows

    def _indicators(self) -> list[dict]:
        r = self.rng
        pool = [("产出指标", "数量指标", [nm, u, "≥", lo, hi]) for nm, u, lo, hi in self.dep["indicators"]]
        for l1, l2s in LEVEL1.items():
            pool += [(l1, l2, row) for l2 in l2s if l2 in POOL_OF for row in DATA["indicators"][POOL_OF[l2]]]
        must = [
            r.choice([i for i, p in enumerate(pool) if p[1] == l2])
            for l2 in ("数量指标", "质量指标", "社会效益指标", "服务对象满意度指标")
        ]
        rest = [i for i in range(len(pool)) if i not in must]
        chosen = set(must + r.sample(rest, r.randint(10, 40) - len(must)))
        order = [l2 for l2s in LEVEL1.values() for l2 in l2s]
        picked = sorted((i for i in chosen), key=lambda i: (order.index(pool[i][1]), i))
        out = []
        for i in picked:
            l1, l2, row = pool[i]
            if len(row) == 1:
                target, actual = r.choice(self.g["qualitative_targets"])
                out.append(
                    {
                        "level1": l1,
                        "level2": l2,
                        "name": row[0],
                        "op": "定性",
                        "target": target,
                        "unit": "",
                        "actual": actual,
                        "quantitative": False,
                    }
                )
                continue
            name, unit, op, lo, hi = row
            t = lo if lo == hi else (r.randint(lo, hi) if unit == "%" else coarse(r.randint(lo, hi)))
            if op == "≥":
                a = t if r.random() < 0.3 else int(t * r.uniform(1.0, 1.45))
                a = min(a, 100) if unit == "%" else a
            elif op == "≤":
                a = int(t * r.uniform(0.7, 1.0))
            else:
                a = t
            out.append(
                {
                    "level1": l1,
                    "level2": l2,
                    "name": name,
                    "op": op,
                    "target": t,
                    "unit": unit,
                    "actual": a,
                    "quantitative": True,
                }
            )
        return out

    # ---------------------------------------------------------------- sections
    def build(self) -> None:
        r = self.rng
        self.compute_figures()
        if r.random() < 0.2:
            self.blocks.append(
                (
                    "line",
                    f"索引号：{r.randint(10**9, 10**10 - 1)}/{self.year + 1}-{r.randint(10, 99):05d}\n"
                    f"发布机构：{self.ctx['dept']}\n发布日期：{self.year + 1}-{r.randint(3, 9):02d}-"
                    f"{r.randint(1, 28):02d}",
                )
            )
        title = r.choice(
            [
                "{dept}{year}年度部门整体支出绩效自评报告",
                "{dept}整体支出绩效评价 自评报告",
                "{year}年度{dept}部门整体支出绩效自评报告",
            ]
        )
        self.blocks.append(("h", self.fill(title)))
        (self.guangdong if self.form == "guangdong" else self.hunan)()
        self.fill_annual_work()

    def compute_figures(self) -> None:
        r = self.rng
        p = self.projects
        self.adj_total = sum(x["adjusted"] for x in p)
        self.orig_total = sum(x["original"] for x in p)
        self.p_table = sum(x["actual"] for x in p)
        self.stated_total = self.p_table
        self.p_narr = self.p_table
        if self.faults["table_total_conflict"]:
            delta = r.choice([-1, 1]) * r.randint(50, 3000)
            self.ttc_variant = r.choice(["sum_vs_total", "narrative_vs_table"])
            if self.ttc_variant == "sum_vs_total":
                self.stated_total += delta
            else:
                self.p_narr = max(100, self.p_table + delta)
        self.basic = round(self.p_narr * r.uniform(1.0, 6.0))
        self.total = self.basic + self.p_narr
        self.budget = self.total if r.random() < 0.4 else round(self.total / r.uniform(0.9, 0.995))
        self.prev_total = round(self.total * r.uniform(0.8, 1.2))

    def guangdong(self) -> None:
        r = self.rng
        self.h1("部门基本情况")
        self.h2(r.choice(["部门概况", "部门职能"]))
        if r.random() < 0.5:
            self.prose(self.extra("structure", 1, 2))
        self.prose(self.fill(self.dep["intro"]) + "其主要职责是：")
        self.duties()
        units_apart = r.random() < 0.5
        if units_apart:
            self.h2("设置机构及人员情况")
            self.units_par()
        self.h2("年度总体工作和重点工作任务完成情况")
        self.annual_work()
        self.h2("部门整体支出绩效目标情况")
        self.goals()
        self.h2(r.choice(["部门整体支出情况（以决算数为统计口径）", "部门整体支出情况"]))
        if not units_apart:
            self.units_par()
        self.spending()
        self.project_table()
        self.h1("绩效自评情况")
        self.h2("自评结论")
        self.conclusion()
        self.h2("履职效能分析")
        self.indicator_table()
        self.effect_narrative()
        self.h2("管理效率分析")
        self.management()
        self.h2(r.choice(["存在问题和改进措施", "就部门整体支出绩效管理存在问题提出改进措施。"]))
        self.prose(self.h3_style.format(1) + "存在问题。")
        self.prose(self.problems())
        self.prose(self.h3_style.format(2) + "下一步改进措施")
        self.prose(self.measures())
        self.h1("其他自评情况")
        self.prose("无。")
        self.h1("上年度绩效自评或财政重点绩效评价整改情况")
        self.audit()

    def hunan(self) -> None:
        r = self.rng
        c = self.ctx
        cover = [
            f"部门（单位）名称：{c['dept']}",
            f"预算编码：{r.randint(100000, 999999)}",
            "评价方式：部门自评",
            f"评价机构：{c['dept']}",
            f"报告日期：{self.year + 1}年{r.randint(3, 6)}月{r.randint(1, 28)}日",
        ]
        self.blocks.append(("line", "\n".join(cover)))
        self.blocks.append(("line", f"{c['city']}财政局（制）"))
        score_first = r.random() < 0.3
        if score_first:
            self.h1("自评得分情况")
            self.conclusion()
        self.h1("部门（单位）基本概况")
        staff = r.randint(15, 300)
        kv = [
            f"联系人\t{r.choice(self.g['people'])}\t联系电话\t0{r.randint(700, 899)}-{r.randint(2000000, 8999999)}",
            f"人员编制\t{staff}\t实有人数\t{staff - r.randint(0, 8)}",
        ]
        self.blocks.append(("line", "\n".join(kv)))
        self.units_par()
        self.prose("职能职责概述：")
        self.duties()
        self.prose("年度主要工作内容：")
        self.annual_work()
        self.h1("一般公共预算支出情况")
        self.h2("支出总体情况")
        self.spending()
        self.h2("项目支出情况")
        self.project_table()
        self.execution_par()
        self.h1("部门整体支出绩效情况")
        if not score_first:
            self.h2("自评结论")
            self.conclusion()
        self.h2("绩效目标完成情况")
        self.goals()
        self.indicator_table()
        self.declared_par()
        self.effect_narrative()
        self.h1("存在的问题及原因分析")
        self.prose(self.problems())
        self.h1("下一步改进措施")
        self.prose(self.measures())
        self.h1(r.choice(["上年度绩效评价发现问题整改情况", "上年度绩效自评或财政重点绩效评价整改情况"]))
        self.audit()

    def duties(self) -> None:
        r = self.rng
        n = r.randint(6, 15)
        middle = r.sample(self.dep["duties"], min(n - 2, len(self.dep["duties"])))
        middle += r.sample(self.g["duties"], n - 2 - len(middle))
        items = [r.choice(self.g["duties_first"]), *middle, r.choice(self.g["duties_last"])]
        self.n_duties = len(items)
        self.numbered([self.fill(x) for x in items])

    def units_par(self) -> None:
        u = self.units
        if len(u) == 1:
            self.prose(f"纳入部门预算编制的单位只有{u[0]['name']}一个，为行政单位。")
        else:
            k = cn_num(len(u)) if self.rng.random() < 0.3 else str(len(u))
            names = "、".join(f"{x['name']}（{x['type']}）" for x in u[1:])
            self.prose(f"纳入部门预算编制共{k}个单位，分别为{u[0]['name']}和{names}。")
        if self.rng.random() < 0.5:
            staff = self.rng.randint(15, 300)
            self.prose(f"年末核定编制{staff}名，实有人员{staff - self.rng.randint(0, 10)}名。")

    def annual_work(self) -> None:
        """A placeholder, filled last by `fill_annual_work` so that the report reaches its drawn length."""
        self.blocks.append(("annual", ""))

    def fill_annual_work(self) -> None:
        r = self.rng
        at = next(i for i, b in enumerate(self.blocks) if b[0] == "annual")
        rest = sum(len(t) + 2 for _, t in self.blocks)
        target = int(r.triangular(9000, 22000, 13000))
        blocks, self.blocks = self.blocks, []
        for k, theme in enumerate(r.sample(self.g["work_themes"], len(self.g["work_themes"]))):
            if k >= 3 and rest + sum(len(t) + 2 for _, t in self.blocks) >= target:
                break
            self.blocks.append(("h", self.h3_style.format(k + 1) + self.fill(theme)))
            sub = r.random() < 0.3
            for j, lead in enumerate(r.sample(self.g["leads"], r.randint(2, 5))):
                head = f"（{j + 1}）{lead}。" if sub else f"{ORDINALS[j]}是{lead}。"
                self.prose(f"{head}{self.acts(r.randint(2, 5))}{self.closer()}")
        self.blocks = blocks[:at] + self.blocks + blocks[at + 1 :]

    def goals(self) -> None:
        c = self.ctx
        n = sum(1 for p in self.projects if p["name"])
        self.prose(
            f"{c['year']}年{c['lv']}财政下达给{c['dept']}的部门预算中包括基本支出和{n}个一级项目支出。"
            "根据下达的财政项目经费，提出的总体绩效目标包括："
        )
        self.numbered(self.dep["goals"][: self.rng.randint(3, 4)])

    def spending(self) -> None:
        r, c = self.rng, self.ctx
        t, b, p = self.total, self.basic, self.p_narr
        bs = round(b * 10000 / t) / 100
        phrase = f"项目支出{wan(p)}万元"
        text = (
            f"{c['year']}年部门整体支出{wan(t)}万元，完成全年预算数的{pct(t / self.budget * 100)}%。"
            f"其中基本支出{wan(b)}万元，占全年的{pct(bs)}%；{phrase}，占总支出{pct(100 - bs)}%。"
        )
        d = t - self.prev_total
        text += (
            f"比上年{wan(self.prev_total)}万元{'增加' if d >= 0 else '减少'}{wan(abs(d))}万元，"
            f"{'增长' if d >= 0 else '下降'}{pct(abs(d) / self.prev_total * 100)}%。"
        )
        if len(self.units) > 1:
            shares = [r.uniform(1, 3) for _ in self.units]
            shares[0] += 4
            parts = [round(t * s / sum(shares)) for s in shares]
            parts[0] += t - sum(parts)
            segs = []
            for u, x in zip(self.units, parts, strict=True):
                prev = round(x * r.uniform(0.85, 1.15))
                dx = x - prev
                segs.append(
                    f"{u['name']}全年支出{wan(x)}万元，比上年{wan(prev)}万元{'增加' if dx >= 0 else '减少'}"
                    f"{wan(abs(dx))}万元，{'增长' if dx >= 0 else '下降'}{pct(abs(dx) / prev * 100)}%"
                )
            text += "支出按部门所属单位分布情况：" + "；".join(segs) + "。"
        self.prose(text)
        if self.p_narr != self.p_table:
            self.quotes.append(phrase)
            self.planted.append(
                {
                    "kind": "table_total_conflict",
                    "variant": "narrative_vs_table",
                    "quotes": [self.sp(phrase)],
                    "narrative": self.p_narr / 100,
                    "table_total": self.stated_total / 100,
                    "sum_of_rows": self.p_table / 100,
                }
            )

    def project_table(self) -> None:
        r = self.rng
        unit = r.choice(["（万元）", "(万元)", "（万元）", "（元）"])
        layout = r.choice(["L3", "L5", "L5n"])
        cols = {
            "L3": ["一级项目名称", "下达预算数{}", "支出数{}"],
            "L5": ["项目名称", "年初预算数{}", "调整后预算数{}", "执行数{}", "执行率"],
            "L5n": ["序号", "项目名称", "全年预算数{}", "实际支出{}", "执行率（%）"],
        }[layout]
        header = [h.format(unit) for h in cols]
        comma = r.random() < 0.3

        def money(c: int) -> str:
            return (f"{c * 100:,.2f}" if comma else f"{c * 100:.2f}") if unit == "（元）" else wan(c)

        def rate(act: int, adj: int, val: float | None = None) -> str:
            v = pct(round(act / adj * 100, 2) if val is None else val)
            return v if layout == "L5n" else v + "%"

        bad_row = -1
        if self.faults["execution_rate_mismatch"] and layout != "L3" and r.random() < 0.5:
            bad_row = r.choice([i for i, p in enumerate(self.projects) if p["name"]])
        rows, truth_rows, serial = [], [], 0
        for i, p in enumerate(self.projects):
            stated_rate = None
            if i == bad_row:
                stated_rate = self.wrong_rate(p["actual"], p["adjusted"], p["original"])
            serial += 1 if p["name"] else 0
            cells = {
                "L3": [p["name"], money(p["adjusted"]), money(p["actual"])],
                "L5": [
                    p["name"],
                    money(p["original"]),
                    money(p["adjusted"]),
                    money(p["actual"]),
                    rate(p["actual"], p["adjusted"], stated_rate),
                ],
                "L5n": [
                    str(serial) if p["name"] else "",
                    p["name"],
                    money(p["adjusted"]),
                    money(p["actual"]),
                    rate(p["actual"], p["adjusted"], stated_rate),
                ],
            }[layout]
            rows.append([self.sp(x) for x in cells])
            truth_rows.append(
                {
                    "name": self.sp(p["name"]),
                    "original": p["original"] / 100 if layout == "L5" else None,
                    "adjusted": p["adjusted"] / 100,
                    "actual": p["actual"] / 100,
                    "rate": cells[-1] if layout != "L3" else None,
                    "shifted": None,
                }
            )
            if i == bad_row:
                self.planted.append(
                    {
                        "kind": "execution_rate_mismatch",
                        "where": "table",
                        "quotes": [self.sp(p["name"]), cells[-1]],
                        "stated_rate": stated_rate,
                        "actual": p["actual"] / 100,
                        "adjusted": p["adjusted"] / 100,
                        "original": p["original"] / 100,
                    }
                )
        total = {
            "L3": ["合计", money(self.adj_total), money(self.stated_total)],
            "L5": [
                "合计",
                money(self.orig_total),
                money(self.adj_total),
                money(self.stated_total),
                rate(self.stated_total, self.adj_total),
            ],
            "L5n": [
                "",
                "合计",
                money(self.adj_total),
                money(self.stated_total),
                rate(self.stated_total, self.adj_total),
            ],
        }[layout]
        if self.stated_total != self.p_table:
            self.planted.append(
                {
                    "kind": "table_total_conflict",
                    "variant": "sum_vs_total",
                    "quotes": [money(self.stated_total)],
                    "table_total": self.stated_total / 100,
                    "sum_of_rows": self.p_table / 100,
                    "narrative": self.p_narr / 100,
                }
            )
        form = r.choice(["tab", "pipe", "cells"])
        self.shift_rows(rows, truth_rows, can_left=layout == "L5n")
        self.blocks.append(("table", self.render(form, header, rows, total)))
        self.project_truth = {
            "form": form,
            "layout": layout,
            "unit": unit.strip("（）()"),
            "columns": header,
            "rows": truth_rows,
            "total": total,
            "blank_lines": self.last_blanks,
        }

    def shift_rows(self, rows: list[list[str]], truth: list[dict], can_left: bool) -> None:
        r = self.rng
        if r.random() >= BREAKAGE_RATES["shifted_cells"]:
            return
        for i in sorted(r.sample(range(len(rows)), min(len(rows), r.randint(1, 2)))):
            left = (can_left or rows[i][0] == "") and r.random() < 0.5
            rows[i] = rows[i][1:] if left else ["", *rows[i]]
            truth[i]["shifted"] = "left" if left else "right"
            self.breakage["shifted_cells"] += 1

    def render(self, form: str, header: list[str], rows: list[list[str]], total: list[str] | None) -> str:
        r = self.rng
        allrows = [header, *rows] + ([total] if total else [])
        padded = r.random() < 0.5
        if form == "tab":
            lines = ["\t".join(x) for x in allrows]
        elif form == "pipe":
            lines = [("| " + " | ".join(x) + " |") if padded else "|" + "|".join(x) + "|" for x in allrows]
            if r.random() < 0.5:
                lines.insert(1, "|" + "|".join("---" for _ in header) + "|")
        else:
            lines = ["\n".join(x) for x in allrows]
        self.last_blanks = 0
        if r.random() < BREAKAGE_RATES["blank_lines_in_tables"] and len(rows) > 2:
            self.last_blanks = r.randint(1, 2)
            for _ in range(self.last_blanks):
                lines.insert(r.randint(2, len(rows)), "")
        self.breakage["blank_lines_in_tables"] += self.last_blanks
        return "\n".join(lines)

    def wrong_rate(self, act: int, adj: int, orig: int) -> float:
        """A rate at least 2 points away from both actual/adjusted and actual/original."""
        good = [act / adj * 100, act / orig * 100]
        v = good[0]
        while min(abs(v - g) for g in good) < 2:
            v = round(good[0] + self.rng.choice([-1, 1]) * self.rng.uniform(3, 15), 2)
            v = min(v, 99.5) if v > 100 else v
        return v

    def conclusion(self) -> None:
        r, c = self.rng, self.ctx
        self.score = r.choice([100, r.randint(85, 99), round(r.uniform(80, 99.5) * 2) / 2, r.randint(70, 89)])
        s = self.score
        self.grade = "优" if s >= 90 else "良" if s >= 80 else "中" if s >= 60 else "差"
        self.prose(
            f"{c['year']}年，在{c['gov']}的正确领导下，{c['dept']}围绕中心服务大局，各项工作有序推进。根据"
            f"《{c['city']}财政局关于开展{self.year + 1}年{c['lv']}级财政资金绩效自评工作的通知》要求，"
            "认真对照绩效自评指标体系，通过对照检查核实数据等方式开展部门整体支出绩效自评工作，"
            f"本部门自评得分{pct(s)}分，绩效评价自评等级为{self.grade}。"
        )

    def indicator_table(self) -> None:
        r = self.rng
        inds = self.indicators
        quant = [i for i, x in enumerate(inds) if x["quantitative"]]
        ge = [i for i in quant if inds[i]["op"] == "≥" and inds[i]["unit"] != "%" and inds[i]["target"] > 0]
        over: list[int] = []
        if self.faults["actual_over_150"] and ge:
            over = sorted(r.sample(ge, min(len(ge), r.randint(1, 2))))
            for i in over:
                inds[i]["actual"] = int(inds[i]["target"] * r.uniform(1.6, 5.0)) + 1
            self.planted.append(
                {
                    "kind": "actual_over_150",
                    "quotes": [inds[i]["name"] for i in over],
                    "rows": [
                        {"name": inds[i]["name"], "target": inds[i]["target"], "actual": inds[i]["actual"]}
                        for i in over
                    ],
                }
            )
        free = [i for i in quant if i not in over]
        if self.faults["missing_indicator_actual"] and free:
            miss = sorted(r.sample(free, min(len(free), r.randint(1, 2))))
            for i in miss:
                inds[i]["actual"] = None
            self.planted.append(
                {
                    "kind": "missing_indicator_actual",
                    "quotes": [inds[i]["name"] for i in miss],
                    "indicators": [inds[i]["name"] for i in miss],
                }
            )
        layout = r.choice(["gd", "full"])
        every = layout == "full" and r.random() < 0.5
        rows, prev = [], ("", "")

        def val(x: dict, v: object) -> str:
            return "" if v is None else f"{v}{x['unit']}" if x["quantitative"] else str(v)

        for k, x in enumerate(inds):
            l1 = x["level1"] if every or x["level1"] != prev[0] else ""
            l2 = x["level2"] if every or (x["level1"], x["level2"]) != prev else ""
            prev = (x["level1"], x["level2"])
            if layout == "gd":
                op = "" if x["op"] in ("=", "定性") else x["op"]
                rows.append(
                    [
                        "绩效指标" if k == 0 else "",
                        l1,
                        l2,
                        x["name"],
                        op + val(x, x["target"]),
                        val(x, x["actual"]),
                    ]
                )
            else:
                rows.append(
                    [
                        l1,
                        l2,
                        x["name"],
                        x["op"],
                        str(x["target"]),
                        x["unit"],
                        "" if x["actual"] is None else str(x["actual"]),
                        r.choice(["", "无", ""]),
                    ]
                )
        header = (
            ["", "一级指标", "二级指标", "三级指标", "指标值", "指标完成值"]
            if layout == "gd"
            else [
                "一级指标",
                "二级指标",
                "三级指标",
                "指标性质",
                "指标值",
                "度量单位",
                "完成值",
                "偏差原因及改进措施",
            ]
        )
        form = r.choice(["tab", "pipe", "cells"])
        rows = [[self.sp(c) for c in row] for row in rows]
        truth = [{**x, "shifted": None} for x in inds]
        self.shift_rows(rows, truth, can_left=False)
        self.blocks.append(("table", self.render(form, header, rows, None)))
        self.indicator_truth = {
            "form": form,
            "layout": layout,
            "columns": header,
            "rows": truth,
            "blank_lines": self.last_blanks,
        }

    def declared(self) -> tuple[str, dict]:
        inds = self.indicators
        q = sum(1 for x in inds if x["quantitative"])
        by1 = {k: sum(1 for x in inds if x["level1"] == k) for k in LEVEL1}
        stated_q = q
        if self.faults["declared_count_mismatch"]:
            stated_q = max(0, q + self.rng.choice([-3, -2, -1, 1, 2, 3]))
            if stated_q == q:
                stated_q = q + 1
        phrase = f"定量指标{stated_q}个"
        text = "，".join(f"{k}{v}个" for k, v in by1.items()) + f"；{phrase}，定性指标{len(inds) - q}个"
        if stated_q != q:
            self.quotes.append(phrase)
            self.planted.append(
                {
                    "kind": "declared_count_mismatch",
                    "quotes": [self.sp(phrase)],
                    "declared": stated_q,
                    "counted": q,
                }
            )
        self.declared_counts = {"by_level1": by1, "quantitative": stated_q, "qualitative": len(inds) - q}
        return text, by1

    def declared_par(self) -> None:
        text, _ = self.declared()
        self.prose(f"本年度共设置绩效指标{len(self.indicators)}个，其中：{text}。各项指标均已按要求填报完成情况。")

    def effect_narrative(self) -> None:
        r, c = self.rng, self.ctx
        self.prose(
            f"{c['year']}年{c['dept']}围绕核心职能，在多个重点工作领域取得显著成果，表明本部门在履行核心职能上"
            "具有较强的执行力和落实力。"
        )
        named = [p["name"] for p in self.projects if p["name"]]
        for name in r.sample(named, min(len(named), r.randint(3, 6))):
            self.prose(f"在落实“{name}”方面，{self.acts(r.randint(1, 3))}{self.closer()}")

    def execution_par(self) -> None:
        r, c = self.rng, self.ctx
        true_rate = self.p_table / self.adj_total * 100
        stated = round(true_rate, 2)
        bad = self.faults["execution_rate_mismatch"] and not any(
            f["kind"] == "execution_rate_mismatch" for f in self.planted
        )
        if bad:
            stated = self.wrong_rate(self.p_table, self.adj_total, self.orig_total)
        phrase = f"项目经费实际支出{wan(self.p_table)}万元，执行率{pct(stated)}%"
        named = [p for p in self.projects if p["name"]]
        segs = [
            f"“{p['name']}”支出{wan(p['actual'])}万元，执行率{pct(round(p['actual'] / p['adjusted'] * 100, 2))}%"
            for p in r.sample(named, min(r.randint(1, 4), len(named)))
        ]
        self.prose(
            f"{c['year']}年{phrase}，其中：" + "；".join(segs) + "。各项支出严格控制成本，支出进度与效益和产出相符，"
            "未有超范围超标准支出情况。"
        )
        self.stated_rate = stated
        if bad:
            self.quotes.append(phrase)
            self.planted.append(
                {
                    "kind": "execution_rate_mismatch",
                    "where": "narrative",
                    "quotes": [self.sp(phrase)],
                    "stated_rate": stated,
                    "actual": self.p_table / 100,
                    "adjusted": self.adj_total / 100,
                    "original": self.orig_total / 100,
                }
            )

    def management(self) -> None:
        r = self.rng
        paras = self.g["management"]
        picks = [paras[0], *r.sample(paras[1:], r.randint(3, len(paras) - 1))]
        k = 0

        def sub(title: str, text: str) -> None:
            nonlocal k
            k += 1
            self.prose(self.h3_style.format(k) + title)
            self.prose(text)

        sub(*[self.fill(x) for x in picks[0]])
        text, _ = self.declared()
        sub(
            "目标设置及确认情况",
            "一是目标设置完整，包括覆盖的年度重点工作任务。二是绩效指标设置合理，包括产出指标、"
            f"效益指标和满意度指标，其中：{text}。三是指标设置明确，具有可衡量性、可操作性和相关性。",
        )
        k += 1
        self.prose(self.h3_style.format(k) + "预算执行情况")
        self.execution_par()
        for title, text in picks[1:]:
            sub(title, self.fill(text))

    def problems(self) -> str:
        items = self.rng.sample(self.g["problems"], self.rng.randint(2, 4))
        return "".join(f"{ORDINALS[i]}是{self.fill(x)}" for i, x in enumerate(items))

    def measures(self) -> str:
        items = self.rng.sample(self.g["measures"], self.rng.randint(3, 5))
        return "；".join(f"{ORDINALS[i]}是{x.rstrip('。')}" for i, x in enumerate(items)) + "。"

    def audit(self) -> None:
        r, c = self.rng, self.ctx
        s = round(r.uniform(78, 96) * 2) / 2
        g = "优" if s >= 90 else "良" if s >= 80 else "中"
        note = "（数据截止至整改情况反馈前，与全年数据有差异）" if r.random() < 0.3 else ""
        self.prose(
            f"上年对{c['dept']}部门整体支出进行重点绩效评价，{r.choice(self.g['firms'])}对{c['prev']}年部门整体"
            f"支出进行绩效评价，并出具《{c['dept']}{c['prev']}年度部门整体支出绩效评价报告》，评价总得分{pct(s)}分，"
            f"评价等级为“{g}”，对评价报告中提出的问题，我单位及时整改并将整改情况反馈给{c['lv']}财政局。{note}"
        )
        self.audit_issues = r.sample(DATA["audit"], r.randint(1, 4))
        self.prior = {"score": s, "grade": g}
        for issue in self.audit_issues:
            self.h2(issue["title"])
            self.prose(
                self.h3_style.format(1)
                + "存在问题："
                + self.fill(issue["problem"])
                + self.extra("problem_details", 1, 3)
            )
            self.prose(
                self.h3_style.format(2)
                + "整改措施："
                + self.fill(issue["measure"])
                + self.extra("measure_details", 2, 4)
            )
            self.prose(
                self.h3_style.format(3)
                + "整改效果："
                + self.fill(issue["effect"])
                + self.acts(r.randint(0, 2))
                + self.extra("effect_details", 1, 3)
            )

    # ---------------------------------------------------------------- output
    def text(self) -> str:
        r = self.rng
        quotes = [self.sp(q) for q in self.quotes]
        page = r.random() < BREAKAGE_RATES["page_breaks"]
        left = r.randint(600, 1400)
        out = []
        for kind, text in self.blocks:
            text = self.sp(text)
            if kind == "prose" and self.spacing == "sporadic":
                text = self.sporadic(text, quotes)
            if kind == "prose" and page:
                text, left = self.page_breaks(text, quotes, left)
            elif page:
                left = max(1, left - len(text))
            out.append(text)
        return "\n\n".join(out) + "\n"

    def sporadic(self, text: str, quotes: list[str]) -> str:
        prot = spans(text, quotes)
        cuts = [
            m.start() for m in SPACE_RE.finditer(text) if not protected(m.start(), prot) and self.rng.random() < 0.15
        ]
        for pos in reversed(cuts):
            text = text[:pos] + " " + text[pos:]
        self.breakage["sporadic_spaces"] += len(cuts)
        return text

    def page_breaks(self, text: str, quotes: list[str], left: int) -> tuple[str, int]:
        pos = 0
        while len(text) - pos > left:
            prot = spans(text, quotes)
            j = max(pos + left, pos + 8)
            while j < len(text) - 1 and not (
                text[j - 1] not in "\n。；：！？" and text[j] != "\n" and not protected(j, prot)
            ):
                j += 1
            if j >= len(text) - 1:
                break
            text = text[:j] + "\n\n" + text[j:]
            self.breakage["page_breaks"] += 1
            pos, left = j + 2, self.rng.randint(600, 1400)
        return text, max(1, left - (len(text) - pos))

    def truth(self, name: str, encoding: str, chars: int) -> dict:
        pt, it = self.project_truth, self.indicator_truth
        quant = sum(1 for x in self.indicators if x["quantitative"])
        return {
            "schema": SCHEMA,
            "file": name,
            "seed": self.seed,
            "index": self.index,
            "encoding": encoding,
            "chars": chars,
            "form": self.form,
            "province": self.ctx["province"],
            "city": self.ctx["city"],
            "department": self.ctx["dept"],
            "department_kind": self.dep["kind"],
            "year": self.year,
            "counts": {
                "duties": self.n_duties,
                "units": len(self.units),
                "project_rows": len(pt["rows"]),
                "unnamed_project_rows": sum(1 for x in pt["rows"] if not x["name"]),
                "indicators": len(it["rows"]),
                "quantitative_indicators": quant,
                "qualitative_indicators": len(it["rows"]) - quant,
                "audit_issues": len(self.audit_issues),
            },
            "units": [self.sp(u["name"]) for u in self.units],
            "figures": {
                "total_budget": self.budget / 100,
                "total_spending": self.total / 100,
                "basic_spending": self.basic / 100,
                "project_spending_narrative": self.p_narr / 100,
                "project_spending_table": self.stated_total / 100,
                "project_sum_of_rows": self.p_table / 100,
                "project_adjusted_total": self.adj_total / 100,
                "execution_rate_stated": self.stated_rate,
                "score": self.score,
                "grade": self.grade,
                "prior_evaluation": self.prior,
            },
            "declared": self.declared_counts,
            "audit_issues": [x["title"] for x in self.audit_issues],
            "project_table": pt,
            "indicator_table": it,
            "faults": self.planted,
            "breakage": {"digit_unit_spacing": self.spacing, **self.breakage},
        }


def spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    out = []
    for q in quotes:
        start = text.find(q)
        while start >= 0:
            out.append((start, start + len(q)))
            start = text.find(q, start + 1)
    return out


def protected(pos: int, prot: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in prot)


def generate_one(seed: int, index: int) -> tuple[str, bytes, bytes]:
    """(file name, report bytes, truth JSON bytes) for report `index` of the corpus drawn from `seed`."""
    rep = Report(seed, index)
    rep.build()
    text = rep.text()
    name = f"bench-{index:05d}.txt"
    encoding = "gb18030" if index % GB18030_EVERY == seed % GB18030_EVERY else "utf-8"
    truth = rep.truth(name, encoding, len(text))
    data = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
    return name, text.encode(encoding), data.encode("utf-8")


def generate(n: int, seed: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name, body, truth = generate_one(seed, i)
        (out / name).write_bytes(body)
        (out / name.replace(".txt", ".truth.json")).write_bytes(truth)
        paths.append(out / name)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="number of reports (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed; report i uses Random(seed + i)")
    ap.add_argument("--out", type=Path, required=True, help="output directory (created if missing)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.n, args.seed, args.out)
    print(f"wrote {len(paths)} reports to {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
