"""Reads of problems, their timelines, deadline flags, routing rules, time limits and the
calendar: each only what the user may see.

Near a deadline: the last 20% of the time allowed for it (measured on the clock from filing, or
from reopening for the close deadline). One rule for the hour to acknowledge and the days to
close keeps "near" meaning the same share of the allowance everywhere; a fixed 4 working hours
would be most of the acknowledge hour and nothing against five days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput
from keepline.core.models import Department, Membership, Role, User
from keepline.core.scopes import (
    Actor,
    actor_roles,
    ancestor_paths,
    get_for,
    may_place,
    require_role,
    visible,
)
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import in_area
from keepline.places.models import Region, RegionLevel
from keepline.problems.models import (
    OPEN_STATUSES,
    CalendarDay,
    Problem,
    ProblemCategory,
    ProblemEvent,
    RoutingRule,
    Tier,
    TimeLimit,
    Urgency,
)
from keepline.reports.selectors import region_chain

NEAR_SHARE = 0.2
DEFAULT_ACKNOWLEDGE_HOURS = 1
DEFAULT_INTERIM_DAYS = 3
DEFAULT_CLOSE_DAYS = 5


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


def handlers_of(problem: Problem) -> list[User]:
    """Who works the problem: its handler, or else every active member of its department."""
    handler = problem.handler
    if handler is not None:
        return [handler] if handler.is_active else []
    if problem.department_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.DEPARTMENT,
            memberships__department_id=problem.department_id,
        ).distinct()
    )


def liaisons_of(problem: Problem) -> list[User]:
    members = Membership.objects.filter(
        role=Role.LIAISON, enterprise_id=problem.enterprise_id, user__is_active=True
    ).select_related("user")
    return list({m.user for m in members})


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


# The years the calendar pages and the API show.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def calendar_days(actor: Actor, year: int) -> QuerySet[CalendarDay]:
    """The year's holidays and make-up workdays."""
    return visible(CalendarDay.objects.filter(date__year=year), actor)


# ---- routing, time limits, letters ------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    acknowledge_hours: int
    interim_days: int
    close_days: int


def limits_for(category: str, urgency: str) -> Limits:
    """The time limits of the most specific rule: category and urgency, then category, then
    urgency, then the rule for any; with no rule at all, 1 hour / 3 / 5 working days."""
    rules = TimeLimit.objects.filter(category__in=[category, ""], urgency__in=[urgency, ""])
    return _most_specific(rules, category, urgency)


def _most_specific(rules: Iterable[TimeLimit], category: str, urgency: str) -> Limits:
    applying = (r for r in rules if r.category in (category, "") and r.urgency in (urgency, ""))
    best = max(applying, key=lambda r: (r.category != "", r.urgency != ""), default=None)
    if best is None:
        return Limits(DEFAULT_ACKNOWLEDGE_HOURS, DEFAULT_INTERIM_DAYS, DEFAULT_CLOSE_DAYS)
    return Limits(best.acknowledge_hours, best.interim_days, best.close_days)


def effective_limits() -> list[dict[str, Any]]:
    """The limits each category × urgency gets now, as problems filed now would get them."""
    rules = list(TimeLimit.objects.all())  # one read for the whole table, not one per cell
    return [
        {
            "category": category,
            "label": label,
            "cells": [_most_specific(rules, category, urgency) for urgency in Urgency.values],
        }
        for category, label in ProblemCategory.choices
    ]


@dataclass(frozen=True)
class Route:
    """Where a new problem goes; both empty: unassigned, waiting at the district."""

    department: Department | None
    handler: User | None
    rule: RoutingRule | None = None


