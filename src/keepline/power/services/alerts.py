"""Handling a power alert: giving it to a person to look into, and closing it with a reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import User
from keepline.core.scopes import Actor, get_for
from keepline.power.models import AlertStatus, PowerAlert
from keepline.power.rules import may_see_by_role


def alert_state(alert: PowerAlert) -> dict[str, Any]:
    """The alert's fields an audit event records."""
    return audit.snapshot(alert, ["kind", "first_day", "last_day", "status", "version"])


def _locked(actor: Actor, alert: PowerAlert, version: int) -> PowerAlert:
    locked = get_for(
        PowerAlert.objects.select_for_update().select_related("enterprise__region"),
        actor,
        alert.pk,
        "change",
    )
    if locked.status == AlertStatus.CLOSED:
        raise Conflict(_("This alert is closed already."), current=alert_state(locked))
    if version != locked.version:
        raise Conflict(
            _("Someone else changed this alert while you were looking at it."),
            current=alert_state(locked),
        )
    return locked


@transaction.atomic
def assign_alert(*, actor: Actor, alert: PowerAlert, assignee: User, version: int) -> PowerAlert:
    """Give the alert to a person to look into; they may then see and close it."""
    locked = _locked(actor, alert, version)
    if not may_see_by_role(assignee, locked.enterprise):
        raise InvalidInput(
            _("The alert cannot go to this person."),
            errors={"assignee": [_("%(user)s cannot see this enterprise.") % {"user": assignee}]},
        )
    before = {"assignee": locked.assignee_id, "version": locked.version}
    locked.assignee = assignee
    locked.version += 1
    locked.save(update_fields=["assignee", "version"])
    audit.record(
        actor=actor,
        action=audit.Action.ASSIGN,
        obj=locked,
        before=before,
        after={
            "assignee": assignee.pk,
            "assignee_name": assignee.get_username(),
            "version": locked.version,
        },
    )
    return locked


@transaction.atomic
def close_alert(*, actor: Actor, alert: PowerAlert, reason: str, version: int) -> PowerAlert:
    """Close the alert with the reason found; detection will not alert these days again."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            _("Say why the alert is closed."), errors={"reason": [_("A reason is required.")]}
        )
    locked = _locked(actor, alert, version)
    locked.status = AlertStatus.CLOSED
    locked.closed_reason = reason
    locked.closed_by = None if not isinstance(actor, User) else actor
    locked.closed_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "closed_reason", "closed_by", "closed_at", "version"])
    audit.record(
        actor=actor,
        action=audit.Action.CLOSE,
        obj=locked,
        before={"status": AlertStatus.OPEN.value, "version": locked.version - 1},
        after={"status": locked.status, "reason": reason, "version": locked.version},
    )
    return locked
