"""Reads for the service network; each takes the reader and returns only what they may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.bubble.selectors import modes_at
from keepline.core.errors import Forbidden, NotFound
from keepline.core.models import Membership, Role, User
from keepline.core.scopes import (
    Actor,
    SystemActor,
    ancestor_paths,
    get_for,
    may,
    memberships,
    visible,
)
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import in_area
from keepline.places.models import Region
from keepline.problems import selectors as problem_selectors
from keepline.problems.models import OPEN_STATUSES, Problem
from keepline.reports.models import DailyReport
from keepline.service.models import (
    Coverage,
    CoverageKind,
    KeyProject,
    Visit,
    VisitStatus,
    WorkingGroup,
)


def local_today() -> dt.date:
    return timezone.localdate()


def open_at(qs: QuerySet[Coverage], at: dt.date) -> QuerySet[Coverage]:
    """Coverage rows in force on day `at` (`until` is the last day covered)."""
    return qs.filter(Q(until__isnull=True) | Q(until__gte=at), since__lte=at)


def _reaching(enterprise: Enterprise) -> Q:
    """Coverage that reaches an enterprise: of itself, of one of its key projects, of its park, or
    of its region or any region above it."""
    paths = [*ancestor_paths(enterprise.region.path), enterprise.region.path]
    q = Q(enterprise=enterprise) | Q(project__enterprise=enterprise) | Q(region__path__in=paths)
    if enterprise.park_id is not None:
        q |= Q(park_id=enterprise.park_id)
    return q


def _coverage_qs() -> QuerySet[Coverage]:
    return Coverage.objects.select_related("user", "region", "park", "enterprise", "project")


def covering(actor: Actor, enterprise: Enterprise, at: dt.date | None = None) -> QuerySet[Coverage]:
    """Who covers `enterprise` on day `at` (today by default): its commissioners directly, chief
    service officers through its key projects, leaders through its park or region subtree."""
    at = at or local_today()
    return visible(open_at(_coverage_qs().filter(_reaching(enterprise)), at), actor)


def covered_by(actor: Actor, user: User, at: dt.date | None = None) -> QuerySet[Coverage]:
    """What `user` covers on day `at` (today by default)."""
    return visible(open_at(_coverage_qs().filter(user=user), at or local_today()), actor)


def coverage_history(
    actor: Actor, *, enterprise: Enterprise | None = None, user: User | None = None
) -> QuerySet[Coverage]:
    """Every coverage row, ended ones too, newest first: who covered whom when."""
    qs = _coverage_qs()
    if enterprise is not None:
        qs = qs.filter(_reaching(enterprise))
    if user is not None:
        qs = qs.filter(user=user)
    return visible(qs, actor).order_by("-since", "-id")


def covered_enterprises(
    actor: Actor, user: User, at: dt.date | None = None
) -> QuerySet[Enterprise]:
    """The enterprises `user` covers on day `at`, directly or through a project, park or region."""
    rows = list(
        open_at(Coverage.objects.filter(user=user), at or local_today()).select_related("region")
    )
    q = Q(pk__in=[])
    for row in rows:
        if row.enterprise_id is not None:
            q |= Q(pk=row.enterprise_id)
        elif row.project_id is not None:
            q |= Q(key_projects=row.project_id)
        elif row.park_id is not None:
            q |= Q(park_id=row.park_id)
        elif row.region is not None:
            q |= Q(region__path__startswith=row.region.path)
    found = Enterprise.objects.filter(q).values("pk")
    return visible(Enterprise.objects.filter(pk__in=found), actor).order_by("name")


def coverage_list(
    actor: Actor,
    *,
    kind: str = "",
    person: str = "",
    region: str = "",
    park: str = "",
    state: str = "open",
    at: dt.date | None = None,
    enterprise: Enterprise | None = None,
) -> QuerySet[Coverage]:
    """Coverage rows with their history, filtered: `person` a username, `region` a region code
    (targets in its subtree), `park` a park code (targets in the park), `state` "open" (in force
    today), "ended" or "all"; with `at`, only the rows in force on that day; with `enterprise`,
    the rows reaching it (its own, its projects', its park's and its regions')."""
    qs = coverage_history(actor, enterprise=enterprise)
    if kind:
        qs = qs.filter(kind=kind)
    if person:
        qs = qs.filter(user__username=person)
    if region:
        found = Region.objects.filter(code=region).first()
        if found is None:
            return qs.none()
        qs = qs.filter(
            Q(region__path__startswith=found.path)
            | Q(park__region__path__startswith=found.path)
            | Q(enterprise__region__path__startswith=found.path)
            | Q(project__region__path__startswith=found.path)
        )
    if park:
        qs = qs.filter(
            Q(park__code=park)
            | Q(enterprise__park__code=park)
            | Q(project__enterprise__park__code=park)
        )
    today = local_today()
    if state == "open":
        qs = open_at(qs, today)
    elif state == "ended":
        qs = qs.filter(until__lt=today)
    if at is not None:
        qs = open_at(qs, at)
    return qs


def get_coverage(actor: Actor, coverage_id: int, action: str = "view") -> Coverage:
    return get_for(_coverage_qs(), actor, coverage_id, action)


def key_projects(actor: Actor, enterprise: Enterprise | None = None) -> QuerySet[KeyProject]:
    qs = KeyProject.objects.select_related("enterprise", "region")
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return visible(qs, actor)


def _visits(
    actor: Actor,
    action: str,
    status: str,
    *,
    visitor: User | None,
    enterprise: Enterprise | None,
    region: str,
    park: str,
) -> QuerySet[Visit]:
    qs = Visit.objects.select_related("enterprise", "visitor").filter(status=status)
    if visitor is not None:
        qs = qs.filter(visitor=visitor)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return visible(in_area(qs, region=region, park=park, prefix="enterprise__"), actor, action)


def planned_visits(
    actor: Actor,
    *,
    visitor: User | None = None,
    enterprise: Enterprise | None = None,
    region: str = "",
    park: str = "",
) -> QuerySet[Visit]:
    """The planned list, soonest first; the enterprise's own liaison does not see it."""
    return _visits(
        actor,
        "plan",
        VisitStatus.PLANNED,
        visitor=visitor,
        enterprise=enterprise,
        region=region,
        park=park,
    ).order_by("planned_for", "id")


def done_visits(
    actor: Actor,
    *,
    visitor: User | None = None,
    enterprise: Enterprise | None = None,
    region: str = "",
    park: str = "",
) -> QuerySet[Visit]:
    """The done list, latest first."""
    return _visits(
        actor,
        "view",
        VisitStatus.DONE,
        visitor=visitor,
        enterprise=enterprise,
        region=region,
        park=park,
    ).order_by("-visited_at", "-id")


def get_visit(actor: Actor, visit_id: int, action: str = "view", *, lock: bool = False) -> Visit:
    """One visit. A visit not yet done is internal: to a liaison it does not exist (404)."""
    qs = Visit.objects.select_for_update(of=("self",)) if lock else Visit.objects.all()
    visit = get_for(qs, actor, visit_id, "view")
    if visit.status != VisitStatus.DONE and not may(actor, "plan", visit):
        raise NotFound(_("Not found."))
    if action != "view" and not may(actor, action, visit):
        raise Forbidden(_("You may see this but not change it."))
    return visit


def working_groups(actor: Actor, at: dt.date | None = None) -> QuerySet[WorkingGroup]:
    """Working groups the actor may see; with `at`, only those active on that day."""
    qs = WorkingGroup.objects.select_related("leader")
    if at is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=at), starts_on__lte=at)
    return visible(qs, actor)


