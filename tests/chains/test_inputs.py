"""A scenario's rows as the engine's arrays: who is modelled, at what capacity on which day, and
what keeping an enterprise running in a closed loop gives it.

The scenario runs ten days from 1 September 2022 with distinctive shares (closed loop 0.7,
semi-closed 0.4, spare capacity 0.25) so that each figure below can only come from one rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from keepline.bubble.services import plans as bubble
from keepline.chains import inputs
from keepline.chains.models import Scenario, ScenarioArea, SupplyLink
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import Park, Region
from keepline.reports.models import DailyReport
from tests.conftest import SYSTEM, TZ, World
from tests.factories import EnterpriseFactory

START = dt.date(2022, 9, 1)
DAYS = 10
OUTSIDE = 1.25  # 1 + the scenario's spare capacity
CLOSED, SEMI = 0.7, 0.4

# An enterprise's closed-loop plan as the bubble module wants it to be ready.
READY: dict[str, Any] = {
    "perimeter_sealable": True,
    "gates": 2,
    "guard_posts": 2,
    "staff_inside": 150,
    "beds": 160,
    "meals_per_day": 450,
    "raw_material_days": 10,
    "finished_goods_days": 7,
    "key_inputs": "高粱：本地合作社直供",
    "isolation_rooms": 3,
    "on_site_sampling": True,
    "sampling_points": 2,
    "reduced_staff_plan": "减员至 60% 时保留两条灌装线",
    "alternative_logistics": "铁路专线 + 备用车队",
    "review_date": dt.date(2022, 12, 31),
}


def _firm(serial: int, region: Region, *, park: Park | None = None, output: str = "3650") -> Any:
    return EnterpriseFactory(
        serial=700 + serial,
        name=f"模型测试企业{serial}",
        region=region,
        park=park,
        annual_output=Decimal(output),
    )


def _qualify(enterprise: Enterprise, *, decided: dt.datetime, **changes: Any) -> None:
    """An approved plan for the enterprise, decided at `decided` (ready unless changed)."""
    plan = bubble.save_plan(
        actor=SYSTEM,
        enterprise_id=enterprise.pk,
        data={**READY, **changes},
        submit=True,
        now=decided - dt.timedelta(days=1),
    )
    bubble.decide_plan(actor=SYSTEM, plan_id=plan.pk, approve=True, now=decided)


def _report(enterprise: Enterprise, day: dt.date, mode: str, use: str) -> None:
    now = timezone.now()
    DailyReport.objects.create(
        enterprise=enterprise,
        date=day,
        mode=mode,
        staff_on_site=100,
        staff_inside=80,
        output_value=Decimal("5.00"),
        capacity_use=Decimal(use),
        raw_material_days=Decimal("3.0"),
        finished_goods_days=Decimal("2.0"),
        via="form",
        submitted_by_name="liaison",
        submitted_at=now,
        first_submitted_at=now,
    )


def _link(supplier: Enterprise, customer: Enterprise, share: str, stock: str) -> SupplyLink:
    return SupplyLink.objects.create(
        supplier=supplier,
        customer=customer,
        product=f"{supplier.pk}→{customer.pk}",
        sector=Industry.objects.get(code="30"),
        share=Decimal(share),
        stock_days=Decimal(stock),
    )


@dataclass
class Setting:
    world: World
    firms: dict[str, Enterprise]
    scenario: Scenario

    def area(
        self,
        first: int,
        last: int,
        strictness: int,
        *,
        region: Region | None = None,
        park: Park | None = None,
    ) -> ScenarioArea:
        """Shut the region (Jiangyang unless given) or park from day `first` to `last`
        (0-based, either may fall outside the horizon)."""
        if park is None and region is None:
            region = self.world.jiangyang
        return ScenarioArea.objects.create(
            scenario=self.scenario,
            region=region,
            park=park,
            starts_on=START + dt.timedelta(days=first),
            ends_on=START + dt.timedelta(days=last),
            strictness=strictness,
        )

    def capacity(self, built: inputs.ScenarioInputs, name: str) -> list[float]:
        """One enterprise's capacity, day by day, rounded for comparison."""
        return [round(float(c), 6) for c in built.capacity[:, self.at(built, name)]]

    def at(self, built: inputs.ScenarioInputs, name: str) -> int:
        return built.position()[self.firms[name].pk]


