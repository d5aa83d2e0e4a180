"""A problem from filing to closing (交办 → 反馈 → 销号), reopening, reassignment and the rules
each step keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from keepline.problems import selectors
from keepline.problems.calendar import add_working_days
from keepline.problems.models import CalendarDay, ProblemSource, ProblemStatus
from keepline.problems.services import lifecycle, limits
from keepline.reports.models import DailyReport
from tests.conftest import World
from tests.problems.conftest import file


def _kinds(world: World, problem_id: int) -> list[str]:
    return [e.kind for e in selectors.timeline(world.users["liaison"], problem_id)]


def test_filed_replied_rated_and_closed(world: World) -> None:
    liaison, commissioner = world.users["liaison"], world.users["commissioner"]
    problem = file(world)
    assert (problem.status, problem.source) == (ProblemStatus.SUBMITTED, ProblemSource.FORM)
    assert problem.acknowledge_due == problem.filed_at + dt.timedelta(hours=1)
    assert problem.close_due == add_working_days(problem.filed_at, 5)

    p = lifecycle.accept_problem(actor=commissioner, problem_id=problem.pk, version=1)
    assert p.status == ProblemStatus.ACCEPTED and p.accepted_at is not None
    p = lifecycle.start_problem(actor=commissioner, problem_id=p.pk, version=p.version)
    assert p.status == ProblemStatus.IN_PROGRESS
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已协调交通局", final=False
    )
    assert p.status == ProblemStatus.IN_PROGRESS and p.interim_replied_at is not None
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="车辆已放行", final=True
    )
    assert (p.status, p.reply) == (ProblemStatus.REPLIED, "车辆已放行")
    p = lifecycle.confirm_problem(
        actor=liaison, problem_id=p.pk, version=p.version, rating=5, comment="很快"
    )
    assert (p.status, p.rating, p.rating_comment) == (ProblemStatus.CLOSED, 5, "很快")
    assert p.closed_at is not None

    assert _kinds(world, p.pk) == [
        "filed",
        "accepted",
        "started",
        "interim_reply",
        "replied",
        "confirmed",
    ]
    events = selectors.timeline(liaison, p.pk)
    assert [(e.from_status, e.to_status) for e in events][-1] == ("replied", "closed")
    assert events[-1].actor_name == "liaison"
    audited = AuditEvent.objects.filter(object_type="problems.problem", object_id=str(p.pk))
    assert audited.count() == 6


def test_reopened_problem_goes_back_to_work_with_a_fresh_close_deadline(world: World) -> None:
    liaison, commissioner = world.users["liaison"], world.users["commissioner"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=1)
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已解决", final=True
    )
    with pytest.raises(InvalidInput) as blank:
        lifecycle.reopen_problem(actor=liaison, problem_id=p.pk, version=p.version, reason=" ")
    assert "reason" in blank.value.errors
    old_close = p.close_due
    p = lifecycle.reopen_problem(
        actor=liaison, problem_id=p.pk, version=p.version, reason="车辆仍被拦"
    )
    assert p.status == ProblemStatus.IN_PROGRESS
    assert p.close_due > old_close
    assert p.close_due == add_working_days(p.reopened_at, 5)  # type: ignore[arg-type]
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已再次协调", final=True
    )
    p = lifecycle.confirm_problem(actor=liaison, problem_id=p.pk, version=p.version, rating=3)
    assert p.status == ProblemStatus.CLOSED
    assert _kinds(world, p.pk) == [
        "filed",
        "accepted",
        "replied",
        "reopened",
        "replied",
        "confirmed",
    ]
    assert selectors.timeline(liaison, p.pk)[3].note == "车辆仍被拦"


@pytest.mark.parametrize("rating", [0, 6, "5", None, 4.5, True])
def test_a_bad_rating_is_refused_and_changes_nothing(world: World, rating: Any) -> None:
    commissioner = world.users["commissioner"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=1)
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已解决", final=True
    )
    with pytest.raises(InvalidInput) as error:
        lifecycle.confirm_problem(
            actor=world.users["liaison"], problem_id=p.pk, version=p.version, rating=rating
        )
    assert "rating" in error.value.errors
    p.refresh_from_db()
    assert (p.status, p.rating) == (ProblemStatus.REPLIED, None)


def test_only_the_enterprise_confirms(world: World) -> None:
    commissioner = world.users["commissioner"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=1)
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已解决", final=True
    )
    for role in ["commissioner", "district", "bureau"]:
        with pytest.raises(Forbidden):
            lifecycle.confirm_problem(
                actor=world.users[role], problem_id=p.pk, version=p.version, rating=5
            )
    with pytest.raises(Forbidden):
        lifecycle.reopen_problem(
            actor=commissioner, problem_id=p.pk, version=p.version, reason="自己重开"
        )


def test_the_liaison_cannot_handle_its_own_problem(world: World) -> None:
    p = file(world)
    with pytest.raises(Forbidden):
        lifecycle.accept_problem(actor=world.users["liaison"], problem_id=p.pk, version=1)


def test_a_step_on_a_stale_version_or_out_of_turn_is_a_conflict(world: World) -> None:
    commissioner, district = world.users["commissioner"], world.users["district"]
    p = file(world)
    lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=1)
    with pytest.raises(Conflict) as second:
        lifecycle.accept_problem(actor=district, problem_id=p.pk, version=1)
    assert second.value.current == {"status": "accepted", "version": 2}
    with pytest.raises(Conflict):
        lifecycle.confirm_problem(
            actor=world.users["liaison"], problem_id=p.pk, version=2, rating=5
        )
    p.refresh_from_db()
    assert p.status == ProblemStatus.ACCEPTED and p.handler == commissioner


def test_reassignment_needs_a_reason_and_is_on_the_timeline(world: World) -> None:
    district = world.users["district"]
    p = file(world)
    with pytest.raises(InvalidInput) as error:
        lifecycle.reassign_problem(
            actor=district, problem_id=p.pk, version=1, reason="", department=world.department
        )
    assert "reason" in error.value.errors
    p = lifecycle.reassign_problem(
        actor=district,
        problem_id=p.pk,
        version=1,
        reason="属交通运输职责",
        department=world.department,
    )
    assert (p.department, p.handler, p.status) == (world.department, None, "submitted")
    last = selectors.timeline(district, p.pk)[-1]
    assert (last.kind, last.note) == ("reassigned", "属交通运输职责")
    # The department's member who accepts becomes the handler.
    p = lifecycle.accept_problem(actor=world.users["department"], problem_id=p.pk, version=2)
    assert p.handler == world.users["department"]
    assert AuditEvent.objects.filter(action="reassign_problem").count() == 1


def test_filing_checks_the_filer_and_the_fields(world: World) -> None:
    with pytest.raises(NotFound):
        file(world, enterprise_id=world.foreign_enterprise.pk)
    with pytest.raises(Forbidden):
        file(world, "health")
    with pytest.raises(Forbidden):
        file(world, "leader")
    with pytest.raises(InvalidInput) as error:
        file(world, category="weather", urgency="now", title=" ")
    assert set(error.value.errors) == {"category", "urgency", "title"}
    assert file(world, "commissioner").source == ProblemSource.ON_BEHALF
    assert file(world, "district").source == ProblemSource.ON_BEHALF
    assert file(world, "park", source="import").source == ProblemSource.IMPORT


def test_a_whitelisted_enterprise_is_marked_as_at_filing(world: World) -> None:
    Enterprise.objects.filter(pk=world.enterprise.pk).update(whitelist_level="province")
    p = file(world)
    assert (p.whitelisted, p.whitelist_level) == (True, "province")
    assert selectors.problems(world.users["bureau"], whitelisted=True).get() == p


def test_time_limits_per_category_and_urgency(world: World) -> None:
    bureau = world.users["bureau"]
    limits.set_time_limit(
        actor=bureau, category="energy", acknowledge_hours=2, interim_days=1, close_days=2
    )
    limits.set_time_limit(
        actor=bureau,
        category="energy",
        urgency="critical",
        acknowledge_hours=1,
        interim_days=1,
        close_days=1,
    )
    energy = file(world, category="energy")
    assert energy.acknowledge_due == energy.filed_at + dt.timedelta(hours=2)
    assert energy.close_due == add_working_days(energy.filed_at, 2)
    critical = file(world, category="energy", urgency="critical")
    assert critical.close_due == add_working_days(critical.filed_at, 1)
    other = file(world, category="labour", urgency="critical")
    assert other.close_due == add_working_days(other.filed_at, 5)
    with pytest.raises(InvalidInput) as error:
        limits.set_time_limit(
            actor=bureau, category="labour", acknowledge_hours=0, interim_days=4, close_days=3
        )
    assert set(error.value.errors) == {"acknowledge_hours"}
    with pytest.raises(InvalidInput) as order:
        limits.set_time_limit(
            actor=bureau, category="labour", acknowledge_hours=1, interim_days=4, close_days=3
        )
    assert set(order.value.errors) == {"interim_days"}
    with pytest.raises(Forbidden):
        limits.set_time_limit(
            actor=world.users["district"], acknowledge_hours=1, interim_days=1, close_days=1
        )


def test_deadlines_skip_the_bureaus_holidays(world: World) -> None:
    today = timezone.localdate()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=today + dt.timedelta(days=i), working=False, name="假期")
        for i in range(1, 11)
    )
    p = file(world)
    assert timezone.localtime(p.interim_due).date() > today + dt.timedelta(days=10)
    assert timezone.localtime(p.close_due).time() == timezone.localtime(p.filed_at).time()


def _report(world: World, problems: str) -> DailyReport:
    now = timezone.now()
    return DailyReport.objects.create(
        enterprise=world.enterprise,
        date=timezone.localdate(),
        mode="closed_loop",
        staff_on_site=100,
        staff_inside=80,
        output_value=Decimal("50.00"),
        capacity_use=Decimal("80.0"),
        raw_material_days=Decimal("2.0"),
        finished_goods_days=Decimal("5.0"),
        problems=problems,
        via="form",
        submitted_by_name="liaison",
        submitted_at=now,
        first_submitted_at=now,
    )


def test_a_daily_reports_problem_field_becomes_one_problem(world: World) -> None:
    report = _report(world, "天然气供应不足\n每日缺口约2000立方米")
    p = lifecycle.file_from_report(actor=world.users["district"], report=report)
    assert (p.source, p.report, p.title) == ("report", report, "天然气供应不足")
    assert p.description.endswith("2000立方米")
    again = lifecycle.file_from_report(actor=world.users["district"], report=report)
    assert again.pk == p.pk
    with pytest.raises(InvalidInput) as error:
        lifecycle.file_from_report(actor=world.users["district"], report=_blank(world, report))
    assert "problems" in error.value.errors
    with pytest.raises(Forbidden):
        lifecycle.file_from_report(actor=world.other_user, report=report)  # type: ignore[arg-type]


def _blank(world: World, report: DailyReport) -> DailyReport:
    report.pk = None
    report.date = report.date - dt.timedelta(days=1)
    report.problems = ""
    report.save()
    return report
