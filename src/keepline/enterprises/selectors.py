"""Reads of the registry, always through the visibility function."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region

SORTS = {
    "name": "name",
    "uscc": "uscc",
    "region": "region__path",
    "industry": "industry__code",
    "output": "annual_output",
    "employees": "employees",
    "created": "created_at",
}


@dataclass(frozen=True)
class EnterpriseFilter:
    """The filters the list page, the export and the API share."""

    region: str = ""  # a region code: the whole subtree
    park: str = ""  # a park code
    industry: str = ""  # a section letter or a division code
    size: str = ""  # "above" | "below" | ""
    q: str = ""  # part of the name or the credit code
    sort: str = "name"  # a key of SORTS, "-" for descending


def enterprises(actor: Actor, f: EnterpriseFilter) -> QuerySet[Enterprise]:
    qs = visible(Enterprise.objects.select_related("region", "park", "industry"), actor)
    if f.region:
        region = Region.objects.filter(code=f.region).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    if f.park:
        qs = qs.filter(park__code=f.park)
    if f.industry:
        if f.industry.isalpha():
            qs = qs.filter(industry__parent__code=f.industry.upper())
        else:
            qs = qs.filter(industry__code=f.industry)
    if f.size == "above":
        qs = qs.filter(above_size=True)
    elif f.size == "below":
        qs = qs.filter(above_size=False)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(uscc__icontains=f.q))
    key = f.sort.lstrip("-")
    field = SORTS.get(key, "name")
    descending = f.sort.startswith("-") and key in SORTS
    return qs.order_by(("-" if descending else "") + field, "pk")
