"""Visits and problems: a visit links the problems of its enterprise it followed up, and a
problem heard at a visit is filed on the enterprise's behalf and linked in one step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import AuditEvent
from keepline.problems.models import Problem, ProblemSource
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.service.models import Visit, VisitStatus
from keepline.service.selectors.coverage import local_today
from keepline.service.services.visits import (
    cancel_visit,
    complete_visit,
    plan_visit,
    raise_problem_at_visit,
    record_visit,
)
from tests.conftest import World


def _problem(world: World, foreign: bool = False) -> Problem:
    enterprise = world.foreign_enterprise if foreign else world.enterprise
    return problem_lifecycle.file_problem(
        actor=world.users["admin"], enterprise_id=enterprise.pk, category="energy", title="停电"
    )


def _plan(world: World) -> Visit:
    return plan_visit(
        actor=world.users["commissioner"],
        enterprise=world.enterprise,
        planned_for=local_today() + dt.timedelta(days=1),
        purpose="走访",
    )


def test_completing_a_visit_links_the_problems_it_followed_up(world: World) -> None:
    own = _problem(world)
    visit = _plan(world)
    complete_visit(
        actor=world.users["commissioner"],
        visit_id=visit.pk,
        visited_at=timezone.now(),
        findings="停电问题正在协调",
        problem_ids=[own.pk],
    )
    assert list(visit.problems.all()) == [own]
    assert list(own.visits.all()) == [visit]
    event = AuditEvent.objects.get(action="complete_visit", object_id=str(visit.pk))
    assert event.after["problems"] == [own.pk]


def test_a_problem_of_another_enterprise_or_out_of_sight_is_refused(world: World) -> None:
    own, foreign = _problem(world), _problem(world, foreign=True)
    visit = _plan(world)
    # The foreign problem exists, but not for this enterprise nor in the commissioner's sight.
    with pytest.raises(InvalidInput) as caught:
        complete_visit(
            actor=world.users["commissioner"],
            visit_id=visit.pk,
            visited_at=timezone.now(),
            findings="走访",
            problem_ids=[own.pk, foreign.pk],
        )
    assert set(caught.value.errors) == {"problems"}
    assert str(foreign.pk) in caught.value.errors["problems"][0]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED and not visit.problems.exists()
    # The administrator sees the foreign problem, yet it is not this enterprise's.
    with pytest.raises(InvalidInput) as caught:
        record_visit(
            actor=world.users["admin"],
            enterprise=world.enterprise,
            visited_at=timezone.now(),
            findings="走访",
            problem_ids=[foreign.pk],
        )
    assert "problems" in caught.value.errors
    assert Visit.objects.filter(status=VisitStatus.DONE).count() == 0


def test_a_recorded_visit_links_its_problems(world: World) -> None:
    own = _problem(world)
    visit = record_visit(
        actor=world.users["district"],
        enterprise=world.enterprise,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        findings="已了解停电原因",
        problem_ids=[own.pk],
    )
    assert list(visit.problems.all()) == [own]
    event = AuditEvent.objects.get(action="record_visit", object_id=str(visit.pk))
    assert event.after["problems"] == [own.pk]


def test_a_problem_heard_at_a_visit_is_filed_and_linked(world: World) -> None:
    visit = _plan(world)
    problem = raise_problem_at_visit(
        actor=world.users["commissioner"],
        visit_id=visit.pk,
        category="raw_materials",
        title="原料库存仅够3天",
        urgency="urgent",
    )
    assert problem.enterprise == world.enterprise
    assert problem.source == ProblemSource.ON_BEHALF
    assert problem.urgency == "urgent"
    assert list(visit.problems.all()) == [problem]
    event = AuditEvent.objects.get(action="raise_problem", object_id=str(visit.pk))
    assert event.after == {"problems": [problem.pk]}


def test_a_bad_problem_at_a_visit_files_and_links_nothing(world: World) -> None:
    visit = _plan(world)
    with pytest.raises(InvalidInput) as caught:
        raise_problem_at_visit(
            actor=world.users["commissioner"], visit_id=visit.pk, category="weather", title=" "
        )
    assert set(caught.value.errors) == {"category", "title"}
    assert not Problem.objects.exists()
    assert not visit.problems.exists()
    assert not AuditEvent.objects.filter(action="raise_problem").exists()


def test_no_problem_is_raised_at_a_cancelled_visit(world: World) -> None:
    visit = _plan(world)
    cancel_visit(actor=world.users["commissioner"], visit_id=visit.pk, reason="改期")
    with pytest.raises(Conflict):
        raise_problem_at_visit(
            actor=world.users["commissioner"], visit_id=visit.pk, category="energy", title="停电"
        )
    assert not Problem.objects.exists()
