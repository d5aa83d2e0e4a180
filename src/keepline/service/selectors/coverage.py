"""Reads of coverage: who covers what on a day, with the history, and the key projects; the
coverage and key-project lists (page, export and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter
from keepline.core.models import User
from keepline.core.scopes import (
    Actor,
    SystemActor,
    ancestor_paths,
    get_for,
    parse_key,
    visible,
)
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.places.selectors import park_choices, region_choices, region_filter
from keepline.service.models import Coverage, CoverageKind, KeyProject


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


def visit_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """An enterprise to visit: one the user sees, or one they cover (404 otherwise)."""
    covered = covered_enterprises(COVERAGE_GRANTS, user)
    found = covered.select_related("region", "park").filter(pk=enterprise_id).first()
    if found is not None:
        return found
    return get_for(Enterprise.objects.select_related("region", "park"), user, enterprise_id)


def enterprise_filter(apply: Any) -> ScopedChoiceFilter:
    """The enterprise a list is narrowed to from the enterprise's page (a hidden field): one the
    reader sees or covers; one out of sight answers 404, as its page does."""

    def resolve(actor: Actor, code: str) -> Enterprise | None:
        key = parse_key(code)
        if key is None:
            return None
        return visit_enterprise(actor, key)  # type: ignore[arg-type]

    return ScopedChoiceFilter(
        label=_("Enterprise"),
        choices=lambda actor: [],
        resolve=resolve,
        apply=apply,
        widget=forms.HiddenInput,
    )


# ---- the coverage list ------------------------------------------------------------------------

STATE_CHOICES = [
    ("open", _("In force today")),
    ("ended", _("Ended")),
    ("all", _("All, with history")),
]


def _target_in_region(qs: QuerySet[Coverage], region: Region) -> QuerySet[Coverage]:
    return qs.filter(
        Q(region__path__startswith=region.path)
        | Q(park__region__path__startswith=region.path)
        | Q(enterprise__region__path__startswith=region.path)
        | Q(project__region__path__startswith=region.path)
    )


def _target_in_park(qs: QuerySet[Coverage], park: Park) -> QuerySet[Coverage]:
    return qs.filter(Q(park=park) | Q(enterprise__park=park) | Q(project__enterprise__park=park))


class CoverageFilterSet(FilterSet):
    """Coverage's filters: the list page, its export and `GET /api/service/coverage`. No state
    means the coverage in force today."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=CoverageKind.choices, empty_label=_("All kinds")
    )
    person = django_filters.CharFilter(
        label=_("Person"),
        field_name="user__username",
        widget=forms.TextInput({"placeholder": _("Username")}),
    )
    # A coverage's target is an area, an enterprise or a project: each reaches a region and a park
    # its own way.
    region = ScopedChoiceFilter(
        label=_("Region"),
        empty_label=_("All regions"),
        choices=region_choices,
        resolve=lambda actor, code: Region.objects.filter(code=code).first(),
        apply=_target_in_region,
    )
    park = ScopedChoiceFilter(
        label=_("Park"),
        empty_label=_("All parks"),
        choices=park_choices,
        resolve=lambda actor, code: Park.objects.filter(code=code).first(),
        apply=_target_in_park,
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, empty_label=None, method="by_state"
    )
    at = django_filters.DateFilter(label=_("In force on"), method="in_force_on")
    # From the enterprise's page: the coverage reaching that enterprise.
    enterprise = enterprise_filter(lambda qs, e: qs.filter(reaching(e)))

    class Meta:
        model = Coverage
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Coverage]) -> QuerySet[Coverage]:
        qs = super().filter_queryset(queryset)
        return qs if self.form.cleaned_data.get("state") else self.by_state(qs, "state", "open")

    def by_state(self, qs: QuerySet[Coverage], name: str, value: str) -> QuerySet[Coverage]:
        today = local_today()
        if value == "open":
            return open_at(qs, today)
        if value == "ended":
            return qs.filter(until__lt=today)
        return qs

    def in_force_on(self, qs: QuerySet[Coverage], name: str, value: dt.date) -> QuerySet[Coverage]:
        return open_at(qs, value)


COVERAGE: Listing[Coverage] = Listing(
    filterset=CoverageFilterSet,
    title=_("Coverage"),
    filename="coverage",
    page="service:coverage",
    api="/api/service/coverage",
    default_sort="-since",
    related=("user", "region", "park", "enterprise", "project"),
    columns=(
        Column("kind", _("Kind"), lambda c: c.get_kind_display(), sort="kind"),
        Column("person", _("Person"), lambda c: c.user.get_username(), sort="user__username"),
        Column("covers", _("Covers"), lambda c: str(c.target)),
        Column("since", _("Since"), sort="since", css="text-nowrap"),
        Column("until", _("Until"), sort="until", css="text-nowrap"),
        Column("assigned_by", _("Assigned by"), css="d-none d-md-table-cell"),
        Column("ended_by", _("Ended by"), css="d-none d-md-table-cell"),
        Column("note", _("Note"), table=False),
        Column("actions", "", export=False),
    ),
)


# ---- the key projects -------------------------------------------------------------------------


class KeyProjectFilterSet(FilterSet):
    """The key projects' filters: the list page and `GET /api/service/projects`."""

    q = django_filters.CharFilter(
        label=_("Project or enterprise"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Project or enterprise")}),
    )
    region = region_filter()

    class Meta:
        model = KeyProject
        fields: list[str] = []

    def search(self, qs: QuerySet[KeyProject], name: str, value: str) -> QuerySet[KeyProject]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(enterprise__name__icontains=value))


def _with_officers(actor: Actor) -> QuerySet[KeyProject]:
    """The key projects the actor sees, each with its chief service officers in force today
    (`officers_now`, among the coverage the actor sees)."""
    in_force = visible(open_at(Coverage.objects.select_related("user"), local_today()), actor)
    officers = Prefetch(
        "coverage_set", queryset=in_force.order_by("-since", "-id"), to_attr="officers_now"
    )
    return key_projects(actor).prefetch_related(officers)


def _officers(project: KeyProject) -> str:
    return ", ".join(str(c.user) for c in project.officers_now)  # type: ignore[attr-defined]


KEY_PROJECTS: Listing[KeyProject] = Listing(
    filterset=KeyProjectFilterSet,
    title=_("Key projects"),
    filename="key-projects",
    page="service:projects",
    api="/api/service/projects",
    base=_with_officers,
    default_sort="region",
    columns=(
        Column("project", _("Project"), "name", sort="name"),
        Column("description", _("Description"), table=False),
        Column("enterprise", _("Enterprise"), "enterprise.name", sort="enterprise__name"),
        Column("uscc", _("Unified social credit code"), "enterprise.uscc", table=False),
        Column(
            "region",
            _("Region"),
            "region.name",
            sort=("region__path", "name"),
            css="d-none d-md-table-cell",
        ),
        Column("officers", _("Chief service officers"), _officers),
    ),
)
