"""Reads of closed-loop production: modes at any time, qualification, plans, switches and
requests — many enterprises in one query, always through the visibility function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from keepline.bubble.models import (
    ClosedLoopPlan,
    EnterpriseMode,
    MeasureSwitch,
    ModeChangeRequest,
    ModeRecord,
    ModeRequestReview,
    PlanReview,
    PlanStatus,
    RequestStatus,
)
from keepline.core.scopes import Actor, may_place, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, Park, Region


def _latest_record(at: dt.datetime) -> QuerySet[ModeRecord]:
    return ModeRecord.objects.filter(enterprise=OuterRef("pk"), effective_from__lte=at).order_by(
        "-effective_from", "-id"
    )


def with_mode(qs: QuerySet[Enterprise], at: dt.datetime) -> QuerySet[Enterprise]:
    """Annotate `mode`: each enterprise's mode at `at` (normal when it has no record by then)."""
    return qs.annotate(
        mode=Coalesce(
            Subquery(_latest_record(at).values("mode")[:1]), Value(EnterpriseMode.NORMAL.value)
        )
    )


def with_mode_since(qs: QuerySet[Enterprise], at: dt.datetime) -> QuerySet[Enterprise]:
    """`with_mode`, plus `mode_since` (when that record took effect; None: never changed) and
    `mode_reason`."""
    latest = _latest_record(at)
    return with_mode(qs, at).annotate(
        mode_since=Subquery(latest.values("effective_from")[:1]),
        mode_reason=Subquery(latest.values("reason")[:1]),
    )


def modes_at(qs: QuerySet[Enterprise], at: dt.datetime) -> dict[int, str]:
    """{enterprise id: mode at `at`} for every enterprise of `qs`."""
    # The stubs do not see annotations made in another function: hence the ignores on `mode`.
    return dict(with_mode(qs, at).values_list("pk", "mode"))  # type: ignore[misc]


# ---- qualification ---------------------------------------------------------------------------


def local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _qualified(qs: QuerySet[Enterprise] | QuerySet[Park], field: str, at: dt.datetime) -> set[int]:
    # The latest version approved by `at` decides: a newer approved version replaces an older
    # one even when the newer one is not ready. Qualification lasts to the end of the review day.
    # One query in subject order, reduced here: a correlated subquery per subject is several
    # times slower on PostgreSQL for a whole district.
    rows = (
        ClosedLoopPlan.objects.filter(
            **{f"{field}__in": qs.order_by().values("pk")},
            status=PlanStatus.APPROVED,
            decided_at__lte=at,
        )
        .order_by(field, "-number")
        .values_list(field, "ready", "review_date")
    )
    day = local_date(at)
    seen: set[int] = set()
    qualified: set[int] = set()
    for pk, ready, review in rows:
        if pk in seen:
            continue
        seen.add(pk)
        if ready and review is not None and review >= day:
            qualified.add(pk)
    return qualified


def qualified_ids(qs: QuerySet[Enterprise], at: dt.datetime) -> set[int]:
    """The enterprises of `qs` qualified for closed-loop production at `at`, in one query."""
    return _qualified(qs, "enterprise", at)


def is_qualified(enterprise: Enterprise, at: dt.datetime) -> bool:
    return enterprise.pk in qualified_ids(Enterprise.objects.filter(pk=enterprise.pk), at)


def qualified_park_ids(qs: QuerySet[Park], at: dt.datetime) -> set[int]:
    """The parks of `qs` whose own plan (一园一策) is approved, ready and not past review."""
    return _qualified(qs, "park", at)


def qualifying_plan(
    *, enterprise: Enterprise | None = None, park: Park | None = None, at: dt.datetime
) -> ClosedLoopPlan | None:
    """The latest version approved by `at`, which decides qualification (ready or not)."""
    plans = ClosedLoopPlan.objects.filter(status=PlanStatus.APPROVED, decided_at__lte=at)
    plans = plans.filter(enterprise=enterprise) if enterprise else plans.filter(park=park)
    return plans.order_by("-number").first()


def qualifies(plan: ClosedLoopPlan | None, at: dt.datetime) -> bool:
    return bool(
        plan is not None
        and plan.ready
        and plan.review_date is not None
        and plan.review_date >= local_date(at)
    )


def gives_qualification(plan: ClosedLoopPlan, at: dt.datetime) -> bool:
    """Whether this version is the one that qualifies its enterprise or park at `at`."""
    current = qualifying_plan(enterprise=plan.enterprise, park=plan.park, at=at)
    return current is not None and current.pk == plan.pk and qualifies(current, at)


# ---- areas and switches ----------------------------------------------------------------------


def area_q(measure: ControlMeasure, prefix: str = "") -> Q:
    """Enterprises in the measure's area: the subtrees of its regions and its parks."""
    q = Q(pk__in=[])
    for region in measure.regions.all():
        q |= Q(**{f"{prefix}region__path__startswith": region.path})
    parks = [p.pk for p in measure.parks.all()]
    if parks:
        q |= Q(**{f"{prefix}park__in": parks})
    return q


