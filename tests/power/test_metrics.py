"""Power metrics against numbers worked out by hand: baselines, ratios, the resumption index,
its share and rate, year on year, large industry, the scope, and the page, export and API.

The set (readings written directly; every enterprise above designated size):
  A  Jiangyang, OWN-PARK, industry 15; accounts A1 and A2 (A2 on the large-industry tariff)
  B  Jiangyang, no park, industry 26; one account
  C  Naxi, no park, industry 15; one account; no reading on 2022-09-10 (a gap)
  D  Naxi, no park, industry 26; one account; new: no readings before 2022 (no baseline)
  the world's Yibin enterprise: readings too, which no Luzhou official may count

  day         A1    A2   (A)     B      C      D
  2020-09-01  1000        1000
  2021-08-15                     1000
  2021-09-01   600   400  1000   400    200
  2021-09-02   700   500  1200   600
  2021-09-03                     500
  2022-08-31                     800
  2022-09-09   700   400  1100   250     50    100
  2022-09-10   500   300   800   100     —     300

Baselines, same month last year, for days of September 2022 (mean over days with readings):
  A (1000 + 1200) / 2 = 1100;  B (400 + 600 + 500) / 3 = 500;  C 200 / 1 = 200;  D none.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from keepline.core.errors import InvalidInput
from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.power.metrics.baselines import Baseline, BaselineMethod, enterprise_days
from keepline.power.metrics.behind import enterprises_behind
from keepline.power.metrics.index import PowerFilter, compute
from keepline.power.metrics.tallies import YearOnYear
from keepline.power.models import DailyReading
from keepline.reports.indicators.scope import FigureScope
from tests.conftest import World
from tests.factories import EnterpriseFactory

D = dt.date
SEP_10 = D(2022, 9, 10)
LUZHOU = FigureScope(regions=("510500",))


def _read(account: PowerAccount, *days: tuple[dt.date, float]) -> None:
    DailyReading.objects.bulk_create(
        DailyReading(account=account, day=day, kwh=kwh) for day, kwh in days
    )


@pytest.fixture
def plant(world: World) -> dict[str, Any]:
    a = world.enterprise
    a1 = a.power_accounts.get()
    a2 = PowerAccount.objects.create(enterprise=a, number="0500000091", large_industry=True)
    b = EnterpriseFactory(
        serial=11,
        name="江阳测试化工有限公司",
        region=world.jiangyang,
        industry__code="26",
        employees=100,
    )
    c = EnterpriseFactory(
        serial=12,
        name="纳溪测试酒业有限公司",
        region=world.naxi,
        industry__code="15",
        employees=100,
    )
    d = EnterpriseFactory(
        serial=13,
        name="纳溪测试新材料有限公司",
        region=world.naxi,
        industry__code="26",
        employees=100,
    )
    accounts = {
        e.name: PowerAccount.objects.create(enterprise=e, number=f"05000000{e.pk:02d}")
        for e in (b, c, d)
    }
    _read(a1, (D(2020, 9, 1), 1000), (D(2021, 9, 1), 600), (D(2021, 9, 2), 700))
    _read(a1, (D(2022, 9, 9), 700), (SEP_10, 500))
    _read(a2, (D(2021, 9, 1), 400), (D(2021, 9, 2), 500), (D(2022, 9, 9), 400), (SEP_10, 300))
    _read(
        accounts[b.name],
        (D(2021, 8, 15), 1000),
        (D(2021, 9, 1), 400),
        (D(2021, 9, 2), 600),
        (D(2021, 9, 3), 500),
        (D(2022, 8, 31), 800),
        (D(2022, 9, 9), 250),
        (SEP_10, 100),
    )
    _read(accounts[c.name], (D(2021, 9, 1), 200), (D(2022, 9, 9), 50))
    _read(accounts[d.name], (D(2022, 9, 9), 100), (SEP_10, 300))
    foreign = world.foreign_enterprise.power_accounts.get()
    _read(foreign, (D(2021, 9, 1), 100), (SEP_10, 90))
    return {"A": a, "B": b, "C": c, "D": d}


def _index(world: World, role: str = "bureau", **kwargs: Any) -> Any:
    f = PowerFilter(
        scope=kwargs.pop("scope", LUZHOU),
        since=kwargs.pop("since", D(2022, 9, 8)),
        until=kwargs.pop("until", SEP_10),
        **kwargs,
    )
    return compute(world.users[role], f)


# ---- per enterprise ------------------------------------------------------------------------


def test_enterprise_days_sum_accounts_keep_gaps_and_compare_with_the_baseline(
    plant: dict[str, Any],
) -> None:
    ids = [plant[k].pk for k in "ABCD"]
    days = enterprise_days(Enterprise.objects.filter(pk__in=ids), D(2022, 9, 9), SEP_10, Baseline())
    got = {(d.enterprise_id, d.day): d for d in days}
    assert len(days) == 8  # every enterprise on every day, readings or not
    a = got[(plant["A"].pk, SEP_10)]
    # A: 500 + 300 = 800 against 1100: 0.7272… > 0.3.
    assert (a.kwh, a.baseline, a.resumed) == (800.0, 1100.0, True)
    assert a.ratio == pytest.approx(800 / 1100)
    b = got[(plant["B"].pk, SEP_10)]
    assert (b.kwh, b.baseline, b.ratio, b.resumed) == (100.0, 500.0, 0.2, False)
    c = got[(plant["C"].pk, SEP_10)]  # the gap: no reading is not zero
    assert (c.kwh, c.baseline, c.ratio, c.resumed) == (None, 200.0, None, None)
    d = got[(plant["D"].pk, D(2022, 9, 9))]
    assert (d.kwh, d.baseline, d.ratio, d.resumed) == (100.0, None, None, None)


def test_same_month_last_year_follows_the_month_of_each_day(plant: dict[str, Any]) -> None:
    b = Enterprise.objects.filter(pk=plant["B"].pk)
    aug31, sep1 = enterprise_days(b, D(2022, 8, 31), D(2022, 9, 1), Baseline())
    # 31 Aug 2022 against August 2021 (one day, 1000); 1 Sep 2022 against September 2021.
    assert (aug31.kwh, aug31.baseline, aug31.ratio) == (800.0, 1000.0, 0.8)
    assert (sep1.kwh, sep1.baseline) == (None, 500.0)


def test_reference_period_baseline(plant: dict[str, Any]) -> None:
    period = Baseline(BaselineMethod.PERIOD, start=D(2021, 9, 2), end=D(2021, 9, 3))
    days = {
        d.enterprise_id: d
        for d in enterprise_days(Enterprise.objects.all(), SEP_10, SEP_10, period)
    }
    # A: only 2 Sep has readings: 1200. B: (600 + 500) / 2 = 550. C: nothing in the period.
    assert days[plant["A"].pk].baseline == 1200.0
    assert days[plant["B"].pk].baseline == 550.0
    assert days[plant["C"].pk].baseline is None


def test_days_before_an_event_baseline(plant: dict[str, Any]) -> None:
    # The 1 day before 2 Sep 2021 is 1 Sep: A 1000, B 400, C 200.
    before = Baseline(BaselineMethod.DAYS_BEFORE, event=D(2021, 9, 2), days=1)
    days = {
        d.enterprise_id: d
        for d in enterprise_days(Enterprise.objects.all(), SEP_10, SEP_10, before)
    }
    assert [days[plant[k].pk].baseline for k in "ABC"] == [1000.0, 400.0, 200.0]
    # Two days before 3 Sep: 1 and 2 Sep; B (400 + 600) / 2.
    two = Baseline(BaselineMethod.DAYS_BEFORE, event=D(2021, 9, 3), days=2)
    b = enterprise_days(Enterprise.objects.filter(pk=plant["B"].pk), SEP_10, SEP_10, two)[0]
    assert b.baseline == 500.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": BaselineMethod.PERIOD, "end": D(2021, 12, 31)}, "baseline_start"),
        ({"method": BaselineMethod.PERIOD, "start": D(2021, 12, 1)}, "baseline_end"),
        (
            {"method": BaselineMethod.PERIOD, "start": D(2021, 12, 31), "end": D(2021, 12, 1)},
            "baseline_end",
        ),
        ({"method": BaselineMethod.DAYS_BEFORE}, "baseline_event"),
        (
            {"method": BaselineMethod.DAYS_BEFORE, "event": D(2022, 9, 1), "days": 0},
            "baseline_days",
        ),
        (
            {"method": BaselineMethod.DAYS_BEFORE, "event": D(2022, 9, 1), "days": 367},
            "baseline_days",
        ),
        ({"method": "yesterday"}, "baseline"),
    ],
)
def test_bad_baseline_parameters_are_named(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        Baseline(**kwargs)
    assert field in exc.value.errors


def test_baselines_describe_themselves() -> None:
    assert Baseline().describe() == "daily average of the same month last year"
    period = Baseline(BaselineMethod.PERIOD, start=D(2021, 12, 1), end=D(2021, 12, 31))
    assert period.describe() == "daily average from 2021-12-01 to 2021-12-31"
    event = Baseline(BaselineMethod.DAYS_BEFORE, event=D(2022, 9, 1), days=30)
    assert event.describe() == "daily average of the 30 days before 2022-09-01"


# ---- the index -----------------------------------------------------------------------------


def test_index_share_and_rate_by_hand(world: World, plant: dict[str, Any]) -> None:
    index = _index(world)
    assert index.as_of == SEP_10
    day = index.headline
    # 10 Sep: 4 enterprises; D has no baseline; C has one but no reading; A and B counted.
    assert (day.enterprises, day.no_baseline, day.no_reading, day.counted) == (4, 1, 1, 2)
    # Resumed: A (800 / 1100 = 0.73); not B (100 / 500 = 0.2). Share 1 / 2.
    assert (day.resumed, day.share) == (1, Decimal("50.00"))
    # Rate: (800 + 100) / (1100 + 500) = 900 / 1600 = 56.25%.
    assert day.rate == Decimal("56.25")
    # Index: (50 × 0.5 + 56.25 × 0.5) = 53.125, published half up: 53.13.
    assert day.index == Decimal("53.13")
    by_day = {p.day: p.tally for p in index.series}
    assert [p.day for p in index.series] == [D(2022, 9, 8), D(2022, 9, 9), SEP_10]
    # 8 Sep: no readings at all: nothing counted, no figure (not zero).
    assert (by_day[D(2022, 9, 8)].counted, by_day[D(2022, 9, 8)].index) == (0, None)
    # 9 Sep: A 1100/1100 = 1.0, B 250/500 = 0.5 resumed; C 50/200 = 0.25 not. Share 2/3.
    # Rate (1100 + 250 + 50) / (1100 + 500 + 200) = 1400 / 1800 = 77.78%.
    # Index (66.666… + 77.777…) / 2 = 72.222… → 72.22.
    nine = by_day[D(2022, 9, 9)]
    assert (nine.counted, nine.resumed) == (3, 2)
    assert (nine.share, nine.rate, nine.index) == (
        Decimal("66.67"),
        Decimal("77.78"),
        Decimal("72.22"),
    )


def test_index_with_other_baselines(world: World, plant: dict[str, Any]) -> None:
    period = Baseline(BaselineMethod.PERIOD, start=D(2021, 9, 2), end=D(2021, 9, 3))
    day = _index(world, baseline=period).headline
    # A 800/1200 resumed, B 100/550 not; C and D have no baseline in that period.
    # Rate 900 / 1750 = 51.428…%; index (50 + 51.428…) / 2 = 50.714… → 50.71.
    assert (day.no_baseline, day.counted, day.resumed) == (2, 2, 1)
    assert (day.share, day.rate, day.index) == (
        Decimal("50.00"),
        Decimal("51.43"),
        Decimal("50.71"),
    )
    before = Baseline(BaselineMethod.DAYS_BEFORE, event=D(2021, 9, 2), days=1)
    day = _index(world, baseline=before).headline
    # A 800/1000 resumed, B 100/400 not; C has a baseline but no reading.
    # Rate 900 / 1400 = 64.285…%; index (50 + 64.285…) / 2 = 57.142… → 57.14.
    assert (day.no_baseline, day.no_reading, day.counted) == (1, 1, 2)
    assert (day.rate, day.index) == (Decimal("64.29"), Decimal("57.14"))


def test_year_on_year_and_large_industry(world: World, plant: dict[str, Any]) -> None:
    index = _index(world)
    yoy = index.year_on_year
    # 1–10 Sep 2022 against 1–10 Sep 2021, enterprises with readings in both (A, B, C; not D):
    # now A 1100 + 800, B 250 + 100, C 50 = 2300; before A 2200, B 1500, C 200 = 3900.
    # (2300 − 3900) / 3900 = −41.025…% → −41.03.
    assert (yoy.first, yoy.last, yoy.enterprises) == (D(2022, 9, 1), SEP_10, 3)
    assert (yoy.kwh, yoy.kwh_before, yoy.change) == (2300.0, 3900.0, Decimal("-41.03"))
    # Large industry: A only. 800 on 10 Sep against its September 2021 average 1100: 72.73%.
    assert index.large_same_month.counted == 1
    assert index.large_industry_percent == Decimal("72.73")


def test_large_industry_only(world: World, plant: dict[str, Any]) -> None:
    day = _index(world, large_only=True).headline
    # A alone: resumed (1 of 1), rate 800 / 1100 = 72.727…%; index (100 + 72.727…) / 2 = 86.36.
    assert (day.enterprises, day.counted, day.resumed) == (1, 1, 1)
    assert (day.share, day.rate, day.index) == (
        Decimal("100.00"),
        Decimal("72.73"),
        Decimal("86.36"),
    )


def test_against_the_same_days_a_year_earlier(world: World, plant: dict[str, Any]) -> None:
    index = _index(world, since=D(2022, 9, 1), until=D(2022, 9, 2))
    first, second = (p.year_before for p in index.series)
    # 1 and 2 Sep 2021 against September 2020: only A has a baseline then (1000).
    # 1 Sep 2021: A 1000 / 1000: share 100, rate 100, index 100. B and C: no baseline.
    assert (first.counted, first.no_baseline, first.index) == (1, 3, Decimal("100.00"))
    # 2 Sep 2021: A 1200 / 1000: rate 120, index (100 + 120) / 2 = 110.
    assert (second.rate, second.index) == (Decimal("120.00"), Decimal("110.00"))
    # This year nobody has a reading on those days: no figure, not zero.
    assert [p.tally.index for p in index.series] == [None, None]


def test_breakdown_by_district_park_and_industry(world: World, plant: dict[str, Any]) -> None:
    index = _index(world)
    assert index.area is not None and index.area.code == "510500"
    regions = {r.key: r.tally for r in index.by_region}
    assert set(regions) == {"510502", "510503"}
    # Jiangyang: A and B, as the headline. Naxi: C (gap) and D (no baseline): no figure.
    assert (regions["510502"].enterprises, regions["510502"].index) == (2, Decimal("53.13"))
    naxi = regions["510503"]
    assert (naxi.enterprises, naxi.no_baseline, naxi.no_reading, naxi.index) == (2, 1, 1, None)
    parks = {r.key: r for r in index.by_park}
    assert parks["OWN-PARK"].tally.rate == Decimal("72.73")  # A alone
    assert parks[""].tally.enterprises == 3 and parks[""].scope is None
    # Every enterprise is in manufacturing: one section row, the whole of the headline.
    assert [(r.key, r.tally.index) for r in index.by_industry] == [("C", Decimal("53.13"))]
    # Year on year per district: Jiangyang now A 1900 + B 350 = 2250, before 2200 + 1500 = 3700:
    # (2250 − 3700) / 3700 = −39.189…% → −39.19.
    jiangyang = next(r for r in index.by_region if r.key == "510502")
    assert jiangyang.year_on_year.change == Decimal("-39.19")


def test_a_district_official_counts_only_its_district(world: World, plant: dict[str, Any]) -> None:
    index = _index(world, role="district", scope=FigureScope(), until=D(2022, 9, 9))
    day = index.headline
    # Jiangyang only: A 1100/1100 and B 250/500, both resumed. Share 100.
    # Rate (1100 + 250) / (1100 + 500) = 84.375 → 84.38; index 92.1875 → 92.19.
    assert (day.enterprises, day.counted, day.resumed) == (2, 2, 2)
    assert (day.rate, day.index) == (Decimal("84.38"), Decimal("92.19"))
    assert [r.label for r in index.by_region] == ["Jiangyang (directly)"]
    # The administrator sees the Yibin enterprise too (100 in Sep 2021, 90 on 10 Sep).
    everyone = _index(world, role="admin", scope=FigureScope()).headline
    assert (everyone.enterprises, everyone.counted) == (5, 3)


def test_enterprises_behind_a_figure(world: World, plant: dict[str, Any]) -> None:
    f = PowerFilter(scope=LUZHOU)
    bureau = world.users["bureau"]

    def names(group: str) -> list[str]:
        day, rows = enterprises_behind(bureau, f, group)
        assert day == SEP_10  # the latest day with readings
        return [r.enterprise.name for r in rows]

    assert names("resumed") == [plant["A"].name]
    assert names("not_resumed") == [plant["B"].name]
    assert names("no_reading") == [plant["C"].name]
    assert names("no_baseline") == [plant["D"].name]
    _day, by_ratio = enterprises_behind(bureau, f, "all", sort="-ratio")
    assert [r.enterprise.name for r in by_ratio][:2] == [plant["A"].name, plant["B"].name]
    assert by_ratio[0].large_industry and not by_ratio[1].large_industry
    with pytest.raises(InvalidInput) as exc:
        enterprises_behind(bureau, f, "everyone")
    assert "group" in exc.value.errors


# ---- page, exports, API --------------------------------------------------------------------


def test_index_page_shows_the_figures_chart_and_tables(world: World, plant: dict[str, Any]) -> None:
    client = world.client("bureau")
    page = client.get("/power/?region=510500&since=2022-09-08&until=2022-09-10")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-key="index">53.13<' in body and 'data-key="large_industry">72.73%<' in body
    assert 'id="chart-index"' in body and 'id="table-index"' in body and "index-data" in body
    assert 'id="by-region"' in body and 'id="by-park"' in body and 'id="by-industry"' in body
    # The count of resumed enterprises opens the list behind it, which links to the timeline.
    counts = {c["key"]: c for c in page.context["counts"]}
    assert counts["resumed"]["value"] == 1
    behind = client.get(counts["resumed"]["url"])
    assert behind.status_code == 200
    assert f"/power/enterprises/{plant['A'].pk}/" in behind.content.decode()
    assert plant["B"].name not in behind.content.decode()


def test_index_page_without_filters_takes_the_last_60_days_with_readings(
    world: World, plant: dict[str, Any]
) -> None:
    client = world.client("bureau")
    client.cookies["django_language"] = "zh-hans"  # whose date format is 2022/07/13
    page = client.get("/power/")
    index = page.context["index"]
    assert (index.since, index.as_of) == (D(2022, 7, 13), SEP_10)
    assert len(index.series) == 60
    # The period is filled into the form, as a date input reads it.
    assert 'name="since" value="2022-07-13"' in page.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("baseline=period&baseline_start=2021-12-31&baseline_end=2021-12-01", "baseline_end"),
        ("baseline=days_before&baseline_days=10", "baseline_event"),
        ("since=2022-09-10&until=2022-09-01", "until"),
        ("until=2022-13-01", "until"),
        ("region=519999", "region"),
    ],
)
def test_bad_filters_are_named_on_the_page_and_in_the_api(
    world: World, plant: dict[str, Any], query: str, field: str
) -> None:
    client = world.client("district")
    page = client.get(f"/power/?{query}")
    assert page.status_code == 400
    assert f'data-field-error="{field}"' in page.content.decode()
    api = client.get(f"/api/power/index?{query}")
    assert api.status_code in {400, 422}
    assert field in api.content.decode()


def test_exports_carry_the_page_numbers(world: World, plant: dict[str, Any]) -> None:
    client = world.client("bureau")
    query = "region=510500&since=2022-09-09&until=2022-09-10"
    series = load_workbook(io.BytesIO(client.get(f"/power/index/export.xlsx?{query}").content))
    rows = list(series.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Date" and rows[0][-2] == "Power resumption index"
    assert [r[-2] for r in rows[1:]] == [72.22, 53.13]
    regions = load_workbook(
        io.BytesIO(client.get(f"/power/index/export.xlsx?{query}&table=region").content)
    )
    rows = list(regions.worksheets[0].iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in rows[1:]] == [("510502", 2), ("510503", 2)]
    assert client.get(f"/power/index/export.xlsx?{query}&table=towns").status_code == 400
    listing = load_workbook(
        io.BytesIO(
            client.get(f"/power/index/enterprises/export.xlsx?{query}&group=no_baseline").content
        )
    )
    rows = list(listing.worksheets[0].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == [plant["D"].name]


def test_api_answers_the_figures_with_definitions(world: World, plant: dict[str, Any]) -> None:
    body = (
        world.client("bureau")
        .get("/api/power/index?region=510500&since=2022-09-08&until=2022-09-10")
        .json()
    )
    assert body["as_of"] == "2022-09-10"
    assert body["figures"]["index"] == "53.13" and body["figures"]["no_baseline"] == 1
    assert body["large_industry"]["percent"] == "72.73"
    assert body["year_on_year"]["change"] == "-41.03"
    assert [d["figures"]["index"] for d in body["series"]] == [None, "72.22", "53.13"]
    assert {"index", "share", "rate", "baseline", "year_on_year"} <= set(body["definitions"])
    jiangyang = next(r for r in body["by_region"] if r["key"] == "510502")
    assert jiangyang["enterprises_url"].startswith("/power/index/enterprises/?region=510502")


def test_a_tiny_fall_is_no_change_not_minus_zero() -> None:
    yoy = YearOnYear(D(2022, 9, 1), SEP_10, 1, 999_999.0, 1_000_000.0)
    assert str(yoy.change) == "0.00"
