""" "My work": the commissioner's one place, what a person covers today and how it stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from keepline.bubble.selectors import modes_at
from keepline.core.models import User
from keepline.core.scopes import visible
from keepline.enterprises.models import Enterprise
from keepline.problems import selectors as problem_selectors
from keepline.problems.models import OPEN_STATUSES, Problem
from keepline.reports.models import DailyReport
from keepline.service.models import Coverage, CoverageKind, KeyProject, Visit
from keepline.service.selectors.coverage import covered_by
from keepline.service.selectors.visits import done_visits, planned_visits

# "My work": the commissioner's one place ---------------------------------------------------


@dataclass
class EnterpriseWork:
    """One enterprise the person covers themselves, as it stands today."""

    enterprise: Enterprise
    mode: str
    report_in: bool
    problems: list[tuple[Problem, problem_selectors.DeadlineState]]
    next_visit: Visit | None
    last_visit: Visit | None
    via: list[Coverage] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for _p, state in self.problems if state.overdue)

    @property
    def near(self) -> int:
        return sum(1 for _p, state in self.problems if state.near)


@dataclass
class AreaWork:
    """A region or park a leader covers: how its enterprises stand today, in numbers."""

    coverage: Coverage
    enterprises: int
    reports_in: int
    open_problems: int
    overdue: int


@dataclass
class MyWork:
    at: dt.datetime
    coverages: list[Coverage]
    enterprises: list[EnterpriseWork]
    areas: list[AreaWork]
    projects: list[KeyProject]
    planned_visits: int

    @property
    def counts(self) -> dict[str, int]:
        return {
            "enterprises": len(self.enterprises),
            "reports_in": sum(1 for e in self.enterprises if e.report_in),
            "open_problems": sum(len(e.problems) for e in self.enterprises),
            "overdue": sum(e.overdue for e in self.enterprises),
            "near": sum(e.near for e in self.enterprises),
            "planned_visits": self.planned_visits,
            "projects": len(self.projects),
            "areas": len(self.areas),
        }


def _area_enterprises(user: User, coverage: Coverage) -> QuerySet[Enterprise]:
    qs = visible(Enterprise.objects.all(), user)
    if coverage.park_id is not None:
        return qs.filter(park_id=coverage.park_id)
    assert coverage.region is not None
    return qs.filter(region__path__startswith=coverage.region.path)


def _first_each(
    visits: QuerySet[Visit], enterprise_ids: list[int], *order: str
) -> dict[int, Visit]:
    """The first visit of each of these enterprises in `order` (the list's own), in one query."""
    ranked = (
        visits.filter(enterprise__in=enterprise_ids)
        .annotate(rank=Window(RowNumber(), partition_by=F("enterprise_id"), order_by=list(order)))
        .filter(rank=1)
    )
    return {v.enterprise_id: v for v in ranked}


def my_work(user: User, now: dt.datetime | None = None) -> MyWork:
    """What `user` covers today and how it stands, all through their own visibility: the
    enterprises they cover (directly or through a key project) one by one, the areas they
    cover in numbers, their key projects and their planned visits."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = list(
        covered_by(user, user, today)
        .select_related("project__enterprise")
        .order_by("kind", "since", "id")
    )
    projects = [r.project for r in rows if r.project is not None]
    via: dict[int, list[Coverage]] = {}
    for row in rows:
        if row.enterprise_id is not None:
            via.setdefault(row.enterprise_id, []).append(row)
        elif row.project is not None:
            via.setdefault(row.project.enterprise_id, []).append(row)
    enterprises = list(
        visible(Enterprise.objects.filter(pk__in=list(via)), user)
        .select_related("region", "park")
        .order_by("name")
    )
    ids = [e.pk for e in enterprises]
    modes = modes_at(Enterprise.objects.filter(pk__in=ids), now)
    reported = set(
        DailyReport.objects.filter(enterprise__in=ids, date=today).values_list(
            "enterprise_id", flat=True
        )
    )
    open_problems: dict[int, list[tuple[Problem, problem_selectors.DeadlineState]]] = {}
    for problem in (
        problem_selectors.problems(user)
        .filter(enterprise__in=ids, status__in=OPEN_STATUSES)
        .order_by("close_due", "id")
    ):
        state = problem_selectors.deadline_state(problem, now)
        open_problems.setdefault(problem.enterprise_id, []).append((problem, state))
    next_visits = _first_each(planned_visits(user), ids, "planned_for", "id")
    last_visits = _first_each(done_visits(user), ids, "-visited_at", "-id")
    work = [
        EnterpriseWork(
            enterprise=e,
            mode=modes.get(e.pk, "normal"),
            report_in=e.pk in reported,
            problems=open_problems.get(e.pk, []),
            next_visit=next_visits.get(e.pk),
            last_visit=last_visits.get(e.pk),
            via=via[e.pk],
        )
        for e in enterprises
    ]
    areas = []
    for row in rows:
        if row.kind != CoverageKind.AREA:
            continue
        area = _area_enterprises(user, row)
        problems = problem_selectors.problems(user).filter(
            enterprise__in=area.values("pk"), status__in=OPEN_STATUSES
        )
        areas.append(
            AreaWork(
                coverage=row,
                enterprises=area.count(),
                reports_in=DailyReport.objects.filter(
                    enterprise__in=area.values("pk"), date=today
                ).count(),
                open_problems=problems.count(),
                overdue=sum(
                    1 for p in problems if problem_selectors.deadline_state(p, now).overdue
                ),
            )
        )
    return MyWork(
        at=now,
        coverages=rows,
        enterprises=work,
        areas=areas,
        projects=projects,
        planned_visits=planned_visits(user, visitor=user).count(),
    )
