"""The 2022 Luzhou emergency played through the services on the demo city's own clock.

Each step passes `now` to the services, so plans are approved, measures switched and ended,
and modes set on the dates they happened in 2022, not on the day the demo is built.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import with_mode
from keepline.bubble.services import modes as bubble_modes
from keepline.bubble.services import plans as bubble_plans
from keepline.bubble.services import switching as bubble_switching
from keepline.core.scopes import SystemActor
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, MeasureKind, WhitelistLevel
from keepline.reports import services as report_services
from keepline.reports.importers import DAILY_REPORT_IMPORTER
from keepline.whitelist.models import Category
from keepline.whitelist.services import listings as whitelist_listings

TZ = ZoneInfo("Asia/Shanghai")
PLAN_SHARE = 0.7  # of above-size enterprises, largest first: "plans for most large enterprises"
UNREADY_EVERY = 9  # every ninth plan is short of beds and goes back to the enterprise
PLANS_WRITTEN = dt.datetime(2022, 8, 25, 10, tzinfo=TZ)
PLANS_DECIDED = dt.datetime(2022, 8, 30, 16, tzinfo=TZ)
PLAN_REVIEW = dt.date(2022, 12, 31)
STATIC_ENDS = dt.date(2022, 9, 26)
SPRING_STOP = dt.datetime(2022, 1, 25, 8, tzinfo=TZ)
SPRING_BACK_FIRST = dt.date(2022, 2, 7)
SEASONAL_SHARE = 0.35  # of above-size enterprises stop over the holiday
SEASONAL_BACK = dt.date(2022, 3, 15)


def _plan_data(enterprise: Enterprise, ready: bool, rng: random.Random) -> dict[str, Any]:
    """A plan sized to the enterprise: about a third of the staff live inside the loop."""
    inside = max(10, enterprise.employees // 3)
    return {
        "perimeter_sealable": True,
        "gates": 2,
        "guard_posts": 2,
        "staff_inside": inside,
        "beds": inside + rng.randint(0, 30) if ready else inside // 2,
        "meals_per_day": inside * 3 + 30,
        "raw_material_days": Decimal(rng.randint(8, 30)),
        "finished_goods_days": Decimal(rng.randint(5, 20)),
        "key_inputs": "主要原料由本地供应商直供",
        "isolation_rooms": max(1, inside // 50 + 1),
        "on_site_sampling": True,
        "sampling_points": 1 + inside // 200,
        "reduced_staff_plan": "减员至 60% 时保留主要生产线",
        "alternative_logistics": "园区内备用车队，必要时申请重点物资运输车辆通行证",
        "review_date": PLAN_REVIEW,
    }


def build_plans(rng: random.Random, actor: SystemActor, enterprises: list[Enterprise]) -> int:
    """One enterprise one policy for most large enterprises; a few fall short and are returned."""
    above = sorted(
        (e for e in enterprises if e.above_size), key=lambda e: (-e.annual_output, e.uscc)
    )
    approved = 0
    for n, enterprise in enumerate(above[: int(len(above) * PLAN_SHARE)]):
        ready = n % UNREADY_EVERY != UNREADY_EVERY - 1
        plan = bubble_plans.save_plan(
            actor=actor,
            enterprise_id=enterprise.pk,
            data=_plan_data(enterprise, ready, rng),
            submit=True,
            now=PLANS_WRITTEN,
        )
        bubble_plans.decide_plan(
            actor=actor,
            plan_id=plan.pk,
            approve=ready,
            note="" if ready else "床位不足，请补充住宿安排后重新提交",
            now=PLANS_DECIDED,
        )
        approved += ready
    return approved


def build_spring_festival(
    rng: random.Random, actor: SystemActor, enterprises: list[Enterprise]
) -> int:
    """The Spring Festival: many stop for the holiday and come back staggered over the
    resumption drive (90% by 15 February, all by 20 February); grain processors stop for
    their off-season, which the resumption rate leaves out."""
    stopped = [e for e in enterprises if e.above_size and rng.random() < SEASONAL_SHARE]
    for enterprise in stopped:
        seasonal = enterprise.industry.code == "13"
        bubble_modes.set_mode(
            actor=actor,
            enterprise_id=enterprise.pk,
            mode=EnterpriseMode.SEASONAL_STOP if seasonal else EnterpriseMode.HALTED,
            reason="季节性停产" if seasonal else "春节放假停产",
            now=SPRING_STOP,
        )
        if seasonal:
            back = SEASONAL_BACK
        else:
            # Most are back within days of the holiday; the last by the 20 February target.
            back = SPRING_BACK_FIRST + dt.timedelta(days=min(int(rng.expovariate(1 / 3)), 12))
        bubble_modes.set_mode(
            actor=actor,
            enterprise_id=enterprise.pk,
            mode=EnterpriseMode.NORMAL,
            reason="节后复工复产",
            effective_on=back,
            now=SPRING_STOP + dt.timedelta(days=1),
        )
    return len(stopped)


def build_switching(actor: SystemActor) -> dict[str, int]:
    """Switch the enterprises of each static-management measure on its start, and return them
    to normal when static management ends on 26 September."""
    switched: dict[str, int] = {}
    measures = ControlMeasure.objects.filter(kind=MeasureKind.STATIC_MANAGEMENT).order_by(
        "starts_at", "pk"
    )
    for measure in measures:
        preview = bubble_switching.preview_switch(
            actor=actor, measure_id=measure.pk, at=measure.starts_at
        )
        switch = bubble_switching.confirm_switch(
            actor=actor,
            measure_id=measure.pk,
            expected_count=preview.change_count,
            now=measure.starts_at,
        )
        switched[measure.title] = switch.switched
    for measure in measures:
        bubble_switching.end_measure_modes(
            actor=actor,
            measure_id=measure.pk,
            return_on=STATIC_ENDS,
            now=dt.datetime.combine(STATIC_ENDS, dt.time(9), TZ),
        )
    return switched


REPORT_DAYS = (dt.date(2022, 9, 5), dt.date(2022, 9, 20))
MISSING_SHARE = 0.06
# What the few reports with a problem say; picked by enterprise and day, not by the random
# stream, so the rest of the city stays as the seed makes it.
REPORT_PROBLEMS = [
    "原料运输受阻，需协调通行证",
    "员工滞留封控小区，无法返岗",
    "包装物料供应商停产，库存仅够3天",
    "成品无法出城，仓库将满",
    "防疫物资（抗原试剂）不足",
    "天然气压力不足，影响窑炉生产",
]
# Per mode: share of staff on site, share of them living inside, share of normal daily output.
REPORT_SHAPE = {
    EnterpriseMode.NORMAL: (0.95, 0.0, 1.0),
    EnterpriseMode.CLOSED_LOOP: (0.6, 1.0, 0.8),
    EnterpriseMode.SEMI_CLOSED: (0.5, 0.0, 0.55),
    EnterpriseMode.HALTED: (0.05, 0.0, 0.0),
    EnterpriseMode.SEASONAL_STOP: (0.02, 0.0, 0.0),
}


def build_reports(rng: random.Random, actor: SystemActor) -> int:
    """Daily reports of the above-size enterprises under static management, 5–20 September:
    each follows the enterprise's official mode that day; a few are missing every day."""
    regions = [
        r
        for m in ControlMeasure.objects.filter(kind=MeasureKind.STATIC_MANAGEMENT)
        for r in m.regions.all()
    ]
    paths = Q(pk__in=[])
    for region in regions:
        paths |= Q(region__path__startswith=region.path)
    base = Enterprise.objects.filter(paths, above_size=True)
    rows: list[tuple[int, dict[str, Any]]] = []
    day = REPORT_DAYS[0]
    while day <= REPORT_DAYS[1]:
        at = dt.datetime.combine(day, dt.time(16), TZ)
        for e in with_mode(base, at).order_by("pk"):
            if rng.random() < MISSING_SHARE:
                continue
            mode: str = e.mode  # type: ignore[attr-defined]
            on_site, inside, output = REPORT_SHAPE[EnterpriseMode(mode)]
            staff = int(e.employees * on_site * rng.uniform(0.9, 1.05))
            rows.append(
                (
                    len(rows) + 2,
                    {
                        "uscc": e.uscc,
                        "date": day.isoformat(),
                        "mode": mode,
                        "staff_on_site": staff,
                        "staff_inside": int(staff * inside),
                        "output_value": f"{float(e.annual_output) / 300 * output:.2f}",
                        "capacity_use": f"{min(output * 100 * rng.uniform(0.8, 1.05), 150):.1f}",
                        "raw_material_days": rng.randint(3, 25),
                        "finished_goods_days": rng.randint(2, 15),
                        "problems": ""
                        if rng.random() > 0.03
                        else REPORT_PROBLEMS[(e.pk + day.toordinal()) % len(REPORT_PROBLEMS)],
                    },
                )
            )
        day += dt.timedelta(days=1)
    check = DAILY_REPORT_IMPORTER.check_rows(actor, iter(rows))
    if not check.ok:
        raise RuntimeError(f"demo reports have errors, first: {check.errors[0]}")
    return report_services.import_reports(actor=actor, check=check).created