def get_working_group(
    actor: Actor, group_id: int, action: str = "view", *, lock: bool = False
) -> WorkingGroup:
    qs = (
        WorkingGroup.objects.select_for_update(of=("self",)) if lock else WorkingGroup.objects.all()
    )
    return get_for(qs, actor, group_id, action)


# Whom a form may name -------------------------------------------------------------------------
#
# People are visible to the platform administrator alone (core's User and Membership), so the
# lists of people an arranger may pick are drawn from where people hold their roles: the same
# regions, parks and enterprises the arranger's own memberships reach (the rule `may_place`
# applies to objects). The services check every name they are given against the same lists.


def _within(path: str) -> Q:
    """Memberships over a region subtree, or over a park, enterprise or department in it."""
    return (
        Q(region__path__startswith=path)
        | Q(park__region__path__startswith=path)
        | Q(enterprise__region__path__startswith=path)
        | Q(department__region__path__startswith=path)
    )


def _over(paths: list[str]) -> Q:
    """Memberships over a region at one of these paths: a role over a wider area."""
    return Q(region__path__in=paths)


def _area(actor: User, model: type[models.Model], action: str, *, over: bool) -> Q | None:
    """The memberships lying in the area where `actor` may `action` `model`: within one of its
    regions or parks, or (with `over`) over a region containing it. None when the actor's area
    is everywhere."""
    allowed = model.access.roles_for(action)  # type: ignore[attr-defined]
    q = Q(pk__in=[])
    for m in memberships(actor):
        if m.role not in allowed:
            continue
        if m.role == Role.ADMIN:
            return None
        if m.region is not None:
            q |= _within(m.region.path)
            if over:
                q |= _over(ancestor_paths(m.region.path))
        if m.park is not None:
            q |= Q(park_id=m.park_id) | Q(enterprise__park_id=m.park_id)
            if over:
                q |= _over([*ancestor_paths(m.park.region.path), m.park.region.path])
    return q


