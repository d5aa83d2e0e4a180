"""Reads of core data, through the visibility function."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, visible


def audit_events(
    actor: Actor,
    *,
    q: str = "",
    actor_name: str = "",
    action: str = "",
    object_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events the actor may see, filtered; `q` matches an object's id or part of its name."""
    events = visible(AuditEvent.objects.select_related("region"), actor)
    if q:
        events = events.filter(Q(object_repr__icontains=q) | Q(object_id=q))
    if actor_name:
        events = events.filter(actor_name__icontains=actor_name)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events
