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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import Attachment, Department, Membership, Role, User
from keepline.core.scopes import (
    Actor,
    SystemActor,
    actor_roles,
    ancestor_paths,
    get_for,
    holds,
    may,
    may_place,
    memberships,
    visible,
)
from keepline.core.services import store_attachment
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region, RegionLevel
from keepline.problems.calendar import add_working_days
from keepline.problems.models import (
    DEFAULT_REPLY_DAYS,
    OPEN_STATUSES,
    TIER_ORDER,
    AddresseeLevel,
    CalendarDay,
    CoordinationLetter,
    LetterStatus,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemEventKind,
    ProblemSource,
    ProblemStatus,
    RoutingRule,
    Tier,
    TimeLimit,
    Urgency,
)
from keepline.problems.selectors import unmet_deadlines
from keepline.problems.setup_forms import CalendarRow
from keepline.problems.tasks import (
    notify_accepted,
    notify_assigned,
    notify_escalated,
    notify_replied,
)
from keepline.reports.models import DailyReport
from keepline.reports.selectors import region_chain

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
MAX_FILES = 10
# An uploaded document: its file name and its bytes.
Upload = tuple[str, bytes]


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


def import_calendar(*, actor: Actor, rows: Sequence[CalendarRow]) -> tuple[int, int]:
    """Write every row of a checked calendar file (setup_forms.read_calendar), all or none:
    (days added, days changed). Each day is audited as set_calendar_day audits it."""
    _require(holds(actor, CalendarDay, "change"))
    with transaction.atomic():
        existing = set(
            CalendarDay.objects.filter(date__in=[r.date for r in rows]).values_list(
                "date", flat=True
            )
        )
        for row in rows:
            set_calendar_day(actor=actor, date=row.date, working=row.working, name=row.name)
    changed = sum(1 for r in rows if r.date in existing)
    return len(rows) - changed, changed


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
    # A bureau's rule names only departments and handlers within its reach (the API takes
    # ids); the platform administrator may name anyone.
    if department is not None and not may(actor, "view", department):
        message = _("No such department.")
        raise InvalidInput(message, errors={"department": [message]})
    if (
        handler is not None
        and Role.ADMIN not in actor_roles(actor)
        and not rule_handlers(actor).filter(pk=handler.pk).exists()
    ):
        message = _("This user is outside your area.")
        raise InvalidInput(message, errors={"handler": [message]})
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
    filed_at: dt.datetime | None = None,
    files: Sequence[Upload] = (),
) -> Problem:
    now = filed_at or timezone.now()
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
    if files:
        _attach(actor, problem, files, at=now)
    notify_assigned(problem)
    return problem


def _store(actor: Actor, files: Sequence[Upload], field: str) -> list[Attachment]:
    """Keep each document; every bad one is named (by its file name) under `field`. The caller
    is inside a transaction, so an error drops whatever was stored."""
    if len(files) > MAX_FILES:
        message = _("Attach at most %(n)d files at a time.") % {"n": MAX_FILES}
        raise InvalidInput(message, errors={field: [message]})
    stored: list[Attachment] = []
    errors: list[str] = []
    for filename, data in files:
        try:
            stored.append(store_attachment(actor=actor, filename=filename, data=data, field=field))
        except InvalidInput as exc:
            errors.append(f"{filename}: {exc.message}")
    if errors:
        raise InvalidInput(_("Correct the attachments."), errors={field: errors})
    return stored


def _attach(
    actor: Actor, problem: Problem, files: Sequence[Upload], *, at: dt.datetime
) -> list[Attachment]:
    stored = _store(actor, files, "attachments")
    problem.attachments.add(*stored)
    names = ", ".join(a.filename for a in stored)
    _event(problem, actor, ProblemEventKind.ATTACHED, at=at, from_status=problem.status, note=names)
    audit.record(
        actor=actor,
        action="problems.problem_attached",
        obj=problem,
        after={"attachments": [a.pk for a in stored], "filenames": [a.filename for a in stored]},
    )
    return stored


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
    files: Sequence[Upload] = (),
) -> Problem:
    """File a problem for an enterprise: its liaison, its commissioner, or an official over its
    area, with any documents (photos, notices). Routed and given its deadlines at once.
    `source` is only for imports; otherwise it is the liaison's form or filing on the
    enterprise's behalf, by who files."""
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
            files=files,
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


def reassign_departments(enterprise: Enterprise) -> QuerySet[Department]:
    """The departments a problem of the enterprise may be sent to: those of its region and the
    regions above it."""
    return Department.objects.filter(region__path__in=region_chain(enterprise.region.path))


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
        if (
            department is not None
            and not reassign_departments(problem.enterprise).filter(pk=department.pk).exists()
        ):
            message = _("This department does not serve the enterprise's region.")
            raise InvalidInput(message, errors={"department": [message]})
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


# ---- attachments -----------------------------------------------------------------------------


