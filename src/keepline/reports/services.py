"""Writes of daily reports, deadlines, chases and targets: each checked, changed and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.imports import ImportCheck
from keepline.core.models import AuditEvent, User
from keepline.core.scopes import Actor, SystemActor, get_for, may_place, require_place, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.reports import rules, selectors
from keepline.reports.models import (
    DailyReport,
    ReportChannel,
    ReportChase,
    ReportDeadline,
    ResumptionTarget,
    TargetBasis,
)
from keepline.reports.validation import REPORT_FIELDS, clean_report

REPORT_AUDIT = ["date", *REPORT_FIELDS, "via", "submitted_by_name", "late", "version"]
DEADLINE_AUDIT = ["region", "date", "due_time"]
TARGET_AUDIT = ["region", "park", "date", "rate", "basis", "note"]


def _user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor


def _name(actor: Actor) -> str:
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()


# ---- daily reports -------------------------------------------------------------------------


@transaction.atomic
def submit_report(
    *,
    actor: Actor,
    enterprise_id: int,
    data: dict[str, Any],
    version: int | None = None,
    via: ReportChannel = ReportChannel.FORM,
) -> tuple[DailyReport, bool]:
    """File the enterprise's report for `data["date"]`, or correct the one already filed.

    Returns the report and whether it was created. Sending the same report again changes
    nothing, so a client may retry. `version` is what the corrector saw (0: no report yet): if
    someone changed the report in between, the correction is refused with 409.
    """
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), actor, enterprise_id)
    if not rules.may_report(actor, enterprise):
        raise Forbidden(_("You may see this enterprise but not report for it."))
    raw = dict(data)
    raw.setdefault("date", "")
    values, errors = clean_report(raw, today=timezone.localdate())
    if errors:
        raise InvalidInput(_("The daily report has errors."), errors=errors)
    day = values.pop("date")
    # Lock the enterprise: two first submissions of the same day must not both insert.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    now = timezone.now()
    report = DailyReport.objects.select_for_update().filter(enterprise=enterprise, date=day).first()
    if report is None:
        if version:
            raise Conflict(_("The report you were correcting no longer exists."))
        report = DailyReport.objects.create(
            enterprise=enterprise,
            date=day,
            via=via,
            submitted_by=_user(actor),
            submitted_by_name=_name(actor),
            submitted_at=now,
            first_submitted_at=now,
            late=now > selectors.due_at(enterprise.region, day),
            **values,
        )
        audit.record(
            actor=actor,
            action=audit.Action.SUBMIT,
            obj=report,
            after=audit.snapshot(report, REPORT_AUDIT),
        )
        return report, True
    before = audit.snapshot(report, REPORT_AUDIT)
    if all(getattr(report, key) == value for key, value in values.items()):
        return report, False
    if version is not None and version != report.version:
        raise Conflict(
            _("Someone else changed this report while you were editing it."), current=before
        )
    for key, value in values.items():
        setattr(report, key, value)
    report.via = via
    report.submitted_by = _user(actor)
    report.submitted_by_name = _name(actor)
    report.submitted_at = now
    report.version += 1
    report.save()
    old, new = audit.changes(before, audit.snapshot(report, REPORT_AUDIT))
    audit.record(actor=actor, action=audit.Action.CORRECT, obj=report, before=old, after=new)
    return report, False


# ---- deadlines -----------------------------------------------------------------------------


def _reflag(region: Region, day: dt.date) -> int:
    """Judge again, against the deadline now binding them, the reports of `day` in the region's
    subtree that no deeper deadline governs. Returns how many changed their late flag."""
    reports = DailyReport.objects.filter(date=day, enterprise__region__path__startswith=region.path)
    deeper = ReportDeadline.objects.filter(date=day, region__path__startswith=region.path).exclude(
        region=region
    )
    for path in deeper.values_list("region__path", flat=True):
        reports = reports.exclude(enterprise__region__path__startswith=path)
    due = selectors.Deadlines(day).due_at(region.path)
    now_late = reports.filter(first_submitted_at__gt=due, late=False).update(late=True)
    now_on_time = reports.filter(first_submitted_at__lte=due, late=True).update(late=False)
    return now_late + now_on_time


@transaction.atomic
def set_deadline(
    *, actor: Actor, region: Region | None, day: dt.date | None, due_time: dt.time | None
) -> ReportDeadline:
    """Set the time by which the region's enterprises must report for `day`; reports already
    filed for that day are judged late or on time again."""
    errors: dict[str, list[str]] = {}
    for name, value in (("region", region), ("date", day), ("due_time", due_time)):
        if value is None:
            errors[name] = [_("This field is required.")]
    if errors:
        raise InvalidInput(_("The deadline has errors."), errors=errors)
    assert region is not None and day is not None and due_time is not None
    require_place(actor, "change", ReportDeadline, region=region)
    deadline = ReportDeadline.objects.select_for_update().filter(region=region, date=day).first()
    before = audit.snapshot(deadline, DEADLINE_AUDIT) if deadline else None
    if deadline is None:
        deadline = ReportDeadline(region=region, date=day)
    deadline.due_time = due_time.replace(second=0, microsecond=0)
    deadline.set_by_name = _name(actor)
    deadline.set_at = timezone.now()
    deadline.save()
    after = audit.snapshot(deadline, DEADLINE_AUDIT) | {"reflagged": _reflag(region, day)}
    audit.record(
        actor=actor, action=audit.Action.SET_DEADLINE, obj=deadline, before=before, after=after
    )
    return deadline


@transaction.atomic
def remove_deadline(*, actor: Actor, deadline_id: int) -> None:
    """Remove a deadline: the region falls back to the one above it, or the default time."""
    deadline = get_for(
        ReportDeadline.objects.select_for_update().select_related("region"),
        actor,
        deadline_id,
        "change",
    )
    before = audit.snapshot(deadline, DEADLINE_AUDIT)
    region, day = deadline.region, deadline.date
    audit.record(actor=actor, action=audit.Action.REMOVE_DEADLINE, obj=deadline, before=before)
    deadline.delete()
    _reflag(region, day)


# ---- chasing -------------------------------------------------------------------------------


@dataclass
class ChaseOutcome:
    """Who was asked, and who was left out because they need not or already did report."""

    chased: list[Enterprise] = field(default_factory=list)
    already_reported: list[Enterprise] = field(default_factory=list)
    not_required: list[Enterprise] = field(default_factory=list)


@transaction.atomic
def chase_reports(*, actor: Actor, day: dt.date, enterprise_ids: Iterable[int]) -> ChaseOutcome:
    """Ask enterprises that have not reported for `day` to report; each ask is audited and the
    liaison sees it on the report page until the report is in."""
    ids = set(enterprise_ids)
    if day > timezone.localdate():
        raise InvalidInput(
            _("The date is in the future."), errors={"date": [_("The date is in the future.")]}
        )
    if not ids:
        raise InvalidInput(_("Choose at least one enterprise to ask."))
    found = list(visible(Enterprise.objects.filter(pk__in=ids), actor).select_related("region"))
    if len(found) != len(ids):
        raise NotFound(_("Not found."))
    for enterprise in found:
        if not may_place(
            actor,
            "change",
            ReportChase,
            region=enterprise.region,
            park=enterprise.park,
            enterprise=enterprise,
        ):
            raise Forbidden(_("You may not ask %(name)s to report.") % {"name": enterprise})
    required = set(
        selectors.required_reporters(actor, day).filter(pk__in=ids).values_list("pk", flat=True)
    )
    reported = set(
        DailyReport.objects.filter(date=day, enterprise_id__in=ids).values_list(
            "enterprise_id", flat=True
        )
    )
    outcome = ChaseOutcome()
    for enterprise in sorted(found, key=lambda e: e.name):
        if enterprise.pk in reported:
            outcome.already_reported.append(enterprise)
        elif enterprise.pk not in required:
            outcome.not_required.append(enterprise)
        else:
            outcome.chased.append(enterprise)
    now = timezone.now()
    chased_ids = [e.pk for e in outcome.chased]
    existing = {
        c.enterprise_id: c
        for c in ReportChase.objects.select_for_update().filter(
            date=day, enterprise_id__in=chased_ids
        )
    }
    fresh = [
        ReportChase(
            enterprise=e,
            date=day,
            times=1,
            first_chased_at=now,
            last_chased_at=now,
            last_chased_by=_user(actor),
            last_chased_by_name=_name(actor),
        )
        for e in outcome.chased
        if e.pk not in existing
    ]
    ReportChase.objects.bulk_create(fresh)
    for chase in existing.values():
        chase.times += 1
        chase.last_chased_at = now
        chase.last_chased_by = _user(actor)
        chase.last_chased_by_name = _name(actor)
    ReportChase.objects.bulk_update(
        existing.values(), ["times", "last_chased_at", "last_chased_by", "last_chased_by_name"]
    )
    chases = {
        c.enterprise_id: c
        for c in ReportChase.objects.filter(date=day, enterprise_id__in=chased_ids).select_related(
            "enterprise__region"
        )
    }
    AuditEvent.objects.bulk_create(
        audit.build(
            actor=actor,
            action=audit.Action.CHASE,
            obj=chases[e.pk],
            after={"date": day.isoformat(), "times": chases[e.pk].times},
            at=now,
        )
        for e in outcome.chased
    )
    return outcome


# ---- resumption targets --------------------------------------------------------------------


@transaction.atomic
def set_target(
    *,
    actor: Actor,
    region: Region | None = None,
    park: Park | None = None,
    day: dt.date | None,
    rate: Any,
    basis: str = TargetBasis.COUNT,
    note: str = "",
) -> ResumptionTarget:
    """Set the resumption rate an area is to reach by a date (one per area, date and basis)."""
    errors: dict[str, list[str]] = {}
    if (region is None) == (park is None):
        errors["region"] = [_("Name either a region or a park.")]
    if day is None:
        errors["date"] = [_("This field is required.")]
    try:
        value = Decimal(str(rate).strip().rstrip("%"))
    except InvalidOperation:
        errors["rate"] = [_("Not a number: %(value)s.") % {"value": rate}]
    else:
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            errors["rate"] = [_("Give a rate between 0 and 100.")]
    if basis not in TargetBasis.values:
        errors["basis"] = [_("Unknown basis.")]
    if errors:
        raise InvalidInput(_("The target has errors."), errors=errors)
    assert day is not None
    require_place(
        actor,
        "change",
        ResumptionTarget,
        region=region or (park.region if park else None),
        park=park,
    )
    target = (
        ResumptionTarget.objects.select_for_update()
        .filter(region=region, park=park, date=day, basis=basis)
        .first()
    )
    before = audit.snapshot(target, TARGET_AUDIT) if target else None
    if target is None:
        target = ResumptionTarget(region=region, park=park, date=day, basis=basis)
    target.rate = value.quantize(Decimal("0.01"))
    target.note = note.strip()[:200]
    target.set_by_name = _name(actor)
    target.set_at = timezone.now()
    target.save()
    after = audit.snapshot(target, TARGET_AUDIT)
    if before is not None:
        before, after = audit.changes(before, after)
    audit.record(
        actor=actor, action=audit.Action.SET_TARGET, obj=target, before=before, after=after
    )
    return target


@transaction.atomic
def remove_target(*, actor: Actor, target_id: int) -> None:
    # Only the target row: visibility joins its (optional) park, which cannot be locked.
    target = get_for(
        ResumptionTarget.objects.select_for_update(of=("self",)), actor, target_id, "change"
    )
    audit.record(
        actor=actor,
        action=audit.Action.REMOVE_TARGET,
        obj=target,
        before=audit.snapshot(target, TARGET_AUDIT),
    )
    target.delete()


# ---- bulk entry from Excel -----------------------------------------------------------------


@dataclass
class ImportOutcome:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0


@transaction.atomic
def import_reports(
    *, actor: Actor, check: ImportCheck[dict[str, Any]], batch_size: int = 2000
) -> ImportOutcome:
    """Write the rows of a clean check in one transaction: new reports are filed, filed ones
    corrected (version up), identical ones left alone; one audit event per change."""
    if not check.ok:
        raise InvalidInput(_("The file has errors; nothing was imported."))
    if not check.rows:
        raise InvalidInput(_("The file has no rows."))
    now = timezone.now()
    filed = selectors.filed_reports(check.rows, lock=True)
    deadlines: dict[dt.date, selectors.Deadlines] = {}
    outcome = ImportOutcome()
    fresh: list[DailyReport] = []
    corrected: list[DailyReport] = []
    events: list[AuditEvent] = []
    signature: dict[str, Any] = {
        "via": ReportChannel.IMPORT,
        "submitted_by": _user(actor),
        "submitted_by_name": _name(actor),
    }
    for row in check.rows:
        enterprise, day = row["enterprise"], row["date"]
        values = {k: row[k] for k in REPORT_FIELDS}
        report = filed.get((enterprise.pk, day))
        if report is None:
            if day not in deadlines:
                deadlines[day] = selectors.Deadlines(day)
            fresh.append(
                DailyReport(
                    enterprise=enterprise,
                    date=day,
                    submitted_at=now,
                    first_submitted_at=now,
                    late=now > deadlines[day].due_at(enterprise.region.path),
                    **values,
                    **signature,
                )
            )
        elif all(getattr(report, k) == v for k, v in values.items()):
            outcome.unchanged += 1
        else:
            before = audit.snapshot(report, REPORT_AUDIT)
            for key, value in (values | signature).items():
                setattr(report, key, value)
            report.submitted_at = now
            report.version += 1
            corrected.append(report)
            old, new = audit.changes(before, audit.snapshot(report, REPORT_AUDIT))
            events.append(
                audit.build(
                    actor=actor, action=audit.Action.CORRECT, obj=report, before=old, after=new
                )
            )
    DailyReport.objects.bulk_create(fresh, batch_size=batch_size)
    if fresh and fresh[0].pk is None:  # backends that do not return ids from bulk inserts
        stored = selectors.filed_reports(
            [{"enterprise": r.enterprise, "date": r.date} for r in fresh]
        )
        for report in fresh:
            report.pk = stored[(report.enterprise_id, report.date)].pk
    DailyReport.objects.bulk_update(
        corrected,
        [*REPORT_FIELDS, "via", "submitted_by", "submitted_by_name", "submitted_at", "version"],
        batch_size=batch_size,
    )
    events.extend(
        audit.build(
            actor=actor,
            action=audit.Action.IMPORT,
            obj=r,
            after=audit.snapshot(r, REPORT_AUDIT),
            at=now,
        )
        for r in fresh
    )
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    outcome.created, outcome.corrected = len(fresh), len(corrected)
    return outcome
