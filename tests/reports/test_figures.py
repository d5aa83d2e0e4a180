"""The figures: each indicator against numbers worked out by hand, on constructed cities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from keepline.bubble.models import EnterpriseMode
from keepline.core.errors import InvalidInput
from keepline.core.scopes import SystemActor
from keepline.places.models import ControlMeasure, MeasureKind, Park, Region
from keepline.reports import sentences
from keepline.reports.indicators import computing
from keepline.reports.indicators.computing import compute
from keepline.reports.indicators.rates import Tally
from keepline.reports.indicators.scope import FigureScope, enterprises_behind
from keepline.reports.indicators.targets import TargetStatus
from keepline.reports.models import ResumptionTarget, TargetBasis
from tests.conftest import World
from tests.reports.conftest import at, enterprises, region, switch

SYSTEM = SystemActor("test")
CLOSED = EnterpriseMode.CLOSED_LOOP
SEMI = EnterpriseMode.SEMI_CLOSED
HALTED = EnterpriseMode.HALTED
SEASONAL = EnterpriseMode.SEASONAL_STOP
NORMAL = EnterpriseMode.NORMAL

pytestmark = pytest.mark.django_db


def _measure(title: str, codes: list[str], starts: Any) -> ControlMeasure:
    measure = ControlMeasure.objects.create(
        kind=MeasureKind.STATIC_MANAGEMENT,
        title=title,
        authority=Region.objects.get(code="510500"),
        starts_at=starts,
    )
    measure.regions.set(Region.objects.filter(code__in=codes))
    return measure


def _luzhou() -> dict[str, Any]:
    """Luzhou, 11 Sep 2022: static management in three districts from the 8th, Hejiang from that
    evening, Naxi from the 11th. In those five districts 711 above-size enterprises, 463 of them
    in closed loop (65.1%) with 85.4% of the output value; outside them and below size, others."""
    starts = {
        "510502": at(2022, 9, 8),
        "510504": at(2022, 9, 8),
        "510521": at(2022, 9, 8),
        "510522": at(2022, 9, 8, 20),
        "510503": at(2022, 9, 11),
    }
    _measure(
        "江阳区、龙马潭区、泸县临时性静态管理", ["510502", "510504", "510521"], starts["510502"]
    )
    _measure("合江县临时性静态管理", ["510522"], starts["510522"])
    _measure("纳溪区临时性静态管理", ["510503"], starts["510503"])
    closed = {"510502": 120, "510504": 110, "510521": 90, "510522": 83, "510503": 60}
    others = {"510502": 50, "510504": 50, "510521": 50, "510522": 48, "510503": 50}
    for code, count in closed.items():
        place = Region.objects.get(code=code)
        switch(enterprises(count, place, output=10_000, employees=500), CLOSED, starts[code])
        rest = enterprises(others[code], place, output=3_200, employees=80)
        switch(rest[:26], SEMI, starts[code])
        switch(rest[26:48], HALTED, starts[code])
        switch(rest[48:], SEASONAL, at(2022, 8, 1))
    jiangyang = Region.objects.get(code="510502")
    switch(enterprises(30, jiangyang, output=500, above_size=False), CLOSED, starts["510502"])
    enterprises(40, Region.objects.get(code="510524"), output=20_000)  # Xuyong: no measure
    return {"as_of": at(2022, 9, 11, 15)}


def test_luzhou_sentence_on_a_constructed_city() -> None:
    case = _luzhou()
    figures = compute(SYSTEM, FigureScope(under=MeasureKind.STATIC_MANAGEMENT), case["as_of"])
    s = figures.summary
    assert s.total.enterprises == 711
    assert s.closed_loop.enterprises == 463
    assert s.closed_loop_share_count == Decimal("65.12")
    # 463 × 10,000 ÷ (463 × 10,000 + 248 × 3,200) = 4,630,000 ÷ 5,423,600
    assert s.closed_loop_share_output == Decimal("85.37")
    assert [r.code for r in figures.named_regions] == [
        "510502",
        "510503",
        "510504",
        "510521",
        "510522",
    ]
    assert sentences.closed_loop_sentence(figures, "en") == (
        "In the five districts under static management, 463 above-size enterprises produce in "
        "closed loop, 65.1% of them by count and over 85% by output value."
    )
    assert sentences.closed_loop_sentence(figures, "zh-hans") == (
        "在实施静态管理的五个区县，463家规上工业企业实行闭环生产，户数占比65.1%，产值占比超过85%。"
    )
    # The sentence does not depend on the reader's language.
    with translation.override("zh-hans"):
        assert sentences.closed_loop_sentence(figures, "en").startswith("In the five districts")


def test_luzhou_the_day_before_had_four_districts_and_naxi_had_not_switched() -> None:
    case = _luzhou()
    figures = compute(SYSTEM, FigureScope(under=MeasureKind.STATIC_MANAGEMENT), case["as_of"])
    # On 10 Sep at 15:00 Naxi was not yet under static management, but the scope is fixed by
    # the as-of time: the same 711 enterprises, of which Naxi's 110 were still normal, apart
    # from its two seasonal stops.
    p = figures.previous
    assert p.total.enterprises == 711
    assert p.closed_loop.enterprises == 463 - 60
    assert p.by_mode[NORMAL].enterprises == 60 + 26 + 22
    assert figures.change("closed_loop_share_count") == Decimal("8.44")  # 60 ÷ 711


def test_the_figures_take_a_handful_of_queries_however_many_enterprises(
    django_assert_max_num_queries: Any,
) -> None:
    case = _luzhou()
    with django_assert_max_num_queries(16):
        compute(SYSTEM, FigureScope(under=MeasureKind.STATIC_MANAGEMENT), case["as_of"])


def test_below_size_count_only_when_asked() -> None:
    case = _luzhou()
    scope = FigureScope(regions=("510502",), all_sizes=True)
    figures = compute(SYSTEM, scope, case["as_of"])
    assert figures.summary.total.enterprises == 170 + 30
    assert figures.summary.closed_loop.enterprises == 150
    assert sentences.closed_loop_sentence(figures, "en").startswith(
        "In Jiangyang, 150 enterprises produce in closed loop, 75.0% of them by count"
    )


def _small_city() -> dict[str, Any]:
    """Ten enterprises in Naxi worked by hand: modes and outputs below."""
    naxi = Region.objects.get(code="510503")
    plan = [
        (NORMAL, 100, 10),
        (NORMAL, 200, 20),
        (NORMAL, 300, 30),
        (CLOSED, 1000, 100),
        (CLOSED, 500, 50),
        (SEMI, 400, 40),
        (HALTED, 700, 70),
        (HALTED, 300, 30),
        (SEASONAL, 2000, 200),
        (SEASONAL, 500, 50),
    ]
    made = []
    for mode, output, staff in plan:
        (e,) = enterprises(1, naxi, output=output, employees=staff)
        if mode != NORMAL:
            switch([e], mode, at(2023, 2, 1))
        made.append(e)
    return {"enterprises": made, "as_of": at(2023, 2, 10, 15)}


def test_each_indicator_by_hand_with_seasonal_stops_counted_apart() -> None:
    case = _small_city()
    figures = compute(SYSTEM, FigureScope(regions=("510503",)), case["as_of"])
    s = figures.summary
    assert s.total == Tally(10, Decimal(6000), 600)
    assert {m: t.enterprises for m, t in s.by_mode.items()} == {
        NORMAL: 3,
        CLOSED: 2,
        SEMI: 1,
        HALTED: 2,
        SEASONAL: 2,
    }
    assert s.closed_loop == Tally(2, Decimal(1500), 150)
    assert s.closed_loop_share_count == Decimal("20.00")  # 2 ÷ 10, seasonal stops included
    assert s.closed_loop_share_output == Decimal("25.00")  # 1,500 ÷ 6,000
    assert s.closed_loop_share_employees == Decimal("25.00")  # 150 ÷ 600
    assert s.counted == Tally(8, Decimal(3500), 350)
    assert s.producing == Tally(6, Decimal(2500), 250)
    assert s.resumption_count == Decimal("75.00")  # 6 ÷ 8
    assert s.resumption_output == Decimal("71.43")  # 2,500 ÷ 3,500
    by_key = {i.key: i for i in figures.indicators()}
    assert by_key["resumption_count"].value == Decimal("75.00")
    assert by_key["resumption_count"].group == "producing"
    assert "seasonal stop" in by_key["resumption_count"].definition
    assert by_key["mode_halted"].value == 2
    assert figures.as_of == case["as_of"]


def test_as_of_reads_the_mode_history() -> None:
    case = _small_city()
    first = case["enterprises"][0]  # normal so far
    switch([first], HALTED, at(2023, 2, 11, 8))
    switch([first], CLOSED, at(2023, 2, 12, 8))
    switch([first], SEASONAL, at(2023, 2, 12, 8))  # same instant, recorded later: it wins
    scope = FigureScope(regions=("510503",))

    def mode_count(when: Any, mode: str) -> int:
        return compute(SYSTEM, scope, when).summary.by_mode[mode].enterprises

    assert mode_count(at(2023, 2, 11, 7, 59), NORMAL) == 3
    assert mode_count(at(2023, 2, 11, 8), HALTED) == 3
    assert mode_count(at(2023, 2, 12, 9), SEASONAL) == 3
    # Before any record the enterprises were normal.
    assert mode_count(at(2023, 1, 31), NORMAL) == 10


def test_day_on_day_change_in_points() -> None:
    case = _small_city()
    halted = case["enterprises"][6:8]
    switch(halted, NORMAL, at(2023, 2, 10, 9))  # both halted resume on the morning of the 10th
    figures = compute(SYSTEM, FigureScope(regions=("510503",)), case["as_of"])
    assert figures.previous_as_of == at(2023, 2, 9, 15)
    assert figures.previous.resumption_count == Decimal("75.00")
    assert figures.summary.resumption_count == Decimal("100.00")
    assert figures.change("resumption_count") == Decimal("25.00")
    # 2,500 ÷ 3,500 → 3,500 ÷ 3,500: 100 − 71.428571… = 28.571… points
    assert figures.change("resumption_output") == Decimal("28.57")


def _guizhou() -> dict[str, Any]:
    """Guizhou, 10 Feb: 1,000 above-size enterprises; 289 halted for the Spring Festival, 165 of
    them back at 08:00 on the 10th: 71.1% → 87.6%. Qiandongnan: 93 of its 100 producing."""
    province = region("520000", None, "province", "贵州省", "Guizhou")
    guiyang = region("520100", province, "city", "贵阳市", "Guiyang")
    qdn = region("522600", province, "city", "黔东南州", "Qiandongnan")
    rest = enterprises(900, guiyang, output=1000)
    east = enterprises(100, qdn, output=1000)
    switch(rest[:282] + east[:7], HALTED, at(2023, 1, 20))
    switch(rest[:165], NORMAL, at(2023, 2, 10, 8))
    ResumptionTarget.objects.create(
        region=province,
        date=at(2023, 2, 15).date(),
        rate=90,
        set_by_name="t",
        set_at=at(2023, 2, 1),
    )
    ResumptionTarget.objects.create(
        region=province,
        date=at(2023, 2, 20).date(),
        rate=100,
        set_by_name="t",
        set_at=at(2023, 2, 1),
    )
    return {"province": province, "qdn": qdn, "as_of": at(2023, 2, 10, 15)}


def test_guizhou_resumption_up_on_the_day_before_and_on_track_for_its_targets() -> None:
    case = _guizhou()
    figures = compute(SYSTEM, FigureScope(), case["as_of"])
    assert figures.area == case["province"]
    assert figures.summary.resumption_count == Decimal("87.60")
    assert figures.previous.resumption_count == Decimal("71.10")
    assert figures.change("resumption_count") == Decimal("16.50")
    rows = {row.key: row for row in figures.by_region}
    assert rows["522600"].label == "Qiandongnan"
    assert rows["522600"].summary.resumption_count == Decimal("93.00")
    first, second = figures.targets
    assert (first.target.rate, first.gap, first.days_left) == (Decimal(90), Decimal("2.40"), 5)
    assert first.needed_per_day == Decimal("0.48")
    assert first.status == TargetStatus.ON_TRACK
    assert (second.gap, second.needed_per_day) == (Decimal("12.40"), Decimal("1.24"))
    assert sentences.resumption_sentence(figures, "en") == (
        "In Guizhou, the resumption rate of above-size enterprises is 87.6%, up 16.5 points on "
        "the day before. The target is 90% by 15 February: 2.4 points to go, on track."
    )
    assert sentences.resumption_sentence(figures, "zh-hans") == (
        "在贵州省，规上工业企业复工率87.6%，比前一日提高16.5个百分点。"
        "目标为2月15日前达到90%，尚差2.4个百分点，进度正常。"
    )


def test_target_statuses_reached_behind_missed() -> None:
    case = _guizhou()
    province = case["province"]
    ResumptionTarget.objects.create(
        region=province, date=at(2023, 2, 9).date(), rate=95, set_by_name="t", set_at=at(2023, 2, 1)
    )
    ResumptionTarget.objects.create(
        region=province,
        date=at(2023, 2, 11).date(),
        rate=85,
        basis=TargetBasis.OUTPUT,
        set_by_name="t",
        set_at=at(2023, 2, 1),
    )
    ResumptionTarget.objects.create(
        region=province,
        date=at(2023, 2, 11).date(),
        rate=100,
        set_by_name="t",
        set_at=at(2023, 2, 1),
    )
    figures = compute(SYSTEM, FigureScope(), case["as_of"])
    status = {(p.target.date.day, p.target.rate, p.target.basis): p.status for p in figures.targets}
    assert status[(9, Decimal(95), "count")] == TargetStatus.MISSED
    assert status[(11, Decimal(85), "output")] == TargetStatus.REACHED
    # 12.4 points in one day, against 16.5 gained on the day before: on track.
    assert status[(11, Decimal(100), "count")] == TargetStatus.ON_TRACK
    # The day after, with nothing gained, the 100% target of the 20th falls behind.
    later = compute(SYSTEM, FigureScope(), at(2023, 2, 11, 16))
    assert {p.target.date.day: p.status for p in later.targets}[20] == TargetStatus.BEHIND


def test_the_targets_of_the_smallest_area_apply() -> None:
    case = _guizhou()
    qdn = case["qdn"]
    own = ResumptionTarget.objects.create(
        region=qdn, date=at(2023, 2, 12).date(), rate=95, set_by_name="t", set_at=at(2023, 2, 1)
    )
    figures = compute(SYSTEM, FigureScope(regions=("522600",)), case["as_of"])
    assert [p.target for p in figures.targets] == [own]
    # Without a target of its own Guiyang is measured against the province's.
    figures = compute(SYSTEM, FigureScope(regions=("520100",)), case["as_of"])
    assert {p.target.rate for p in figures.targets} == {Decimal(90), Decimal(100)}


def test_a_park_scope_uses_the_park_target(world: World) -> None:
    enterprises(3, world.jiangyang, park=world.park)
    target = ResumptionTarget.objects.create(
        park=world.park, date=at(2023, 3, 1).date(), rate=80, set_by_name="t", set_at=at(2023, 2, 1)
    )
    ResumptionTarget.objects.create(
        region=world.jiangyang,
        date=at(2023, 3, 1).date(),
        rate=60,
        set_by_name="t",
        set_at=at(2023, 2, 1),
    )
    figures = compute(SYSTEM, FigureScope(parks=("OWN-PARK",)), at(2023, 2, 10))
    assert [p.target for p in figures.targets] == [target]
    assert figures.summary.total.enterprises == 4  # the world's own enterprise and these three


def test_breakdowns_and_every_row_drills_down_to_its_enterprises(world: World) -> None:
    case = _luzhou()
    park = Park.objects.create(
        code="HJ-PORT",
        name="合江临港工业园区",
        region=Region.objects.get(code="510522"),
        level="provincial",
        committee_contact="x",
    )
    hejiang = Region.objects.get(code="510522")
    switch(enterprises(5, hejiang, park=park, industry="26"), CLOSED, at(2022, 9, 9))
    bureau = world.users["bureau"]  # Luzhou's: Yibin's measure and enterprises are not theirs
    scope = FigureScope(under=MeasureKind.STATIC_MANAGEMENT)
    figures = compute(bureau, scope, case["as_of"])
    assert figures.area == world.luzhou
    regions = {row.key: row for row in figures.by_region}
    assert set(regions) == {"510502", "510503", "510504", "510521", "510522"}
    assert regions["510522"].summary.closed_loop.enterprises == 83 + 5
    assert regions["510502"].summary.total.enterprises == 171  # with the world's own enterprise
    parks = {row.key: row for row in figures.by_park}
    assert parks["HJ-PORT"].summary.total.enterprises == 5
    assert parks[""].scope is None and parks[""].label == "Not in a park"
    sections = {row.key: row for row in figures.by_industry}
    assert set(sections) == {"C"}
    for row in [*figures.by_region, *figures.by_park, *figures.by_industry]:
        if row.scope is None:
            continue
        for group in ("all", "producing", CLOSED):
            behind = enterprises_behind(bureau, row.scope, group, case["as_of"])
            assert behind.count() == row.summary.group(group).enterprises, (row.key, group)
    by_division = compute(bureau, FigureScope(industries=("C",)), case["as_of"])
    assert {row.key for row in by_division.by_industry} == {"15", "26"}


def test_a_district_official_counts_only_their_district(world: World) -> None:
    case = _luzhou()
    figures = compute(
        world.users["district"], FigureScope(under=MeasureKind.STATIC_MANAGEMENT), case["as_of"]
    )
    assert figures.summary.total.enterprises == 171
    assert [r.code for r in figures.named_regions] == ["510502"]
    assert sentences.closed_loop_sentence(figures, "en").startswith(
        "In Jiangyang (under static management), 120 above-size enterprises"
    )


def test_unknown_codes_are_named() -> None:
    with pytest.raises(InvalidInput) as info:
        compute(
            SYSTEM,
            FigureScope(regions=("999999",), parks=("NOPE",), industries=("ZZ",), under="x"),
        )
    assert set(info.value.errors) == {"region", "park", "industry", "under"}
    assert "999999" in info.value.errors["region"][0]
    with pytest.raises(InvalidInput):
        enterprises_behind(SYSTEM, FigureScope(), "running")


def test_an_empty_scope_has_no_rates() -> None:
    figures = compute(SYSTEM, FigureScope(regions=("510525",)), at(2022, 9, 11))
    assert figures.summary.total.enterprises == 0
    assert figures.summary.resumption_count is None
    assert figures.change("resumption_count") is None
    assert figures.targets == []
    assert sentences.resumption_sentence(figures, "en") == ("In Gulin, no enterprises are counted.")


def test_the_day_before_equals_the_figures_computed_then() -> None:
    case = _luzhou()
    scope = FigureScope(regions=("510500",))
    for as_of in (at(2022, 9, 8, 12), at(2022, 9, 9, 1), case["as_of"], at(2022, 9, 12)):
        figures = compute(SYSTEM, scope, as_of)
        then = compute(SYSTEM, scope, figures.previous_as_of)
        assert dict(figures.previous.by_mode) == dict(then.summary.by_mode), as_of


def test_headline_figures_without_breakdowns_are_the_same() -> None:
    case = _luzhou()
    scope = FigureScope(under=MeasureKind.STATIC_MANAGEMENT)
    full = compute(SYSTEM, scope, case["as_of"])
    headline = compute(SYSTEM, scope, case["as_of"], breakdowns=False)
    assert headline.summary == full.summary and headline.previous == full.previous
    assert headline.by_region == headline.by_park == headline.by_industry == []
    assert headline.area == full.area
    # The dashboard's trend reads the headline alone, with no day before or targets.
    assert computing.headline(SYSTEM, scope, case["as_of"]) == full.summary


def test_no_enterprise_in_closed_loop_reads_as_zero_per_cent(world: World) -> None:
    figures = compute(SystemActor("test"), FigureScope(regions=("510502",)), at(2022, 9, 11, 15))
    assert figures.summary.closed_loop.enterprises == 0
    assert sentences.closed_loop_sentence(figures, "en").endswith(
        "0.0% of them by count and 0% by output value."
    )
    assert sentences.closed_loop_sentence(figures, "zh-hans").endswith("产值占比0%。")


def test_shares_print_in_fixed_point_whatever_their_exponent() -> None:
    # A zero share can come out of Decimal division as 0E+11; the briefing printed it so.
    assert sentences._at_least(Decimal("0E+11"), "en") == "0%"
    assert sentences._at_least(Decimal("8.5E+1"), "zh-hans") == "85%"
    assert sentences._at_least(Decimal("85.37"), "zh-hans") == "超过85%"
