"""Closed-loop plans: versions, submission, decision by the park or district, and the
qualification an approved, ready plan gives until its review date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from keepline.bubble import selectors
from keepline.bubble.models import ClosedLoopPlan, PlanStatus
from keepline.bubble.services import plans as plan_services
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park
from tests.bubble.conftest import NOW, READY, REVIEW, qualify
from tests.conftest import SYSTEM, TZ, World
from tests.factories import EnterpriseFactory

DAY = dt.timedelta(days=1)
WAITING = QueryDict("waiting=1")


def _save(world: World, role: str = "liaison", **kwargs: object) -> ClosedLoopPlan:
    options: dict[str, object] = {"data": READY, "now": NOW}
    options.update(kwargs)
    if "park_id" not in options:
        options.setdefault("enterprise_id", world.enterprise.pk)
    return plan_services.save_plan(actor=world.users[role], **options)  # type: ignore[arg-type]


def test_draft_is_changed_in_place_until_submitted(world: World) -> None:
    draft = _save(world, data={**READY, "beds": 100})
    assert (draft.number, draft.status, draft.ready) == (1, PlanStatus.DRAFT, False)
    again = _save(world, data={**READY, "beds": 200}, version=draft.version)
    assert again.pk == draft.pk and again.beds == 200 and again.ready
    with pytest.raises(Conflict):  # the first editor's stale copy
        _save(world, data=READY, version=draft.version)
    submitted = _save(world, submit=True, version=again.version)
    assert submitted.pk == draft.pk and submitted.status == PlanStatus.SUBMITTED
    assert submitted.submitted_by == "liaison" and submitted.review_park == world.park
    actions = list(
        AuditEvent.objects.filter(object_type="bubble.closedloopplan").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["save_plan", "save_plan", "submit_plan"]


def test_each_submission_after_a_decision_is_a_new_version(world: World) -> None:
    first = _save(world, submit=True)
    with pytest.raises(Conflict, match="waiting for a decision"):
        _save(world, data={**READY, "beds": 999})
    plan_services.decide_plan(
        actor=world.users["park"], plan_id=first.pk, approve=False, note="床位清单不全", now=NOW
    )
    second = _save(world, submit=True)
    assert (second.number, first.number) == (2, 1)
    first.refresh_from_db()
    assert first.status == PlanStatus.RETURNED and first.decision_note == "床位清单不全"
    assert (first.decided_by, first.decided_at) == ("park", NOW)
    returned = AuditEvent.objects.get(action="return_plan", object_id=str(first.pk))
    assert (returned.before["status"], returned.before["version"]) == (
        "submitted",
        first.version - 1,
    )
    assert (returned.after["status"], returned.after["version"]) == ("returned", first.version)
    plan_services.decide_plan(actor=world.users["park"], plan_id=second.pk, approve=True, now=NOW)
    third = _save(world, data={**READY, "beds": 170})
    assert third.number == 3 and third.status == PlanStatus.DRAFT
    # The approved version keeps the qualification while the next one is written.
    assert selectors.is_qualified(world.enterprise, NOW)


def test_submitting_needs_a_future_review_date(world: World) -> None:
    with pytest.raises(InvalidInput) as missing:
        _save(world, data={**READY, "review_date": None}, submit=True)
    assert "review_date" in missing.value.errors
    with pytest.raises(InvalidInput) as past:
        _save(world, data={**READY, "review_date": NOW.date()}, submit=True)
    assert past.value.errors["review_date"] == ["The review date must be after today."]
    assert _save(world, data={**READY, "review_date": None}).status == PlanStatus.DRAFT


def test_bad_figures_are_named_by_field_and_nothing_is_written(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        _save(
            world,
            data={
                **READY,
                "beds": -1,
                "gates": "two",
                "staff_inside": 301,
                "on_site_sampling": False,
                "sampling_points": 2,
                "raw_material_days": 99999,
            },
        )
    errors = exc.value.errors
    assert errors["beds"] == ["This cannot be negative."]
    assert errors["gates"] == ["Give a whole number."]
    assert errors["staff_inside"] == ["More than the enterprise's 300 employees."]
    assert "sampling_points" in errors and "raw_material_days" in errors
    assert not ClosedLoopPlan.objects.exists()


def test_enterprise_in_a_park_is_decided_by_the_park(world: World) -> None:
    plan = _save(world, submit=True)
    with pytest.raises(Forbidden):
        plan_services.decide_plan(actor=world.users["district"], plan_id=plan.pk, approve=True)
    with pytest.raises(Forbidden):
        plan_services.decide_plan(actor=world.users["bureau"], plan_id=plan.pk, approve=True)
    with pytest.raises(NotFound):
        plan_services.decide_plan(actor=world.other_user, plan_id=plan.pk, approve=True)  # type: ignore[arg-type]
    assert list(selectors.PLANS.rows(world.users["park"], WAITING)) == [plan]
    assert not selectors.PLANS.rows(world.users["district"], WAITING).exists()
    approved = plan_services.decide_plan(actor=world.users["park"], plan_id=plan.pk, approve=True)
    assert approved.status == PlanStatus.APPROVED and approved.decided_by == "park"


def test_enterprise_outside_parks_and_park_plans_are_decided_by_the_district(
    world: World,
) -> None:
    loose = EnterpriseFactory(serial=31, region=world.jiangyang)
    plan = plan_services.save_plan(
        actor=SYSTEM, enterprise_id=loose.pk, data=READY, submit=True, now=NOW
    )
    park_plan = _save(world, role="park", park_id=world.park.pk, submit=True)
    assert park_plan.review_region == world.jiangyang and park_plan.review_park is None
    waiting = set(selectors.PLANS.rows(world.users["district"], WAITING))
    assert waiting == {plan, park_plan}
    with pytest.raises(Forbidden):
        plan_services.decide_plan(actor=world.users["park"], plan_id=park_plan.pk, approve=True)
    plan_services.decide_plan(
        actor=world.users["district"], plan_id=park_plan.pk, approve=True, now=NOW
    )
    assert selectors.qualified_park_ids(Park.objects.all(), NOW) == {world.park.pk}
    # A park's plan qualifies the park, not the enterprises in it.
    assert not selectors.is_qualified(world.enterprise, NOW)


def test_a_liaison_cannot_write_for_a_park_or_another_enterprise(world: World) -> None:
    with pytest.raises(NotFound):
        _save(world, park_id=world.park.pk)
    with pytest.raises(NotFound):
        _save(world, enterprise_id=world.foreign_enterprise.pk)
    with pytest.raises(Forbidden):
        _save(world, role="leader")
    with pytest.raises(InvalidInput):
        _save(world, park_id=world.park.pk, enterprise_id=world.enterprise.pk)


def test_return_needs_reasons_and_second_decision_is_a_conflict(world: World) -> None:
    plan = _save(world, submit=True)
    with pytest.raises(InvalidInput) as exc:
        plan_services.decide_plan(
            actor=world.users["park"], plan_id=plan.pk, approve=False, note=" "
        )
    assert "note" in exc.value.errors
    plan_services.decide_plan(
        actor=world.users["park"], plan_id=plan.pk, approve=True, version=plan.version
    )
    with pytest.raises(Conflict) as late:
        plan_services.decide_plan(
            actor=world.users["admin"],
            plan_id=plan.pk,
            approve=False,
            note="x",
            version=plan.version,
        )
    assert late.value.current["status"] == PlanStatus.APPROVED
    assert late.value.current["decided_by"] == "park"


def test_qualification_lasts_to_the_end_of_the_review_date(world: World) -> None:
    qualify(world.enterprise, review=REVIEW)
    last = dt.datetime.combine(REVIEW, dt.time(23, 59), tzinfo=TZ)
    assert selectors.is_qualified(world.enterprise, last)
    assert not selectors.is_qualified(world.enterprise, last + dt.timedelta(minutes=1))
    # Not before the approval either.
    assert not selectors.is_qualified(world.enterprise, NOW - 3 * DAY)


def test_an_approved_plan_that_is_not_ready_does_not_qualify(world: World) -> None:
    plan = qualify(world.enterprise, beds=10)
    assert plan.status == PlanStatus.APPROVED and not plan.ready
    assert not selectors.is_qualified(world.enterprise, NOW)


def test_the_latest_approved_version_decides(world: World) -> None:
    qualify(world.enterprise)
    assert selectors.is_qualified(world.enterprise, NOW)
    qualify(world.enterprise, at=NOW + 3 * DAY, raw_material_days=2)
    assert selectors.is_qualified(world.enterprise, NOW)
    assert not selectors.is_qualified(world.enterprise, NOW + 3 * DAY)


def test_qualified_ids_for_many_in_one_query(
    world: World, django_assert_num_queries: object
) -> None:
    firms = [EnterpriseFactory(serial=40 + i, region=world.jiangyang) for i in range(6)]
    for firm in firms[:3]:
        qualify(firm)
    qualify(firms[3], review=NOW.date() + DAY, beds=1)  # approved, not ready
    with django_assert_num_queries(1):  # type: ignore[operator]
        ids = selectors.qualified_ids(Enterprise.objects.all(), NOW)
    assert ids == {f.pk for f in firms[:3]}
