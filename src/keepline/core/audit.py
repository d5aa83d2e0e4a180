"""Writing the audit trail: every service calls `record` inside its transaction."""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from enum import auto
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, SystemActor


# The labels carry a context: "Create" or "Close" as a record of what was done reads
# differently from the button that does it.
class Action(models.TextChoices):
    """What an audit event records was done: every action any service writes, named
    verb_noun. The value, stored, is the member's name in lower case; the label is what the
    audit page shows."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name.lower()

    # Any record
    CREATE = auto(), pgettext_lazy("audit action", "Create")
    UPDATE = auto(), pgettext_lazy("audit action", "Update")
    CHANGE = auto(), pgettext_lazy("audit action", "Change")
    DELETE = auto(), pgettext_lazy("audit action", "Delete")
    IMPORT = auto(), pgettext_lazy("audit action", "Import")
    END = auto(), pgettext_lazy("audit action", "End")
    # People, tokens and files
    ACTIVATE = auto(), pgettext_lazy("audit action", "Activate user")
    DEACTIVATE = auto(), pgettext_lazy("audit action", "Deactivate user")
    SET_PASSWORD = auto(), pgettext_lazy("audit action", "Set password")
    ADD_MEMBERSHIP = auto(), pgettext_lazy("audit action", "Add role")
    REMOVE_MEMBERSHIP = auto(), pgettext_lazy("audit action", "Remove role")
    REVOKE = auto(), pgettext_lazy("audit action", "Revoke")
    ATTACH = auto(), pgettext_lazy("audit action", "Attach file")
    # Enterprises
    ADD_CONTACT = auto(), pgettext_lazy("audit action", "Add contact")
    REMOVE_CONTACT = auto(), pgettext_lazy("audit action", "Remove contact")
    VIEW_PERSONAL = auto(), pgettext_lazy("audit action", "View personal data")
    # Whitelist
    SUBMIT_WHITELIST_APPLICATION = auto(), pgettext_lazy("audit action", "Submit application")
    RESUBMIT_WHITELIST_APPLICATION = auto(), pgettext_lazy("audit action", "Resubmit application")
    INVITE_WHITELIST_APPLICATION = auto(), pgettext_lazy("audit action", "Invite to apply")
    TAKE_UP_WHITELIST_INVITATION = auto(), pgettext_lazy("audit action", "Take up invitation")
    WITHDRAW_WHITELIST_INVITATION = auto(), pgettext_lazy("audit action", "Withdraw invitation")
    APPROVE_WHITELIST_INSPECTION = auto(), pgettext_lazy("audit action", "Approve inspection")
    RETURN_WHITELIST_INSPECTION = auto(), pgettext_lazy("audit action", "Return at inspection")
    REJECT_WHITELIST_INSPECTION = auto(), pgettext_lazy("audit action", "Reject at inspection")
    APPROVE_WHITELIST_ECONOMY = auto(), pgettext_lazy("audit action", "Approve economy review")
    RETURN_WHITELIST_ECONOMY = auto(), pgettext_lazy("audit action", "Return at economy review")
    REJECT_WHITELIST_ECONOMY = auto(), pgettext_lazy("audit action", "Reject at economy review")
    APPROVE_WHITELIST_HEALTH = auto(), pgettext_lazy("audit action", "Approve health review")
    RETURN_WHITELIST_HEALTH = auto(), pgettext_lazy("audit action", "Return at health review")
    REJECT_WHITELIST_HEALTH = auto(), pgettext_lazy("audit action", "Reject at health review")
    APPROVE_WHITELIST_CITY = auto(), pgettext_lazy("audit action", "Approve city decision")
    RETURN_WHITELIST_CITY = auto(), pgettext_lazy("audit action", "Return at city decision")
    REJECT_WHITELIST_CITY = auto(), pgettext_lazy("audit action", "Reject at city decision")
    APPROVE_WHITELIST_PROVINCE = (
        auto(),
        pgettext_lazy("audit action", "Approve provincial decision"),
    )
    RETURN_WHITELIST_PROVINCE = (
        auto(),
        pgettext_lazy("audit action", "Return at provincial decision"),
    )
    REJECT_WHITELIST_PROVINCE = (
        auto(),
        pgettext_lazy("audit action", "Reject at provincial decision"),
    )
    NOMINATE_WHITELIST_APPLICATION = (
        auto(),
        pgettext_lazy("audit action", "Nominate to the province"),
    )
    CLOSE_WHITELIST_APPLICATION = auto(), pgettext_lazy("audit action", "Close application")
    LIST = auto(), pgettext_lazy("audit action", "List on the whitelist")
    LIST_DIRECTLY = auto(), pgettext_lazy("audit action", "List directly")
    SET_WHITELIST_LEVEL = auto(), pgettext_lazy("audit action", "Set whitelist level")
    OPEN_DOCUMENT = auto(), pgettext_lazy("audit action", "Open document")
    # Closed loop and modes
    SAVE_PLAN = auto(), pgettext_lazy("audit action", "Save plan")
    SUBMIT_PLAN = auto(), pgettext_lazy("audit action", "Submit plan")
    APPROVE_PLAN = auto(), pgettext_lazy("audit action", "Approve plan")
    RETURN_PLAN = auto(), pgettext_lazy("audit action", "Return plan")
    SET_MODE = auto(), pgettext_lazy("audit action", "Set mode")
    REQUEST_MODE_CHANGE = auto(), pgettext_lazy("audit action", "Request mode change")
    APPROVE_MODE_REQUEST = auto(), pgettext_lazy("audit action", "Approve mode request")
    REFUSE_MODE_REQUEST = auto(), pgettext_lazy("audit action", "Refuse mode request")
    SWITCH_MODE = auto(), pgettext_lazy("audit action", "Switch mode")
    CONFIRM_SWITCH = auto(), pgettext_lazy("audit action", "Confirm switch")
    RETURN_MODE = auto(), pgettext_lazy("audit action", "Return mode")
    END_MEASURE_MODES = auto(), pgettext_lazy("audit action", "End a measure's modes")
    # Daily reports
    SUBMIT = auto(), pgettext_lazy("audit action", "Submit")
    CORRECT = auto(), pgettext_lazy("audit action", "Correct")
    CHASE = auto(), pgettext_lazy("audit action", "Chase")
    SET_DEADLINE = auto(), pgettext_lazy("audit action", "Set deadline")
    REMOVE_DEADLINE = auto(), pgettext_lazy("audit action", "Remove deadline")
    SET_TARGET = auto(), pgettext_lazy("audit action", "Set target")
    REMOVE_TARGET = auto(), pgettext_lazy("audit action", "Remove target")
    # Power alerts
    EXTEND = auto(), pgettext_lazy("audit action", "Extend")
    ASSIGN = auto(), pgettext_lazy("audit action", "Assign")
    CLOSE = auto(), pgettext_lazy("audit action", "Close")
    # Problems
    SET_CALENDAR_DAY = auto(), pgettext_lazy("audit action", "Set calendar day")
    REMOVE_CALENDAR_DAY = auto(), pgettext_lazy("audit action", "Remove calendar day")
    SET_TIME_LIMIT = auto(), pgettext_lazy("audit action", "Set time limit")
    REMOVE_TIME_LIMIT = auto(), pgettext_lazy("audit action", "Remove time limit")
    SET_ROUTING_RULE = auto(), pgettext_lazy("audit action", "Set routing rule")
    REMOVE_ROUTING_RULE = auto(), pgettext_lazy("audit action", "Remove routing rule")
    FILE_PROBLEM = auto(), pgettext_lazy("audit action", "File problem")
    ACCEPT_PROBLEM = auto(), pgettext_lazy("audit action", "Accept problem")
    START_PROBLEM = auto(), pgettext_lazy("audit action", "Start work on problem")
    GIVE_INTERIM_REPLY = auto(), pgettext_lazy("audit action", "Give interim reply")
    REPLY_PROBLEM = auto(), pgettext_lazy("audit action", "Reply to problem")
    CONFIRM_PROBLEM = auto(), pgettext_lazy("audit action", "Confirm and close problem")
    REOPEN_PROBLEM = auto(), pgettext_lazy("audit action", "Reopen problem")
    REASSIGN_PROBLEM = auto(), pgettext_lazy("audit action", "Reassign problem")
    ESCALATE_PROBLEM = auto(), pgettext_lazy("audit action", "Escalate problem")
    MARK_PROBLEM_OVERDUE = auto(), pgettext_lazy("audit action", "Mark problem overdue")
    ATTACH_TO_PROBLEM = auto(), pgettext_lazy("audit action", "Attach to problem")
    DRAFT_LETTER = auto(), pgettext_lazy("audit action", "Draft coordination letter")
    SEND_LETTER = auto(), pgettext_lazy("audit action", "Send coordination letter")
    RECORD_LETTER_REPLY = auto(), pgettext_lazy("audit action", "Record letter reply")
    WITHDRAW_LETTER = auto(), pgettext_lazy("audit action", "Withdraw coordination letter")
    # Enterprise service
    ASSIGN_COVERAGE = auto(), pgettext_lazy("audit action", "Assign coverage")
    END_COVERAGE = auto(), pgettext_lazy("audit action", "End coverage")
    PLAN_VISIT = auto(), pgettext_lazy("audit action", "Plan visit")
    RECORD_VISIT = auto(), pgettext_lazy("audit action", "Record visit")
    COMPLETE_VISIT = auto(), pgettext_lazy("audit action", "Complete visit")
    CANCEL_VISIT = auto(), pgettext_lazy("audit action", "Cancel visit")
    RAISE_PROBLEM = auto(), pgettext_lazy("audit action", "Raise problem")
    # Supply chains
    ADD_MEMBER = auto(), pgettext_lazy("audit action", "Add chain member")
    REMOVE_MEMBER = auto(), pgettext_lazy("audit action", "Remove chain member")
    ADD_AREA = auto(), pgettext_lazy("audit action", "Add area")
    REMOVE_AREA = auto(), pgettext_lazy("audit action", "Remove area")
    RUN = auto(), pgettext_lazy("audit action", "Run")
    SET_RECOVERY = auto(), pgettext_lazy("audit action", "Set recovery time")
    IMPORT_RECOVERY = auto(), pgettext_lazy("audit action", "Import recovery times")
    RANK_KEEP_RUNNING = auto(), pgettext_lazy("audit action", "Rank who to keep running")


def action_label(value: str) -> str:
    """The label of a stored action; a value no longer in `Action` shows as itself."""
    return str(Action(value).label) if value in Action.values else value


request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's stored fields as JSON values; encrypted fields appear masked."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(obj, field.attname)
        mask = getattr(field, "audit_mask", None)
        out[field.name] = mask(value) if mask and value else _json_value(value)
    return out


def _region_of(obj: models.Model) -> Any:
    """The region the object belongs to: the first of its region lookups that reaches one."""
    access = getattr(type(obj), "access", None)
    for lookup in access.region if access is not None else ():
        target: Any = obj
        for name in filter(None, lookup.split("__")):
            target = getattr(target, name, None)
            if target is None:
                break
        if target is not None:
            return target
    return None


def _actor_fields(actor: Actor) -> dict[str, Any]:
    if isinstance(actor, SystemActor):
        return {"actor": None, "actor_name": actor.name}
    return {"actor": actor, "actor_name": actor.get_username()}


def build(
    *,
    actor: Actor,
    action: Action,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """An unsaved event, for services that write many at once with bulk_create. An action
    not in `Action` is refused (ValueError), so the audit page's action filter finds every
    event."""
    return AuditEvent(
        at=at or timezone.now(),
        action=Action(action).value,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        region=_region_of(obj),
        before=before,
        after=after,
        request_id=request_id_var.get(),
        **_actor_fields(actor),
    )


def record(
    *,
    actor: Actor,
    action: Action,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call inside the service's transaction so both land or neither."""
    event = build(actor=actor, action=action, obj=obj, before=before, after=after)
    event.save()
    return event


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
