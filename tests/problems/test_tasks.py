"""Problem notifications and the deadline sweep run as a background task."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keepline.core.models import Notification
from keepline.problems.models import Problem, Tier
from keepline.problems.services import lifecycle
from tests.conftest import World
from tests.problems.conftest import file


def _titles(user: object) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


# The worker closes any connection it finds inside a transaction (close_old_connections), as a
# test's wrapping transaction is on PostgreSQL: tests that run it commit for real.
WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_filing_notifies_the_handler_and_a_reassignment_the_department(world: World) -> None:
    p = file(world)
    # No routing rule: the enterprise's commissioner handles it.
    assert p.handler == world.users["commissioner"]
    assert _titles(world.users["commissioner"]) == [f"Problem assigned to you: {p.title}"]
    assert _titles(world.users["department"]) == []

    lifecycle.reassign_problem(
        actor=world.users["bureau"],
        problem_id=p.pk,
        version=p.version,
        reason="Transport handles road closures.",
        department=world.department,
    )
    assert _titles(world.users["department"]) == [f"Problem assigned to you: {p.title}"]


def test_acceptance_and_reply_notify_the_liaison(world: World) -> None:
    p = file(world)
    handler = world.users["commissioner"]
    p = lifecycle.accept_problem(actor=handler, problem_id=p.pk, version=p.version)
    lifecycle.reply_problem(
        actor=handler, problem_id=p.pk, version=p.version, text="Road reopened.", final=True
    )
    liaison = Notification.objects.filter(user=world.users["liaison"]).order_by("id")
    assert [n.title for n in liaison] == [
        f"Your problem was accepted: {p.title}",
        f"Reply to your problem: {p.title}",
    ]
    assert liaison[1].body == "Road reopened."
    assert liaison[1].url == f"/problems/{p.pk}/"
    # The other enterprise's people hear nothing.
    assert not Notification.objects.filter(user=world.other_user).exists()


def _shift(problem: Problem, by: dt.timedelta) -> None:
    """Move the problem's filing and deadlines, as if it had been filed `by` earlier."""
    Problem.objects.filter(pk=problem.pk).update(
        filed_at=problem.filed_at - by,
        acknowledge_due=problem.acknowledge_due - by,
        interim_due=problem.interim_due - by,
        close_due=problem.close_due - by,
    )


def _run_sweep_through_worker() -> dict[str, int]:
    call_command("sweep-problems", verbosity=0)
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    result = DBTaskResult.objects.filter(task_path__endswith="sweep_problem_deadlines").get()
    assert result.status == "SUCCESSFUL"
    value: dict[str, int] = result.return_value
    result.delete()
    return value


@WORKER
def test_the_sweep_task_escalates_and_notifies_once(world: World) -> None:
    p = file(world)
    _shift(p, dt.timedelta(hours=2))  # acknowledgement was due an hour ago

    assert _run_sweep_through_worker() == {"escalated": 1, "overdue": 0, "warned": 0}
    p.refresh_from_db()
    assert p.tier == Tier.CITY
    handler = world.users["commissioner"]
    assert f"Deadline missed: {p.title}" in _titles(handler)

    # Swept again: nothing new, no second notice.
    assert _run_sweep_through_worker() == {"escalated": 0, "overdue": 0, "warned": 0}
    assert _titles(handler).count(f"Deadline missed: {p.title}") == 1


@WORKER
def test_the_sweep_warns_once_per_problem_and_deadline(world: World) -> None:
    p = file(world)
    # Acknowledged, so the interim reply is owed next; move it to within its last 20%.
    p = lifecycle.accept_problem(actor=world.users["commissioner"], problem_id=p.pk, version=1)
    p.refresh_from_db()
    left = (p.interim_due - p.filed_at) * 0.1
    _shift(p, p.interim_due - timezone.now() - left)

    assert _run_sweep_through_worker()["warned"] == 1
    assert _run_sweep_through_worker()["warned"] == 0
    warnings = Notification.objects.filter(
        user=world.users["commissioner"], kind="problem_near_deadline"
    )
    assert [n.title for n in warnings] == [f"Deadline near: {p.title}"]
    assert warnings[0].body.startswith("Interim reply by ")


def test_sweep_problems_now_runs_in_place_without_a_worker(world: World) -> None:
    p = file(world)
    _shift(p, dt.timedelta(hours=2))
    out = io.StringIO()
    call_command("sweep-problems", "--now", stdout=out)
    assert out.getvalue().strip() == "escalated 1, overdue at the top 0, warned 0"
    p.refresh_from_db()
    assert p.tier == Tier.CITY
    assert not DBTaskResult.objects.filter(task_path__endswith="sweep_problem_deadlines").exists()
