"""Reads of working groups, and their list (page, export and API)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.errors import NotFound
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.models import User
from keepline.core.scopes import Actor, get_for, visible
from keepline.places.models import Region
from keepline.service.models import WorkingGroup


def _active_on(qs: QuerySet[WorkingGroup], at: dt.date) -> QuerySet[WorkingGroup]:
    return qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=at), starts_on__lte=at)


def working_groups(actor: Actor, at: dt.date | None = None) -> QuerySet[WorkingGroup]:
    """Working groups the actor may see; with `at`, only those active on that day."""
    qs = WorkingGroup.objects.select_related("leader")
    if at is not None:
        qs = _active_on(qs, at)
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


class WorkingGroupFilterSet(FilterSet):
    """The working groups' filters: the page (its "active today" tab), its export and
    `GET /api/service/groups`."""

    active = django_filters.ChoiceFilter(
        label=gettext_lazy("Active today"),
        choices=[("1", gettext_lazy("Active today"))],
        empty_label=gettext_lazy("All"),
        method="active_today",
    )
    active_on = django_filters.DateFilter(label=gettext_lazy("Active on"), method="active_that_day")

    class Meta:
        model = WorkingGroup
        fields: list[str] = []

    def active_today(
        self, qs: QuerySet[WorkingGroup], name: str, value: str
    ) -> QuerySet[WorkingGroup]:
        return _active_on(qs, timezone.localdate())

    def active_that_day(
        self, qs: QuerySet[WorkingGroup], name: str, value: dt.date
    ) -> QuerySet[WorkingGroup]:
        return _active_on(qs, value)


def _supervises(group: WorkingGroup) -> str:
    return ", ".join([*(str(r) for r in group.regions.all()), *(str(p) for p in group.parks.all())])


WORKING_GROUPS: Listing[WorkingGroup] = Listing(
    filterset=WorkingGroupFilterSet,
    title=gettext_lazy("Working groups"),
    filename="working-groups",
    page="service:groups",
    api="/api/service/groups",
    base=lambda actor: (
        working_groups(actor)
        .select_related("authority")
        .prefetch_related("regions", "parks", "members")
    ),
    default_sort="-period",
    columns=(
        Column("name", gettext_lazy("Name"), sort="name"),
        Column("authority", gettext_lazy("Sent by"), "authority.name", table=False),
        Column(
            "leader",
            gettext_lazy("Leader"),
            lambda g: g.leader.get_username(),
            sort="leader__username",
        ),
        Column("supervises", gettext_lazy("Supervises"), _supervises, css="d-none d-md-table-cell"),
        Column("starts_on", gettext_lazy("Starts on"), table=False),
        Column("ends_on", gettext_lazy("Ends on"), table=False),
        # The table's period sorts by the first day, latest first by default (the model's order).
        Column(
            "period",
            gettext_lazy("Period"),
            sort=("starts_on",),
            export=False,
            css="text-nowrap small",
        ),
        Column(
            "members",
            gettext_lazy("Members"),
            lambda g: ", ".join(sorted(u.get_username() for u in g.members.all())),
            css="d-none d-md-table-cell",
        ),
        Column("purpose", gettext_lazy("Purpose"), table=False),
    ),
)
