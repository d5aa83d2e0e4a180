"""Reads of daily reports, deadlines, chases and targets, always through the visibility function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import with_mode
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.scopes import Actor, SystemActor, memberships, visible
from keepline.enterprises import selectors as enterprise_selectors
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import industry_filter
from keepline.places.models import Region
from keepline.places.selectors import park_filter, region_filter
from keepline.reports.models import (
    DailyReport,
    ReportChase,
    ReportDeadline,
    ResumptionTarget,
    TargetBasis,
)

M = TypeVar("M", bound=Model)

DEFAULT_DUE_TIME = "17:00"


def default_due_time() -> dt.time:
    """The deadline of a day where no official has set one: `KEEPLINE_REPORT_DUE_TIME`."""
    return dt.time.fromisoformat(getattr(settings, "KEEPLINE_REPORT_DUE_TIME", DEFAULT_DUE_TIME))


def end_of(day: dt.date) -> dt.datetime:
    """The last instant of a local day: modes and reports of a date are judged then."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def region_chain(path: str) -> list[str]:
    """The paths of a region and its ancestors, deepest first."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


class Deadlines:
    """The deadlines set for one date, loaded once: the one binding a region is the deadline of
    the nearest region above it (itself included), else the default time."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.by_path: dict[str, dt.time] = dict(
            ReportDeadline.objects.filter(date=day).values_list("region__path", "due_time")
        )
        self.default = default_due_time()

    def due_time(self, region_path: str) -> dt.time:
        for path in region_chain(region_path):
            if path in self.by_path:
                return self.by_path[path]
        return self.default

    def due_at(self, region_path: str) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day, self.due_time(region_path)))


def due_at(region: Region, day: dt.date) -> dt.datetime:
    return Deadlines(day).due_at(region.path)


@dataclass(frozen=True)
class AreaFilter:
    """Where: a region code (its whole subtree), a park code, an industry section or division."""

    region: str = ""
    park: str = ""
    industry: str = ""


def in_area(qs: QuerySet[M], f: AreaFilter, prefix: str = "") -> QuerySet[M]:
    """Rows of `qs` in the area; `prefix` leads from the rows to their enterprise."""
    return enterprise_selectors.in_area(
        qs, region=f.region, park=f.park, industry=f.industry, prefix=prefix
    )