@pytest.fixture
def setting(world: World) -> Setting:
    j, n = world.jiangyang, world.naxi
    firms = {
        "park_firm": world.enterprise,  # Jiangyang, in the world's park
        "yibin": world.foreign_enterprise,
        "plain": _firm(1, j),
        "qualified": _firm(2, j),
        "reported": _firm(3, j),
        "qualified_reported": _firm(4, j),
        "naxi": _firm(5, n),
        "idle": _firm(6, n, output="0"),
        "late_plan": _firm(7, j),
        "not_ready": _firm(8, j),
        "expired": _firm(9, j),
    }
    before = dt.datetime(2022, 8, 20, 10, tzinfo=TZ)
    _qualify(firms["qualified"], decided=before)
    _qualify(firms["qualified_reported"], decided=before)
    # Approved only once the scenario has begun, not ready, or due for review before it begins:
    # none of these qualifies.
    _qualify(firms["late_plan"], decided=dt.datetime(2022, 9, 3, 10, tzinfo=TZ))
    _qualify(firms["not_ready"], decided=before, beds=0)
    _qualify(firms["expired"], decided=before, review_date=dt.date(2022, 8, 25))
    # Semi-closed: the latest report in that mode before the start counts, not a later one,
    # nor one in another mode.
    _report(firms["reported"], dt.date(2022, 8, 10), "semi_closed", "20.0")
    _report(firms["reported"], dt.date(2022, 8, 20), "semi_closed", "35.0")
    _report(firms["reported"], dt.date(2022, 8, 25), "normal", "95.0")
    _report(firms["reported"], dt.date(2022, 9, 2), "semi_closed", "5.0")
    _report(firms["reported"], dt.date(2022, 8, 28), "closed_loop", "80.0")
    _report(firms["qualified_reported"], dt.date(2022, 6, 1), "closed_loop", "30.0")
    _report(firms["qualified_reported"], dt.date(2022, 8, 30), "closed_loop", "90.0")
    _report(firms["qualified_reported"], dt.date(2022, 8, 31), "semi_closed", "10.0")
    scenario = Scenario.objects.create(
        name="江阳区封控",
        region=world.luzhou,
        starts_on=START,
        days=DAYS,
        closed_loop_share=Decimal("0.70"),
        semi_closed_share=Decimal("0.40"),
        headroom=Decimal("0.25"),
        created_by="test",
    )
    return Setting(world, firms, scenario)


def test_without_areas_everyone_may_make_the_spare_capacity(setting: Setting) -> None:
    built = inputs.build(setting.scenario)
    assert built.capacity.shape == (DAYS, len(built.ids))
    assert np.all(built.capacity == OUTSIDE)
    assert not built.shut.any() and not built.in_area.any()


def test_static_management_keeps_the_semi_closed_or_closed_loop_share(setting: Setting) -> None:
    setting.area(0, DAYS - 1, 2)
    built = inputs.build(setting.scenario)
    every_day = [SEMI] * DAYS
    assert setting.capacity(built, "plain") == every_day
    assert setting.capacity(built, "park_firm") == every_day
    assert setting.capacity(built, "qualified") == [CLOSED] * DAYS
    # The latest semi-closed report before the start (35%), not the later nor the earlier one.
    assert setting.capacity(built, "reported") == [0.35] * DAYS
    # Qualified, so closed loop at its latest closed-loop report (90%).
    assert setting.capacity(built, "qualified_reported") == [0.9] * DAYS
    for unqualified in ("late_plan", "not_ready", "expired"):
        assert setting.capacity(built, unqualified) == every_day, unqualified
    assert setting.capacity(built, "naxi") == [OUTSIDE] * DAYS
    assert setting.capacity(built, "yibin") == [OUTSIDE] * DAYS


def test_full_lockdown_halts_all_but_the_qualified(setting: Setting) -> None:
    setting.area(0, DAYS - 1, 3)
    built = inputs.build(setting.scenario)
    for halted in ("plain", "reported", "park_firm", "late_plan", "not_ready", "expired"):
        assert setting.capacity(built, halted) == [0.0] * DAYS, halted
    assert setting.capacity(built, "qualified") == [CLOSED] * DAYS
    assert setting.capacity(built, "qualified_reported") == [0.9] * DAYS
    assert setting.capacity(built, "naxi") == [OUTSIDE] * DAYS
    assert built.in_area[setting.at(built, "plain")]
    assert not built.in_area[setting.at(built, "naxi")]


def test_overlapping_areas_apply_the_strictest_each_day(setting: Setting) -> None:
    # A full lockdown on days 2-5, then static management from day 4 (a laxer area that starts
    # later does not lift the lockdown), and the whole city at strictness 1 on days 6-8: Naxi
    # semi-closed, Jiangyang at the stricter of its own and the city's.
    setting.area(2, 5, 3)
    setting.area(4, 7, 2)
    setting.area(6, 8, 1, region=setting.world.luzhou)
    built = inputs.build(setting.scenario)
    o = OUTSIDE
    assert setting.capacity(built, "plain") == [o] * 2 + [0.0] * 4 + [SEMI] * 3 + [o]
    assert setting.capacity(built, "qualified") == [o] * 2 + [CLOSED] * 7 + [o]
    assert setting.capacity(built, "naxi") == [o] * 6 + [SEMI] * 3 + [o]
    assert setting.capacity(built, "yibin") == [o] * DAYS


