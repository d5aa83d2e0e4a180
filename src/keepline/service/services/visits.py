"""Writes of visits: planning, recording, completing and cancelling them, and filing a problem
heard at one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import User
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise
from keepline.problems import selectors as problem_selectors
from keepline.problems.models import Problem, Urgency
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.service.models import Visit, VisitStatus
from keepline.service.rules import check_active, require_visitor_right
from keepline.service.selectors.coverage import local_today
from keepline.service.selectors.visits import get_visit
from keepline.service.services import actor_name

VISIT_AUDIT = [
    "enterprise",
    "visitor",
    "status",
    "purpose",
    "planned_for",
    "visited_at",
    "companions",
    "findings",
    "cancel_reason",
    "version",
]


@transaction.atomic
def plan_visit(
    *,
    actor: Actor,
    enterprise: Enterprise,
    planned_for: dt.date,
    purpose: str,
    visitor: User | None = None,
) -> Visit:
    """Put a visit on the planned list; the visitor is the actor unless someone else is named."""
    errors: dict[str, list[str]] = {}
    if visitor is None and isinstance(actor, User):
        visitor = actor
    check_active(visitor, "visitor", errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    assert visitor is not None
    require_visitor_right(actor, enterprise, visitor)
    if not purpose.strip():
        errors["purpose"] = [_("This field is required.")]
    if planned_for is None:
        errors["planned_for"] = [_("This field is required.")]
    elif planned_for < local_today():
        errors["planned_for"] = [
            _("A planned visit lies ahead; record a visit already made as done.")
        ]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    visit = Visit.objects.create(
        enterprise=enterprise,
        visitor=visitor,
        status=VisitStatus.PLANNED,
        purpose=purpose.strip(),
        planned_for=planned_for,
        created_by=actor_name(actor),
    )
    audit.record(
        actor=actor,
        action=audit.Action.PLAN_VISIT,
        obj=visit,
        after=audit.snapshot(visit, VISIT_AUDIT),
    )
    return visit


def _check_done(
    visited_at: dt.datetime | None, findings: str, errors: dict[str, list[str]]
) -> None:
    if visited_at is None:
        errors["visited_at"] = [_("This field is required.")]
    elif visited_at > timezone.now():
        errors["visited_at"] = [_("A visit is recorded once it has taken place.")]
    if not findings.strip():
        errors["findings"] = [_("This field is required.")]


@transaction.atomic
def record_visit(
    *,
    actor: Actor,
    enterprise: Enterprise,
    visited_at: dt.datetime,
    findings: str,
    purpose: str = "",
    companions: str = "",
    visitor: User | None = None,
    problem_ids: Iterable[int] = (),
) -> Visit:
    """Put a visit that was not planned straight on the done list, linked to the problems of
    the enterprise it followed up."""
    errors: dict[str, list[str]] = {}
    if visitor is None and isinstance(actor, User):
        visitor = actor
    check_active(visitor, "visitor", errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    assert visitor is not None
    require_visitor_right(actor, enterprise, visitor)
    _check_done(visited_at, findings, errors)
    linked = _problems_of(actor, enterprise, problem_ids, errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    visit = Visit.objects.create(
        enterprise=enterprise,
        visitor=visitor,
        status=VisitStatus.DONE,
        purpose=purpose.strip(),
        visited_at=visited_at,
        companions=companions.strip(),
        findings=findings.strip(),
        created_by=actor_name(actor),
    )
    visit.problems.set(linked)
    audit.record(
        actor=actor, action=audit.Action.RECORD_VISIT, obj=visit, after=_visit_snapshot(visit)
    )
    return visit


def _visit_snapshot(visit: Visit) -> dict[str, Any]:
    return {
        **audit.snapshot(visit, VISIT_AUDIT),
        "problems": sorted(visit.problems.values_list("pk", flat=True)),
    }


def _problems_of(
    actor: Actor, enterprise: Enterprise, problem_ids: Iterable[int], errors: dict[str, list[str]]
) -> list[Problem]:
    """The problems named by id, each of `enterprise` and visible to the actor; any other id
    is an error on `problems`."""
    try:
        wanted = {int(pk) for pk in problem_ids}
    except (TypeError, ValueError):
        errors["problems"] = [_("Give problem numbers.")]
        return []
    if not wanted:
        return []
    found = list(problem_selectors.problems(actor).filter(pk__in=wanted, enterprise=enterprise))
    missing = sorted(wanted - {p.pk for p in found})
    if missing:
        errors["problems"] = [
            _("No problem of %(enterprise)s numbered %(numbers)s.")
            % {"enterprise": enterprise, "numbers": ", ".join(str(n) for n in missing)}
        ]
    return found


def _locked_visit(actor: Actor, visit_id: int, version: int | None) -> Visit:
    visit = get_visit(actor, visit_id, "change", lock=True)
    if visit.status != VisitStatus.PLANNED or (version is not None and version != visit.version):
        raise Conflict(
            _("This visit is no longer planned: %(status)s.")
            % {"status": visit.get_status_display()}
            if visit.status != VisitStatus.PLANNED
            else _("Someone else changed this visit while you were looking at it."),
            current=audit.snapshot(visit, VISIT_AUDIT),
        )
    return visit


@transaction.atomic
def complete_visit(
    *,
    actor: Actor,
    visit_id: int,
    visited_at: dt.datetime,
    findings: str,
    companions: str = "",
    version: int | None = None,
    problem_ids: Iterable[int] = (),
) -> Visit:
    """Move a planned visit to the done list with when it took place, what was found and the
    problems of the enterprise it followed up."""
    visit = _locked_visit(actor, visit_id, version)
    errors: dict[str, list[str]] = {}
    _check_done(visited_at, findings, errors)
    linked = _problems_of(actor, visit.enterprise, problem_ids, errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    before = _visit_snapshot(visit)
    visit.status = VisitStatus.DONE
    visit.visited_at = visited_at
    visit.findings = findings.strip()
    visit.companions = companions.strip()
    visit.version += 1
    visit.save(update_fields=["status", "visited_at", "findings", "companions", "version"])
    visit.problems.add(*linked)
    b, a = audit.changes(before, _visit_snapshot(visit))
    audit.record(actor=actor, action=audit.Action.COMPLETE_VISIT, obj=visit, before=b, after=a)
    return visit


@transaction.atomic
def cancel_visit(*, actor: Actor, visit_id: int, reason: str, version: int | None = None) -> Visit:
    """Take a planned visit off the list, saying why; it stays on record as cancelled."""
    visit = _locked_visit(actor, visit_id, version)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the visit is cancelled."), errors={"reason": [_("This field is required.")]}
        )
    before = audit.snapshot(visit, VISIT_AUDIT)
    visit.status = VisitStatus.CANCELLED
    visit.cancel_reason = reason.strip()
    visit.version += 1
    visit.save(update_fields=["status", "cancel_reason", "version"])
    b, a = audit.changes(before, audit.snapshot(visit, VISIT_AUDIT))
    audit.record(actor=actor, action=audit.Action.CANCEL_VISIT, obj=visit, before=b, after=a)
    return visit


@transaction.atomic
def raise_problem_at_visit(
    *,
    actor: Actor,
    visit_id: int,
    category: str,
    title: str,
    description: str = "",
    urgency: str = Urgency.NORMAL,
) -> Problem:
    """File a problem the visitor heard at a visit on the enterprise's behalf, and link it to
    the visit: routed and given its deadlines like any other."""
    visit = get_visit(actor, visit_id, "change", lock=True)
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict(_("This visit was cancelled."), current=audit.snapshot(visit, VISIT_AUDIT))
    problem = problem_lifecycle.file_problem(
        actor=actor,
        enterprise_id=visit.enterprise_id,
        category=category,
        title=title,
        description=description,
        urgency=urgency,
    )
    before = _visit_snapshot(visit)
    visit.problems.add(problem)
    b, a = audit.changes(before, _visit_snapshot(visit))
    audit.record(actor=actor, action=audit.Action.RAISE_PROBLEM, obj=visit, before=b, after=a)
    return problem
