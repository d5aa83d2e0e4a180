"""Template helpers of the report lists: what the rows of a page need beyond their columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.core.paginator import Page

from keepline.core.scopes import visible
from keepline.reports.selectors import Deadlines

register = template.Library()


@register.simple_tag(takes_context=True)
def changeable(context: dict[str, Any], page: Page[Any]) -> set[int]:
    """The ids of the page's objects the user may change, in one query."""
    rows = list(page)
    if not rows:
        return set()
    model = type(rows[0])
    ids = [obj.pk for obj in rows]
    return set(
        visible(model.objects.filter(pk__in=ids), context["request"].user, "change").values_list(
            "pk", flat=True
        )
    )


@register.filter
def due_under(region_path: str, deadlines: Deadlines) -> dt.datetime:
    """When the enterprises of a region must report, under the deadlines of the day."""
    return deadlines.due_at(region_path)
