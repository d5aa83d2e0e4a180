"""The demo city's supply network and its lockdown scenarios.

Who supplies whom follows each industry's recipe (`RECIPES`): a distillery buys sorghum, glass
bottles, cartons and printed labels; glassworks buy soda ash from the chemical plants of Naxi; a
machinery works buys castings, motors and seals. Each customer takes each input from one to three
suppliers of that sector in the city, nearer ones more likely, bigger ones more often, together
covering part of its need (the rest comes from outside the city and is not disrupted), with the
days of stock the recipe gives. Four industry chains (liquor, chemicals, equipment, electronics)
are kept by the city with their chain leaders (链主).

The scenarios: the September 2022 static management as the city's measures put it (five of the
seven districts and counties shut from 8 September, where only enterprises qualified for closed
loop produce; Xuyong and Gulin, home of the big Gulin distillery, stay open and depend on glass
and packaging from the shut districts), run and ranked
for which suppliers to keep running; and a what-if of a fortnight's full lockdown of the two
central districts, to compare with it.

Deterministic for a seed: the draws come from a stream of their own and every query that feeds a
choice is ordered.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from keepline.chains.importers import LINK_IMPORTER
from keepline.chains.models import Scenario
from keepline.chains.services.keep import rank_scenario
from keepline.chains.services.network import add_member, save_chain
from keepline.chains.services.runs import run_scenario
from keepline.chains.services.scenarios import (
    create_scenario,
    scenario_from_measures,
    update_scenario,
)
from keepline.core.scopes import SystemActor
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region

CITY = "510500"
JY, LMT = "510502", "510504"
SCENARIO_START = dt.date(2022, 9, 8)


@dataclass(frozen=True)
class Input:
    """One input of an industry's recipe: the sector that supplies it, the product, the range of
    the customer's days of stock, and how much of the need the city's suppliers cover."""

    sector: str
    product: str
    stock: tuple[int, int]
    covered: tuple[float, float] = (0.6, 0.95)


RECIPES: dict[str, tuple[Input, ...]] = {
    "15": (
        Input("13", "酿酒高粱", (20, 45)),
        Input("30", "白酒玻璃瓶", (4, 12), (0.7, 0.95)),
        Input("22", "瓦楞纸箱及礼盒", (3, 10)),
        Input("23", "酒标及防伪标识印刷", (7, 20)),
    ),
    "30": (Input("26", "纯碱及化工原料", (7, 15), (0.4, 0.8)),),
    "26": (
        Input("25", "焦炭及燃料", (3, 8), (0.5, 0.9)),
        Input("29", "塑料包装桶", (5, 15)),
    ),
    "27": (
        Input("26", "医药化工原料", (10, 25)),
        Input("30", "药用玻璃瓶", (7, 15)),
        Input("22", "药品包装盒", (5, 12)),
    ),
    "14": (Input("13", "农产品原料", (5, 15)), Input("22", "食品包装", (5, 12))),
    "34": (
        Input("33", "铸件及紧固件", (7, 20)),
        Input("38", "电机及电气元件", (10, 25)),
        Input("29", "橡胶密封件", (10, 30)),
    ),
    "35": (
        Input("34", "液压件", (10, 25)),
        Input("33", "钢结构件", (7, 20)),
        Input("38", "电气控制柜", (10, 20)),
    ),
    "39": (
        Input("38", "电池及线缆", (5, 15)),
        Input("29", "塑胶外壳", (5, 12)),
        Input("22", "电子产品包装", (3, 8)),
    ),
}

# The chains the city keeps: name, the leader's industry, and the segments (industry → 环节).
CHAINS = (
    (
        "白酒产业链",
        "15",
        {"15": "酿造", "13": "酿酒原粮", "30": "玻璃瓶", "22": "包装", "23": "印刷"},
    ),
    ("化工产业链", "26", {"26": "化工", "25": "燃料", "29": "塑料制品", "30": "玻璃及建材"}),
    (
        "装备制造产业链",
        "35",
        {"35": "专用设备", "34": "通用机械", "33": "金属制品", "38": "电气"},
    ),
    ("电子信息产业链", "39", {"39": "电子", "38": "电池及线缆", "29": "塑胶件", "22": "包装"}),
)
CHAIN_MEMBERS = 40


@dataclass(frozen=True)
class DemoChains:
    links: int
    chains: int
    scenarios: list[Scenario]

    def summary(self) -> str:
        runs = "; ".join(
            f"{s.name}: {s.at_risk} running dry, {s.total_loss} 万元 lost"
            f" ({s.direct_loss} direct, {s.indirect_loss} indirect)"
            for s in self.scenarios
        )
        return f"supply links: {self.links}; industry chains: {self.chains}; scenarios: {runs}"


def _district(e: Enterprise) -> str:
    return e.region.code[:6]


def _pick_suppliers(
    rng: random.Random, customer: Enterprise, pool: list[Enterprise], count: int
) -> list[Enterprise]:
    """`count` suppliers from the pool: bigger ones sell to more customers, and a supplier in
    the customer's own district is three times as likely."""
    candidates = [e for e in pool if e.pk != customer.pk]
    chosen: list[Enterprise] = []
    while candidates and len(chosen) < count:
        weights = [
            float(e.annual_output) ** 0.5 * (3 if _district(e) == _district(customer) else 1)
            for e in candidates
        ]
        pick = rng.choices(candidates, weights=weights)[0]
        chosen.append(pick)
        candidates.remove(pick)
    return chosen


