"""Reads of daily reports, deadlines, chases and targets, always through the visibility function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db.models import Exists, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import with_mode
from keepline.core.scopes import Actor, SystemActor, memberships, visible
from keepline.enterprises import selectors as enterprise_selectors
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.reports.models import (
    DailyReport,
    ReportChase,
    ReportDeadline,
    ResumptionTarget,
)

M = TypeVar("M", bound=Model)

DEFAULT_DUE_TIME = "17:00"

REPORT_SORTS = {
    "date": "date",
    "enterprise": "enterprise__name",
    "region": "enterprise__region__path",
    "output": "output_value",
    "capacity": "capacity_use",
    "submitted": "submitted_at",
}


def default_due_time() -> dt.time:
    """The deadline of a day where no official has set one: `KEEPLINE_REPORT_DUE_TIME`."""
    return dt.time.fromisoformat(getattr(settings, "KEEPLINE_REPORT_DUE_TIME", DEFAULT_DUE_TIME))


def local_today() -> dt.date:
    return timezone.localdate()


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


@dataclass(frozen=True)
class ReportFilter:
    """The filters the report list, its export and the API share."""

    area: AreaFilter = AreaFilter()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    mode: str = ""
    late: str = ""  # "yes" | "no" | ""
    q: str = ""  # part of the enterprise's name or credit code
    sort: str = "-date"


def reports(actor: Actor, f: ReportFilter) -> QuerySet[DailyReport]:
    qs = visible(
        DailyReport.objects.select_related(
            "enterprise__region", "enterprise__park", "enterprise__industry"
        ),
        actor,
    )
    qs = in_area(qs, f.area, "enterprise__")
    if f.date_from:
        qs = qs.filter(date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(date__lte=f.date_to)
    if f.mode in EnterpriseMode.values:
        qs = qs.filter(mode=f.mode)
    if f.late in ("yes", "no"):
        qs = qs.filter(late=f.late == "yes")
    if f.q:
        qs = qs.filter(Q(enterprise__name__icontains=f.q) | Q(enterprise__uscc__icontains=f.q))
    key = f.sort.lstrip("-")
    field = REPORT_SORTS.get(key, "date")
    descending = f.sort.startswith("-") or key not in REPORT_SORTS
    return qs.order_by(("-" if descending else "") + field, "enterprise__name", "pk")


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
    qs = in_area(visible(Enterprise.objects.filter(above_size=True), actor), area)
    # `mode` is with_mode's annotation: a Q, since the type checker knows only model fields.
    return with_mode(qs, end_of(day)).exclude(Q(mode=EnterpriseMode.SEASONAL_STOP))


def missing_reports(
    actor: Actor, day: dt.date, area: AreaFilter = AreaFilter()
) -> QuerySet[Enterprise]:
    """Required reporters with no report for `day`, with how often they have been asked."""
    chase = ReportChase.objects.filter(enterprise=OuterRef("pk"), date=day)
    return (
        required_reporters(actor, day, area)
        .filter(~Exists(DailyReport.objects.filter(enterprise=OuterRef("pk"), date=day)))
        .annotate(
            chase_times=Coalesce(
                Subquery(chase.values("times")[:1]), Value(0), output_field=IntegerField()
            ),
            last_chased_at=Subquery(chase.values("last_chased_at")[:1]),
        )
        .select_related("region", "park", "industry")
        .order_by("region__path", "name", "pk")
    )


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


def deadlines(actor: Actor, since: dt.date | None = None) -> QuerySet[ReportDeadline]:
    qs = visible(ReportDeadline.objects.select_related("region"), actor)
    return qs.filter(date__gte=since) if since else qs


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
