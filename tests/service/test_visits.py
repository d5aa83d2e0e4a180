"""Visits on the two lists: planned, then done with findings, or cancelled with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.service.models import CoverageKind, Visit, VisitStatus
from keepline.service.selectors.coverage import local_today
from keepline.service.selectors.visits import done_visits, get_visit, planned_visits
from keepline.service.services.coverage import assign_coverage
from keepline.service.services.visits import cancel_visit, complete_visit, plan_visit, record_visit
from tests.conftest import TZ, World
from tests.service.conftest import fresh, person


def _tomorrow() -> dt.date:
    return local_today() + dt.timedelta(days=1)


def _plan(world: World, role: str = "commissioner") -> Visit:
    return plan_visit(
        actor=world.users[role],
        enterprise=world.enterprise,
        planned_for=_tomorrow(),
        purpose="了解复工复产和原料供应情况",
    )


def test_a_planned_visit_is_done_with_findings(world: World) -> None:
    visit = _plan(world)
    district = world.users["district"]
    assert list(planned_visits(district)) == [visit]
    assert not done_visits(district).exists()

    went = dt.datetime(2022, 9, 20, 10, 0, tzinfo=TZ)
    done = complete_visit(
        actor=world.users["commissioner"],
        visit_id=visit.pk,
        visited_at=went,
        findings="原料库存仅够3天，需协调运输",
        companions="李科长",
        version=1,
    )

    assert done.status == VisitStatus.DONE
    assert not planned_visits(district).exists()
    [row] = done_visits(district, enterprise=world.enterprise)
    assert (row.visited_at, row.findings, row.companions) == (
        went,
        "原料库存仅够3天，需协调运输",
        "李科长",
    )
    assert list(done_visits(district, visitor=world.users["commissioner"])) == [row]
    assert not done_visits(district, region="510503").exists()
    actions = AuditEvent.objects.filter(object_type="service.visit", object_id=str(visit.pk))
    assert sorted(actions.values_list("action", flat=True)) == ["complete_visit", "plan_visit"]
    with pytest.raises(Conflict):
        complete_visit(
            actor=world.users["commissioner"], visit_id=visit.pk, visited_at=went, findings="再次"
        )


def test_a_visit_not_planned_goes_straight_to_the_done_list(world: World) -> None:
    visit = record_visit(
        actor=world.users["park"],
        enterprise=world.enterprise,
        visited_at=timezone.now() - dt.timedelta(hours=2),
        findings="闭环管理落实到位",
    )
    assert visit.visitor == world.users["park"]
    assert list(done_visits(world.users["bureau"])) == [visit]
    with pytest.raises(InvalidInput) as caught:
        record_visit(
            actor=world.users["park"],
            enterprise=world.enterprise,
            visited_at=timezone.now() + dt.timedelta(days=1),
            findings=" ",
        )
    assert set(caught.value.errors) == {"visited_at", "findings"}


def test_a_cancelled_visit_leaves_both_lists_with_its_reason(world: World) -> None:
    visit = _plan(world)
    with pytest.raises(InvalidInput) as caught:
        cancel_visit(actor=world.users["commissioner"], visit_id=visit.pk, reason=" ")
    assert "reason" in caught.value.errors

    cancel_visit(actor=world.users["district"], visit_id=visit.pk, reason="企业封控")

    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (VisitStatus.CANCELLED, "企业封控")
    assert not planned_visits(world.users["district"]).exists()
    assert not done_visits(world.users["district"]).exists()
    with pytest.raises(Conflict):
        cancel_visit(actor=world.users["district"], visit_id=visit.pk, reason="再次")


def test_a_stale_version_conflicts(world: World) -> None:
    visit = _plan(world)
    with pytest.raises(Conflict):
        cancel_visit(actor=world.users["district"], visit_id=visit.pk, reason="改期", version=7)


def test_a_planned_visit_lies_ahead(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_visit(
            actor=world.users["district"],
            enterprise=world.enterprise,
            planned_for=local_today() - dt.timedelta(days=1),
            purpose="",
        )
    assert set(caught.value.errors) == {"planned_for", "purpose"}
    assert not Visit.objects.exists()


def test_the_liaison_sees_the_done_list_of_its_enterprise_only(world: World) -> None:
    liaison = world.users["liaison"]
    planned = _plan(world)
    other = _plan(world)
    complete_visit(
        actor=world.users["commissioner"],
        visit_id=other.pk,
        visited_at=timezone.now(),
        findings="用工缺口已解决",
    )
    assert not planned_visits(liaison).exists()
    assert [v.pk for v in done_visits(liaison)] == [other.pk]
    assert get_visit(liaison, other.pk).findings == "用工缺口已解决"
    with pytest.raises(NotFound):
        get_visit(liaison, planned.pk)
    with pytest.raises(NotFound):
        cancel_visit(actor=liaison, visit_id=planned.pk, reason="不方便")


def test_visits_are_planned_and_seen_within_the_area(world: World) -> None:
    visit = _plan(world)
    other = world.other_user
    assert other is not None
    assert not planned_visits(other).exists()
    with pytest.raises(NotFound):
        get_visit(other, visit.pk)
    with pytest.raises(NotFound):
        cancel_visit(actor=other, visit_id=visit.pk, reason="越权")
    with pytest.raises(Forbidden):
        plan_visit(
            actor=world.users["district"],
            enterprise=world.foreign_enterprise,
            planned_for=_tomorrow(),
            purpose="走访",
        )
    # The leader role is read-only: seeing a visit does not let one change it.
    with pytest.raises(Forbidden):
        cancel_visit(actor=world.users["leader"], visit_id=visit.pk, reason="改期")
    with pytest.raises(Forbidden):
        _plan(world, "leader")


def test_whoever_covers_an_enterprise_plans_their_own_visits_to_it(world: World) -> None:
    cadre = person("cadre")
    with pytest.raises(Forbidden):
        plan_visit(
            actor=cadre, enterprise=world.enterprise, planned_for=_tomorrow(), purpose="包片走访"
        )
    assign_coverage(
        actor=world.users["bureau"], kind=CoverageKind.AREA, user=cadre, region=world.jiangyang
    )
    cadre = fresh(cadre)
    visit = plan_visit(
        actor=cadre, enterprise=world.enterprise, planned_for=_tomorrow(), purpose="包片走访"
    )
    # Their own visits are theirs to see and to finish, though their area gives no membership.
    assert list(planned_visits(cadre)) == [visit]
    complete_visit(actor=cadre, visit_id=visit.pk, visited_at=timezone.now(), findings="生产正常")
    with pytest.raises(Forbidden):
        plan_visit(
            actor=cadre,
            enterprise=world.foreign_enterprise,
            planned_for=_tomorrow(),
            purpose="越界走访",
        )