def commissioner_of(enterprise: Enterprise) -> User | None:
    """The first active user holding a commissioner membership for the enterprise."""
    membership = (
        Membership.objects.filter(
            role=Role.COMMISSIONER, enterprise=enterprise, user__is_active=True
        )
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def route(enterprise: Enterprise, category: str) -> Route:
    """The most specific rule for the enterprise's region and the category: the deepest region
    first, then a rule for the category over one for any; no rule → the enterprise's
    commissioner; none → unassigned."""
    region = enterprise.region
    rules = RoutingRule.objects.filter(category__in=[category, ""]).filter(
        Q(region__isnull=True) | Q(region__path__in=[*ancestor_paths(region.path), region.path])
    )
    rules = rules.select_related("region", "department", "handler")
    best = max(
        rules,
        key=lambda r: (r.region.depth if r.region else 0, r.category != "", -r.pk),
        default=None,
    )
    if best is not None:
        return Route(best.department, best.handler, best)
    return Route(None, commissioner_of(enterprise))


@dataclass(frozen=True)
class Decision:
    """Where a problem would go, and why: the rule, or the fallback when no rule applies."""

    department: Department | None
    handler: User | None
    rule: RoutingRule | None
    reason: str  # "rule", "commissioner" or "unassigned"


def decide(actor: Actor, enterprise_id: int, category: str) -> tuple[Enterprise, Decision]:
    """The route of a problem of this category from an enterprise the actor sees (else 404)."""
    enterprise = get_for(Enterprise.objects.select_related("region"), actor, enterprise_id)
    if category not in ProblemCategory.values:
        message = _("Choose one of the listed values.")
        raise InvalidInput(message, errors={"category": [message]})
    found = route(enterprise, category)
    if found.rule is not None:
        reason = "rule"
    elif found.handler is not None:
        reason = "commissioner"
    else:
        reason = "unassigned"
    return enterprise, Decision(found.department, found.handler, found.rule, reason)


# Whom a rule may name as handler: the roles that take up problems, and department staff.
RULE_HANDLER_ROLES = [
    Role.ADMIN,
    Role.BUREAU,
    Role.DISTRICT,
    Role.PARK,
    Role.COMMISSIONER,
    Role.DEPARTMENT,
]


def rule_regions(actor: Actor) -> list[Region]:
    """The regions the actor may set routing rules for (their area's subtree)."""
    return [
        r
        for r in Region.objects.order_by("path")
        if may_place(actor, "change", RoutingRule, region=r)
    ]


def rule_handlers(actor: Actor) -> QuerySet[User]:
    """Active users a rule of the actor's may name: those whose handling or department role lies
    within the regions the actor sets rules for (every such user for the administrator). Users
    are visible to the administrator alone, so the reach is the actor's regions, not visible()."""
    qs = User.objects.filter(is_active=True)
    if Role.ADMIN in actor_roles(actor):
        return User.objects.filter(
            pk__in=qs.filter(memberships__role__in=RULE_HANDLER_ROLES).values("pk")
        )
    reach = Q(pk__in=[])
    # Only the tops: a region below one already listed adds nothing.
    paths = {r.path for r in rule_regions(actor)}
    for path in sorted(p for p in paths if not any(p != o and p.startswith(o) for o in paths)):
        reach |= (
            Q(memberships__region__path__startswith=path)
            | Q(memberships__park__region__path__startswith=path)
            | Q(memberships__enterprise__region__path__startswith=path)
            | Q(memberships__department__region__path__startswith=path)
        )
    # One filter() call: the role and the scope belong to the same membership.
    return User.objects.filter(
        pk__in=qs.filter(reach, memberships__role__in=RULE_HANDLER_ROLES).values("pk")
    )


def reassign_departments(enterprise: Enterprise) -> QuerySet[Department]:
    """The departments a problem of the enterprise may be sent to: those of its region and the
    regions above it."""
    return Department.objects.filter(region__path__in=region_chain(enterprise.region.path))


# Official document numbers use the province's one-character abbreviation (川, 渝, 黔…); a
# city's is the first character of its name (泸州 → 泸). Keyed by the province code's first two
# digits.
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip
# The register's number, in the form official letters carry whatever the reader's language.
NUMBER_FORMAT = "{abbreviation}企协〔{year}〕{serial}号"


def abbreviation(region: Region) -> str:
    if region.level == RegionLevel.PROVINCE:
        return PROVINCE_ABBREVIATIONS.get(region.code[:2], region.name_zh[:1])
    return region.name_zh[:1]


def issuing_region(problem: Problem) -> Region:
    """The task force a letter about the problem comes from: the province once the problem
    has been escalated there, else the enterprise's city."""
    paths = [*ancestor_paths(problem.enterprise.region.path), problem.enterprise.region.path]
    regions = {r.level: r for r in Region.objects.filter(path__in=paths)}
    wanted = [RegionLevel.PROVINCE] if problem.tier == Tier.PROVINCE else []
    for level in [*wanted, RegionLevel.CITY, RegionLevel.PROVINCE]:
        if level in regions:
            return regions[level]
    return problem.enterprise.region


def issuer_name(region: Region) -> str:
    """The task force's name as printed on the letterhead, in Chinese like the letter."""
    with translation.override("zh-hans"):
        return _("%(region)s task force for keeping enterprises running") % {
            "region": region.name_zh
        }
