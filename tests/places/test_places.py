"""Regions, parks and control measures: the real codes, validation, scopes and conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import AuditEvent
from keepline.core.scopes import visible
from keepline.places import services
from keepline.places.models import ControlMeasure, MeasureStatus, Park, Region
from tests.conftest import TZ, World


@pytest.mark.django_db
def test_luzhou_ships_with_its_real_codes() -> None:
    districts = dict(Region.objects.filter(parent__code="510500").values_list("code", "name_zh"))
    assert districts == {
        "510502": "江阳区",
        "510503": "纳溪区",
        "510504": "龙马潭区",
        "510521": "泸县",
        "510522": "合江县",
        "510524": "叙永县",
        "510525": "古蔺县",
    }
    town = Region.objects.get(code="510522002")
    assert town.path == "510000/510500/510522/510522002/" and town.level == "town"


def _measure(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "static",
        "title": "纳溪区临时性静态管理",
        "authority": world.luzhou,
        "regions": [world.naxi],
        "parks": [],
        "starts_at": dt.datetime(2022, 9, 11, tzinfo=TZ),
        "ends_at": None,
        "strictness": 2,
    } | overrides


def test_measure_errors_are_named_by_field_and_nothing_is_written(world: World) -> None:
    count = ControlMeasure.objects.count()
    with pytest.raises(InvalidInput) as info:
        services.create_measure(
            actor=world.users["bureau"],
            data=_measure(
                world,
                title="",
                regions=[world.yibin_district],
                ends_at=dt.datetime(2022, 9, 1, tzinfo=TZ),
                strictness=0,
            ),
        )
    assert set(info.value.errors) == {"title", "regions", "ends_at", "strictness"}
    with pytest.raises(InvalidInput) as info:
        services.create_measure(actor=world.users["bureau"], data=_measure(world, regions=[]))
    assert set(info.value.errors) == {"regions"}
    assert ControlMeasure.objects.count() == count


def test_district_may_issue_for_itself_but_not_for_the_city(world: World) -> None:
    own = services.create_measure(
        actor=world.users["district"],
        data=_measure(world, authority=world.jiangyang, regions=[world.jiangyang]),
    )
    assert AuditEvent.objects.get(
        action="create", object_type="places.controlmeasure", object_id=str(own.pk)
    ).after["regions"] == ["510502"]
    with pytest.raises(Forbidden):
        services.create_measure(actor=world.users["district"], data=_measure(world))


def test_a_city_wide_measure_reaches_district_and_park_users(world: World) -> None:
    city = services.create_measure(
        actor=world.users["bureau"],
        data=_measure(world, regions=[world.luzhou], title="全市有序用电"),
    )
    for role in ("district", "park", "checkpoint"):
        seen = visible(ControlMeasure.objects.all(), world.users[role])
        assert city in seen and world.foreign_measure not in seen, role
        assert city not in visible(ControlMeasure.objects.all(), world.users[role], "change"), role


def test_status_and_in_force(world: World) -> None:
    measure = services.create_measure(
        actor=world.users["bureau"],
        data=_measure(world, ends_at=dt.datetime(2022, 9, 26, tzinfo=TZ)),
    )
    assert measure.status(dt.datetime(2022, 9, 10, tzinfo=TZ)) == MeasureStatus.SCHEDULED
    assert measure.status(dt.datetime(2022, 9, 20, tzinfo=TZ)) == MeasureStatus.IN_FORCE
    assert measure.status(dt.datetime(2022, 9, 26, tzinfo=TZ)) == MeasureStatus.ENDED
    at = dt.datetime(2022, 9, 20, tzinfo=TZ)
    assert measure in ControlMeasure.objects.filter(ControlMeasure.in_force_at(at))


def test_measure_update_conflict_and_delete_are_audited(world: World) -> None:
    data = _measure(world, regions=[world.jiangyang], title="改")
    services.update_measure(
        actor=world.users["bureau"], measure_id=world.measure.pk, data=data, version=1
    )
    with pytest.raises(Conflict):
        services.update_measure(
            actor=world.users["bureau"], measure_id=world.measure.pk, data=data, version=1
        )
    services.delete_measure(actor=world.users["bureau"], measure_id=world.measure.pk)
    assert list(
        AuditEvent.objects.filter(object_type="places.controlmeasure").values_list(
            "action", flat=True
        )
    ) == ["delete", "update"]


def test_measure_page_form_round_trip(world: World) -> None:
    client = world.client("bureau")
    response = client.post(
        "/places/measures/new/",
        {
            "kind": "flood",
            "title": "合江洪水",
            "authority": world.luzhou.pk,
            "regions": [Region.objects.get(code="510522").pk],
            "starts_at": "2022-07-01T08:00",
            "strictness": "1",
        },
    )
    measure = ControlMeasure.objects.get(title="合江洪水")
    assert response.status_code == 302 and measure.strictness == 1
    bad = client.post(
        "/places/measures/new/",
        {
            "kind": "flood",
            "title": "错",
            "authority": world.luzhou.pk,
            "starts_at": "2022-07-01T08:00",
            "strictness": "2",
        },
    )
    assert bad.status_code == 400 and "regions" in bad.context["form"].errors


def test_park_create_edit_and_conflict(world: World) -> None:
    client = world.client("district")
    client.post(
        "/places/parks/new/",
        {
            "code": "jy-new",
            "name": "江阳新园区",
            "region": world.jiangyang.pk,
            "level": "county",
            "committee_contact": "周七",
        },
    )
    park = Park.objects.get(code="JY-NEW")
    dup = client.post(
        "/places/parks/new/",
        {
            "code": "JY-NEW",
            "name": "重复",
            "region": world.jiangyang.pk,
            "level": "county",
            "committee_contact": "x",
        },
    )
    assert "code" in dup.context["form"].errors
    services.update_park(
        actor=world.users["park"],
        park_id=world.park.pk,
        data={
            "code": "OWN-PARK",
            "name": "改名园区",
            "region": world.jiangyang,
            "level": "city",
            "committee_contact": "张三",
        },
        version=1,
    )
    with pytest.raises(Conflict):
        services.update_park(
            actor=world.users["district"],
            park_id=world.park.pk,
            data={
                "code": "OWN-PARK",
                "name": "又改",
                "region": world.jiangyang,
                "level": "city",
                "committee_contact": "张三",
            },
            version=1,
        )
    assert park.region == world.jiangyang