def report_for(enterprise: Enterprise, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.filter(enterprise=enterprise, date=day).first()


def last_report_before(enterprise: Enterprise, day: dt.date) -> DailyReport | None:
    """The report a new one starts from: the latest before `day` (yesterday's, usually)."""
    return DailyReport.objects.filter(enterprise=enterprise, date__lt=day).order_by("-date").first()


def required_reporters(
    actor: Actor, day: dt.date, area: AreaFilter = AreaFilter()
) -> QuerySet[Enterprise]:
    """The enterprises that must report for `day`: above designated size, in the actor's scope
    and the area, and not in a seasonal stop by the end of that day (official mode)."""
    return _required(in_area(_reporters(actor), area), day)


def _reporters(actor: Actor) -> QuerySet[Enterprise]:
    return visible(Enterprise.objects.filter(above_size=True), actor)


def _required(qs: QuerySet[Enterprise], day: dt.date) -> QuerySet[Enterprise]:
    # `mode` is with_mode's annotation: a Q, since the type checker knows only model fields.
    return with_mode(qs, end_of(day)).exclude(Q(mode=EnterpriseMode.SEASONAL_STOP))


def _missing(qs: QuerySet[Enterprise], day: dt.date) -> QuerySet[Enterprise]:
    """The required reporters among `qs` with no report for `day`, with how often they have
    been asked."""
    chase = ReportChase.objects.filter(enterprise=OuterRef("pk"), date=day)
    return (
        _required(qs, day)
        .filter(~Exists(DailyReport.objects.filter(enterprise=OuterRef("pk"), date=day)))
        .annotate(
            chase_times=Coalesce(
                Subquery(chase.values("times")[:1]), Value(0), output_field=IntegerField()
            ),
            last_chased_at=Subquery(chase.values("last_chased_at")[:1]),
        )
        .select_related("region", "park", "industry")
    )


def missing_reports(
    actor: Actor, day: dt.date, area: AreaFilter = AreaFilter()
) -> QuerySet[Enterprise]:
    """Required reporters with no report for `day`, with how often they have been asked."""
    return _missing(in_area(_reporters(actor), area), day).order_by("region__path", "name", "pk")


def recent_reports(actor: Actor, enterprise: Enterprise) -> QuerySet[DailyReport]:
    """The enterprise's latest reports, for its report form."""
    return visible(DailyReport.objects.filter(enterprise=enterprise), actor).order_by(
        "-date", "pk"
    )[:10]


def filed_reports(rows: Sequence[dict[str, Any]], *, lock: bool = False) -> dict[Any, DailyReport]:
    """The reports already filed for the (enterprise, date) pairs of `rows`, by that pair."""
    qs: QuerySet[DailyReport] = DailyReport.objects.filter(
        enterprise_id__in={r["enterprise"].pk for r in rows}, date__in={r["date"] for r in rows}
    )
    if lock:
        qs = qs.select_for_update()
    return {(r.enterprise_id, r.date): r for r in qs}


def pending_chases(actor: Actor, enterprise: Enterprise) -> QuerySet[ReportChase]:
    """The dates the enterprise was asked to report for and still has not."""
    return (
        visible(ReportChase.objects.filter(enterprise=enterprise), actor)
        .filter(
            ~Exists(
                DailyReport.objects.filter(enterprise=OuterRef("enterprise"), date=OuterRef("date"))
            )
        )
        .order_by("date")
    )


def targets(actor: Actor) -> QuerySet[ResumptionTarget]:
    return visible(ResumptionTarget.objects.select_related("region", "park__region"), actor)


def own_enterprises(actor: Actor) -> list[Enterprise]:
    """The enterprises the actor reports for as their own (a liaison's), for the report page."""
    if isinstance(actor, SystemActor) or not actor.is_authenticated:
        return []
    allowed = DailyReport.access.roles_for("change")
    return [
        m.enterprise for m in memberships(actor) if m.enterprise is not None and m.role in allowed
    ]


# ---- the lists: one declaration each for the page, its export and the API --------------------


def _by_enterprise(qs: QuerySet[M], name: str, value: str) -> QuerySet[M]:
    value = value.strip()
    if not value:
        return qs
    return qs.filter(Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value))


def enterprise_search() -> django_filters.CharFilter:
    """A search box over the rows' enterprise, by part of its name or credit code."""
    return django_filters.CharFilter(
        label=_("Name or code"),
        method=_by_enterprise,
        widget=forms.TextInput({"type": "search", "placeholder": _("Name or credit code")}),
    )


class ReportFilterSet(FilterSet):
    """The filters of the report list, its export and `GET /api/reports`."""

    q = enterprise_search()
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")
    mode = django_filters.ChoiceFilter(
        label=_("Mode"), choices=EnterpriseMode.choices, empty_label=_("All modes")
    )
    late = django_filters.ChoiceFilter(
        label=_("Late"),
        choices=[("yes", _("Late")), ("no", _("On time"))],
        empty_label=_("Late or on time"),
        method="by_late",
    )
    region = region_filter("enterprise__")
    park = park_filter("enterprise__")
    industry = industry_filter("enterprise__")

    class Meta:
        model = DailyReport
        fields: list[str] = []

    def by_late(self, qs: QuerySet[DailyReport], name: str, value: str) -> QuerySet[DailyReport]:
        return qs.filter(late=value == "yes")


REPORTS: Listing[DailyReport] = Listing(
    filterset=ReportFilterSet,
    title=_("Daily reports"),
    filename="daily-reports",
    page="reports:list",
    api="/api/reports",
    default_sort="-date",
    related=("enterprise__region", "enterprise__park", "enterprise__industry"),
    columns=(
        Column("date", _("Report date"), sort="date"),
        Column("uscc", _("Unified social credit code"), "enterprise.uscc", table=False),
        Column("enterprise", _("Enterprise"), sort="enterprise__name", export=False),
        Column("name", _("Name"), "enterprise.name", table=False),
        Column(
            "region",
            _("Region"),
            "enterprise.region.name",
            sort="enterprise__region__path",
            css="d-none d-md-table-cell",
        ),
        Column("park", _("Park"), "enterprise.park.name", table=False),
        Column("mode", _("Mode"), lambda r: r.get_mode_display()),
        Column("staff_on_site", _("Staff on site"), css="num d-none d-sm-table-cell"),
        Column("staff_inside", _("Staff living inside the loop"), css="num d-none d-lg-table-cell"),
        Column(
            "output",
            _("Output value today (10k CNY)"),
            "output_value",
            sort="output_value",
            css="num",
            heading=_("Output (10k CNY)"),
        ),
        Column(
            "capacity",
            _("Capacity use (%)"),
            "capacity_use",
            sort="capacity_use",
            css="num d-none d-md-table-cell",
        ),
        Column(
            "raw_material_days", _("Days of raw-material stock"), css="num d-none d-lg-table-cell"
        ),
        Column(
            "finished_goods_days",
            _("Days of finished-goods stock"),
            css="num d-none d-lg-table-cell",
        ),
        Column("problems", _("Problems"), css="d-none d-xl-table-cell"),
        Column("submitted_by", _("Submitted by"), "submitted_by_name", table=False),
        Column("submitted", _("Last submitted"), "submitted_at", sort="submitted_at", table=False),
        Column("late", _("Late"), table=False),
        Column("flags", "", export=False),
    ),
)


