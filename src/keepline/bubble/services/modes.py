"""One enterprise's mode set by hand, and the record every mode change writes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.bubble import selectors
from keepline.bubble.models import EnterpriseMode, ModeRecord
from keepline.bubble.services._common import _clock, _name, _start_of
from keepline.core import audit
from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor, get_for, require_place
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure


def write_record(
    *,
    actor: Actor,
    enterprise: Enterprise,
    mode: str,
    effective_from: dt.datetime,
    reason: str,
    action: audit.Action,
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


def mode_at(enterprise: Enterprise, at: dt.datetime) -> str:
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
    if mode_at(enterprise, at) == mode:
        raise InvalidInput(
            _("The enterprise is already in this mode then."),
            errors={"mode": [_("Already in this mode.")]},
        )
    return write_record(
        actor=actor,
        enterprise=enterprise,
        mode=mode,
        effective_from=at,
        reason=reason,
        action=audit.Action.SET_MODE,
    )