def may_attach(actor: Actor, problem: Problem) -> bool:
    """Documents are added by who filed the problem, the enterprise's liaison, or those who
    handle it; not once it is closed."""
    if problem.status == ProblemStatus.CLOSED:
        return False
    if not isinstance(actor, SystemActor) and problem.filed_by_id == actor.pk:
        return may(actor, "view", problem)
    return may(actor, "handle", problem) or may(actor, "confirm", problem)


def attach_documents(*, actor: Actor, problem_id: int, files: Sequence[Upload]) -> list[Attachment]:
    """Add documents to a problem that is not closed. The steps' version is left alone: a
    document does not change what anyone decided."""
    if not files:
        message = _("Choose a file to attach.")
        raise InvalidInput(message, errors={"attachments": [message]})
    with transaction.atomic():
        problem = _lock(actor, problem_id, "view")
        if problem.status == ProblemStatus.CLOSED:
            raise Conflict(
                _("The problem is closed; it takes no more documents."),
                current={"status": problem.status, "version": problem.version},
            )
        if not may_attach(actor, problem):
            raise Forbidden(_("You may see this but not change it."))
        return _attach(actor, problem, files, at=timezone.now())


# ---- Excel import ----------------------------------------------------------------------------


def import_problems(*, actor: Actor, rows: Sequence[dict[str, Any]]) -> list[Problem]:
    """File the clean rows of a checked import (keepline.problems.importing.check_import) in one
    transaction, each routed and given deadlines from its filing time as a filed problem is."""
    _require(holds(actor, Problem, "file"))
    if not rows:
        raise InvalidInput(_("The file has no rows."))
    created: list[Problem] = []
    with transaction.atomic():
        for row in rows:
            enterprise = row["enterprise"]
            # Checked already; checked again inside the transaction that writes.
            if not may_place(
                actor,
                "file",
                Problem,
                region=enterprise.region,
                park=enterprise.park,
                enterprise=enterprise,
            ):
                raise Forbidden(_("You may not file problems for this enterprise."))
            created.append(
                _create(
                    actor=actor,
                    enterprise=enterprise,
                    category=row["category"],
                    urgency=row["urgency"],
                    title=row["title"],
                    description=row["description"],
                    source=ProblemSource.IMPORT,
                    filed_at=row["filed_at"],
                )
            )
    return created


# ---- coordination letters --------------------------------------------------------------------

LETTER_AUDIT = [
    "problem",
    "number",
    "addressee",
    "addressee_level",
    "subject",
    "status",
    "reply_days",
    "sent_at",
    "reply_due",
    "replied_at",
    "reply_attachment",
    "withdrawn_at",
    "version",
]
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


def may_coordinate(actor: Actor, problem: Problem, issuer: Region | None = None) -> bool:
    """The administrator, or a bureau (task force) member at city level or above whose area
    holds the issuing task force's region: a district does not write to another city."""
    if isinstance(actor, SystemActor):
        return True
    issuer = issuer or issuing_region(problem)
    for m in memberships(actor):
        if m.role == Role.ADMIN:
            return True
        if (
            m.role in CoordinationLetter.access.roles_for("coordinate")
            and m.region is not None
            and m.region.level in (RegionLevel.CITY, RegionLevel.PROVINCE)
            and issuer.path.startswith(m.region.path)
        ):
            return True
    return False


def _letter_event(letter: CoordinationLetter, actor: Actor, kind: str, at: dt.datetime) -> None:
    problem = letter.problem
    label = letter.number or letter.subject
    note = f"{label} → {letter.addressee}"
    _event(problem, actor, kind, at=at, from_status=problem.status, note=note)


def _lock_letter(
    actor: Actor, letter_id: int, version: int, allowed: list[str]
) -> CoordinationLetter:
    qs = CoordinationLetter.objects.select_for_update(of=("self",)).select_related(
        "problem__enterprise__region", "problem__enterprise__park", "issuer_region"
    )
    letter = get_for(qs, actor, letter_id, "coordinate")
    if not may_coordinate(actor, letter.problem, letter.issuer_region):
        raise Forbidden(_("Coordination letters are written by the city task force or above."))
    if version != letter.version or letter.status not in allowed:
        raise Conflict(
            _("Someone changed this letter in the meantime; reload it."),
            current={"status": letter.status, "version": letter.version},
        )
    return letter


def _letter_step(
    *,
    actor: Actor,
    letter: CoordinationLetter,
    before: dict[str, Any],
    kind: str,
    now: dt.datetime,
) -> CoordinationLetter:
    letter.version += 1
    letter.save()
    _letter_event(letter, actor, kind, now)
    old, new = audit.changes(before, audit.snapshot(letter, LETTER_AUDIT))
    audit.record(actor=actor, action=f"problems.{kind}", obj=letter, before=old, after=new)
    return letter


