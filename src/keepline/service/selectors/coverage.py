"""Reads of coverage: who covers what on a day, with the history, and the key projects."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from keepline.core.models import User
from keepline.core.scopes import Actor, SystemActor, ancestor_paths, get_for, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.service.models import Coverage, KeyProject


def local_today() -> dt.date:
    return timezone.localdate()


def open_at(qs: QuerySet[Coverage], at: dt.date) -> QuerySet[Coverage]:
    """Coverage rows in force on day `at` (`until` is the last day covered)."""
    return qs.filter(Q(until__isnull=True) | Q(until__gte=at), since__lte=at)


def reaching(enterprise: Enterprise) -> Q:
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
    return visible(open_at(_coverage_qs().filter(reaching(enterprise)), at), actor)


def covered_by(actor: Actor, user: User, at: dt.date | None = None) -> QuerySet[Coverage]:
    """What `user` covers on day `at` (today by default)."""
    return visible(open_at(_coverage_qs().filter(user=user), at or local_today()), actor)


def coverage_history(
    actor: Actor, *, enterprise: Enterprise | None = None, user: User | None = None
) -> QuerySet[Coverage]:
    """Every coverage row, ended ones too, newest first: who covered whom when."""
    qs = _coverage_qs()
    if enterprise is not None:
        qs = qs.filter(reaching(enterprise))
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


# Memberships follow coverage on the system's authority: the arranger's own right was checked,
# and the coverage's audit event names them. Reads on the same authority see every coverage.
COVERAGE_GRANTS = SystemActor("service.coverage")


def visible_enterprises(user: User) -> QuerySet[Enterprise]:
    return visible(Enterprise.objects.all(), user).order_by("name", "pk")
