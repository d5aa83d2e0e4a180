"""Coverage: who covered whom when, and the commissioner membership that follows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent, Membership, Role, User
from keepline.core.scopes import visible
from keepline.enterprises.models import Enterprise, EnterpriseContact
from keepline.service.models import Coverage, CoverageKind
from keepline.service.selectors.coverage import (
    coverage_history,
    covered_by,
    covered_enterprises,
    covering,
    get_coverage,
    key_projects,
    local_today,
)
from keepline.service.services.coverage import assign_coverage, end_coverage
from keepline.service.services.projects import create_key_project
from tests.conftest import SYSTEM, World
from tests.service.conftest import fresh, person


def _assign(
    world: World, user: User, kind: str = CoverageKind.ENTERPRISE, **target: Any
) -> Coverage:
    return assign_coverage(actor=world.users["district"], kind=kind, user=user, **target)


def test_commissioner_gains_and_loses_sight_of_the_enterprise(world: World) -> None:
    zhang = person("zhang")
    assert not visible(Enterprise.objects.all(), fresh(zhang)).exists()

    coverage = _assign(world, zhang, enterprise=world.enterprise)

    zhang = fresh(zhang)
    assert list(visible(Enterprise.objects.all(), zhang)) == [world.enterprise]
    assert list(visible(EnterpriseContact.objects.all(), zhang)) == [world.contact]
    assert list(covered_enterprises(zhang, zhang)) == [world.enterprise]
    assert coverage.granted_membership is not None
    assert coverage.granted_membership.role == Role.COMMISSIONER

    end_coverage(actor=world.users["district"], coverage_id=coverage.pk)

    zhang = fresh(zhang)
    assert not visible(Enterprise.objects.all(), zhang).exists()
    assert not Membership.objects.filter(user=zhang).exists()
    coverage.refresh_from_db()
    assert coverage.until == local_today()
    assert list(coverage_history(SYSTEM, user=zhang)) == [coverage]


def test_a_membership_granted_by_hand_outlives_the_coverage(world: World) -> None:
    commissioner = world.users["commissioner"]
    coverage = _assign(world, commissioner, enterprise=world.enterprise)
    assert coverage.granted_membership is None

    end_coverage(actor=world.users["bureau"], coverage_id=coverage.pk)

    assert list(visible(Enterprise.objects.all(), fresh(commissioner))) == [world.enterprise]


def test_the_membership_stays_while_another_coverage_needs_it(world: World) -> None:
    zhang = person("zhang")
    project = create_key_project(
        actor=world.users["district"], enterprise=world.enterprise, name="技改扩能项目"
    )
    by_enterprise = _assign(world, zhang, enterprise=world.enterprise)
    by_project = _assign(world, zhang, kind=CoverageKind.PROJECT, project=project)
    assert Membership.objects.filter(user=zhang).count() == 1

    end_coverage(actor=world.users["district"], coverage_id=by_enterprise.pk)
    assert list(visible(Enterprise.objects.all(), fresh(zhang))) == [world.enterprise]

    end_coverage(actor=world.users["district"], coverage_id=by_project.pk)
    assert not visible(Enterprise.objects.all(), fresh(zhang)).exists()


def test_who_covered_an_enterprise_on_a_past_day(world: World) -> None:
    first, second, leader, park_head = (person(n) for n in ("first", "second", "lead", "parkh"))
    district = world.users["district"]
    old = _assign(world, first, enterprise=world.enterprise, since=dt.date(2022, 9, 1))
    end_coverage(actor=district, coverage_id=old.pk, until=dt.date(2022, 9, 15))
    _assign(world, second, enterprise=world.enterprise, since=dt.date(2022, 9, 16))
    _assign(
        world, leader, kind=CoverageKind.AREA, region=world.jiangyang, since=dt.date(2022, 9, 1)
    )
    _assign(world, park_head, kind=CoverageKind.AREA, park=world.park, since=dt.date(2022, 9, 20))

    def covering_on(day: dt.date) -> set[str]:
        rows = covering(world.users["bureau"], world.enterprise, day)
        return {row.user.username for row in rows}

    assert covering_on(dt.date(2022, 9, 10)) == {"first", "lead"}
    assert covering_on(dt.date(2022, 9, 15)) == {"first", "lead"}
    assert covering_on(dt.date(2022, 9, 16)) == {"second", "lead"}
    assert covering_on(dt.date(2022, 9, 25)) == {"second", "lead", "parkh"}
    assert not covering(world.users["bureau"], world.foreign_enterprise).exists()
    assert [c.enterprise for c in covered_by(SYSTEM, first, dt.date(2022, 9, 3))] == [
        world.enterprise
    ]
    assert not covered_by(SYSTEM, first).exists()
    assert list(covered_enterprises(SYSTEM, leader)) == [world.enterprise]
    history = coverage_history(SYSTEM, enterprise=world.enterprise)
    assert history.count() == 4


@pytest.mark.parametrize(
    ("kind", "target", "fields"),
    [
        (CoverageKind.ENTERPRISE, {}, {"enterprise"}),
        (CoverageKind.ENTERPRISE, {"region": "jiangyang"}, {"region", "enterprise"}),
        (CoverageKind.AREA, {"region": "jiangyang", "park": "park"}, {"region", "park"}),
        (CoverageKind.AREA, {}, {"region"}),
        (CoverageKind.AREA, {"enterprise": "enterprise", "park": "park"}, {"enterprise"}),
        (CoverageKind.PROJECT, {"enterprise": "enterprise"}, {"enterprise", "project"}),
    ],
)
def test_a_coverage_has_exactly_one_target_of_its_kind(
    world: World, kind: str, target: dict[str, str], fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        assign_coverage(
            actor=world.users["bureau"],
            kind=kind,
            user=person("zhang"),
            **{field: getattr(world, name) for field, name in target.items()},
        )
    assert set(caught.value.errors) == fields
    assert not Coverage.objects.exists()
    assert not AuditEvent.objects.filter(action="assign_coverage").exists()


def test_assigning_and_ending_are_audited_and_kept(world: World) -> None:
    coverage = _assign(world, person("zhang"), enterprise=world.enterprise)
    end_coverage(actor=world.users["bureau"], coverage_id=coverage.pk)
    events = AuditEvent.objects.filter(object_id=str(coverage.pk), object_type="service.coverage")
    assert sorted(e.action for e in events) == ["assign_coverage", "end_coverage"]
    assert {e.actor_name for e in events} == {"district", "bureau"}
    assert Coverage.objects.filter(pk=coverage.pk, until__isnull=False).exists()


def test_the_same_coverage_twice_is_refused_and_ending_twice_conflicts(world: World) -> None:
    zhang = person("zhang")
    coverage = _assign(world, zhang, enterprise=world.enterprise)
    with pytest.raises(InvalidInput) as caught:
        _assign(world, zhang, enterprise=world.enterprise)
    assert "user" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        end_coverage(
            actor=world.users["district"], coverage_id=coverage.pk, until=dt.date(2000, 1, 1)
        )
    assert "until" in caught.value.errors
    end_coverage(actor=world.users["district"], coverage_id=coverage.pk, version=1)
    with pytest.raises(Conflict):
        end_coverage(actor=world.users["district"], coverage_id=coverage.pk)


def test_a_coverage_starts_today_or_earlier(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _assign(
            world,
            person("zhang"),
            enterprise=world.enterprise,
            since=local_today() + dt.timedelta(days=1),
        )
    assert "since" in caught.value.errors


def test_coverage_is_arranged_and_seen_within_the_area(world: World) -> None:
    zhang = person("zhang")
    with pytest.raises(Forbidden):
        _assign(world, zhang, enterprise=world.foreign_enterprise)
    with pytest.raises(Forbidden):
        assign_coverage(
            actor=world.users["district"], kind=CoverageKind.AREA, user=zhang, region=world.luzhou
        )
    for role in ("commissioner", "liaison", "leader", "department"):
        with pytest.raises(Forbidden):
            assign_coverage(
                actor=world.users[role],
                kind=CoverageKind.ENTERPRISE,
                user=zhang,
                enterprise=world.enterprise,
            )

    mine = _assign(world, zhang, enterprise=world.enterprise)
    others = _assign(world, world.users["commissioner"], enterprise=world.enterprise)
    zhang = fresh(zhang)

    assert set(coverage_history(world.users["park"])) == {mine, others}
    # A commissioner sees their own coverage, not a colleague's at the same enterprise.
    assert list(coverage_history(zhang)) == [mine]
    assert not coverage_history(world.users["liaison"]).exists()
    with pytest.raises(NotFound):
        get_coverage(world.other_user, mine.pk)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        get_coverage(zhang, others.pk)
    with pytest.raises(Forbidden):
        end_coverage(actor=zhang, coverage_id=mine.pk)
    with pytest.raises(NotFound):
        end_coverage(actor=world.other_user, coverage_id=mine.pk)  # type: ignore[arg-type]


def test_key_projects_are_created_within_the_area(world: World) -> None:
    project = create_key_project(
        actor=world.users["park"], enterprise=world.enterprise, name=" 新厂区建设 "
    )
    assert project.name == "新厂区建设"
    assert project.region == world.jiangyang
    with pytest.raises(InvalidInput) as caught:
        create_key_project(
            actor=world.users["park"], enterprise=world.enterprise, name="新厂区建设"
        )
    assert "name" in caught.value.errors
    with pytest.raises(Forbidden):
        create_key_project(
            actor=world.users["park"], enterprise=world.foreign_enterprise, name="项目"
        )
    with pytest.raises(Forbidden):
        create_key_project(
            actor=world.users["district"],
            enterprise=world.foreign_enterprise,
            region=world.jiangyang,
            name="项目",
        )
    assert list(key_projects(world.users["commissioner"])) == [project]
    assert not key_projects(world.other_user).exists()  # type: ignore[arg-type]
