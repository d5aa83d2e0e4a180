"""Where a resumption target stands at the as-of time: the gap, the days left, the pace
needed, and whether the area is on track."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy

from keepline.core.scopes import Actor
from keepline.places.models import Park, Region
from keepline.reports import selectors
from keepline.reports.indicators.rates import CENT, Summary, change
from keepline.reports.models import ResumptionTarget, TargetBasis


class TargetStatus(TextChoices):
    REACHED = "reached", gettext_lazy("Reached")
    ON_TRACK = "on_track", gettext_lazy("On track")
    BEHIND = "behind", gettext_lazy("Behind")
    MISSED = "missed", gettext_lazy("Missed")


@dataclass(frozen=True)
class TargetProgress:
    """Where a resumption target stands at the as-of time."""

    target: ResumptionTarget
    area: str
    actual: Decimal | None
    gap: Decimal | None  # target − actual, in points; ≤ 0 once reached
    days_left: int
    needed_per_day: Decimal | None
    status: TargetStatus


def progress(
    actor: Actor,
    *,
    area: Region | None,
    park: Park | None,
    summary: Summary,
    previous: Summary,
    as_of: dt.datetime,
) -> list[TargetProgress]:
    """The targets of the smallest area holding the scope: its park, else the nearest region;
    `summary` is the scope's at `as_of`, `previous` the day before."""
    if area is None:
        return []
    chain = selectors.region_chain(area.path)
    q = Q(region__path__in=chain)
    if park is not None:
        q |= Q(park=park)
    found = list(selectors.targets(actor).filter(q))
    areas: list[tuple[str, Any]] = ([("park", park.pk)] if park else []) + [
        ("region", path) for path in chain
    ]
    for kind, key in areas:
        chosen = [
            t
            for t in found
            if (kind == "park" and t.park_id == key)
            or (kind == "region" and t.region is not None and t.region.path == key)
        ]
        if chosen:
            break
    else:
        return []
    today = timezone.localtime(as_of).date()
    out = []
    for target in chosen:
        actual = summary.rate(target.basis)
        day_on_day = change(
            summary,
            previous,
            "resumption_output" if target.basis == TargetBasis.OUTPUT else "resumption_count",
        )
        gap = None if actual is None else target.rate - actual
        days_left = (target.date - today).days
        needed = None
        if gap is None or gap > 0:
            needed = (
                (gap / days_left).quantize(CENT, rounding=ROUND_HALF_UP)
                if gap is not None and days_left > 0
                else gap
            )
        if gap is not None and gap <= 0:
            status = TargetStatus.REACHED
        elif days_left < 0:
            status = TargetStatus.MISSED
        elif needed is not None and day_on_day is not None and day_on_day >= needed:
            status = TargetStatus.ON_TRACK
        else:
            status = TargetStatus.BEHIND
        out.append(
            TargetProgress(
                target=target,
                area=str(target.park or target.region),
                actual=actual,
                gap=gap,
                days_left=days_left,
                needed_per_day=needed,
                status=status,
            )
        )
    return out