def build_targets(actor: SystemActor, city: Any) -> int:
    """The post-holiday resumption targets: over 90% by 15 February, all by 20 February."""
    for day, rate in ((dt.date(2022, 2, 15), 90), (dt.date(2022, 2, 20), 100)):
        report_services.set_target(
            actor=actor, region=city, day=day, rate=rate, note="节后复工复产目标"
        )
    return 2


# The Luzhou lists: 8 parks and 89 enterprises on the city's, of which 2 and 15 provincial.
CITY_PARKS, PROVINCE_PARKS = 8, 2
CITY_ENTERPRISES, PROVINCE_ENTERPRISES = 89, 15
# Each level's list: when it was made, and what it names an enterprise's listing for.
LEVELS = (
    (WhitelistLevel.CITY, dt.datetime(2022, 4, 20, 10, tzinfo=TZ), "泸州市重点产业链供应链白名单"),
    (
        WhitelistLevel.PROVINCE,
        dt.datetime(2022, 5, 10, 10, tzinfo=TZ),
        "四川省重点产业链供应链白名单",
    ),
)
# Industry -> (category, chain) of its listing.
LISTING_KIND = {
    "15": (Category.KEY_INDUSTRIES, "白酒"),
    "26": (Category.KEY_MATERIALS, "化工"),
    "27": (Category.EPIDEMIC_PREVENTION, "医药"),
    "44": (Category.SOCIAL_OPERATION, "能源"),
    "25": (Category.SOCIAL_OPERATION, "能源"),
    "13": (Category.DAILY_NEEDS, "粮油食品"),
    "14": (Category.DAILY_NEEDS, "粮油食品"),
    "30": (Category.KEY_MATERIALS, "玻璃包装"),
    "22": (Category.KEY_MATERIALS, "玻璃包装"),
}