def _people(actor: Actor, q: Q | None) -> QuerySet[User]:
    """Active people holding a membership that `q` picks, and people who hold no role anywhere
    yet (a cadre awaiting a first assignment is foreign to no area); everyone the actor may see
    when `q` is None."""
    active = User.objects.filter(is_active=True).order_by("display_name", "username")
    if q is None:
        return visible(active, actor)
    holders = Membership.objects.filter(q).values("user_id")
    unassigned = ~Q(pk__in=Membership.objects.values("user_id"))
    return active.filter(Q(pk__in=holders) | unassigned)


def coverage_people(actor: Actor) -> QuerySet[User]:
    """Whom `actor` may give coverage: people holding a role over part of the actor's area
    (within it, or over a region containing it), and people who hold no role yet."""
    if isinstance(actor, SystemActor):
        return _people(actor, None)
    if not actor.is_authenticated or not actor.is_active:
        return User.objects.none()
    return _people(actor, _area(actor, Coverage, "change", over=True))


def group_people(actor: Actor, authority: Region | None = None) -> QuerySet[User]:
    """Who may lead or join a working group sent by `authority`: people holding a role within
    its region, and people who hold no role yet. Without an authority: within any region the
    actor may send a group from."""
    if isinstance(actor, SystemActor):
        return _people(actor, None)
    if not actor.is_authenticated or not actor.is_active:
        return User.objects.none()
    if authority is not None:
        return _people(actor, _within(authority.path))
    return _people(actor, _area(actor, WorkingGroup, "change", over=False))


def visit_people(actor: Actor, enterprise: Enterprise) -> QuerySet[User]:
    """Who may be named as the visitor of `enterprise`: people whose own role lets them visit
    it (an official over its region or park, its commissioner) and whoever covers it today."""
    active = User.objects.filter(is_active=True).order_by("display_name", "username")
    if isinstance(actor, SystemActor):
        return active
    if not actor.is_authenticated or not actor.is_active:
        return User.objects.none()
    paths = [*ancestor_paths(enterprise.region.path), enterprise.region.path]
    reach = Q(role=Role.ADMIN) | Q(region__path__in=paths) | Q(enterprise=enterprise)
    if enterprise.park_id is not None:
        reach |= Q(park_id=enterprise.park_id)
    visitors = Membership.objects.filter(reach, role__in=Visit.access.roles_for("change"))
    covering_now = open_at(Coverage.objects.filter(_reaching(enterprise)), local_today())
    return active.filter(
        Q(pk__in=visitors.values("user_id")) | Q(pk__in=covering_now.values("user_id"))
    )


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
