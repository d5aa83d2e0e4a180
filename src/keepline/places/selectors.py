"""Reads of places: the park and control-measure lists, and the region and park filters every
list of things in places shares."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter
from keepline.core.scopes import Actor, visible
from keepline.places.models import ControlMeasure, MeasureKind, MeasureStatus, Park, Region


def region_label(region: Region) -> str:
    """A region indented by its depth in the tree, with its code."""
    return f"{'　' * max(region.depth - 1, 0)}{region.code} {region.name}"


def region_choices(actor: Actor) -> list[tuple[str, str]]:
    return [(r.code, region_label(r)) for r in visible(Region.objects.all(), actor)]


def park_choices(actor: Actor) -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.code})") for p in visible(Park.objects.all(), actor)]


def region_filter(prefix: str = "", label: Any = None) -> ScopedChoiceFilter:
    """Rows in a region's subtree; `prefix` leads from the rows to theirs ("enterprise__").
    Region codes are public (GB/T 2260): any real code is accepted, the rows stay visible ones."""
    return ScopedChoiceFilter(
        label=label or _("Region"),
        empty_label=_("All regions"),
        choices=region_choices,
        resolve=lambda actor, code: Region.objects.filter(code=code).first(),
        apply=lambda qs, region: qs.filter(**{f"{prefix}region__path__startswith": region.path}),
    )


def park_filter(prefix: str = "", label: Any = None) -> ScopedChoiceFilter:
    return ScopedChoiceFilter(
        label=label or _("Park"),
        empty_label=_("All parks"),
        choices=park_choices,
        resolve=lambda actor, code: Park.objects.filter(code=code).first(),
        apply=lambda qs, park: qs.filter(**{f"{prefix}park": park}),
    )


class ParkFilterSet(FilterSet):
    """The parks' filters: the list page, its export and `GET /api/parks`."""

    q = django_filters.CharFilter(
        label=_("Name or code"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Name or code")}),
    )
    region = region_filter()

    class Meta:
        model = Park
        fields: list[str] = []

    def search(self, qs: QuerySet[Park], name: str, value: str) -> QuerySet[Park]:
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else qs


PARKS: Listing[Park] = Listing(
    filterset=ParkFilterSet,
    title=_("Parks"),
    filename="parks",
    page="places:parks",
    api="/api/parks",
    default_sort="region",
    related=("region",),
    columns=(
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name"),
        Column("region_code", _("Region code"), "region.code", table=False),
        Column("region", _("Region"), "region.name", sort="region__path"),
        Column("level", _("Level"), lambda p: p.get_level_display(), sort="level"),
        Column(
            "committee_contact",
            _("Management committee contact"),
            sort="committee_contact",
            css="d-none d-md-table-cell",
        ),
        Column("committee_phone", _("Committee office phone"), table=False),
    ),
)


def _covers(measure: ControlMeasure) -> str:
    regions = "、".join(str(r) for r in measure.regions.all())
    parks = " · ".join(str(p) for p in measure.parks.all())
    return " · ".join(part for part in (regions, parks) if part)


class MeasureFilterSet(FilterSet):
    """The control measures' filters: the list page, its export and `GET /api/measures`."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=MeasureStatus.choices,
        empty_label=_("Any status"),
        method="by_status",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=MeasureKind.choices, empty_label=_("Any kind")
    )

    class Meta:
        model = ControlMeasure
        fields: list[str] = []

    def by_status(
        self, qs: QuerySet[ControlMeasure], name: str, value: str
    ) -> QuerySet[ControlMeasure]:
        now = timezone.now()
        if value == MeasureStatus.IN_FORCE:
            return qs.filter(ControlMeasure.in_force_at(now))
        if value == MeasureStatus.SCHEDULED:
            return qs.filter(starts_at__gt=now)
        return qs.filter(ends_at__lte=now)


MEASURES: Listing[ControlMeasure] = Listing(
    filterset=MeasureFilterSet,
    title=_("Control measures"),
    filename="measures",
    page="places:measures",
    api="/api/measures",
    default_sort="-starts_at",
    base=lambda actor: visible(
        ControlMeasure.objects.select_related("authority").prefetch_related("regions", "parks"),
        actor,
    ),
    columns=(
        Column("title", _("Title"), sort="title"),
        Column("kind", _("Kind"), lambda m: m.get_kind_display(), sort="kind"),
        Column("authority", _("Issuing authority"), "authority.name", table=False),
        Column("covers", _("Covers"), _covers),
        Column("starts_at", _("Starts"), sort="starts_at"),
        Column("ends_at", _("Ends"), sort="ends_at"),
        Column("strictness", _("Strictness"), sort="strictness", table=False),
        Column("status", _("Status"), lambda m: str(m.status().label)),
        Column("notes", _("Notes"), table=False),
    ),
)
