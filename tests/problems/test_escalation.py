"""The deadline sweep: an overdue problem escalates one tier per missed deadline, once."""

from __future__ import annotations

import datetime as dt

import pytest

from keepline.core.errors import Forbidden
from keepline.core.models import AuditEvent
from keepline.core.scopes import SystemActor
from keepline.problems import selectors
from keepline.problems.models import Problem, Tier
from keepline.problems.services import lifecycle, sweep
from tests.conftest import World
from tests.problems.conftest import file

TASK = SystemActor("task:problem-sweep")


def _sweep(now: dt.datetime) -> sweep.SweepResult:
    return sweep.sweep_deadlines(actor=TASK, now=now)


def _tier(problem: Problem) -> str:
    problem.refresh_from_db()
    return problem.tier


def test_each_missed_deadline_escalates_one_tier_once(world: World) -> None:
    p = file(world)
    assert _sweep(p.filed_at + dt.timedelta(minutes=59)).escalated == []
    assert _tier(p) == Tier.LOCAL

    late = p.acknowledge_due + dt.timedelta(minutes=1)
    assert _sweep(late).escalated == [p.pk]
    assert _tier(p) == Tier.CITY
    version = p.version
    # The same moment again, and later before the next deadline: nothing more.
    assert _sweep(late) == sweep.SweepResult()
    assert _sweep(p.interim_due - dt.timedelta(minutes=1)) == sweep.SweepResult()
    p.refresh_from_db()
    assert (p.tier, p.version) == (Tier.CITY, version)

    assert _sweep(p.interim_due + dt.timedelta(minutes=1)).escalated == [p.pk]
    assert _tier(p) == Tier.PROVINCE
    # At the top tier a missed deadline is marked overdue; the tier stays.
    result = _sweep(p.close_due + dt.timedelta(minutes=1))
    assert (result.escalated, result.overdue) == ([], [p.pk])
    assert _tier(p) == Tier.PROVINCE
    assert _sweep(p.close_due + dt.timedelta(days=30)) == sweep.SweepResult()

    events = selectors.timeline(world.users["liaison"], p.pk)
    assert [e.kind for e in events] == ["filed", "escalated", "escalated", "overdue"]
    assert events[1].actor_name == "task:problem-sweep"
    assert p.overdue_since == late
    audited = AuditEvent.objects.filter(action="escalate_problem", object_id=str(p.pk))
    assert audited.count() == 2
    assert audited.filter(after__tier="city").exists()


def test_several_deadlines_missed_at_once_escalate_one_tier(world: World) -> None:
    p = file(world)
    assert _sweep(p.interim_due + dt.timedelta(hours=1)).escalated == [p.pk]
    assert _tier(p) == Tier.CITY
    assert _sweep(p.close_due + dt.timedelta(hours=1)).escalated == [p.pk]
    assert _tier(p) == Tier.PROVINCE


def test_deadlines_met_in_time_do_not_escalate(world: World) -> None:
    commissioner = world.users["commissioner"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=1)
    assert _sweep(p.acknowledge_due + dt.timedelta(hours=1)) == sweep.SweepResult()
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="处理中", final=False
    )
    assert _sweep(p.interim_due + dt.timedelta(hours=1)) == sweep.SweepResult()
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已解决", final=True
    )
    # Replied: waiting on the enterprise, not overdue however long it waits.
    assert _sweep(p.close_due + dt.timedelta(days=10)) == sweep.SweepResult()
    assert _tier(p) == Tier.LOCAL


def test_a_reopened_problem_escalates_when_its_new_close_deadline_passes(world: World) -> None:
    commissioner, liaison = world.users["commissioner"], world.users["liaison"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=1)
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已解决", final=True
    )
    p = lifecycle.reopen_problem(actor=liaison, problem_id=p.pk, version=p.version, reason="未解决")
    assert _sweep(p.close_due - dt.timedelta(minutes=1)) == sweep.SweepResult()
    assert _sweep(p.close_due + dt.timedelta(minutes=1)).escalated == [p.pk]


def test_a_bureau_sweeps_only_its_area_and_others_may_not_sweep(world: World) -> None:
    own = file(world)
    foreign = file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    late = foreign.acknowledge_due + dt.timedelta(hours=1)
    result = sweep.sweep_deadlines(actor=world.users["bureau"], now=late)
    assert result.escalated == [own.pk]
    assert _tier(foreign) == Tier.LOCAL
    for role in ["district", "liaison", "department"]:
        with pytest.raises(Forbidden):
            sweep.sweep_deadlines(actor=world.users[role], now=late)


def test_near_and_overdue_flags(world: World) -> None:
    p = file(world)
    start = p.filed_at
    assert selectors.deadline_state(p, start + dt.timedelta(minutes=40)).near is False
    near = selectors.deadline_state(p, start + dt.timedelta(minutes=50))
    assert (near.kind, near.near, near.overdue) == ("acknowledge", True, False)
    over = selectors.deadline_state(p, start + dt.timedelta(minutes=61))
    assert (over.kind, over.near, over.overdue) == ("acknowledge", False, True)
    p = lifecycle.accept_problem(actor=world.users["commissioner"], problem_id=p.pk, version=1)
    state = selectors.deadline_state(p, start + dt.timedelta(minutes=61))
    assert (state.kind, state.due, state.overdue) == ("interim", p.interim_due, False)
