"""Who decides a plan or a request, who writes a plan, sets a mode, asks for one, or switches a
measure's area: the predicates the services enforce and the pages ask before offering a step."""

from __future__ import annotations

from typing import Any

from keepline.bubble.models import (
    ClosedLoopPlan,
    ModeChangeRequest,
    ModeRecord,
    ModeRequestReview,
    PlanReview,
)
from keepline.core.scopes import Actor, may_place, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, Park


def decides(actor: Actor, obj: ClosedLoopPlan | ModeChangeRequest) -> bool:
    """Whether the actor is the official who decides this plan or request."""
    review = PlanReview if isinstance(obj, ClosedLoopPlan) else ModeRequestReview
    return visible(review.objects.filter(pk=obj.pk), actor).exists()


def may_write_plan(actor: Actor, *, enterprise: Enterprise | None, park: Park | None) -> bool:
    """Whether the actor writes the plan of this enterprise (一企一策) or park (一园一策)."""
    if enterprise is not None:
        return may_place(
            actor,
            "change",
            ClosedLoopPlan,
            region=enterprise.region,
            park=enterprise.park,
            enterprise=enterprise,
        )
    assert park is not None
    return may_place(actor, "change", ClosedLoopPlan, region=park.region, park=park)


def may_set_mode(actor: Actor, enterprise: Enterprise) -> bool:
    """A district or park official over the enterprise sets its mode by hand."""
    return may_place(actor, "change", ModeRecord, region=enterprise.region, park=enterprise.park)


def may_request_mode(actor: Actor, enterprise: Enterprise) -> bool:
    """Only the enterprise's liaison asks for its mode to change."""
    return may_place(actor, "create", ModeChangeRequest, enterprise=enterprise)


def can_switch(actor: Actor, measure: ControlMeasure) -> bool:
    """Switching writes the modes of the whole area: the actor must hold the right to change
    modes over every region and park the measure covers."""
    places: list[dict[str, Any]] = [{"region": r} for r in measure.regions.all()]
    places += [{"region": p.region, "park": p} for p in measure.parks.all()]
    return bool(places) and all(may_place(actor, "change", ModeRecord, **p) for p in places)
