"""Reads of places, and the region and park filters every list of things in places shares."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from keepline.core.lists import ScopedChoiceFilter
from keepline.core.scopes import Actor, visible
from keepline.places.models import Park, Region


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
