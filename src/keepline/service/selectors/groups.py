"""Reads of working groups."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from keepline.core.errors import NotFound
from keepline.core.models import User
from keepline.core.scopes import Actor, get_for, visible
from keepline.places.models import Region
from keepline.service.models import WorkingGroup


def working_groups(actor: Actor, at: dt.date | None = None) -> QuerySet[WorkingGroup]:
    """Working groups the actor may see; with `at`, only those active on that day."""
    qs = WorkingGroup.objects.select_related("leader")
    if at is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=at), starts_on__lte=at)
    return visible(qs, actor)


def get_working_group(
    actor: Actor, group_id: int, action: str = "view", *, lock: bool = False
) -> WorkingGroup:
    qs = (
        WorkingGroup.objects.select_for_update(of=("self",)) if lock else WorkingGroup.objects.all()
    )
    return get_for(qs, actor, group_id, action)


def visible_region(user: User, code: str) -> Region:
    """A region the user sees, by code (404 otherwise)."""
    found = visible(Region.objects.filter(code=code), user).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found