def test_an_area_by_park_shuts_its_enterprises_only(setting: Setting) -> None:
    setting.area(2, 4, 3, park=setting.world.park)
    built = inputs.build(setting.scenario)
    o = OUTSIDE
    assert setting.capacity(built, "park_firm") == [o] * 2 + [0.0] * 3 + [o] * 5
    assert setting.capacity(built, "plain") == [o] * DAYS
    assert list(built.in_area).count(True) == 1


def test_dates_are_clipped_to_the_horizon_and_areas_outside_it_ignored(setting: Setting) -> None:
    setting.area(-5, 1, 3)  # began before the scenario
    setting.area(8, 30, 3)  # lasts beyond it
    setting.area(-20, -1, 3, region=setting.world.naxi)  # over the day before it begins
    setting.area(DAYS, DAYS + 5, 3, region=setting.world.naxi)  # from the day after it ends
    built = inputs.build(setting.scenario)
    o = OUTSIDE
    assert setting.capacity(built, "plain") == [0.0] * 2 + [o] * 6 + [0.0] * 2
    assert setting.capacity(built, "naxi") == [o] * DAYS
    assert not built.in_area[setting.at(built, "naxi")]


def test_enterprises_without_output_and_their_links_are_left_out(setting: Setting) -> None:
    f = setting.firms
    kept = [
        _link(f["plain"], f["naxi"], "0.600", "4.5"),
        _link(f["yibin"], f["plain"], "1.000", "0.0"),
    ]
    _link(f["idle"], f["naxi"], "0.400", "2.0")
    _link(f["naxi"], f["idle"], "1.000", "7.0")
    built = inputs.build(setting.scenario)
    assert f["idle"].pk not in set(built.ids.tolist())
    assert len(built.ids) == len(f) - 1
    assert sorted(built.link_ids.tolist()) == sorted(link.pk for link in kept)
    net = built.network
    rows = {
        int(built.link_ids[i]): (
            int(built.ids[net.supplier[i]]),
            int(built.ids[net.customer[i]]),
            float(net.share[i]),
            float(net.stock_days[i]),
        )
        for i in range(len(built.link_ids))
    }
    assert rows[kept[0].pk] == (f["plain"].pk, f["naxi"].pk, 0.6, 4.5)
    assert rows[kept[1].pk] == (f["yibin"].pk, f["plain"].pk, 1.0, 0.0)
    assert set(net.sector.tolist()) == {Industry.objects.get(code="30").pk}
    # Normal output per day: 3,650 万元 a year is 10 a day.
    assert net.output[setting.at(built, "plain")] == pytest.approx(10.0)


def test_keeping_raises_a_shut_enterprise_to_closed_loop_on_shut_days_only(
    setting: Setting,
) -> None:
    setting.area(2, 5, 3)
    setting.area(6, 7, 2)
    built = inputs.build(setting.scenario)
    before = built.capacity.copy()
    names = ["plain", "reported", "qualified_reported", "naxi"]
    kept = built.keeping(np.array([setting.at(built, name) for name in names]))
    o = OUTSIDE

    def column(name: str) -> list[float]:
        return [round(float(c), 6) for c in kept[:, setting.at(built, name)]]

    assert column("plain") == [o] * 2 + [CLOSED] * 6 + [o] * 2
    # Its own latest closed-loop report (80%) is what it keeps, not the default.
    assert column("reported") == [o] * 2 + [0.8] * 6 + [o] * 2
    assert column("qualified_reported") == [o] * 2 + [0.9] * 6 + [o] * 2
    assert column("naxi") == [o] * DAYS  # never shut: nothing to keep
    # Enterprises not kept are untouched, and so is the scenario's own matrix.
    assert column("late_plan") == [o] * 2 + [0.0] * 4 + [SEMI] * 2 + [o] * 2
    assert np.array_equal(built.capacity, before)


def test_keeping_never_lowers_what_the_scenario_gives(setting: Setting) -> None:
    setting.scenario.closed_loop_share = Decimal("0.30")
    setting.scenario.save()
    setting.area(0, DAYS - 1, 2)
    built = inputs.build(setting.scenario)
    kept = built.keeping(np.array([setting.at(built, "plain")]))
    # Semi-closed at 0.4 already beats the closed-loop 0.3.
    assert [round(float(c), 6) for c in kept[:, setting.at(built, "plain")]] == [SEMI] * DAYS