class MissingFilterSet(FilterSet):
    """Who has not reported for a date (today unless one is named), in an area: the missing
    page, its export, `GET /api/reports/missing` and asking them all at once."""

    date = django_filters.DateFilter(label=_("Report date"), method="on_day")
    region = region_filter()
    park = park_filter()
    industry = industry_filter()

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def on_day(self, qs: QuerySet[Enterprise], name: str, value: dt.date) -> QuerySet[Enterprise]:
        # The day is applied in `filter_queryset`, where no date means today.
        return qs

    @property
    def day(self) -> dt.date:
        cleaned = getattr(self.form, "cleaned_data", {})
        return cleaned.get("date") or timezone.localdate()

    def filter_queryset(self, queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        return _missing(super().filter_queryset(queryset), self.day)


MISSING: Listing[Enterprise] = Listing(
    filterset=MissingFilterSet,
    title=_("Missing reports"),
    filename="missing-reports",
    page="reports:missing",
    api="/api/reports/missing",
    base=_reporters,
    default_sort="region",
    columns=(
        Column("uscc", _("Unified social credit code"), table=False),
        Column("name", _("Enterprise"), sort="name"),
        Column(
            "region", _("Region"), "region.name", sort="region__path", css="d-none d-md-table-cell"
        ),
        Column("park", _("Park"), "park.name", css="d-none d-lg-table-cell"),
        Column("due", _("Due"), export=False),
        Column("asked", _("Asked"), "chase_times", sort="chase_times"),
        Column("last_chased", _("Last asked"), "last_chased_at", table=False),
        Column("actions", "", export=False),
    ),
)


class DeadlineFilterSet(FilterSet):
    """The filters of the deadline list, its export and `GET /api/reports/deadlines`."""

    since = django_filters.DateFilter(label=_("Since"), field_name="date", lookup_expr="gte")
    region = region_filter()

    class Meta:
        model = ReportDeadline
        fields: list[str] = []


DEADLINES: Listing[ReportDeadline] = Listing(
    filterset=DeadlineFilterSet,
    title=_("Report deadlines"),
    filename="report-deadlines",
    page="reports:deadlines",
    api="/api/reports/deadlines",
    default_sort="-date",
    related=("region",),
    columns=(
        Column("date", _("Date"), sort="date"),
        Column("region", _("Region"), "region.name", sort="region__path"),
        Column("due_time", _("Due time"), sort="due_time"),
        Column("set_by", _("Set by"), "set_by_name"),
        Column("actions", "", export=False),
    ),
)


class TargetFilterSet(FilterSet):
    """The filters of the target list, its export and `GET /api/targets`."""

    basis = django_filters.ChoiceFilter(
        label=_("Basis"), choices=TargetBasis.choices, empty_label=_("Any basis")
    )

    class Meta:
        model = ResumptionTarget
        fields: list[str] = []


TARGETS: Listing[ResumptionTarget] = Listing(
    filterset=TargetFilterSet,
    title=_("Resumption targets"),
    filename="resumption-targets",
    page="reports:targets",
    api="/api/targets",
    base=targets,
    default_sort="date",
    columns=(
        Column("area", _("Area"), lambda t: str(t.park or t.region)),
        Column("date", _("By date"), sort="date"),
        Column("rate", _("Rate"), sort="rate", css="num"),
        Column("basis", _("Basis"), lambda t: t.get_basis_display()),
        Column("note", _("Note")),
        Column("actions", "", export=False),
    ),
)
