"""Writing the audit trail: every service calls `record` inside its transaction."""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, SystemActor

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
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """An unsaved event, for services that write many at once with bulk_create."""
    return AuditEvent(
        at=at or timezone.now(),
        action=action,
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
    action: str,
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
