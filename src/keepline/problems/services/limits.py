"""Writes of the time-limit rules: how long a category and urgency allow to acknowledge,
reply in the interim and close."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import InvalidInput, NotFound
from keepline.core.scopes import Actor, holds
from keepline.problems.models import ProblemCategory, TimeLimit, Urgency
from keepline.problems.services._common import _choice, _require


def set_time_limit(
    *,
    actor: Actor,
    category: str = "",
    urgency: str = "",
    acknowledge_hours: int,
    interim_days: int,
    close_days: int,
) -> TimeLimit:
    """Create or change the time limits for a category and urgency (blank: any). Problems
    already filed keep the deadlines they were given."""
    _require(holds(actor, TimeLimit, "change"))
    category = _choice(category, ProblemCategory, "category", blank=True)
    urgency = _choice(urgency, Urgency, "urgency", blank=True)
    errors: dict[str, list[str]] = {}
    for name, value in [
        ("acknowledge_hours", acknowledge_hours),
        ("interim_days", interim_days),
        ("close_days", close_days),
    ]:
        if not isinstance(value, int) or value < 1:
            errors[name] = [_("Give a whole number of at least 1.")]
    if not errors and interim_days > close_days:
        errors["interim_days"] = [_("The interim reply cannot be due after the closing.")]
    if errors:
        raise InvalidInput(_("Correct the time limits."), errors=errors)
    with transaction.atomic():
        limit = (
            TimeLimit.objects.select_for_update().filter(category=category, urgency=urgency).first()
        )
        before = audit.snapshot(limit) if limit else None
        if limit is None:
            limit = TimeLimit(category=category, urgency=urgency)
        limit.acknowledge_hours = acknowledge_hours
        limit.interim_days = interim_days
        limit.close_days = close_days
        limit.save()
        audit.record(
            actor=actor,
            action=audit.Action.SET_TIME_LIMIT,
            obj=limit,
            before=before,
            after=audit.snapshot(limit),
        )
    return limit


def remove_time_limit(*, actor: Actor, limit_id: int) -> None:
    _require(holds(actor, TimeLimit, "change"))
    with transaction.atomic():
        limit = TimeLimit.objects.select_for_update().filter(pk=limit_id).first()
        if limit is None:
            raise NotFound(_("Not found."))
        audit.record(
            actor=actor,
            action=audit.Action.REMOVE_TIME_LIMIT,
            obj=limit,
            before=audit.snapshot(limit),
        )
        limit.delete()
