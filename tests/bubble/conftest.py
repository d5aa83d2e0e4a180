"""Helpers for closed-loop tests: a fixed clock, ready plans and measures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.bubble import selectors
from keepline.bubble.models import ClosedLoopPlan
from keepline.bubble.services import plans as plan_services
from keepline.bubble.services import switching as switch_services
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, Park, Region
from tests.conftest import SYSTEM, TZ

# A clock well after the world's own measure (8 Sep 2022), so plans and switches are "now".
NOW = dt.datetime(2030, 3, 1, 10, 0, tzinfo=TZ)
REVIEW = dt.date(2030, 6, 30)

READY: dict[str, Any] = {
    "perimeter_sealable": True,
    "gates": 2,
    "guard_posts": 2,
    "staff_inside": 150,
    "beds": 160,
    "meals_per_day": 450,
    "raw_material_days": 10,
    "finished_goods_days": 7,
    "key_inputs": "高粱、小麦：本地合作社直供",
    "isolation_rooms": 3,
    "on_site_sampling": True,
    "sampling_points": 2,
    "reduced_staff_plan": "减员至 60% 时保留两条灌装线",
    "alternative_logistics": "铁路专线 + 备用车队",
    "review_date": REVIEW,
}


def qualify(
    enterprise: Enterprise, review: dt.date = REVIEW, at: dt.datetime = NOW, **changes: Any
) -> ClosedLoopPlan:
    """Submit and approve a plan for the enterprise (ready unless `changes` break a rule)."""
    plan = plan_services.save_plan(
        actor=SYSTEM,
        enterprise_id=enterprise.pk,
        data={**READY, "review_date": review, **changes},
        submit=True,
        now=at - dt.timedelta(days=2),
    )
    return plan_services.decide_plan(
        actor=SYSTEM, plan_id=plan.pk, approve=True, now=at - dt.timedelta(days=1)
    )


def make_measure(
    title: str,
    *,
    authority: Region,
    regions: list[Region] = (),  # type: ignore[assignment]
    parks: list[Park] = (),  # type: ignore[assignment]
    starts: dt.datetime = NOW - dt.timedelta(hours=1),
    ends: dt.datetime | None = None,
    strictness: int = 2,
) -> ControlMeasure:
    measure = ControlMeasure.objects.create(
        kind="static",
        title=title,
        authority=authority,
        starts_at=starts,
        ends_at=ends,
        strictness=strictness,
    )
    measure.regions.set(regions)
    measure.parks.set(parks)
    return measure


def switch(measure: ControlMeasure, at: dt.datetime = NOW) -> int:
    """Preview and confirm as the system; the number switched."""
    preview = switch_services.preview_switch(actor=SYSTEM, measure_id=measure.pk, at=at)
    done = switch_services.confirm_switch(
        actor=SYSTEM, measure_id=measure.pk, expected_count=preview.change_count, now=at
    )
    return done.switched


def mode(enterprise: Enterprise, at: dt.datetime) -> str:
    return selectors.modes_at(Enterprise.objects.filter(pk=enterprise.pk), at)[enterprise.pk]
