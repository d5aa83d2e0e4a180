"""Writes of closed-loop production: plans and their decisions, mode changes by hand and by
request, and the switching of whole areas when a control measure starts and ends (平战转换).

Every step checks the actor's right, validates, writes, and audits in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.bubble import selectors
from keepline.bubble.models import (
    OPEN_PLAN,
    ClosedLoopPlan,
    EnterpriseMode,
    MeasureSwitch,
    ModeChangeRequest,
    ModeRecord,
    PlanStatus,
    RequestStatus,
)
from keepline.bubble.readiness import is_ready, readiness
from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import AuditEvent
from keepline.core.scopes import (
    Actor,
    SystemActor,
    get_for,
    may_place,
    require_place,
    require_role,
    visible,
)
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, Park

# A measure this strict (3 = full lockdown) halts every enterprise without qualification;
# below it they work semi-closed (home↔factory only, by factory bus).
HALT_AT_STRICTNESS = 3
MAX_COUNT = 1_000_000  # beds, meals, staff: above this a figure is a typing error
MAX_DAYS = 3650
MAX_TEXT = 4000

PLAN_COUNTS = [
    "gates",
    "guard_posts",
    "staff_inside",
    "beds",
    "meals_per_day",
    "raw_material_days",
    "finished_goods_days",
    "isolation_rooms",
    "sampling_points",
]
PLAN_FLAGS = ["perimeter_sealable", "on_site_sampling"]
PLAN_TEXTS = ["key_inputs", "reduced_staff_plan", "alternative_logistics"]
PLAN_FIELDS = [*PLAN_FLAGS, *PLAN_COUNTS, *PLAN_TEXTS, "review_date"]
PLAN_AUDIT = [*PLAN_FIELDS, "number", "status", "ready", "decision_note", "version"]
REQUEST_AUDIT = ["current_mode", "requested_mode", "reason", "status", "decision_note", "version"]
SWITCH_AUDIT = ["effective_at", "switched", "return_at", "returned"]


def _name(actor: Actor) -> str:
    return str(actor) if isinstance(actor, SystemActor) else actor.get_username()


def _clock(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _start_of(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When a change dated `day` takes effect: now for today, else that day's 00:00 local."""
    if day == selectors.local_date(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _review_place(enterprise: Enterprise | None, park: Park | None) -> dict[str, Any]:
    """Who decides: the park committee for an enterprise in a park, else the region."""
    if enterprise is not None:
        if enterprise.park_id is not None:
            return {"review_park": enterprise.park, "review_region": None}
        return {"review_park": None, "review_region": enterprise.region}
    assert park is not None
    return {"review_park": None, "review_region": park.region}


# ---- plans -----------------------------------------------------------------------------------


def _count(value: Any, name: str, maximum: int, errors: dict[str, list[str]]) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
        if number != value and str(number) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        errors.setdefault(name, []).append(_("Give a whole number."))
        return 0
    if number < 0:
        errors.setdefault(name, []).append(_("This cannot be negative."))
    elif number > maximum:
        errors.setdefault(name, []).append(
            _("At most %(max)s: this looks like a typing error.") % {"max": maximum}
        )
    return number


def clean_plan(
    data: dict[str, Any],
    *,
    enterprise: Enterprise | None,
    submitting: bool,
    today: dt.date,
) -> dict[str, Any]:
    """The plan's values from form, API or demo input; every bad field named at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in PLAN_FLAGS:
        values[name] = bool(data.get(name))
    for name in PLAN_COUNTS:
        maximum = MAX_DAYS if name.endswith("_days") else MAX_COUNT
        values[name] = _count(data.get(name), name, maximum, errors)
    for name in PLAN_TEXTS:
        text = str(data.get(name) or "").strip()
        if len(text) > MAX_TEXT:
            errors.setdefault(name, []).append(_("At most %(max)s characters.") % {"max": MAX_TEXT})
        values[name] = text
    review = data.get("review_date")
    if isinstance(review, str) and review.strip():
        try:
            review = dt.date.fromisoformat(review.strip())
        except ValueError:
            errors.setdefault("review_date", []).append(_("Give a date as YYYY-MM-DD."))
            review = None
    elif not isinstance(review, dt.date):
        review = None
    if review is None and submitting and "review_date" not in errors:
        errors.setdefault("review_date", []).append(
            _("Give the date by which the plan is reviewed again.")
        )
    if review is not None and submitting and review <= today:
        errors.setdefault("review_date", []).append(_("The review date must be after today."))
    values["review_date"] = review
    if (
        enterprise is not None
        and "staff_inside" not in errors
        and values["staff_inside"] > enterprise.employees
    ):
        errors.setdefault("staff_inside", []).append(
            _("More than the enterprise's %(employees)s employees.")
            % {"employees": enterprise.employees}
        )
    if values["on_site_sampling"] is False and values["sampling_points"]:
        errors.setdefault("sampling_points", []).append(
            _("Sampling points are given but on-site sampling is not ticked.")
        )
    if errors:
        raise InvalidInput(_("The plan has errors."), errors=errors)
    return values


@transaction.atomic
def save_plan(
    *,
    actor: Actor,
    data: dict[str, Any],
    enterprise_id: int | None = None,
    park_id: int | None = None,
    submit: bool = False,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ClosedLoopPlan:
    """Write the plan of an enterprise (一企一策) or a park (一园一策): the open draft is changed,
    else a new version is started; with `submit` it goes to its deciding official, frozen.

    `version` is the draft's version the writer saw: a stale one is refused with 409.
    """
    now = _clock(now)
    enterprise: Enterprise | None = None
    park: Park | None = None
    if (enterprise_id is None) == (park_id is None):
        raise InvalidInput(
            _("Name either an enterprise or a park."), errors={"enterprise": [_("Required.")]}
        )
    if enterprise_id is not None:
        # Locking the subject serialises two writers starting a version at the same time.
        enterprise = get_for(
            Enterprise.objects.select_for_update(of=("self",)).select_related("region", "park"),
            actor,
            enterprise_id,
        )
        require_place(
            actor,
            "change",
            ClosedLoopPlan,
            region=enterprise.region,
            park=enterprise.park,
            enterprise=enterprise,
        )
        versions = ClosedLoopPlan.objects.filter(enterprise=enterprise)
    else:
        park = get_for(
            Park.objects.select_for_update(of=("self",)).select_related("region"), actor, park_id
        )
        require_place(actor, "change", ClosedLoopPlan, region=park.region, park=park)
        versions = ClosedLoopPlan.objects.filter(park=park)
    plan = versions.filter(status__in=OPEN_PLAN).first()
    if plan is not None and plan.status == PlanStatus.SUBMITTED:
        raise Conflict(
            _("Version %(number)s is waiting for a decision; change the plan once it is decided.")
            % {"number": plan.number},
            current=audit.snapshot(plan, PLAN_AUDIT),
        )
    if plan is not None and version is not None and version != plan.version:
        raise Conflict(
            _("Someone else changed this draft while you were editing it."),
            current=audit.snapshot(plan, PLAN_AUDIT),
        )
    values = clean_plan(
        data, enterprise=enterprise, submitting=submit, today=selectors.local_date(now)
    )
    before = audit.snapshot(plan, PLAN_AUDIT) if plan else None
    if plan is None:
        number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
        plan = ClosedLoopPlan(enterprise=enterprise, park=park, number=number, version=0)
        plan.created_by = _name(actor)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.ready = is_ready(readiness(plan))
    plan.version += 1
    if submit:
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_by = _name(actor)
        plan.submitted_at = now
        for name, place in _review_place(enterprise, park).items():
            setattr(plan, name, place)
    plan.save()
    after = audit.snapshot(plan, PLAN_AUDIT)
    if before is not None:
        before, after = audit.changes(before, after)
    audit.record(
        actor=actor,
        action="submit_plan" if submit else "save_plan",
        obj=plan,
        before=before,
        after=after,
    )
    return plan


@transaction.atomic
def decide_plan(
    *,
    actor: Actor,
    plan_id: int,
    approve: bool,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ClosedLoopPlan:
    """Approve a submitted version, or return it with reasons. Two officials deciding at once:
    the first wins, the second gets 409 with the decision that stands."""
    plan = get_for(
        ClosedLoopPlan.objects.select_for_update(of=("self",)).select_related(
            "enterprise__region", "park__region"
        ),
        actor,
        plan_id,
    )
    if not selectors.decides(actor, plan):
        raise Forbidden(_("This plan is decided by its park or district, not by you."))
    if plan.status != PlanStatus.SUBMITTED or (version is not None and version != plan.version):
        raise Conflict(
            _("This version has been decided already: %(status)s by %(who)s.")
            % {"status": plan.get_status_display(), "who": plan.decided_by or "—"},
            current=audit.snapshot(plan, [*PLAN_AUDIT, "decided_by", "decided_at"]),
        )
    note = note.strip()
    if not approve and not note:
        raise InvalidInput(
            _("Say why the plan is returned."), errors={"note": [_("This field is required.")]}
        )
    before = audit.snapshot(plan, PLAN_AUDIT)
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_by = _name(actor)
    plan.decided_at = _clock(now)
    plan.decision_note = note[:MAX_TEXT]
    plan.version += 1
    plan.save()
    old, new = audit.changes(before, audit.snapshot(plan, PLAN_AUDIT))
    audit.record(
        actor=actor,
        action="approve_plan" if approve else "return_plan",
        obj=plan,
        before=old,
        after=new,
    )
    return plan


# ---- single mode changes ---------------------------------------------------------------------


def _write_record(
    *,
    actor: Actor,
    enterprise: Enterprise,
    mode: str,
    effective_from: dt.datetime,
    reason: str,
    action: str,
    measure: ControlMeasure | None = None,
) -> ModeRecord:
    record = ModeRecord.objects.create(
        enterprise=enterprise,
        mode=mode,
        effective_from=effective_from,
        reason=reason[:300],
        measure=measure,
        recorded_by=_name(actor),
    )
    audit.record(
        actor=actor,
        action=action,
        obj=record,
        after=audit.snapshot(record, ["mode", "effective_from", "reason", "measure"]),
    )
    return record


def _mode_at(enterprise: Enterprise, at: dt.datetime) -> str:
    return selectors.modes_at(Enterprise.objects.filter(pk=enterprise.pk), at)[enterprise.pk]


@transaction.atomic
def set_mode(
    *,
    actor: Actor,
    enterprise_id: int,
    mode: str,
    reason: str,
    effective_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ModeRecord:
    """A district or park official sets one enterprise's mode by hand, with the reason; from
    now, or from the start of a later day."""
    now = _clock(now)
    enterprise = get_for(
        Enterprise.objects.select_for_update(of=("self",)).select_related("region", "park"),
        actor,
        enterprise_id,
    )
    require_place(actor, "change", ModeRecord, region=enterprise.region, park=enterprise.park)
    errors: dict[str, list[str]] = {}
    if mode not in EnterpriseMode.values:
        errors["mode"] = [_("Choose a mode.")]
    reason = reason.strip()
    if not reason:
        errors["reason"] = [_("Say why the mode changes.")]
    elif len(reason) > 300:
        errors["reason"] = [_("At most %(max)s characters.") % {"max": 300}]
    if effective_on is not None and effective_on < selectors.local_date(now):
        errors["effective_on"] = [_("A mode cannot be changed for a day that has passed.")]
    if errors:
        raise InvalidInput(_("The mode change has errors."), errors=errors)
    at = _start_of(effective_on, now) if effective_on else now
    if _mode_at(enterprise, at) == mode:
        raise InvalidInput(
            _("The enterprise is already in this mode then."),
            errors={"mode": [_("Already in this mode.")]},
        )
    return _write_record(
        actor=actor,
        enterprise=enterprise,
        mode=mode,
        effective_from=at,
        reason=reason,
        action="set_mode",
    )


@transaction.atomic
def request_mode_change(
    *,
    actor: Actor,
    enterprise_id: int,
    requested_mode: str,
    reason: str,
    now: dt.datetime | None = None,
) -> ModeChangeRequest:
    """The liaison asks for another mode, with a reason, for the park or district to decide."""
    now = _clock(now)
    require_role(actor, ModeChangeRequest, "create")
    enterprise = get_for(
        Enterprise.objects.select_for_update(of=("self",)).select_related("region", "park"),
        actor,
        enterprise_id,
    )
    if not may_place(actor, "create", ModeChangeRequest, enterprise=enterprise):
        raise Forbidden(_("Only the enterprise's liaison asks for its mode to change."))
    current = _mode_at(enterprise, now)
    errors: dict[str, list[str]] = {}
    if requested_mode not in EnterpriseMode.values:
        errors["requested_mode"] = [_("Choose a mode.")]
    elif requested_mode == current:
        errors["requested_mode"] = [_("The enterprise is in this mode already.")]
    reason = reason.strip()
    if not reason:
        errors["reason"] = [_("Say why the enterprise needs this mode.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("At most %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise InvalidInput(_("The request has errors."), errors=errors)
    pending = ModeChangeRequest.objects.filter(
        enterprise=enterprise, status=RequestStatus.PENDING
    ).first()
    if pending is not None:
        raise Conflict(
            _("A request for this enterprise is already waiting for a decision."),
            current=audit.snapshot(pending, REQUEST_AUDIT),
        )
    change = ModeChangeRequest.objects.create(
        enterprise=enterprise,
        current_mode=current,
        requested_mode=requested_mode,
        reason=reason,
        requested_by=_name(actor),
        requested_at=now,
        **_review_place(enterprise, None),
    )
    audit.record(
        actor=actor,
        action="request_mode_change",
        obj=change,
        after=audit.snapshot(change, REQUEST_AUDIT),
    )
    return change


@transaction.atomic
def decide_mode_request(
    *,
    actor: Actor,
    request_id: int,
    approve: bool,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ModeChangeRequest:
    """Approve (the enterprise takes the requested mode from now) or refuse with a reason."""
    now = _clock(now)
    change = get_for(
        ModeChangeRequest.objects.select_for_update(of=("self",)).select_related(
            "enterprise__region"
        ),
        actor,
        request_id,
    )
    if not selectors.decides(actor, change):
        raise Forbidden(_("This request is decided by its park or district, not by you."))
    if change.status != RequestStatus.PENDING or (
        version is not None and version != change.version
    ):
        raise Conflict(
            _("This request has been decided already: %(status)s by %(who)s.")
            % {"status": change.get_status_display(), "who": change.decided_by or "—"},
            current=audit.snapshot(change, [*REQUEST_AUDIT, "decided_by", "decided_at"]),
        )
    note = note.strip()
    if not approve and not note:
        raise InvalidInput(
            _("Say why the request is refused."), errors={"note": [_("This field is required.")]}
        )
    before = audit.snapshot(change, REQUEST_AUDIT)
    if approve:
        change.mode_record = _write_record(
            actor=actor,
            enterprise=change.enterprise,
            mode=change.requested_mode,
            effective_from=now,
            reason=_("Request of %(who)s approved: %(reason)s")
            % {"who": change.requested_by, "reason": change.reason},
            action="set_mode",
        )
    change.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    change.decided_by = _name(actor)
    change.decided_at = now
    change.decision_note = note[:MAX_TEXT]
    change.version += 1
    change.save()
    old, new = audit.changes(before, audit.snapshot(change, REQUEST_AUDIT))
    audit.record(
        actor=actor,
        action="approve_mode_request" if approve else "refuse_mode_request",
        obj=change,
        before=old,
        after=new,
    )
    return change


# ---- switching whole areas -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an enterprise's mode should be at a moment, and why."""

    mode: str
    reason: str
    measure: ControlMeasure


@dataclass
class PreviewRow:
    enterprise: Enterprise
    current: str
    proposed: str
    reason: str
    measure: ControlMeasure | None = None  # the measure the new mode is written under

    @property
    def changes(self) -> bool:
        return self.current != self.proposed


@dataclass
class SwitchPreview:
    """Who in the measure's area goes closed-loop, semi-closed or halted, before confirming."""

    measure: ControlMeasure
    effective_at: dt.datetime
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {m: 0 for m in EnterpriseMode.values}
        for row in self.rows:
            counts[row.proposed] += 1
        return counts

    @property
    def change_count(self) -> int:
        return sum(1 for row in self.rows if row.changes)


class _Areas:
    """The enterprise ids of each measure's area, loaded once per operation."""

    def __init__(self) -> None:
        self._ids: dict[int, set[int]] = {}

    def ids(self, measure: ControlMeasure) -> set[int]:
        if measure.pk not in self._ids:
            self._ids[measure.pk] = set(
                selectors.area_enterprises(measure).values_list("pk", flat=True)
            )
        return self._ids[measure.pk]


def _governing(switches: Iterable[MeasureSwitch], at: dt.datetime) -> list[MeasureSwitch]:
    """The switched measures that govern modes at `at`: confirmed, in effect, not yet ended."""
    return [
        s for s in switches if s.effective_at <= at and (s.return_at is None or at < s.return_at)
    ]


def _outcomes(
    ids: Iterable[int],
    at: dt.datetime,
    switches: list[MeasureSwitch],
    areas: _Areas,
    qualified: set[int],
    trigger: ControlMeasure,
) -> dict[int, Outcome]:
    """Each enterprise's mode at `at` by the strictest measure governing it then (the trigger
    wins a tie, so the reason names the measure at hand); with none, normal again."""
    governing = _governing(switches, at)
    result: dict[int, Outcome] = {}
    for pk in ids:
        covering = [s.measure for s in governing if pk in areas.ids(s.measure)]
        if not covering:
            result[pk] = Outcome(
                EnterpriseMode.NORMAL,
                _("“%(measure)s” ended: back to normal.") % {"measure": trigger.title},
                trigger,
            )
            continue
        strictest = max(covering, key=lambda m: (m.strictness, m.pk == trigger.pk))
        values = {"measure": strictest.title, "strictness": strictest.strictness}
        if strictest.pk != trigger.pk and any(m.pk == trigger.pk for m in covering):
            cause = _("The stricter measure “%(measure)s” (strictness %(strictness)s) applies")
        else:
            cause = _("“%(measure)s” (strictness %(strictness)s) in force")
        cause %= values
        if pk in qualified:
            mode, why = EnterpriseMode.CLOSED_LOOP, _("qualified by an approved plan: closed loop.")
        elif strictest.strictness >= HALT_AT_STRICTNESS:
            mode, why = EnterpriseMode.HALTED, _("no closed-loop qualification: halted.")
        else:
            mode, why = EnterpriseMode.SEMI_CLOSED, _("no closed-loop qualification: semi-closed.")
        result[pk] = Outcome(mode, f"{cause}; {why}", strictest)
    return result


def _switches_after(start: dt.datetime) -> list[MeasureSwitch]:
    return list(
        MeasureSwitch.objects.select_related("measure")
        .prefetch_related("measure__regions", "measure__parks")
        .exclude(return_at__lte=start)
    )


def _effective_at(measure: ControlMeasure, now: dt.datetime) -> dt.datetime:
    return max(measure.starts_at, now)


def _plan_rows(
    enterprises: QuerySet[Enterprise],
    at: dt.datetime,
    switches: list[MeasureSwitch],
    areas: _Areas,
    trigger: ControlMeasure,
) -> list[PreviewRow]:
    """The mode each enterprise has at `at` and the one the measures give it then. A seasonal
    stop stays: it is counted apart and has its own end."""
    listed = list(selectors.with_mode(enterprises, at).select_related("region", "park"))
    outcomes = _outcomes(
        [e.pk for e in listed],
        at,
        switches,
        areas,
        selectors.qualified_ids(enterprises, at),
        trigger,
    )
    rows = []
    for e in listed:
        mode: str = e.mode  # type: ignore[attr-defined]
        if mode == EnterpriseMode.SEASONAL_STOP:
            rows.append(PreviewRow(e, mode, mode, _("Seasonal stop stays.")))
        else:
            outcome = outcomes[e.pk]
            rows.append(PreviewRow(e, mode, outcome.mode, outcome.reason, outcome.measure))
    return rows


def _switch_rights(actor: Actor, measure: ControlMeasure) -> None:
    require_role(actor, MeasureSwitch, "change")
    if not selectors.can_switch(actor, measure):
        raise Forbidden(
            _("The measure covers enterprises outside your area; its switch is confirmed above.")
        )


def _measure(actor: Actor, measure_id: int, *, lock: bool = False) -> ControlMeasure:
    require_role(actor, MeasureSwitch)
    qs = ControlMeasure.objects.prefetch_related("regions", "parks__region")
    measure = get_for(qs, actor, measure_id)
    if lock:
        # Locked apart: visibility over a measure's areas is a DISTINCT query, which cannot be
        # locked. The lock serialises two officials confirming or ending the same measure.
        list(ControlMeasure.objects.select_for_update().filter(pk=measure.pk).values_list("pk"))
    return measure


def preview_switch(
    *, actor: Actor, measure_id: int, at: dt.datetime | None = None
) -> SwitchPreview:
    """For the measure's area (the enterprises the actor sees): each enterprise's mode before
    the switch and the mode it would get, with the reason. Nothing is written.

    The switch takes effect at the measure's start, or at `at` (now) if it has started.
    """
    measure = _measure(actor, measure_id)
    effective = _effective_at(measure, _clock(at))
    switches = [s for s in _switches_after(effective) if s.measure_id != measure.pk]
    switches.append(MeasureSwitch(measure=measure, effective_at=effective))
    enterprises = selectors.area_enterprises(measure)
    rows = _plan_rows(visible(enterprises, actor), effective, switches, _Areas(), measure)
    return SwitchPreview(measure, effective, rows)


def _settle(
    *,
    actor: Actor,
    trigger: ControlMeasure,
    start: dt.datetime,
    action: str,
) -> int:
    """Write the mode records the switched measures call for, from `start` on, for the
    trigger's area; returns how many enterprises change at `start`.

    Later boundaries (a scheduled start, a stated return of another measure) were computed
    without this change, so each is computed again and corrected where it now differs: the
    correcting record has the same time and a higher id, and the history stays append-only.
    """
    switches = _switches_after(start)
    areas = _Areas()
    enterprises = selectors.area_enterprises(trigger)
    boundaries = sorted(
        {start}
        | {s.effective_at for s in switches if s.effective_at > start}
        | {s.return_at for s in switches if s.return_at is not None and s.return_at > start}
    )
    changed_at_start = 0
    for at in boundaries:
        cause = trigger
        if at == start:
            scope = enterprises
        else:
            at_boundary = [s.measure for s in switches if at in (s.effective_at, s.return_at)]
            ids = set().union(*(areas.ids(m) for m in at_boundary)) & areas.ids(trigger)
            if not ids:
                continue
            scope = enterprises.filter(pk__in=ids)
            # The measure that starts or ends then is the one the reasons name.
            cause = at_boundary[0]
        records = [
            ModeRecord(
                enterprise=r.enterprise,
                mode=r.proposed,
                effective_from=at,
                reason=r.reason[:300],
                measure=r.measure,
                recorded_by=_name(actor),
            )
            for r in _plan_rows(scope, at, switches, areas, cause)
            if r.changes
        ]
        ModeRecord.objects.bulk_create(records, batch_size=1000)
        AuditEvent.objects.bulk_create(
            (
                audit.build(
                    actor=actor,
                    action=action,
                    obj=record,
                    after={
                        "mode": record.mode,
                        "effective_from": at.isoformat(),
                        "reason": record.reason,
                        "measure": record.measure_id,
                    },
                )
                for record in records
            ),
            batch_size=1000,
        )
        if at == start:
            changed_at_start = len(records)
    return changed_at_start


@transaction.atomic
def confirm_switch(
    *,
    actor: Actor,
    measure_id: int,
    expected_count: int,
    now: dt.datetime | None = None,
) -> MeasureSwitch:
    """Switch the measure's area with one confirmation: every change of the preview is written
    at once, effective at the measure's start (scheduled switching) or now if it has started.

    `expected_count` is the number of changes the preview showed; if the area changed since,
    nothing is written and 409 says so. A measure is switched once: a second confirmation is 409.
    """
    now = _clock(now)
    measure = _measure(actor, measure_id, lock=True)
    _switch_rights(actor, measure)
    existing = MeasureSwitch.objects.filter(measure=measure).first()
    if existing is not None:
        raise Conflict(
            _("This measure was switched already by %(who)s.") % {"who": existing.confirmed_by},
            current=audit.snapshot(existing, [*SWITCH_AUDIT, "confirmed_by", "confirmed_at"]),
        )
    effective = _effective_at(measure, now)
    if measure.ends_at is not None and measure.ends_at <= effective:
        raise InvalidInput(_("The measure has ended: there is nothing to switch."))
    try:
        with transaction.atomic():
            switch = MeasureSwitch.objects.create(
                measure=measure,
                effective_at=effective,
                confirmed_by=_name(actor),
                confirmed_at=now,
                switched=0,
            )
    except IntegrityError:
        raise Conflict(_("This measure was switched already.")) from None
    switch.switched = _settle(actor=actor, trigger=measure, start=effective, action="switch_mode")
    if switch.switched != expected_count:
        raise Conflict(
            _(
                "The area changed since the preview: %(now)s enterprises would switch, not "
                "%(expected)s. Look at the preview again."
            )
            % {"now": switch.switched, "expected": expected_count},
            current={"change_count": switch.switched},
        )
    switch.save(update_fields=["switched"])
    audit.record(
        actor=actor, action="confirm_switch", obj=switch, after=audit.snapshot(switch, SWITCH_AUDIT)
    )
    return switch


@transaction.atomic
def end_measure_modes(
    *,
    actor: Actor,
    measure_id: int,
    return_on: dt.date,
    now: dt.datetime | None = None,
) -> MeasureSwitch:
    """From `return_on`, the enterprises of the measure's area return to normal — except those
    another switched measure still governs then, which take the strictest remaining outcome."""
    now = _clock(now)
    measure = _measure(actor, measure_id, lock=True)
    _switch_rights(actor, measure)
    switch = MeasureSwitch.objects.select_for_update(of=("self",)).filter(measure=measure).first()
    if switch is None:
        raise InvalidInput(_("This measure has not switched any enterprise: nothing to end."))
    if switch.return_at is not None:
        raise Conflict(
            _("The modes of this measure were ended already by %(who)s.")
            % {"who": switch.ended_by},
            current=audit.snapshot(switch, [*SWITCH_AUDIT, "ended_by", "ended_at"]),
        )
    if return_on < selectors.local_date(now):
        raise InvalidInput(
            _("The return date has errors."),
            errors={"return_on": [_("The return date cannot be in the past.")]},
        )
    return_at = _start_of(return_on, now)
    if return_at <= switch.effective_at:
        raise InvalidInput(
            _("The return date has errors."),
            errors={
                "return_on": [
                    _("The return must come after the switch (%(at)s).")
                    % {"at": timezone.localtime(switch.effective_at).strftime("%Y-%m-%d %H:%M")}
                ]
            },
        )
    before = audit.snapshot(switch, SWITCH_AUDIT)
    switch.return_at = return_at
    switch.ended_by = _name(actor)
    switch.ended_at = now
    switch.returned = 0
    switch.save()
    switch.returned = _settle(actor=actor, trigger=measure, start=return_at, action="return_mode")
    switch.save(update_fields=["returned"])
    old, new = audit.changes(before, audit.snapshot(switch, SWITCH_AUDIT))
    audit.record(actor=actor, action="end_measure_modes", obj=switch, before=old, after=new)
    return switch
