"""Reads of visits: the planned and the done list, one visit, and what may be visited."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from keepline.core.errors import Forbidden, NotFound
from keepline.core.models import User
from keepline.core.scopes import Actor, get_for, may, visible
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import in_area
from keepline.service.models import Visit, VisitStatus
from keepline.service.selectors.coverage import (
    COVERAGE_GRANTS,
    covered_enterprises,
    visible_enterprises,
)


def _visits(
    actor: Actor,
    action: str,
    status: str,
    *,
    visitor: User | None,
    enterprise: Enterprise | None,
    region: str,
    park: str,
) -> QuerySet[Visit]:
    qs = Visit.objects.select_related("enterprise", "visitor").filter(status=status)
    if visitor is not None:
        qs = qs.filter(visitor=visitor)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return visible(in_area(qs, region=region, park=park, prefix="enterprise__"), actor, action)


def planned_visits(
    actor: Actor,
    *,
    visitor: User | None = None,
    enterprise: Enterprise | None = None,
    region: str = "",
    park: str = "",
) -> QuerySet[Visit]:
    """The planned list, soonest first; the enterprise's own liaison does not see it."""
    return _visits(
        actor,
        "plan",
        VisitStatus.PLANNED,
        visitor=visitor,
        enterprise=enterprise,
        region=region,
        park=park,
    ).order_by("planned_for", "id")


def done_visits(
    actor: Actor,
    *,
    visitor: User | None = None,
    enterprise: Enterprise | None = None,
    region: str = "",
    park: str = "",
) -> QuerySet[Visit]:
    """The done list, latest first."""
    return _visits(
        actor,
        "view",
        VisitStatus.DONE,
        visitor=visitor,
        enterprise=enterprise,
        region=region,
        park=park,
    ).order_by("-visited_at", "-id")


def get_visit(actor: Actor, visit_id: int, action: str = "view", *, lock: bool = False) -> Visit:
    """One visit. A visit not yet done is internal: to a liaison it does not exist (404)."""
    qs = Visit.objects.select_for_update(of=("self",)) if lock else Visit.objects.all()
    visit = get_for(qs, actor, visit_id, "view")
    if visit.status != VisitStatus.DONE and not may(actor, "plan", visit):
        raise NotFound(_("Not found."))
    if action != "view" and not may(actor, action, visit):
        raise Forbidden(_("You may see this but not change it."))
    return visit


def visit_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """An enterprise to visit: one the user sees, or one they cover (404 otherwise)."""
    covered = covered_enterprises(COVERAGE_GRANTS, user)
    found = covered.select_related("region", "park").filter(pk=enterprise_id).first()
    if found is not None:
        return found
    return get_for(Enterprise.objects.select_related("region", "park"), user, enterprise_id)


def visit_enterprises(user: User) -> QuerySet[Enterprise]:
    """Enterprises the user may name on a visit: those they see, and those they cover."""
    covered = covered_enterprises(COVERAGE_GRANTS, user)
    return Enterprise.objects.filter(
        Q(pk__in=covered.values("pk")) | Q(pk__in=visible_enterprises(user).values("pk"))
    ).order_by("name", "pk")


def listed_enterprise(user: User, pk: int | None) -> Enterprise | None:
    """The enterprise a list is filtered by (404 for one out of sight)."""
    return None if pk is None else visit_enterprise(user, pk)
