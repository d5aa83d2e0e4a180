"""Writes of problems, their routing, time limits and the working-day calendar: each checked,
changed, put on the problem's timeline and audited in one transaction.

Escalation (`sweep_deadlines`): a problem has three deadlines set at filing — acknowledge,
interim reply, close. A deadline counts while unmet (not accepted / no reply of any kind / not
replied). A sweep at `now` escalates an open problem ONE tier (park/district → city task force →
province) when some unmet deadline has passed that no earlier escalation answered; it answers all
the deadlines passed so far (`escalated_through`), so the problem escalates again only when its
next deadline passes while it sits at the new tier. At the province, a passed deadline is put on
the timeline as overdue instead. Running the sweep twice at the same `now` changes nothing the
second time. Reopening gives a fresh close deadline, so a reopened problem left alone escalates
again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import Department, Membership, Role, User
from keepline.core.scopes import (
    Actor,
    SystemActor,
    actor_roles,
    ancestor_paths,
    get_for,
    holds,
    may_place,
    memberships,
    visible,
)
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.problems.calendar import add_working_days
from keepline.problems.models import (
    OPEN_STATUSES,
    TIER_ORDER,
    CalendarDay,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemEventKind,
    ProblemSource,
    ProblemStatus,
    RoutingRule,
    TimeLimit,
    Urgency,
)
from keepline.problems.selectors import unmet_deadlines
from keepline.problems.tasks import (
    notify_accepted,
    notify_assigned,
    notify_escalated,
    notify_replied,
)
from keepline.reports.models import DailyReport

DEFAULT_ACKNOWLEDGE_HOURS = 1
DEFAULT_INTERIM_DAYS = 3
DEFAULT_CLOSE_DAYS = 5
PROBLEM_AUDIT = [
    "enterprise",
    "category",
    "urgency",
    "title",
    "source",
    "tier",
    "department",
    "handler",
    "status",
    "rating",
    "acknowledge_due",
    "interim_due",
    "close_due",
    "version",
]
SWEEP_AUDIT = [*PROBLEM_AUDIT, "escalated_through", "overdue_since"]


def _user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor


def _name(actor: Actor) -> str:
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()


def _require(condition: bool) -> None:
    if not condition:
        raise Forbidden(_("Your role does not include this."))


def _text(value: str, name: str, *, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("Fill in this field."), errors={name: [_("This field is required.")]})
    if max_length is not None and len(value) > max_length:
        message = _("At most %(n)d characters.") % {"n": max_length}
        raise InvalidInput(message, errors={name: [message]})
    return value


def _choice(value: str, choices: Any, name: str, *, blank: bool = False) -> str:
    if (blank and value == "") or value in choices.values:
        return value
    message = _("Choose one of the listed values.")
    raise InvalidInput(message, errors={name: [message]})


# ---- calendar ------------------------------------------------------------------------------


def set_calendar_day(*, actor: Actor, date: dt.date, working: bool, name: str = "") -> CalendarDay:
    """Mark a date a holiday (working=False) or a make-up workday (working=True)."""
    _require(holds(actor, CalendarDay, "change"))
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = audit.snapshot(day) if day else None
        if day is None:
            day = CalendarDay(date=date)
        day.working = working
        day.name = (name or "").strip()[:100]
        day.save()
        audit.record(
            actor=actor,
            action="problems.calendar_day_set",
            obj=day,
            before=before,
            after=audit.snapshot(day),
        )
    return day


def remove_calendar_day(*, actor: Actor, date: dt.date) -> None:
    """Let a date follow the Monday–Friday rule again."""
    _require(holds(actor, CalendarDay, "change"))
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(_("Not found."))
        audit.record(
            actor=actor, action="problems.calendar_day_removed", obj=day, before=audit.snapshot(day)
        )
        day.delete()


# ---- time limits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    acknowledge_hours: int
    interim_days: int
    close_days: int


def limits_for(category: str, urgency: str) -> Limits:
    """The time limits of the most specific rule: category and urgency, then category, then
    urgency, then the rule for any; with no rule at all, 1 hour / 3 / 5 working days."""
    rules = TimeLimit.objects.filter(category__in=[category, ""], urgency__in=[urgency, ""])
    best = max(rules, key=lambda r: (r.category != "", r.urgency != ""), default=None)
    if best is None:
        return Limits(DEFAULT_ACKNOWLEDGE_HOURS, DEFAULT_INTERIM_DAYS, DEFAULT_CLOSE_DAYS)
    return Limits(best.acknowledge_hours, best.interim_days, best.close_days)


def set_time_limit(
    *,
    actor: Actor,
    category: str = "",
    urgency: str = "",
    acknowledge_hours: int,
    interim_days: int,
    close_days: int,
) -> TimeLimit:
    """Create or change the time limits for a category and urgency (blank: any). Problems
    already filed keep the deadlines they were given."""
    _require(holds(actor, TimeLimit, "change"))
    category = _choice(category, ProblemCategory, "category", blank=True)
    urgency = _choice(urgency, Urgency, "urgency", blank=True)
    errors: dict[str, list[str]] = {}
    for name, value in [
        ("acknowledge_hours", acknowledge_hours),
        ("interim_days", interim_days),
        ("close_days", close_days),
    ]:
        if not isinstance(value, int) or value < 1:
            errors[name] = [_("Give a whole number of at least 1.")]
    if not errors and interim_days > close_days:
        errors["interim_days"] = [_("The interim reply cannot be due after the closing.")]
    if errors:
        raise InvalidInput(_("Correct the time limits."), errors=errors)
    with transaction.atomic():
        limit = (
            TimeLimit.objects.select_for_update().filter(category=category, urgency=urgency).first()
        )
        before = audit.snapshot(limit) if limit else None
        if limit is None:
            limit = TimeLimit(category=category, urgency=urgency)
        limit.acknowledge_hours = acknowledge_hours
        limit.interim_days = interim_days
        limit.close_days = close_days
        limit.save()
        audit.record(
            actor=actor,
            action="problems.time_limit_set",
            obj=limit,
            before=before,
            after=audit.snapshot(limit),
        )
    return limit


def remove_time_limit(*, actor: Actor, limit_id: int) -> None:
    _require(holds(actor, TimeLimit, "change"))
    with transaction.atomic():
        limit = TimeLimit.objects.select_for_update().filter(pk=limit_id).first()
        if limit is None:
            raise NotFound(_("Not found."))
        audit.record(
            actor=actor,
            action="problems.time_limit_removed",
            obj=limit,
            before=audit.snapshot(limit),
        )
        limit.delete()


# ---- routing -------------------------------------------------------------------------------


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


def _require_rule_place(actor: Actor, region: Region | None) -> None:
    if region is None:
        # A rule for anywhere binds every city: the platform administrator's to set.
        if Role.ADMIN not in actor_roles(actor):
            raise Forbidden(_("Only the platform administrator sets rules for anywhere."))
    elif not may_place(actor, "change", RoutingRule, region=region):
        raise Forbidden(_("This is outside your area."))


def set_routing_rule(
    *,
    actor: Actor,
    category: str = "",
    region: Region | None = None,
    department: Department | None = None,
    handler: User | None = None,
) -> RoutingRule:
    """Create or change the rule for a category (blank: any) and region (None: anywhere)."""
    _require(holds(actor, RoutingRule, "change"))
    category = _choice(category, ProblemCategory, "category", blank=True)
    if (department is None) == (handler is None):
        message = _("Choose a department or a handler, not both.")
        raise InvalidInput(message, errors={"department": [message]})
    if handler is not None and not handler.is_active:
        message = _("This user cannot sign in.")
        raise InvalidInput(message, errors={"handler": [message]})
    _require_rule_place(actor, region)
    with transaction.atomic():
        rule = (
            RoutingRule.objects.select_for_update(of=("self",))
            .filter(category=category)
            .filter(Q(region=region) if region else Q(region__isnull=True))
            .first()
        )
        before = audit.snapshot(rule) if rule else None
        if rule is None:
            rule = RoutingRule(category=category, region=region)
        rule.department = department
        rule.handler = handler
        rule.set_by_name = _name(actor)
        rule.set_at = timezone.now()
        rule.save()
        audit.record(
            actor=actor,
            action="problems.routing_rule_set",
            obj=rule,
            before=before,
            after=audit.snapshot(rule),
        )
    return rule


def remove_routing_rule(*, actor: Actor, rule_id: int) -> None:
    _require(holds(actor, RoutingRule, "change"))
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("Not found."))
        _require_rule_place(actor, rule.region)
        audit.record(
            actor=actor,
            action="problems.routing_rule_removed",
            obj=rule,
            before=audit.snapshot(rule),
        )
        rule.delete()


# ---- problems ------------------------------------------------------------------------------


def _event(
    problem: Problem,
    actor: Actor,
    kind: str,
    *,
    at: dt.datetime,
    from_status: str = "",
    note: str = "",
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        kind=kind,
        at=at,
        actor=_user(actor),
        actor_name=_name(actor),
        from_status=from_status,
        to_status=problem.status,
        note=note,
    )


def _create(
    *,
    actor: Actor,
    enterprise: Enterprise,
    category: str,
    urgency: str,
    title: str,
    description: str,
    source: str,
    report: DailyReport | None = None,
) -> Problem:
    now = timezone.now()
    limits = limits_for(category, urgency)
    target = route(enterprise, category)
    problem = Problem.objects.create(
        enterprise=enterprise,
        category=category,
        urgency=urgency,
        title=title,
        description=description,
        source=source,
        report=report,
        whitelist_level=enterprise.whitelist_level,
        whitelisted=bool(enterprise.whitelist_level),
        department=target.department,
        handler=target.handler,
        filed_by=_user(actor),
        filed_by_name=_name(actor),
        filed_at=now,
        acknowledge_due=now + dt.timedelta(hours=limits.acknowledge_hours),
        interim_due=add_working_days(now, limits.interim_days),
        close_due=add_working_days(now, limits.close_days),
    )
    note = str(target.rule) if target.rule else ""
    _event(problem, actor, ProblemEventKind.FILED, at=now, note=note)
    audit.record(
        actor=actor,
        action="problems.problem_filed",
        obj=problem,
        after=audit.snapshot(problem, PROBLEM_AUDIT),
    )
    notify_assigned(problem)
    return problem


def _is_liaison_of(actor: Actor, enterprise: Enterprise) -> bool:
    return not isinstance(actor, SystemActor) and any(
        m.role == Role.LIAISON and m.enterprise_id == enterprise.pk for m in memberships(actor)
    )


def file_problem(
    *,
    actor: Actor,
    enterprise_id: int,
    category: str,
    title: str,
    description: str = "",
    urgency: str = Urgency.NORMAL,
    source: str | None = None,
) -> Problem:
    """File a problem for an enterprise: its liaison, its commissioner, or an official over its
    area. Routed and given its deadlines at once. `source` is only for imports; otherwise it is
    the liaison's form or filing on the enterprise's behalf, by who files."""
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), actor, enterprise_id)
    if not may_place(
        actor,
        "file",
        Problem,
        region=enterprise.region,
        park=enterprise.park,
        enterprise=enterprise,
    ):
        raise Forbidden(_("You may not file problems for this enterprise."))
    errors: dict[str, list[str]] = {}
    if category not in ProblemCategory.values:
        errors["category"] = [_("Choose one of the listed values.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose one of the listed values.")]
    clean_title = (title or "").strip()
    if not clean_title:
        errors["title"] = [_("This field is required.")]
    elif len(clean_title) > 200:
        errors["title"] = [_("At most %(n)d characters.") % {"n": 200}]
    if source is not None and source != ProblemSource.IMPORT:
        errors["source"] = [_("Choose one of the listed values.")]
    if errors:
        raise InvalidInput(_("Correct the problem."), errors=errors)
    if source is None:
        source = (
            ProblemSource.FORM if _is_liaison_of(actor, enterprise) else ProblemSource.ON_BEHALF
        )
    with transaction.atomic():
        return _create(
            actor=actor,
            enterprise=enterprise,
            category=category,
            urgency=urgency,
            title=clean_title,
            description=(description or "").strip(),
            source=source,
        )


def file_from_report(*, actor: Actor, report: DailyReport) -> Problem:
    """Turn the problem field of a daily report into a problem (category "other", normal
    urgency, for a handler to sort). Filing the same report again returns the same problem."""
    enterprise = report.enterprise
    if not may_place(
        actor,
        "file",
        Problem,
        region=enterprise.region,
        park=enterprise.park,
        enterprise=enterprise,
    ):
        raise Forbidden(_("You may not file problems for this enterprise."))
    text = (report.problems or "").strip()
    if not text:
        message = _("The report names no problem.")
        raise InvalidInput(message, errors={"problems": [message]})
    with transaction.atomic():
        # Lock the report so two simultaneous filings of it make one problem.
        list(
            DailyReport.objects.select_for_update(of=("self",))
            .filter(pk=report.pk)
            .order_by()
            .values_list("pk")
        )
        existing = Problem.objects.filter(report=report).first()
        if existing is not None:
            return existing
        first_line = text.splitlines()[0].strip()
        return _create(
            actor=actor,
            enterprise=enterprise,
            category=ProblemCategory.OTHER,
            urgency=Urgency.NORMAL,
            title=first_line[:200],
            description=text,
            source=ProblemSource.REPORT,
            report=report,
        )


def _lock(actor: Actor, problem_id: int, action: str) -> Problem:
    """The problem, locked for this transaction, if the actor may `action` it (404/403)."""
    qs = Problem.objects.select_for_update(of=("self",)).select_related(
        "enterprise__region", "enterprise__park"
    )
    return get_for(qs, actor, problem_id, action)


def _check(problem: Problem, version: int, allowed: list[str]) -> None:
    if version != problem.version or problem.status not in allowed:
        raise Conflict(
            _("Someone changed this problem in the meantime; reload it."),
            current={"status": problem.status, "version": problem.version},
        )


def _step(
    *,
    actor: Actor,
    problem: Problem,
    kind: str,
    status: str,
    before: dict[str, Any],
    now: dt.datetime,
    note: str = "",
) -> Problem:
    from_status = before["status"]
    problem.status = status
    problem.version += 1
    problem.save()
    _event(problem, actor, kind, at=now, from_status=from_status, note=note)
    old, new = audit.changes(before, audit.snapshot(problem, PROBLEM_AUDIT))
    audit.record(actor=actor, action=f"problems.problem_{kind}", obj=problem, before=old, after=new)
    return problem


def accept_problem(*, actor: Actor, problem_id: int, version: int) -> Problem:
    """Take up a submitted problem (acknowledge it). An acceptor from the department becomes
    the handler when there was none."""
    with transaction.atomic():
        problem = _lock(actor, problem_id, "handle")
        _check(problem, version, [ProblemStatus.SUBMITTED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = timezone.now()
        problem.accepted_at = now
        if problem.handler_id is None and not isinstance(actor, SystemActor):
            problem.handler = actor
        _step(
            actor=actor,
            problem=problem,
            kind=ProblemEventKind.ACCEPTED,
            status=ProblemStatus.ACCEPTED,
            before=before,
            now=now,
        )
        notify_accepted(problem)
        return problem


def start_problem(*, actor: Actor, problem_id: int, version: int, note: str = "") -> Problem:
    with transaction.atomic():
        problem = _lock(actor, problem_id, "handle")
        _check(problem, version, [ProblemStatus.ACCEPTED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = timezone.now()
        problem.started_at = problem.started_at or now
        return _step(
            actor=actor,
            problem=problem,
            kind=ProblemEventKind.STARTED,
            status=ProblemStatus.IN_PROGRESS,
            before=before,
            now=now,
            note=(note or "").strip(),
        )


def reply_problem(
    *, actor: Actor, problem_id: int, version: int, text: str, final: bool
) -> Problem:
    """Answer the enterprise: an interim reply (work goes on) or the final one (it waits for
    the enterprise to confirm or reopen)."""
    text = _text(text, "text")
    with transaction.atomic():
        problem = _lock(actor, problem_id, "handle")
        _check(problem, version, [ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = timezone.now()
        problem.started_at = problem.started_at or now
        # Any first answer meets the interim-reply deadline, a final one too.
        problem.interim_replied_at = problem.interim_replied_at or now
        if final:
            problem.replied_at = now
            problem.reply = text
            kind, status = ProblemEventKind.REPLIED, ProblemStatus.REPLIED
        else:
            kind, status = ProblemEventKind.INTERIM_REPLY, ProblemStatus.IN_PROGRESS
        _step(
            actor=actor,
            problem=problem,
            kind=kind,
            status=status,
            before=before,
            now=now,
            note=text,
        )
        notify_replied(problem)
        return problem


def confirm_problem(
    *, actor: Actor, problem_id: int, version: int, rating: Any, comment: str = ""
) -> Problem:
    """The enterprise confirms the problem solved and rates the handling 1–5: it is closed
    (销号)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        message = _("Give a rating from 1 to 5.")
        raise InvalidInput(message, errors={"rating": [message]})
    with transaction.atomic():
        problem = _lock(actor, problem_id, "confirm")
        _check(problem, version, [ProblemStatus.REPLIED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = timezone.now()
        problem.rating = rating
        problem.rating_comment = (comment or "").strip()
        problem.closed_at = now
        return _step(
            actor=actor,
            problem=problem,
            kind=ProblemEventKind.CONFIRMED,
            status=ProblemStatus.CLOSED,
            before=before,
            now=now,
            note=problem.rating_comment,
        )


def reopen_problem(*, actor: Actor, problem_id: int, version: int, reason: str) -> Problem:
    """The enterprise says the reply did not solve it: work resumes, with a fresh close
    deadline counted from now."""
    reason = _text(reason, "reason")
    with transaction.atomic():
        problem = _lock(actor, problem_id, "confirm")
        _check(problem, version, [ProblemStatus.REPLIED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = timezone.now()
        problem.reopened_at = now
        problem.replied_at = None
        problem.close_due = add_working_days(
            now, limits_for(problem.category, problem.urgency).close_days
        )
        return _step(
            actor=actor,
            problem=problem,
            kind=ProblemEventKind.REOPENED,
            status=ProblemStatus.IN_PROGRESS,
            before=before,
            now=now,
            note=reason,
        )


def reassign_problem(
    *,
    actor: Actor,
    problem_id: int,
    version: int,
    reason: str,
    department: Department | None = None,
    handler: User | None = None,
) -> Problem:
    """Send a problem that is not closed to another department and/or person; the status
    stays, so work already acknowledged is not asked for again."""
    reason = _text(reason, "reason")
    if department is None and handler is None:
        message = _("Choose a department or a handler.")
        raise InvalidInput(message, errors={"department": [message]})
    if handler is not None and not handler.is_active:
        message = _("This user cannot sign in.")
        raise InvalidInput(message, errors={"handler": [message]})
    with transaction.atomic():
        problem = _lock(actor, problem_id, "reassign")
        _check(problem, version, [*OPEN_STATUSES, ProblemStatus.REPLIED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        problem.department = department
        problem.handler = handler
        _step(
            actor=actor,
            problem=problem,
            kind=ProblemEventKind.REASSIGNED,
            status=problem.status,
            before=before,
            now=timezone.now(),
            note=reason,
        )
        notify_assigned(problem)
        return problem


# ---- escalation ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What one sweep did: the problems it escalated and those it marked overdue at the top."""

    escalated: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def sweep_deadlines(*, actor: Actor, now: dt.datetime) -> SweepResult:
    """Escalate every open problem the actor may sweep that has missed a deadline no earlier
    escalation answered (see the module docstring for the rule)."""
    _require(holds(actor, Problem, "sweep"))
    result = SweepResult()
    passed = (
        Q(accepted_at__isnull=True, acknowledge_due__lte=now)
        | Q(interim_replied_at__isnull=True, interim_due__lte=now)
        | Q(close_due__lte=now)
    )
    answered = Q(escalated_through__isnull=True) | Q(
        Q(accepted_at__isnull=True, acknowledge_due__gt=F("escalated_through"))
        | Q(interim_replied_at__isnull=True, interim_due__gt=F("escalated_through"))
        | Q(close_due__gt=F("escalated_through"))
    )
    with transaction.atomic():
        candidates = (
            visible(Problem.objects.all(), actor, "sweep")
            .filter(status__in=OPEN_STATUSES)
            .filter(passed)
            .filter(answered)
            .select_for_update(of=("self",))
            .select_related("enterprise__region")
            .order_by("id")
        )
        for problem in candidates:
            missed = [
                due
                for _kind, due in unmet_deadlines(problem)
                if due <= now
                and (problem.escalated_through is None or due > problem.escalated_through)
            ]
            if not missed:
                continue
            before = audit.snapshot(problem, SWEEP_AUDIT)
            problem.escalated_through = max(missed)
            problem.overdue_since = problem.overdue_since or now
            problem.version += 1
            position = TIER_ORDER.index(problem.tier)  # type: ignore[arg-type]
            from_tier = problem.get_tier_display()
            if position + 1 < len(TIER_ORDER):
                problem.tier = TIER_ORDER[position + 1]
                kind = ProblemEventKind.ESCALATED
                note = _("Deadline missed: moved from %(a)s to %(b)s.") % {
                    "a": from_tier,
                    "b": problem.get_tier_display(),
                }
                result.escalated.append(problem.pk)
            else:
                kind = ProblemEventKind.OVERDUE
                note = _("Deadline missed at the top tier.")
                result.overdue.append(problem.pk)
            problem.save()
            _event(problem, actor, kind, at=now, from_status=problem.status, note=note)
            old, new = audit.changes(before, audit.snapshot(problem, SWEEP_AUDIT))
            audit.record(
                actor=actor, action=f"problems.problem_{kind}", obj=problem, before=old, after=new
            )
            notify_escalated(problem, note)
    return result
