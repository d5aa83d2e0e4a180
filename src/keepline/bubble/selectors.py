"""Reads of closed-loop production: modes at any time, qualification, the lists of modes, plans
and requests, switches — many enterprises in one query, always through the visibility function."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from keepline.core.lists import Column, FilterSet, Listing, YesNoFilter
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, Park
from keepline.places.selectors import park_filter, region_filter
from keepline.whitelist.selectors.listings import search_subject


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


# ---- the modes list ------------------------------------------------------------------------


class ModeFilterSet(FilterSet):
    """The modes' filters: the page, its export and `GET /api/modes`. Every row carries its
    mode at `as_of` (now when left out), which the mode filter reads."""

    q = django_filters.CharFilter(
        label=_("Name or code"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Name or credit code")}),
    )
    region = region_filter()
    park = park_filter()
    mode = django_filters.ChoiceFilter(
        label=_("Mode"), choices=EnterpriseMode.choices, empty_label=_("All modes")
    )
    as_of = django_filters.DateTimeFilter(
        label=_("As of"),
        method="at",
        widget=forms.DateTimeInput({"type": "datetime-local"}),
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        # The mode is an annotation at a moment, so it exists before any filter reads it.
        at = self.form.cleaned_data.get("as_of") or timezone.now()
        annotated = with_mode_since(queryset, at).annotate(
            as_of=Value(at, output_field=DateTimeField())
        )
        return super().filter_queryset(annotated)

    def at(self, qs: QuerySet[Enterprise], name: str, value: dt.datetime) -> QuerySet[Enterprise]:
        return qs  # read by filter_queryset, which annotates every row with it

    def search(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(uscc__icontains=value)) if value else qs


MODES: Listing[Enterprise] = Listing(
    filterset=ModeFilterSet,
    title=_("Enterprise modes"),
    filename="modes",
    page="bubble:modes",
    api="/api/modes",
    default_sort="region",
    related=("region", "park"),
    columns=(
        Column("uscc", _("Unified social credit code"), table=False),
        Column("name", _("Name"), sort="name"),
        Column("region_code", _("Region code"), "region.code", table=False),
        Column(
            "region", _("Region"), "region.name", sort="region__path", css="d-none d-sm-table-cell"
        ),
        Column(
            "park", _("Park"), lambda e: e.park.name if e.park else "", css="d-none d-md-table-cell"
        ),
        Column("mode", _("Mode"), lambda e: str(EnterpriseMode(e.mode).label), sort="mode"),
        Column("since", _("Since"), "mode_since", sort="mode_since"),
        Column("reason", _("Reason"), lambda e: e.mode_reason or "", css="d-none d-lg-table-cell"),
        Column(
            "as_of",
            _("As of"),
            lambda e: timezone.localtime(e.as_of).strftime("%Y-%m-%d %H:%M"),
            table=False,
        ),
    ),
)


def mode_counts(qs: QuerySet[Enterprise]) -> dict[str, int]:
    """{mode: count} over an annotated queryset, every mode present."""
    counts = {m: 0 for m in EnterpriseMode.values}
    for row in qs.order_by().values("mode").annotate(n=Count("pk")):  # type: ignore[misc]
        counts[row["mode"]] = row["n"]
    return counts


def mode_summary(actor: Actor, params: QueryDict) -> tuple[dict[str, int], dt.datetime]:
    """The count of each mode over the list's rows whatever the mode filter, and the moment
    they are read at; no counts when the filters are not valid."""
    others = params.copy()
    others.pop("mode", None)
    bound = MODES.bind(actor, others)
    if not bound.is_valid():
        return {m: 0 for m in EnterpriseMode.values}, timezone.now()
    return mode_counts(bound.qs), bound.form.cleaned_data.get("as_of") or timezone.now()


def history(actor: Actor, enterprise: Enterprise) -> QuerySet[ModeRecord]:
    return visible(
        ModeRecord.objects.filter(enterprise=enterprise).select_related("measure"), actor
    )


# ---- plans and requests ----------------------------------------------------------------------


class WaitingFilter(YesNoFilter):
    """Only what waits for the actor's decision ("1"), or everything the actor sees."""

    def __init__(self, review: type[PlanReview] | type[ModeRequestReview], status: str) -> None:
        self.review = review
        self.status = status
        super().__init__(
            label=_("Waiting for my decision"),
            choices=[("1", _("Waiting for my decision")), ("0", _("All I see"))],
            empty_label=None,
            widget=forms.HiddenInput,
        )

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if value != "1":
            return qs
        decided = visible(self.review.objects.all(), self.parent.actor)
        return qs.filter(Exists(decided.filter(pk=OuterRef("pk"), status=self.status)))


