"""Building scenarios: a what-if's checks (each bad input named, nothing written) and a scenario
copied from the control measures in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keepline.chains.models import Scenario, ScenarioArea, ScenarioSource
from keepline.chains.services.scenarios import scenario_from_measures
from keepline.core.errors import Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.places.models import ControlMeasure
from tests.chains.support_scenarios import START, Chain, chain_fixture  # noqa: F401
from tests.conftest import TZ


def _area(chain: Chain, **changes: Any) -> dict[str, Any]:
    area: dict[str, Any] = {
        "region_id": chain.world.jiangyang.pk,
        "starts_on": START,
        "ends_on": START + dt.timedelta(days=3),
        "strictness": 3,
    }
    return area | changes


def test_a_what_if_is_saved_with_its_areas_and_audited(chain: Chain) -> None:
    scenario = chain.what_if(closed_loop_share=Decimal("0.8"), note=" 测试 ")
    assert scenario.source == ScenarioSource.WHAT_IF
    assert scenario.closed_loop_share == Decimal("0.80")
    assert scenario.semi_closed_share == Decimal("0.50")  # the default kept
    assert scenario.note == "测试" and scenario.created_by == "admin"
    area = scenario.areas.get()
    assert (area.region, area.starts_on, area.ends_on, area.strictness) == (
        chain.world.jiangyang,
        dt.date(2022, 9, 5),
        dt.date(2022, 9, 14),
        3,
    )
    event = AuditEvent.objects.filter(
        object_type="chains.scenario", action="create", object_id=str(scenario.pk)
    ).get()
    assert event.after["areas"][0]["region"] == "510502"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"days": 0}, "days"),
        ({"days": 121}, "days"),
        ({"closed_loop_share": Decimal("1.5")}, "closed_loop_share"),
        ({"headroom": Decimal("-0.1")}, "headroom"),
        ({"areas": []}, "areas"),
    ],
)
def test_bad_scenario_fields_are_named_and_nothing_is_written(
    chain: Chain, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        chain.what_if(**changes)
    assert field in caught.value.errors
    assert not Scenario.objects.exists() and not ScenarioArea.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"starts_on": START - dt.timedelta(days=1)}, "starts_on", "outside the days modelled"),
        ({"ends_on": START + dt.timedelta(days=30)}, "ends_on", "2022-09-01 to 2022-09-30"),
        ({"ends_on": START - dt.timedelta(days=2)}, "ends_on", "outside"),
        (
            {"starts_on": START + dt.timedelta(days=3), "ends_on": START + dt.timedelta(days=1)},
            "ends_on",
            "before the first",
        ),
        ({"strictness": 4}, "strictness", "strictness"),
        ({"region_id": None}, "place", "region or a park"),
        ({"park_id": 1}, "place", "one of them"),
    ],
)
def test_bad_areas_are_named_by_row_and_field(
    chain: Chain, changes: dict[str, Any], field: str, words: str
) -> None:
    areas = [_area(chain), _area(chain, **changes)]
    with pytest.raises(InvalidInput) as caught:
        chain.what_if(areas=areas)
    messages = caught.value.errors[f"areas.1.{field}"]
    assert messages[0].startswith("Area 2:") and words in messages[0]
    assert "areas.0.starts_on" not in caught.value.errors
    assert not Scenario.objects.exists()


def test_an_area_the_actor_cannot_see_is_refused(chain: Chain) -> None:
    district = chain.world.users["district"]
    with pytest.raises(InvalidInput) as caught:
        chain.what_if(
            actor=district,
            region_id=chain.world.jiangyang.pk,
            areas=[_area(chain, region_id=chain.world.naxi.pk)],
        )
    assert "areas.0.place" in caught.value.errors
    assert not Scenario.objects.exists()


def test_who_may_create_where(chain: Chain) -> None:
    w = chain.world
    # The district keeps scenarios of its own district, not the city's (which it does not see).
    assert chain.what_if(actor=w.users["district"], region_id=w.jiangyang.pk).region == w.jiangyang
    with pytest.raises(NotFound):
        chain.what_if(actor=w.users["district"], region_id=w.luzhou.pk)
    with pytest.raises(Forbidden):
        chain.what_if(actor=w.users["leader"])
    with pytest.raises(Forbidden):
        chain.what_if(actor=w.users["park"], region_id=w.jiangyang.pk)


def test_from_measures_copies_each_area_with_dates_clipped(chain: Chain) -> None:
    w = chain.world
    # The world's measure shuts Jiangyang from 8 September, open-ended, at strictness 2. A park
    # measure ends at midnight on the 12th: its last day shut is the 11th.
    park_measure = ControlMeasure.objects.create(
        kind="lockdown",
        title="园区封闭管理",
        authority=w.luzhou,
        starts_at=dt.datetime(2022, 8, 25, 18, 0, tzinfo=TZ),
        ends_at=dt.datetime(2022, 9, 12, 0, 0, tzinfo=TZ),
        strictness=3,
    )
    park_measure.parks.set([w.park])
    ControlMeasure.objects.create(
        kind="static",
        title="已结束的措施",
        authority=w.luzhou,
        starts_at=dt.datetime(2022, 8, 1, tzinfo=TZ),
        ends_at=dt.datetime(2022, 8, 10, tzinfo=TZ),
    ).regions.set([w.naxi])
    scenario = scenario_from_measures(
        actor=w.users["bureau"], name="九月措施", region_id=w.luzhou.pk, starts_on=START, days=30
    )
    assert scenario.source == ScenarioSource.MEASURES
    areas = {
        (str(a), a.starts_on, a.ends_on, a.strictness, a.measure) for a in scenario.areas.all()
    }
    assert areas == {
        (str(w.park), START, dt.date(2022, 9, 11), 3, park_measure),
        (str(w.jiangyang), dt.date(2022, 9, 8), dt.date(2022, 9, 30), 2, w.measure),
    }


def test_from_measures_with_none_in_force_names_the_first_day(chain: Chain) -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario_from_measures(
            actor=chain.admin,
            name="无措施",
            region_id=chain.world.luzhou.pk,
            starts_on=dt.date(2021, 1, 1),
            days=30,
        )
    assert "starts_on" in caught.value.errors
    assert not Scenario.objects.exists()


def test_a_district_copies_only_the_measures_it_sees(chain: Chain) -> None:
    w = chain.world
    ControlMeasure.objects.create(
        kind="static",
        title="纳溪区静态管理",
        authority=w.naxi,
        starts_at=dt.datetime(2022, 9, 2, tzinfo=TZ),
    ).regions.set([w.naxi])
    scenario = scenario_from_measures(
        actor=w.users["district"], name="江阳", region_id=w.jiangyang.pk, starts_on=START
    )
    assert [a.region for a in scenario.areas.all()] == [w.jiangyang]
