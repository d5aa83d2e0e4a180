"""Mode change requests: the liaison asks for another mode, the park or district decides."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.bubble.models import EnterpriseMode, ModeChangeRequest, RequestStatus
from keepline.bubble.rules import decides, may_request_mode
from keepline.bubble.services._common import (
    MAX_TEXT,
    _clock,
    _name,
    _review_place,
    _stamp_decision,
)
from keepline.bubble.services.modes import mode_at, write_record
from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.scopes import Actor, get_for, require_role
from keepline.enterprises.models import Enterprise

REQUEST_AUDIT = ["current_mode", "requested_mode", "reason", "status", "decision_note", "version"]


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
    if not may_request_mode(actor, enterprise):
        raise Forbidden(_("Only the enterprise's liaison asks for its mode to change."))
    current = mode_at(enterprise, now)
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
        action=audit.Action.REQUEST_MODE_CHANGE,
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
    if not decides(actor, change):
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
        change.mode_record = write_record(
            actor=actor,
            enterprise=change.enterprise,
            mode=change.requested_mode,
            effective_from=now,
            reason=_("Request of %(who)s approved: %(reason)s")
            % {"who": change.requested_by, "reason": change.reason},
            action=audit.Action.SET_MODE,
        )
    _stamp_decision(
        change,
        actor=actor,
        status=RequestStatus.APPROVED if approve else RequestStatus.REFUSED,
        note=note,
        now=now,
        before=before,
        fields=REQUEST_AUDIT,
        action=audit.Action.APPROVE_MODE_REQUEST if approve else audit.Action.REFUSE_MODE_REQUEST,
    )
    return change