class PlanFilterSet(FilterSet):
    """The plans' filters: the page, its export and `GET /api/plans`."""

    waiting = WaitingFilter(PlanReview, PlanStatus.SUBMITTED)
    q = django_filters.CharFilter(
        label=_("Enterprise or park"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Enterprise or park")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PlanStatus.choices, empty_label=_("Any status")
    )

    class Meta:
        model = ClosedLoopPlan
        fields: list[str] = []

    def search(
        self, qs: QuerySet[ClosedLoopPlan], name: str, value: str
    ) -> QuerySet[ClosedLoopPlan]:
        return search_subject(qs, value, "park__code")


PLANS: Listing[ClosedLoopPlan] = Listing(
    filterset=PlanFilterSet,
    title=_("Closed-loop plans"),
    filename="plans",
    page="bubble:plans",
    api="/api/plans",
    default_sort="-submitted",
    related=("enterprise__region", "park__region"),
    columns=(
        Column("subject", _("Enterprise or park"), lambda p: str(p.subject)),
        Column("number", _("Version"), sort="number"),
        Column("status", _("Status"), lambda p: p.get_status_display(), sort="status"),
        Column("ready", _("Readiness"), sort="ready"),
        Column("submitted", _("Submitted"), "submitted_at", sort="submitted_at"),
        Column("review_date", _("Review date"), sort="review_date"),
    ),
)


def plan_versions(
    actor: Actor, *, enterprise: Enterprise | None = None, park: Park | None = None
) -> QuerySet[ClosedLoopPlan]:
    qs = ClosedLoopPlan.objects.filter(enterprise=enterprise) if enterprise else None
    if qs is None:
        qs = ClosedLoopPlan.objects.filter(park=park)
    return visible(qs, actor).order_by("-number")


class RequestFilterSet(FilterSet):
    """The change requests' filters: the page, its export and `GET /api/mode-requests`."""

    waiting = WaitingFilter(ModeRequestReview, RequestStatus.PENDING)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RequestStatus.choices, empty_label=_("Any status")
    )

    class Meta:
        model = ModeChangeRequest
        fields: list[str] = []


REQUESTS: Listing[ModeChangeRequest] = Listing(
    filterset=RequestFilterSet,
    title=_("Mode change requests"),
    filename="mode-requests",
    page="bubble:requests",
    api="/api/mode-requests",
    default_sort="-requested",
    related=("enterprise__region",),
    columns=(
        Column("enterprise", _("Enterprise"), "enterprise.name", sort="enterprise__name"),
        Column(
            "current_mode",
            _("From"),
            lambda c: str(EnterpriseMode(c.current_mode).label),
            sort="current_mode",
        ),
        Column(
            "requested_mode",
            _("Asked for"),
            lambda c: str(EnterpriseMode(c.requested_mode).label),
            sort="requested_mode",
        ),
        Column("status", _("Status"), lambda c: c.get_status_display(), sort="status"),
        Column("requested", _("Requested"), "requested_at", sort="requested_at"),
        Column("reason", _("Reason"), table=False),
    ),
)


def enterprise_requests(actor: Actor, enterprise: Enterprise) -> QuerySet[ModeChangeRequest]:
    """The enterprise's change requests, newest first."""
    return visible(ModeChangeRequest.objects.filter(enterprise=enterprise), actor).order_by(
        "-requested_at", "-id"
    )
