"""Reads of problems, their timelines, deadline flags, routing rules, time limits and the
calendar: each only what the user may see.

Near a deadline: the last 20% of the time allowed for it (measured on the clock from filing, or
from reopening for the close deadline). One rule for the hour to acknowledge and the days to
close keeps "near" meaning the same share of the allowance everywhere; a fixed 4 working hours
would be most of the acknowledge hour and nothing against five days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from keepline.core.scopes import Actor, get_for, require_role, visible
from keepline.enterprises.selectors import in_area
from keepline.problems.models import (
    OPEN_STATUSES,
    CalendarDay,
    Problem,
    ProblemEvent,
    RoutingRule,
    TimeLimit,
)

NEAR_SHARE = 0.2


@dataclass(frozen=True)
class DeadlineState:
    """The deadline a problem is held to next, and whether it is near or past."""

    kind: str  # "acknowledge", "interim" or "close"; "" when nothing is owed
    due: dt.datetime | None
    near: bool
    overdue: bool


def unmet_deadlines(problem: Problem) -> list[tuple[str, dt.datetime]]:
    """The deadlines the handler side still owes, earliest first; none once replied."""
    if problem.status not in OPEN_STATUSES:
        return []
    out: list[tuple[str, dt.datetime]] = []
    if problem.accepted_at is None:
        out.append(("acknowledge", problem.acknowledge_due))
    if problem.interim_replied_at is None:
        out.append(("interim", problem.interim_due))
    out.append(("close", problem.close_due))
    return sorted(out, key=lambda d: d[1])


def deadline_state(problem: Problem, now: dt.datetime) -> DeadlineState:
    """Overdue when any deadline still owed has passed (the earliest such is named); near when
    none has and the next is within the last 20% of its allowance."""
    owed = unmet_deadlines(problem)
    if not owed:
        return DeadlineState("", None, near=False, overdue=False)
    passed = [(kind, due) for kind, due in owed if due <= now]
    if passed:
        kind, due = passed[0]
        return DeadlineState(kind, due, near=False, overdue=True)
    kind, due = owed[0]
    start = problem.filed_at
    if kind == "close" and problem.reopened_at is not None:
        start = problem.reopened_at
    allowed = due - start
    return DeadlineState(kind, due, near=now >= due - allowed * NEAR_SHARE, overdue=False)


def problems(
    actor: Actor,
    *,
    status: str = "",
    category: str = "",
    tier: str = "",
    region: str = "",
    park: str = "",
    whitelisted: bool | None = None,
) -> QuerySet[Problem]:
    """The problems the actor sees, newest first, filtered by the given values (blank: any);
    `region` is a region code (its subtree), `park` a park code."""
    qs = visible(
        Problem.objects.select_related(
            "enterprise__region", "enterprise__park", "department", "handler"
        ),
        actor,
    )
    qs = in_area(qs, region=region, park=park, prefix="enterprise__")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if tier:
        qs = qs.filter(tier=tier)
    if whitelisted is not None:
        qs = qs.filter(whitelisted=whitelisted)
    return qs


def problem(actor: Actor, problem_id: int) -> Problem:
    """One problem the actor sees (404 otherwise)."""
    return get_for(
        Problem.objects.select_related(
            "enterprise__region", "enterprise__park", "department", "handler", "report"
        ),
        actor,
        problem_id,
    )


def timeline(actor: Actor, problem_id: int) -> list[ProblemEvent]:
    """The steps of a problem the actor sees, oldest first."""
    found = problem(actor, problem_id)
    return list(found.events.select_related("actor").order_by("at", "id"))


def routing_rules(actor: Actor) -> QuerySet[RoutingRule]:
    require_role(actor, RoutingRule)
    return visible(RoutingRule.objects.select_related("region", "department", "handler"), actor)


def time_limits(actor: Actor) -> QuerySet[TimeLimit]:
    require_role(actor, TimeLimit)
    return visible(TimeLimit.objects.all(), actor)


def calendar_days(actor: Actor, year: int) -> QuerySet[CalendarDay]:
    """The year's holidays and make-up workdays."""
    return visible(CalendarDay.objects.filter(date__year=year), actor)
