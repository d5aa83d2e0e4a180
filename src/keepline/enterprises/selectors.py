"""Reads of the registry, always through the visibility function."""

from __future__ import annotations

from typing import Any, TypeVar

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise, Industry, IndustryLevel
from keepline.places.models import Region
from keepline.places.selectors import park_filter, region_filter

M = TypeVar("M", bound=models.Model)


def in_area(
    qs: QuerySet[M], *, region: str = "", park: str = "", industry: str = "", prefix: str = ""
) -> QuerySet[M]:
    """Rows of `qs` in a region's subtree, a park and an industry (a section letter or a
    division code); `prefix` leads from the rows to their enterprise ("enterprise__")."""
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(**{f"{prefix}region__path__startswith": found.path}) if found else qs.none()
    if park:
        qs = qs.filter(**{f"{prefix}park__code": park})
    if industry:
        if industry.isalpha():
            qs = qs.filter(**{f"{prefix}industry__parent__code": industry.upper()})
        else:
            qs = qs.filter(**{f"{prefix}industry__code": industry})
    return qs


def industry_choices(actor: Actor | None = None) -> list[tuple[str, str]]:
    """Sections, then their divisions indented, each with its code."""
    return [
        (i.code, f"{'' if i.level == IndustryLevel.SECTION else '　'}{i.code} {i.name}")
        for i in Industry.objects.order_by("code")
    ]


def industry_filter(prefix: str = "") -> ScopedChoiceFilter:
    """A section letter (its divisions) or a division code; `prefix` leads to the enterprise."""

    def apply(qs: QuerySet[Any], industry: Industry) -> QuerySet[Any]:
        if industry.level == IndustryLevel.SECTION:
            return qs.filter(**{f"{prefix}industry__parent": industry})
        return qs.filter(**{f"{prefix}industry": industry})

    return ScopedChoiceFilter(
        label=_("Industry"),
        empty_label=_("All industries"),
        choices=industry_choices,
        resolve=lambda actor, code: Industry.objects.filter(code=code.upper()).first(),
        apply=apply,
    )


class EnterpriseFilterSet(FilterSet):
    """The registry's filters: the list page, its export and `GET /api/enterprises`."""

    q = django_filters.CharFilter(
        label=_("Name or code"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Name or credit code")}),
    )
    region = region_filter()
    park = park_filter()
    industry = industry_filter()
    size = django_filters.ChoiceFilter(
        label=_("Size"),
        choices=[("above", _("Above designated size")), ("below", _("Below designated size"))],
        empty_label=_("All sizes"),
        method="by_size",
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def search(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(uscc__icontains=value)) if value else qs

    def by_size(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        return qs.filter(above_size=value == "above")


ENTERPRISES: Listing[Enterprise] = Listing(
    filterset=EnterpriseFilterSet,
    title=_("Enterprises"),
    filename="enterprises",
    page="enterprises:list",
    api="/api/enterprises",
    default_sort="name",
    related=("region", "park", "industry"),
    columns=(
        Column(
            "uscc",
            _("Unified social credit code"),
            sort="uscc",
            css="d-none d-md-table-cell",
            heading=_("Credit code"),
        ),
        Column("name", _("Name"), sort="name"),
        Column("region_code", _("Region code"), "region.code", table=False),
        Column("region", _("Region"), "region.name", sort="region__path"),
        Column("park", _("Park"), "park.name", css="d-none d-lg-table-cell"),
        Column("industry_code", _("Industry code"), "industry.code", table=False),
        Column(
            "industry",
            _("Industry"),
            "industry.name",
            sort="industry__code",
            css="d-none d-md-table-cell",
        ),
        Column("above_size", _("Above designated size"), table=False),
        Column(
            "output",
            _("Annual output value (10k CNY)"),
            "annual_output",
            sort="annual_output",
            css="num",
            heading=_("Output (10k CNY)"),
        ),
        Column("employees", _("Employees"), sort="employees", css="num d-none d-sm-table-cell"),
        Column("capacity_note", _("Production capacity"), table=False),
        Column("created", _("Created"), "created_at", sort="created_at", export=False, table=False),
    ),
)
