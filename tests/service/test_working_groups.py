"""Working groups sent to supervise areas: created, changed and stood down by the bureau."""

from __future__ import annotations

import datetime as dt

import pytest

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.service.models import WorkingGroup
from keepline.service.selectors.groups import get_working_group, working_groups
from keepline.service.services.groups import (
    change_working_group,
    create_working_group,
    end_working_group,
)
from tests.conftest import World
from tests.service.conftest import person

START = dt.date(2022, 9, 5)


def _group(world: World) -> WorkingGroup:
    return create_working_group(
        actor=world.users["bureau"],
        authority=world.luzhou,
        name="省督导组第三组",
        purpose="督导白名单企业复工复产",
        leader=person("chen"),
        members=[person(f"member{i}") for i in range(8)],
        regions=[world.jiangyang],
        parks=[world.park],
        starts_on=START,
    )


def test_the_bureau_sends_a_group_to_its_areas(world: World) -> None:
    group = _group(world)
    assert group.members.count() == 8
    assert set(group.regions.all()) == {world.jiangyang}
    event = AuditEvent.objects.get(object_type="service.workinggroup", action="create")
    assert event.actor_name == "bureau"
    assert len(event.after["members"]) == 8  # type: ignore[index]
    assert list(working_groups(world.users["district"])) == [group]
    assert list(working_groups(world.users["park"])) == [group]
    member = group.members.first()
    assert member is not None
    assert list(working_groups(member)) == [group]
    assert not working_groups(world.users["liaison"]).exists()
    other = world.other_user
    assert other is not None
    assert not working_groups(other).exists()
    with pytest.raises(NotFound):
        get_working_group(other, group.pk)


def test_only_the_bureau_sends_groups_and_only_to_its_own_areas(world: World) -> None:
    for role in ("district", "park", "commissioner", "leader"):
        with pytest.raises(Forbidden):
            create_working_group(
                actor=world.users[role],
                authority=world.jiangyang,
                name="组",
                leader=person(f"lead-{role}"),
                regions=[world.jiangyang],
                starts_on=START,
            )
    with pytest.raises(Forbidden):
        create_working_group(
            actor=world.users["bureau"],
            authority=world.yibin,
            name="组",
            leader=person("lead"),
            regions=[world.yibin_district],
            starts_on=START,
        )
    with pytest.raises(InvalidInput) as caught:
        create_working_group(
            actor=world.users["bureau"],
            authority=world.luzhou,
            name="组",
            leader=person("lead1"),
            regions=[world.yibin_district],
            parks=[world.foreign_park],
            starts_on=START,
        )
    assert set(caught.value.errors) == {"regions", "parks"}
    with pytest.raises(InvalidInput) as caught:
        create_working_group(
            actor=world.users["bureau"],
            authority=world.luzhou,
            name=" ",
            leader=person("lead2"),
            starts_on=START,
            ends_on=START - dt.timedelta(days=1),
        )
    assert set(caught.value.errors) == {"name", "regions", "ends_on"}
    assert not WorkingGroup.objects.exists()


def test_a_group_is_changed_and_stood_down(world: World) -> None:
    group = _group(world)
    bureau = world.users["bureau"]
    change_working_group(
        actor=bureau, group_id=group.pk, version=1, name="省督导组第三组（泸州）", parks=[]
    )
    group.refresh_from_db()
    assert (group.name, group.version, group.parks.count()) == ("省督导组第三组（泸州）", 2, 0)
    assert group.members.count() == 8
    with pytest.raises(Conflict):
        change_working_group(actor=bureau, group_id=group.pk, version=1, purpose="x")
    with pytest.raises(Forbidden):
        change_working_group(actor=world.users["district"], group_id=group.pk, name="x")

    assert list(working_groups(bureau, at=dt.date(2022, 9, 20))) == [group]
    end_working_group(actor=bureau, group_id=group.pk, ends_on=dt.date(2022, 9, 30))
    assert list(working_groups(bureau, at=dt.date(2022, 9, 30))) == [group]
    assert not working_groups(bureau, at=dt.date(2022, 10, 1)).exists()
    assert not working_groups(bureau, at=dt.date(2022, 9, 1)).exists()
    with pytest.raises(Conflict):
        end_working_group(actor=bureau, group_id=group.pk)
    actions = AuditEvent.objects.filter(object_type="service.workinggroup")
    assert sorted(actions.values_list("action", flat=True)) == ["change", "create", "end"]