def area_enterprises(measure: ControlMeasure) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(area_q(measure))


def can_switch(actor: Actor, measure: ControlMeasure) -> bool:
    """Switching writes the modes of the whole area: the actor must hold the right to change
    modes over every region and park the measure covers."""
    places: list[dict[str, Any]] = [{"region": r} for r in measure.regions.all()]
    places += [{"region": p.region, "park": p} for p in measure.parks.all()]
    return bool(places) and all(may_place(actor, "change", ModeRecord, **p) for p in places)


def switch_of(measure: ControlMeasure) -> MeasureSwitch | None:
    return MeasureSwitch.objects.filter(measure=measure).first()


def measures_for_switching(actor: Actor, state: str = "") -> QuerySet[ControlMeasure]:
    """Control measures the actor sees, each with its switch (if confirmed)."""
    qs = visible(ControlMeasure.objects.select_related("authority", "mode_switch"), actor)
    if state == "pending":
        qs = qs.filter(mode_switch__isnull=True)
    elif state == "switched":
        qs = qs.filter(mode_switch__isnull=False, mode_switch__return_at__isnull=True)
    elif state == "ended":
        qs = qs.filter(mode_switch__return_at__isnull=False)
    return qs.prefetch_related("regions", "parks")


# ---- modes list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeFilter:
    """The filters the modes page, its export and the API share."""

    region: str = ""  # a region code: the whole subtree
    park: str = ""  # a park code
    mode: str = ""  # an EnterpriseMode value
    q: str = ""  # part of the name or credit code


def modes(actor: Actor, f: ModeFilter, at: dt.datetime) -> QuerySet[Enterprise]:
    """Visible enterprises with their mode (and since when) at `at`."""
    qs = visible(Enterprise.objects.select_related("region", "park"), actor)
    if f.region:
        region = Region.objects.filter(code=f.region).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    if f.park:
        qs = qs.filter(park__code=f.park)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(uscc__icontains=f.q))
    qs = with_mode_since(qs, at)
    if f.mode in EnterpriseMode.values:
        qs = qs.filter(mode=f.mode)  # type: ignore[misc]
    return qs.order_by("region__path", "name", "pk")


def mode_counts(qs: QuerySet[Enterprise]) -> dict[str, int]:
    """{mode: count} over an annotated queryset, every mode present."""
    counts = {m: 0 for m in EnterpriseMode.values}
    for row in qs.order_by().values("mode").annotate(n=Count("pk")):  # type: ignore[misc]
        counts[row["mode"]] = row["n"]
    return counts


def history(actor: Actor, enterprise: Enterprise) -> QuerySet[ModeRecord]:
    return visible(
        ModeRecord.objects.filter(enterprise=enterprise).select_related("measure"), actor
    )


# ---- plans and requests ----------------------------------------------------------------------


def plans(
    actor: Actor, *, status: str = "", waiting: bool = False, q: str = ""
) -> QuerySet[ClosedLoopPlan]:
    """Plan versions the actor sees; `waiting`: submitted ones the actor decides."""
    qs = visible(ClosedLoopPlan.objects.select_related("enterprise__region", "park__region"), actor)
    if waiting:
        qs = qs.filter(
            Exists(
                visible(PlanReview.objects.all(), actor).filter(
                    pk=OuterRef("pk"), status=PlanStatus.SUBMITTED
                )
            )
        )
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(enterprise__name__icontains=q)
            | Q(enterprise__uscc__icontains=q)
            | Q(park__name__icontains=q)
            | Q(park__code__icontains=q)
        )
    return qs.order_by("-submitted_at", "-id")


def decides(actor: Actor, obj: ClosedLoopPlan | ModeChangeRequest) -> bool:
    """Whether the actor is the official who decides this plan or request."""
    review = PlanReview if isinstance(obj, ClosedLoopPlan) else ModeRequestReview
    return visible(review.objects.filter(pk=obj.pk), actor).exists()


def plan_versions(
    actor: Actor, *, enterprise: Enterprise | None = None, park: Park | None = None
) -> QuerySet[ClosedLoopPlan]:
    qs = ClosedLoopPlan.objects.filter(enterprise=enterprise) if enterprise else None
    if qs is None:
        qs = ClosedLoopPlan.objects.filter(park=park)
    return visible(qs, actor).order_by("-number")


def requests(
    actor: Actor, *, status: str = "", waiting: bool = False
) -> QuerySet[ModeChangeRequest]:
    qs = visible(ModeChangeRequest.objects.select_related("enterprise__region"), actor)
    if waiting:
        qs = qs.filter(
            Exists(
                visible(ModeRequestReview.objects.all(), actor).filter(
                    pk=OuterRef("pk"), status=RequestStatus.PENDING
                )
            )
        )
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")