def draft_letter(
    *,
    actor: Actor,
    problem_id: int,
    addressee: str,
    addressee_level: str,
    subject: str,
    body: str,
    contact: str = "",
    reply_days: Any = DEFAULT_REPLY_DAYS,
) -> CoordinationLetter:
    """Draft a coordination letter to another city's or province's task force about a problem
    that is not closed. It is numbered and its reply date set when it is sent."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, value, limit in [
        ("addressee", addressee, 200),
        ("subject", subject, 200),
        ("body", body, None),
    ]:
        try:
            values[name] = _text(value, name, max_length=limit)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if addressee_level not in AddresseeLevel.values:
        errors["addressee_level"] = [_("Choose one of the listed values.")]
    if isinstance(reply_days, bool) or not isinstance(reply_days, int) or not 1 <= reply_days <= 60:
        errors["reply_days"] = [_("Give a whole number of working days from 1 to 60.")]
    contact = (contact or "").strip()
    if len(contact) > 200:
        errors["contact"] = [_("At most %(n)d characters.") % {"n": 200}]
    with transaction.atomic():
        problem = _lock(actor, problem_id, "coordinate")
        issuer = issuing_region(problem)
        if not may_coordinate(actor, problem, issuer):
            raise Forbidden(_("Coordination letters are written by the city task force or above."))
        if errors:
            raise InvalidInput(_("Correct the letter."), errors=errors)
        if problem.status == ProblemStatus.CLOSED:
            raise Conflict(
                _("The problem is closed."),
                current={"status": problem.status, "version": problem.version},
            )
        now = timezone.now()
        user = _user(actor)
        letter = CoordinationLetter.objects.create(
            problem=problem,
            issuer_region=issuer,
            issuer=issuer_name(issuer),
            addressee=values["addressee"],
            addressee_level=addressee_level,
            subject=values["subject"],
            body=values["body"],
            contact=contact or (user.display_name or user.username if user else _name(actor)),
            reply_days=reply_days,
            author=user,
            author_name=_name(actor),
            drafted_at=now,
        )
        _letter_event(letter, actor, ProblemEventKind.LETTER_DRAFTED, now)
        audit.record(
            actor=actor,
            action="problems.letter_drafted",
            obj=letter,
            after=audit.snapshot(letter, LETTER_AUDIT),
        )
    return letter


def send_letter(*, actor: Actor, letter_id: int, version: int) -> CoordinationLetter:
    """Send a drafted letter: it takes the issuing task force's next number of the year and
    its reply is due the given working days from now."""
    with transaction.atomic():
        letter = _lock_letter(actor, letter_id, version, [LetterStatus.DRAFTED])
        before = audit.snapshot(letter, LETTER_AUDIT)
        now = timezone.now()
        year = timezone.localtime(now).year
        # One register per issuing task force and year: lock its region row so two letters
        # sent at once take consecutive numbers.
        region = Region.objects.select_for_update().get(pk=letter.issuer_region_id)
        last = (
            CoordinationLetter.objects.filter(issuer_region=region, year=year)
            .exclude(serial__isnull=True)
            .order_by("-serial")
            .values_list("serial", flat=True)
            .first()
        )
        letter.year = year
        letter.serial = (last or 0) + 1
        letter.number = NUMBER_FORMAT.format(
            abbreviation=abbreviation(region), year=year, serial=letter.serial
        )
        letter.status = LetterStatus.SENT
        letter.sent_at = now
        letter.reply_due = add_working_days(now, letter.reply_days)
        return _letter_step(
            actor=actor,
            letter=letter,
            before=before,
            kind=ProblemEventKind.LETTER_SENT,
            now=now,
        )


def record_letter_reply(
    *,
    actor: Actor,
    letter_id: int,
    version: int,
    text: str,
    file: Upload | None = None,
) -> CoordinationLetter:
    """Record the addressee's answer to a sent letter, with its document if there is one."""
    text = _text(text, "reply")
    with transaction.atomic():
        letter = _lock_letter(actor, letter_id, version, [LetterStatus.SENT])
        before = audit.snapshot(letter, LETTER_AUDIT)
        if file is not None:
            letter.reply_attachment = _store(actor, [file], "reply_file")[0]
        now = timezone.now()
        letter.status = LetterStatus.REPLIED
        letter.reply = text
        letter.replied_at = now
        return _letter_step(
            actor=actor,
            letter=letter,
            before=before,
            kind=ProblemEventKind.LETTER_REPLIED,
            now=now,
        )


def withdraw_letter(
    *, actor: Actor, letter_id: int, version: int, reason: str
) -> CoordinationLetter:
    """Withdraw a drafted or sent letter (solved another way, wrong addressee). A sent letter
    keeps its number: the register has no gaps."""
    reason = _text(reason, "reason")
    with transaction.atomic():
        letter = _lock_letter(actor, letter_id, version, [LetterStatus.DRAFTED, LetterStatus.SENT])
        before = audit.snapshot(letter, LETTER_AUDIT)
        now = timezone.now()
        letter.status = LetterStatus.WITHDRAWN
        letter.withdrawn_at = now
        letter.withdrawn_reason = reason
        return _letter_step(
            actor=actor,
            letter=letter,
            before=before,
            kind=ProblemEventKind.LETTER_WITHDRAWN,
            now=now,
        )
