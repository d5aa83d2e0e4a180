"""Writes of a problem's life: filing (by hand or from a daily report), accepting, starting,
replying, confirming, reopening and reassigning, each checked, changed, put on the timeline and
audited in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.models import Department, User
from keepline.core.scopes import Actor, SystemActor, get_for
from keepline.enterprises.models import Enterprise
from keepline.problems.calendar import add_working_days
from keepline.problems.models import (
    OPEN_STATUSES,
    Problem,
    ProblemCategory,
    ProblemEventKind,
    ProblemSource,
    ProblemStatus,
    Urgency,
)
from keepline.problems.rules import is_liaison_of, may_file_for
from keepline.problems.selectors import limits_for, reassign_departments, route
from keepline.problems.services._common import (
    PROBLEM_AUDIT,
    _check,
    _event,
    _lock,
    _name,
    _step,
    _text,
    _user,
)
from keepline.problems.services.attachments import Upload, attach_uploads
from keepline.problems.services.notifications import (
    notify_accepted,
    notify_assigned,
    notify_replied,
)
from keepline.reports.models import DailyReport


def create_problem(
    *,
    actor: Actor,
    enterprise: Enterprise,
    category: str,
    urgency: str,
    title: str,
    description: str,
    source: str,
    now: dt.datetime,
    report: DailyReport | None = None,
    files: Sequence[Upload] = (),
) -> Problem:
    """Write a new problem, routed, with its deadlines counted from `now`, on its timeline and
    audited; the caller has checked the actor's right and the values, inside its transaction."""
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
        action=audit.Action.FILE_PROBLEM,
        obj=problem,
        after=audit.snapshot(problem, PROBLEM_AUDIT),
    )
    if files:
        attach_uploads(actor, problem, files, at=now)
    notify_assigned(problem)
    return problem


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
    now: dt.datetime | None = None,
) -> Problem:
    """File a problem for an enterprise: its liaison, its commissioner, or an official over its
    area, with any documents (photos, notices). Routed and given its deadlines at once.
    `source` is only for imports; otherwise it is the liaison's form or filing on the
    enterprise's behalf, by who files."""
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), actor, enterprise_id)
    if not may_file_for(actor, enterprise):
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
        source = ProblemSource.FORM if is_liaison_of(actor, enterprise) else ProblemSource.ON_BEHALF
    with transaction.atomic():
        return create_problem(
            actor=actor,
            enterprise=enterprise,
            category=category,
            urgency=urgency,
            title=clean_title,
            description=(description or "").strip(),
            source=source,
            files=files,
            now=now or timezone.now(),
        )


def file_from_report(
    *, actor: Actor, report: DailyReport, now: dt.datetime | None = None
) -> Problem:
    """Turn the problem field of a daily report into a problem (category "other", normal
    urgency, for a handler to sort). Filing the same report again returns the same problem."""
    enterprise = report.enterprise
    if not may_file_for(actor, enterprise):
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
        return create_problem(
            actor=actor,
            enterprise=enterprise,
            category=ProblemCategory.OTHER,
            urgency=Urgency.NORMAL,
            title=first_line[:200],
            description=text,
            source=ProblemSource.REPORT,
            report=report,
            now=now or timezone.now(),
        )


def accept_problem(
    *, actor: Actor, problem_id: int, version: int, now: dt.datetime | None = None
) -> Problem:
    """Take up a submitted problem (acknowledge it). An acceptor from the department becomes
    the handler when there was none."""
    with transaction.atomic():
        problem = _lock(actor, problem_id, "handle")
        _check(problem, version, [ProblemStatus.SUBMITTED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = now or timezone.now()
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


def start_problem(
    *,
    actor: Actor,
    problem_id: int,
    version: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> Problem:
    with transaction.atomic():
        problem = _lock(actor, problem_id, "handle")
        _check(problem, version, [ProblemStatus.ACCEPTED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = now or timezone.now()
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
    *,
    actor: Actor,
    problem_id: int,
    version: int,
    text: str,
    final: bool,
    now: dt.datetime | None = None,
) -> Problem:
    """Answer the enterprise: an interim reply (work goes on) or the final one (it waits for
    the enterprise to confirm or reopen)."""
    text = _text(text, "text")
    with transaction.atomic():
        problem = _lock(actor, problem_id, "handle")
        _check(problem, version, [ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = now or timezone.now()
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
    *,
    actor: Actor,
    problem_id: int,
    version: int,
    rating: Any,
    comment: str = "",
    now: dt.datetime | None = None,
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
        now = now or timezone.now()
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


def reopen_problem(
    *, actor: Actor, problem_id: int, version: int, reason: str, now: dt.datetime | None = None
) -> Problem:
    """The enterprise says the reply did not solve it: work resumes, with a fresh close
    deadline counted from now."""
    reason = _text(reason, "reason")
    with transaction.atomic():
        problem = _lock(actor, problem_id, "confirm")
        _check(problem, version, [ProblemStatus.REPLIED])
        before = audit.snapshot(problem, PROBLEM_AUDIT)
        now = now or timezone.now()
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
    now: dt.datetime | None = None,
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
            now=now or timezone.now(),
            note=reason,
        )
        notify_assigned(problem)
        return problem