def _link_rows(rng: random.Random, enterprises: list[Enterprise]) -> list[dict[str, Any]]:
    by_industry: dict[str, list[Enterprise]] = {}
    for e in enterprises:
        by_industry.setdefault(e.industry.code, []).append(e)
    rows: list[dict[str, Any]] = []
    for customer in enterprises:
        for need in RECIPES.get(customer.industry.code, ()):
            pool = by_industry.get(need.sector, [])
            suppliers = _pick_suppliers(rng, customer, pool, rng.choice((1, 1, 2, 2, 3)))
            if not suppliers:
                continue
            covered = rng.uniform(*need.covered)
            cuts = sorted(rng.random() for _ in range(len(suppliers) - 1))
            parts = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
            stock = rng.randint(*need.stock)
            for supplier, part in zip(suppliers, parts, strict=True):
                share = max(Decimal("0.001"), Decimal(str(round(covered * part, 3))))
                rows.append(
                    {
                        "supplier": supplier.uscc,
                        "customer": customer.uscc,
                        "product": need.product,
                        "sector": need.sector,
                        "share": share,
                        "stock_days": stock,
                        "substitutes": len(suppliers) > 1,
                        "note": "",
                    }
                )
    return rows


def _build_chains(actor: SystemActor, city: Region, enterprises: list[Enterprise]) -> int:
    """Each chain: its leader is the biggest enterprise of its industry; its members are the
    biggest enterprises of each of its segments."""
    by_industry: dict[str, list[Enterprise]] = {}
    for e in sorted(enterprises, key=lambda e: (-e.annual_output, e.uscc)):
        by_industry.setdefault(e.industry.code, []).append(e)
    for name, lead, segments in CHAINS:
        leader = by_industry[lead][0]
        chain = save_chain(
            actor=actor,
            name=name,
            region_id=city.pk,
            industry_code=lead,
            leader_id=leader.pk,
            description=f"泸州市重点产业链，链主企业：{leader.name}。",
        )
        per_segment = max(1, CHAIN_MEMBERS // len(segments))
        for code, segment in segments.items():
            for member in by_industry.get(code, [])[:per_segment]:
                add_member(actor=actor, chain_id=chain.pk, enterprise_id=member.pk, segment=segment)
    return len(CHAINS)


def build_chains(actor: SystemActor, *, seed: int) -> DemoChains:
    """The network, the chains and the two scenarios, run and (the city's) ranked."""
    rng = random.Random(f"{seed}-chains")
    enterprises = list(
        Enterprise.objects.filter(above_size=True)
        .select_related("industry", "region")
        .order_by("uscc")
    )
    rows = _link_rows(rng, enterprises)
    imported = LINK_IMPORTER.check_rows(actor, enumerate(rows, start=2))
    if not imported.ok:
        raise ValueError(f"The demo's supply links do not import: {imported.errors[:3]}")
    LINK_IMPORTER.write(actor, imported)
    city = Region.objects.get(code=CITY)
    chains = _build_chains(actor, city, enterprises)

    measured = scenario_from_measures(
        actor=actor,
        name="泸州市2022年9月临时性静态管理",
        region_id=city.pk,
        starts_on=SCENARIO_START,
        days=60,
    )
    # Under this static management residents stayed at home, so an enterprise neither qualified
    # for closed loop nor reporting semi-closed production had no one at work: it made nothing,
    # not the semi-closed share a scenario assumes by default.
    measured = update_scenario(
        actor=actor,
        scenario_id=measured.pk,
        version=measured.version,
        semi_closed_share=Decimal("0"),
        note="静态管理期间居民居家，既未闭环生产、也未报送半封闭生产日报的企业无人到岗，按停产计。",
    )
    run_scenario(actor=actor, scenario_id=measured.pk)
    rank_scenario(actor=actor, scenario_id=measured.pk)
    central = Region.objects.filter(code__in=(JY, LMT)).order_by("code")
    what_if = create_scenario(
        actor=actor,
        name="假设：江阳区、龙马潭区全域封控14天",
        region_id=city.pk,
        starts_on=SCENARIO_START,
        days=60,
        areas=[
            {
                "region_id": r.pk,
                "starts_on": SCENARIO_START,
                "ends_on": SCENARIO_START + dt.timedelta(days=13),
                "strictness": 3,
            }
            for r in central
        ],
        note="城区两区全域封控、非闭环企业全部停产，对比全市静态管理的影响。",
    )
    run_scenario(actor=actor, scenario_id=what_if.pk)
    rank_scenario(actor=actor, scenario_id=what_if.pk)
    done = [Scenario.objects.get(pk=s.pk) for s in (measured, what_if)]
    return DemoChains(links=len(rows), chains=chains, scenarios=done)
