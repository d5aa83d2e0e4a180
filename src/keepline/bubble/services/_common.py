"""What the closed-loop services share: the actor's name and the clock, when a dated change takes
effect, who decides a subject's plan or request, and how a decision on one is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keepline.bubble import selectors
from keepline.core import audit
from keepline.core.scopes import Actor, SystemActor
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park

MAX_TEXT = 4000


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


def _stamp_decision(
    obj: Any,
    *,
    actor: Actor,
    status: str,
    note: str,
    now: dt.datetime,
    before: dict[str, Any],
    fields: list[str],
    action: audit.Action,
) -> None:
    """Write a plan's or a request's decision (who, when, why), bump its version and audit the
    change from `before` (the snapshot of `fields` taken before the decision's other writes)."""
    obj.status = status
    obj.decided_by = _name(actor)
    obj.decided_at = now
    obj.decision_note = note[:MAX_TEXT]
    obj.version += 1
    obj.save()
    old, new = audit.changes(before, audit.snapshot(obj, fields))
    audit.record(actor=actor, action=action, obj=obj, before=old, after=new)
