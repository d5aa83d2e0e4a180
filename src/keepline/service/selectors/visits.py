"""Reads of visits: the planned and the done list (page, export and API), one visit, and what
may be visited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.errors import Forbidden, InvalidInput, NotFound
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.models import User
from keepline.core.scopes import Actor, get_for, may, visible
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import in_area
from keepline.service.models import Visit, VisitStatus
from keepline.service.selectors.coverage import (
    COVERAGE_GRANTS,
    covered_enterprises,
    enterprise_filter,
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


def visit_enterprises(user: User) -> QuerySet[Enterprise]:
    """Enterprises the user may name on a visit: those they see, and those they cover."""
    covered = covered_enterprises(COVERAGE_GRANTS, user)
    return Enterprise.objects.filter(
        Q(pk__in=covered.values("pk")) | Q(pk__in=visible_enterprises(user).values("pk"))
    ).order_by("name", "pk")


# ---- the two lists ----------------------------------------------------------------------------


class VisitFilterSet(FilterSet):
    """The visits' filters, the same for both lists: the page, its export and
    `GET /api/service/visits`. The dates bound the planned date of a planned visit and the day
    of a visit done."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Enterprise"),
        method="search",
        widget=forms.TextInput(
            {"type": "search", "placeholder": gettext_lazy("Name or credit code")}
        ),
    )
    visitor = django_filters.CharFilter(
        label=gettext_lazy("Visitor"),
        field_name="visitor__username",
        widget=forms.TextInput({"placeholder": gettext_lazy("Visitor's username")}),
    )
    date_from = django_filters.DateFilter(label=gettext_lazy("From"), method="since")
    date_to = django_filters.DateFilter(label=gettext_lazy("To"), method="until")
    # From the enterprise's page: the visits to that enterprise.
    enterprise = enterprise_filter(lambda qs, e: qs.filter(enterprise=e))

    class Meta:
        model = Visit
        fields: list[str] = []

    def search(self, qs: QuerySet[Visit], name: str, value: str) -> QuerySet[Visit]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value)
        )

    def since(self, qs: QuerySet[Visit], name: str, value: dt.date) -> QuerySet[Visit]:
        return qs.filter(
            Q(status=VisitStatus.PLANNED, planned_for__gte=value)
            | Q(status=VisitStatus.DONE, visited_at__date__gte=value)
        )

    def until(self, qs: QuerySet[Visit], name: str, value: dt.date) -> QuerySet[Visit]:
        return qs.filter(
            Q(status=VisitStatus.PLANNED, planned_for__lte=value)
            | Q(status=VisitStatus.DONE, visited_at__date__lte=value)
        )


def _problem_numbers(visit: Visit) -> str:
    return ", ".join(str(pk) for pk in sorted(p.pk for p in visit.problems.all()))


def _columns(planned: bool) -> tuple[Column, ...]:
    """Both lists export the same columns; the table shows the planned date and the purpose of a
    planned visit, the time and the findings of one done."""
    return (
        Column("number", gettext_lazy("No."), "pk", table=False),
        Column(
            "planned_for",
            gettext_lazy("Planned date"),
            sort="planned_for" if planned else "",
            css="text-nowrap",
            table=planned,
        ),
        Column(
            "visited_at",
            gettext_lazy("Visited at"),
            sort="" if planned else "visited_at",
            css="text-nowrap",
            table=not planned,
        ),
        Column(
            "enterprise", gettext_lazy("Enterprise"), "enterprise.name", sort="enterprise__name"
        ),
        Column("uscc", gettext_lazy("Unified social credit code"), "enterprise.uscc", table=False),
        Column("region", gettext_lazy("Region"), "enterprise.region.name", table=False),
        Column(
            "visitor",
            gettext_lazy("Visitor"),
            lambda v: v.visitor.get_username(),
            sort="visitor__username",
        ),
        Column("companions", gettext_lazy("Went with"), table=False),
        Column("purpose", gettext_lazy("Purpose"), css="d-none d-md-table-cell", table=planned),
        Column(
            "findings", gettext_lazy("Findings"), css="d-none d-md-table-cell", table=not planned
        ),
        Column("problems", gettext_lazy("Problems"), _problem_numbers, table=False),
        Column("created_by", gettext_lazy("Recorded by"), table=False),
    )


def _listed(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return qs.select_related("enterprise__region").prefetch_related("problems")


# Two declarations of one FilterSet: which list is the page's tab (`list`), not a filter, since
# each list has rows of its own visibility and an order of its own. The auto-walk takes the
# planned list (the page's first tab); tests/service/test_lists.py walks the done one.
PLANNED_VISITS: Listing[Visit] = Listing(
    filterset=VisitFilterSet,
    title=gettext_lazy("Visits planned"),
    filename="visits-planned",
    page="service:visits",
    api="/api/service/visits",
    base=lambda actor: _listed(planned_visits(actor)),
    default_sort="planned_for",
    columns=_columns(planned=True),
)

DONE_VISITS: Listing[Visit] = Listing(
    filterset=VisitFilterSet,
    title=gettext_lazy("Visits done"),
    filename="visits-done",
    base=lambda actor: _listed(done_visits(actor)),
    default_sort="-visited_at",
    columns=_columns(planned=False),
)

VISIT_LISTS = {"planned": PLANNED_VISITS, "done": DONE_VISITS}


def visit_listing(which: Any, *, sees_planned: bool) -> Listing[Visit]:
    """The list a request names (`list`, planned by default); one who does not see the planned
    list (the enterprise's liaison, `rules.may_see_planned`) gets the done one."""
    which = which or "planned"
    if which not in VISIT_LISTS:
        raise InvalidInput(
            _("Choose the planned or the done list."), errors={"list": [_("planned or done")]}
        )
    return VISIT_LISTS[which if sees_planned else "done"]