def _list(
    actor: SystemActor,
    subject: Any,
    *,
    provincial: bool,
    category: str,
    chain: str,
    reason: str = "",
) -> None:
    """Put a subject on the city's list and, if it is provincial, the province's; a reason given
    stands for both lists, else each gives its own."""
    for level, at, own_reason in LEVELS[: 2 if provincial else 1]:
        whitelist_listings.list_directly(
            actor=actor,
            subject=subject,
            level=level,
            category=category,
            chain=chain,
            reason=reason or own_reason,
            at=at,
        )


def build_whitelists(
    actor: SystemActor, parks: dict[str, Any], enterprises: list[Enterprise]
) -> tuple[int, int]:
    """List the largest enterprises of the chains that must keep running, and the parks they
    sit in, at city level in April and the first of them at provincial level in May."""
    chosen = sorted(
        (e for e in enterprises if e.above_size and e.industry.code in LISTING_KIND),
        key=lambda e: (-e.annual_output, e.uscc),
    )[:CITY_ENTERPRISES]
    for n, enterprise in enumerate(chosen):
        category, chain = LISTING_KIND[enterprise.industry.code]
        _list(
            actor, enterprise, provincial=n < PROVINCE_ENTERPRISES, category=category, chain=chain
        )
    for n, park in enumerate(list(parks.values())[:CITY_PARKS]):
        _list(
            actor,
            park,
            provincial=n < PROVINCE_PARKS,
            category=Category.KEY_INDUSTRIES,
            chain="园区",
            reason="重点产业链供应链白名单园区",
        )
    return len(chosen), min(len(parks), CITY_PARKS)
