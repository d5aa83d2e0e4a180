"""Closed-loop plans (一企一策, 一园一策): writing a version, submitting it to its deciding
official, and the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from keepline.bubble import selectors
from keepline.bubble.models import OPEN_PLAN, ClosedLoopPlan, PlanStatus
from keepline.bubble.readiness import is_ready, readiness
from keepline.bubble.rules import decides
from keepline.bubble.services._common import (
    MAX_TEXT,
    _clock,
    _name,
    _review_place,
    _stamp_decision,
)
from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.scopes import Actor, get_for, require_place
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park

MAX_COUNT = 1_000_000  # beds, meals, staff: above this a figure is a typing error
MAX_DAYS = 3650

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
        action=audit.Action.SUBMIT_PLAN if submit else audit.Action.SAVE_PLAN,
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
    if not decides(actor, plan):
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
    _stamp_decision(
        plan,
        actor=actor,
        status=PlanStatus.APPROVED if approve else PlanStatus.RETURNED,
        note=note,
        now=_clock(now),
        before=before,
        fields=PLAN_AUDIT,
        action=audit.Action.APPROVE_PLAN if approve else audit.Action.RETURN_PLAN,
    )
    return plan
