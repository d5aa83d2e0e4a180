"""Reads of the registry, always through the visibility function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region

M = TypeVar("M", bound=models.Model)

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


def enterprises(actor: Actor, f: EnterpriseFilter) -> QuerySet[Enterprise]:
    qs = visible(Enterprise.objects.select_related("region", "park", "industry"), actor)
    qs = in_area(qs, region=f.region, park=f.park, industry=f.industry)
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
