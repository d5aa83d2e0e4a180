"""Service network pages: coverage with its history, key projects, the two lists of visits,
working groups, and "my work", the one place where a commissioner sees what they cover."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import Conflict, InvalidInput, KeeplineError, NotFound
from keepline.core.models import Membership, User
from keepline.core.scopes import (
    get_for,
    holds,
    holds_area,
    may,
    require_area,
    require_role,
    visible,
)
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors, paginate, query_without
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.problems import selectors as problem_selectors
from keepline.problems.models import ProblemStatus
from keepline.reports.forms import park_choices, region_choices
from keepline.service import selectors, services
from keepline.service.forms import (
    CoverageAssignForm,
    CoverageEndForm,
    CoverageFilterForm,
    KeyProjectForm,
    NewProblemFields,
    PickerMixin,
    VisitCancelForm,
    VisitCompleteForm,
    VisitFilterForm,
    VisitPlanForm,
    VisitRecordForm,
    WorkingGroupEndForm,
    WorkingGroupForm,
    split_names,
)
from keepline.service.models import Coverage, KeyProject, Visit, VisitStatus, WorkingGroup

# ---- shared lookups ---------------------------------------------------------------------------


def user_named(username: str, field: str) -> User:
    """The active user of that username, or an error on `field`."""
    found = User.objects.filter(username=username.strip(), is_active=True).first()
    if found is None:
        message = _("No active user named %(name)s.") % {"name": username}
        raise InvalidInput(message, errors={field: [message]})
    return found


def users_named(usernames: list[str], field: str) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    missing = [n for n in usernames if n not in found]
    if missing:
        message = _("No active user named %(name)s.") % {"name": ", ".join(missing)}
        raise InvalidInput(message, errors={field: [message]})
    return [found[n] for n in usernames]


def visible_region(user: User, code: str) -> Region:
    """A region the user sees, by code (404 otherwise)."""
    found = visible(Region.objects.filter(code=code), user).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def has_coverage(user: User) -> bool:
    """Whether the user covers anything today: such a person plans and records their own visits
    even without a membership."""
    return selectors.open_at(Coverage.objects.filter(user=user), selectors.local_today()).exists()


def visit_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """An enterprise to visit: one the user sees, or one they cover (404 otherwise)."""
    covered = selectors.covered_enterprises(services.COVERAGE_GRANTS, user)
    found = covered.select_related("region", "park").filter(pk=enterprise_id).first()
    if found is not None:
        return found
    return get_for(Enterprise.objects.select_related("region", "park"), user, enterprise_id)


def visit_enterprises(user: User) -> QuerySet[Enterprise]:
    """Enterprises the user may name on a visit: those they see, and those they cover."""
    covered = selectors.covered_enterprises(services.COVERAGE_GRANTS, user)
    return Enterprise.objects.filter(
        Q(pk__in=covered.values("pk")) | Q(pk__in=_visible_enterprises(user).values("pk"))
    ).order_by("name", "pk")


def _visible_enterprises(user: User) -> QuerySet[Enterprise]:
    return visible(Enterprise.objects.all(), user).order_by("name", "pk")


# ---- picking from lists -----------------------------------------------------------------------
# Every list of enterprises or people a form offers comes from the selectors above and in
# selectors.py, through the visibility function; a long list is narrowed by typing (htmx asks
# `enterprise_choices` or `people_choices`), never by typing a username or a number whole.

PICK_LIMIT = 50  # options sent at once; typing narrows the rest
PICK_SEARCH = 15  # a list longer than this gets a filter box
PEOPLE_FIELDS = ("user", "visitor", "leader", "members")
Option = tuple[str, str, bool]


def _enterprise_label(e: Enterprise) -> str:
    return f"{e.name} ({e.uscc})"


def _person_label(u: User) -> str:
    roles = "; ".join(str(m) for m in list(u.memberships.all())[:2])
    name = f"{u.display_name} ({u.username})" if u.display_name else u.username
    return f"{name} · {roles}" if roles else name


def _people_qs(qs: QuerySet[User]) -> QuerySet[User]:
    scoped = Membership.objects.select_related("region", "park", "enterprise", "department")
    return qs.prefetch_related(Prefetch("memberships", queryset=scoped))


def _matching(qs: QuerySet[Any], q: str) -> QuerySet[Any]:
    if not q:
        return qs
    if qs.model is Enterprise:
        return qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
    return qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))


def _pick(
    qs: QuerySet[Any], *, q: str = "", selected: list[str], multiple: bool = False
) -> tuple[list[Option], int]:
    """Up to PICK_LIMIT options of `qs` matching `q`, the chosen ones first (a multiple choice
    keeps them while one types; a single one is replaced by the search), and how many more
    match."""
    enterprises = qs.model is Enterprise
    key = "pk" if enterprises else "username"
    label = _enterprise_label if enterprises else _person_label
    if enterprises:
        selected = [v for v in selected if v.isdigit()]
    if q and not multiple:
        selected = []
    if not enterprises:
        qs = _people_qs(qs)
    chosen = list(qs.filter(**{f"{key}__in": selected})) if selected else []
    rest = _matching(qs.exclude(**{f"{key}__in": selected}) if selected else qs, q)
    found = list(rest[:PICK_LIMIT])
    more = rest.count() - len(found) if len(found) == PICK_LIMIT else 0
    # Typing that leaves one match picks it.
    only = bool(q) and not chosen and len(found) == 1 and not multiple
    options = [(str(getattr(o, key)), label(o), True) for o in chosen]
    options += [(str(getattr(o, key)), label(o), only) for o in found]
    return options, more


def offer(
    form: forms.Form,
    name: str,
    qs: QuerySet[Any],
    source: str,
    *,
    blank: str | None = "—",
    include: str = "",
    refresh_on: str = "",
) -> None:
    """Fill a picker field of `form` with the options of `qs`, keeping what was chosen."""
    widget = form.fields[name].widget
    assert isinstance(widget, PickerMixin)
    value = form[name].value()
    values = value if isinstance(value, list | tuple) else [value]
    selected = [str(v).strip() for v in values if v not in (None, "")]
    multiple = isinstance(widget, forms.SelectMultiple)
    if multiple:
        selected = [n for v in selected for n in split_names(v)]
    options, more = _pick(qs, selected=selected, multiple=multiple)
    widget.offered = options
    widget.more = more
    widget.search = len(options) + more > PICK_SEARCH
    widget.blank = None if multiple else blank
    widget.source = source
    widget.include = include
    widget.refresh_on = refresh_on
    widget.placeholder = (
        _("Filter by name or credit code") if qs.model is Enterprise else _("Filter by name")
    )


def _enterprise_source(user: User, purpose: str) -> QuerySet[Enterprise]:
    """The enterprises a form of `purpose` offers, after the right that opens that form."""
    if purpose in ("coverage", "project"):
        require_area(user, Coverage if purpose == "coverage" else KeyProject)
        return _visible_enterprises(user)
    if purpose == "visit":
        if not _may_visit(user):
            require_role(user, Visit, "change")
        return visit_enterprises(user)
    raise InvalidInput(_("Unknown list."), errors={"for": [_("Unknown list.")]})


def _people_source(user: User, purpose: str, get: Any) -> QuerySet[User]:
    """The people a form of `purpose` offers, after the right that opens that form: for a
    visit, who may visit the enterprise chosen; for a group, who lies within its authority."""
    if purpose == "coverage":
        require_area(user, Coverage)
        return selectors.coverage_people(user)
    if purpose == "group":
        require_area(user, WorkingGroup)
        code = (get.get("authority") or "").strip()
        authority = visible_region(user, code) if code else None
        return selectors.group_people(user, authority)
    if purpose == "visit":
        if not _may_visit(user):
            require_role(user, Visit, "change")
        number = str(get.get("enterprise") or "")
        if not number.isdigit():
            return User.objects.none()
        return selectors.visit_people(user, visit_enterprise(user, int(number)))
    raise InvalidInput(_("Unknown list."), errors={"for": [_("Unknown list.")]})


def _options_response(
    request: AuthedRequest, qs: QuerySet[Any], field: str, *, multiple: bool, blank: str | None
) -> HttpResponse:
    options, more = _pick(
        qs,
        q=request.GET.get("q", "").strip(),
        selected=[v.strip() for v in request.GET.getlist(field) if v.strip()],
        multiple=multiple,
    )
    return render(
        request,
        "service/_options.html",
        {"options": options, "more": more, "blank": None if multiple else blank},
    )


@login_required
def enterprise_choices(request: AuthedRequest) -> HttpResponse:
    """The options of an enterprise picker matching what was typed (an htmx fragment)."""
    qs = _enterprise_source(request.user, request.GET.get("for", ""))
    return _options_response(request, qs, "enterprise", multiple=False, blank="—")


@login_required
def people_choices(request: AuthedRequest) -> HttpResponse:
    """The options of a person picker matching what was typed (an htmx fragment)."""
    field = request.GET.get("field", "user")
    if field not in PEOPLE_FIELDS:
        raise InvalidInput(_("Unknown list."), errors={"field": [_("Unknown list.")]})
    qs = _people_source(request.user, request.GET.get("for", ""), request.GET)
    blank = _("— Yourself") if field == "visitor" else "—"
    return _options_response(request, qs, field, multiple=field == "members", blank=blank)


def _may_visit(user: User) -> bool:
    return holds(user, Visit, "change") or has_coverage(user)


def _has_planned(user: User) -> bool:
    return holds(user, Visit, "plan") or has_coverage(user)


def _may_see_visits(user: User) -> bool:
    return holds(user, Visit) or has_coverage(user)


def _conflict(request: AuthedRequest, exc: KeeplineError) -> None:
    messages.error(request, exc.message)


# ---- my work ----------------------------------------------------------------------------------


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """The enterprises, areas and key projects the user covers today, and how each stands."""
    work = selectors.my_work(request.user)
    return render(
        request,
        "service/mine.html",
        {
            "work": work,
            "counts": work.counts,
            "may_visit": _may_visit(request.user),
        },
    )


# ---- coverage ---------------------------------------------------------------------------------


def _coverage_filters(request: AuthedRequest) -> tuple[CoverageFilterForm, dict[str, Any]]:
    user = request.user
    form = CoverageFilterForm(
        request.GET or None,
        regions=region_choices(user, str(_("All regions"))),
        parks=park_choices(user, str(_("All parks"))),
    )
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return form, {
        "kind": data.get("kind", ""),
        "person": (data.get("person") or "").strip(),
        "region": data.get("region", ""),
        "park": data.get("park", ""),
        "state": data.get("state") or "open",
        "at": data.get("at"),
        "enterprise": _filter_enterprise(user, data.get("enterprise")),
    }


def _filter_enterprise(user: User, pk: int | None) -> Enterprise | None:
    """The enterprise a list is filtered by (404 for one out of sight)."""
    return None if pk is None else visit_enterprise(user, pk)


@login_required
def coverage_list(request: AuthedRequest) -> HttpResponse:
    """Who covers what, with the history: since, until, who assigned and who ended it."""
    require_role(request.user, Coverage)
    form, f = _coverage_filters(request)
    page, query = paginate(request, selectors.coverage_list(request.user, **f))
    return render(
        request,
        "service/coverage_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "may_assign": holds_area(request.user, Coverage),
            "today": selectors.local_today(),
            "enterprise": f["enterprise"],
            "unfiltered": query_without(request, "enterprise"),
        },
        status=400 if form.errors else 200,
    )


@login_required
def coverage_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Coverage)
    _form, f = _coverage_filters(request)
    rows = selectors.coverage_list(request.user, **f)
    headers = [
        _("Kind"),
        _("Person"),
        _("Covers"),
        _("Since"),
        _("Until"),
        _("Assigned by"),
        _("Ended by"),
        _("Note"),
    ]
    return workbook_response(
        "coverage",
        headers,
        (
            [
                c.get_kind_display(),
                c.user.get_username(),
                str(c.target),
                c.since,
                c.until,
                c.assigned_by,
                c.ended_by,
                c.note,
            ]
            for c in rows
        ),
        title=_("Coverage"),
    )


def _source(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _assign_form(request: AuthedRequest, data: Any = None) -> CoverageAssignForm:
    user = request.user
    projects = selectors.key_projects(user)
    form = CoverageAssignForm(
        data,
        regions=region_choices(user),
        parks=park_choices(user),
        projects=[(p.pk, f"{p.name} · {p.enterprise.name}") for p in projects],
    )
    offer(
        form,
        "user",
        selectors.coverage_people(user),
        _source("service:people_choices", **{"for": "coverage", "field": "user"}),
    )
    offer(
        form,
        "enterprise",
        _visible_enterprises(user),
        _source("service:enterprise_choices", **{"for": "coverage"}),
    )
    return form


@login_required
def coverage_assign(request: AuthedRequest) -> HttpResponse:
    """Assign a leader an area, a commissioner an enterprise, a chief service officer a key
    project."""
    require_area(request.user, Coverage)
    form = _assign_form(request, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                targets: dict[str, Any] = {
                    "region": Region.objects.get(code=data["region"]) if data["region"] else None,
                    "park": Park.objects.get(code=data["park"]) if data["park"] else None,
                    "enterprise": (
                        get_for(Enterprise.objects.all(), request.user, data["enterprise"])
                        if data["enterprise"] is not None
                        else None
                    ),
                    "project": (
                        selectors.key_projects(request.user).filter(pk=data["project"]).first()
                        if data["project"] is not None
                        else None
                    ),
                }
                if data["project"] is not None and targets["project"] is None:
                    raise NotFound(_("Not found."))
                services.assign_coverage(
                    actor=request.user,
                    kind=data["kind"],
                    user=user_named(data["user"], "user"),
                    since=data["since"],
                    note=data["note"],
                    **targets,
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Coverage assigned."))
                return redirect("service:coverage")
        status = 400
    return render(request, "service/coverage_assign.html", {"form": form}, status=status)


@login_required
def coverage_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """End a coverage; it stays in the history. A stale form answers 409 with the state now."""
    coverage = selectors.get_coverage(request.user, pk, "change")
    form = CoverageEndForm(request.POST or None, initial={"version": coverage.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.end_coverage(
                    actor=request.user,
                    coverage_id=pk,
                    until=form.cleaned_data["until"],
                    version=form.cleaned_data["version"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
                status = 400
            except Conflict as exc:
                _conflict(request, exc)
                coverage = selectors.get_coverage(request.user, pk)
                form = CoverageEndForm(initial={"version": coverage.version})
                status = 409
            else:
                messages.success(request, _("Coverage ended."))
                return redirect("service:coverage")
        else:
            status = 400
    return render(
        request,
        "service/coverage_end.html",
        {"coverage": coverage, "form": form, "open": coverage.until is None},
        status=status,
    )


# ---- key projects -----------------------------------------------------------------------------


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, KeyProject)
    page, query = paginate(request, selectors.key_projects(request.user))
    officers: dict[int, list[str]] = {}
    in_force = selectors.open_at(
        selectors.coverage_history(request.user).filter(project__in=[p.pk for p in page]),
        selectors.local_today(),
    )
    for row in in_force:
        assert row.project_id is not None
        officers.setdefault(row.project_id, []).append(str(row.user))
    return render(
        request,
        "service/project_list.html",
        {
            "page": page,
            "query": query,
            "rows": [(p, officers.get(p.pk, [])) for p in page],
            "may_create": holds_area(request.user, KeyProject),
        },
    )


@login_required
def project_new(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, KeyProject)
    form = KeyProjectForm(request.POST or None)
    offer(
        form,
        "enterprise",
        _visible_enterprises(request.user),
        _source("service:enterprise_choices", **{"for": "project"}),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_key_project(
                    actor=request.user,
                    enterprise=get_for(
                        Enterprise.objects.select_related("region", "park"),
                        request.user,
                        data["enterprise"],
                    ),
                    name=data["name"],
                    description=data["description"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Key project created."))
                return redirect("service:projects")
        status = 400
    return render(request, "service/project_new.html", {"form": form}, status=status)


# ---- visits -----------------------------------------------------------------------------------

LISTS = ("planned", "done")


def _visit_rows(request: AuthedRequest, which: str) -> tuple[VisitFilterForm, QuerySet[Visit]]:
    form = VisitFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    visitor = None
    if data.get("visitor"):
        visitor = User.objects.filter(username=data["visitor"].strip()).first()
    if which == "planned":
        qs = selectors.planned_visits(request.user)
        date_field = "planned_for"
    else:
        qs = selectors.done_visits(request.user)
        date_field = "visited_at__date"
    if data.get("visitor"):
        qs = qs.filter(visitor=visitor) if visitor is not None else qs.none()
    if data.get("q"):
        qs = qs.filter(
            Q(enterprise__name__icontains=data["q"]) | Q(enterprise__uscc__icontains=data["q"])
        )
    if data.get("date_from"):
        qs = qs.filter(**{f"{date_field}__gte": data["date_from"]})
    if data.get("date_to"):
        qs = qs.filter(**{f"{date_field}__lte": data["date_to"]})
    if data.get("enterprise") is not None:
        qs = qs.filter(enterprise=_filter_enterprise(request.user, data["enterprise"]))
    return form, qs


def _which(request: AuthedRequest) -> str:
    which = request.GET.get("list", "planned")
    if which not in LISTS:
        raise InvalidInput(_("Choose the planned or the done list."), errors={"list": [which]})
    # The enterprise's liaison has the done list only.
    if which == "planned" and not (
        holds(request.user, Visit, "plan") or has_coverage(request.user)
    ):
        which = "done"
    return which


@login_required
def visit_list(request: AuthedRequest) -> HttpResponse:
    """The two lists: visits planned (soonest first) and visits done (latest first)."""
    if not _may_see_visits(request.user):
        require_role(request.user, Visit)
    which = _which(request)
    form, qs = _visit_rows(request, which)
    page, query = paginate(request, qs)
    tabless = request.GET.copy()
    tabless.pop("list", None)
    tabless.pop("page", None)
    return render(
        request,
        "service/visit_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "which": which,
            "tabless": tabless.urlencode(),
            "has_planned": _has_planned(request.user),
            "may_visit": _may_visit(request.user),
            "enterprise": _filter_enterprise(
                request.user, getattr(form, "cleaned_data", {}).get("enterprise")
            ),
            "unfiltered": query_without(request, "enterprise"),
        },
    )


@login_required
def visit_export(request: AuthedRequest) -> HttpResponse:
    if not _may_see_visits(request.user):
        require_role(request.user, Visit)
    which = _which(request)
    _form, qs = _visit_rows(request, which)
    headers = [
        _("No."),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Region"),
        _("Visitor"),
        _("Planned date"),
        _("Visited at"),
        _("Went with"),
        _("Purpose"),
        _("Findings"),
        _("Problems"),
        _("Recorded by"),
    ]

    def line(v: Visit) -> list[Any]:
        return [
            v.pk,
            v.enterprise.name,
            v.enterprise.uscc,
            v.enterprise.region.name,
            v.visitor.get_username(),
            v.planned_for,
            v.visited_at,
            v.companions,
            v.purpose,
            v.findings,
            ", ".join(str(pk) for pk in sorted(p.pk for p in v.problems.all())),
            v.created_by,
        ]

    return workbook_response(
        f"visits-{which}",
        headers,
        (line(v) for v in qs.select_related("enterprise__region").prefetch_related("problems")),
        title=_("Visits planned") if which == "planned" else _("Visits done"),
    )


VisitForm = TypeVar("VisitForm", VisitPlanForm, VisitRecordForm)


def _visit_form(request: AuthedRequest, form: VisitForm) -> VisitForm:
    """The enterprise from those the user may visit; the visitor from those who may visit the
    chosen enterprise, reloaded when another is chosen."""
    user = request.user
    offer(
        form,
        "enterprise",
        visit_enterprises(user),
        _source("service:enterprise_choices", **{"for": "visit"}),
    )
    chosen = form["enterprise"].value()
    people = _people_source(user, "visit", {"enterprise": chosen})
    offer(
        form,
        "visitor",
        people,
        _source("service:people_choices", **{"for": "visit", "field": "visitor"}),
        blank=_("— Yourself"),
        include="#id_enterprise",
        refresh_on="id_enterprise",
    )
    return form


def _visit_entry(
    request: AuthedRequest,
    form: VisitForm,
    title: str,
    done: str,
    save: Callable[[dict[str, Any]], Visit],
) -> HttpResponse:
    """The plan and record pages: a bad field answers 400 at the field, else the visit's page."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visit = save(form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("service:visit", pk=visit.pk)
        status = 400
    return render(request, "service/visit_form.html", {"form": form, "title": title}, status=status)


@login_required
def visit_plan(request: AuthedRequest) -> HttpResponse:
    """Put a visit on the planned list."""
    if not _may_visit(request.user):
        require_role(request.user, Visit, "change")

    def save(data: dict[str, Any]) -> Visit:
        return services.plan_visit(
            actor=request.user,
            enterprise=visit_enterprise(request.user, data["enterprise"]),
            planned_for=data["planned_for"],
            purpose=data["purpose"],
            visitor=user_named(data["visitor"], "visitor") if data["visitor"] else None,
        )

    form = _visit_form(request, VisitPlanForm(request.POST or None))
    return _visit_entry(request, form, _("Plan a visit"), _("Visit planned."), save)


@login_required
def visit_record(request: AuthedRequest) -> HttpResponse:
    """Put a visit already made, not planned, on the done list."""
    if not _may_visit(request.user):
        require_role(request.user, Visit, "change")

    def save(data: dict[str, Any]) -> Visit:
        return services.record_visit(
            actor=request.user,
            enterprise=visit_enterprise(request.user, data["enterprise"]),
            visited_at=data["visited_at"],
            findings=data["findings"],
            purpose=data["purpose"],
            companions=data["companions"],
            visitor=user_named(data["visitor"], "visitor") if data["visitor"] else None,
            problem_ids=_numbers(data["problems"]),
        )

    form = _visit_form(request, VisitRecordForm(request.POST or None))
    return _visit_entry(request, form, _("Record a visit made"), _("Visit recorded."), save)


def _numbers(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        message = _("Give problem numbers.")
        raise InvalidInput(message, errors={"problems": [message]}) from None


def _problem_choices(request: AuthedRequest, visit: Visit) -> list[tuple[int, str]]:
    """Problems of the visited enterprise the user sees, not yet closed."""
    qs = (
        problem_selectors.problems(request.user)
        .filter(enterprise=visit.enterprise_id)
        .exclude(status=ProblemStatus.CLOSED)
        .order_by("-filed_at")
    )
    return [(p.pk, f"#{p.pk} {p.title} · {p.get_status_display()}") for p in qs[:100]]


VISIT_ACTIONS = ("complete", "cancel", "raise")


def _visit_forms(
    request: AuthedRequest, visit: Visit, data: Any = None, action: str = ""
) -> dict[str, forms.Form]:
    initial = {"version": visit.version}
    made: dict[str, forms.Form] = {}
    if visit.status == VisitStatus.PLANNED:
        made["complete"] = VisitCompleteForm(
            data if action == "complete" else None,
            initial={**initial, "visited_at": timezone.localtime().replace(second=0)},
            problems=_problem_choices(request, visit),
        )
        made["cancel"] = VisitCancelForm(data if action == "cancel" else None, initial=initial)
    if visit.status == VisitStatus.DONE:
        made["raise"] = NewProblemFields(data if action == "raise" else None)
    return made


def _complete(request: AuthedRequest, visit: Visit, data: dict[str, Any]) -> str:
    """Complete the visit and file the new problem heard there, all or nothing."""
    new = data["new_title"].strip()
    with transaction.atomic():
        services.complete_visit(
            actor=request.user,
            visit_id=visit.pk,
            visited_at=data["visited_at"],
            findings=data["findings"],
            companions=data["companions"],
            version=data["version"],
            problem_ids=data["problems"],
        )
        if new or data["new_category"]:
            try:
                services.raise_problem_at_visit(
                    actor=request.user,
                    visit_id=visit.pk,
                    category=data["new_category"],
                    urgency=data["new_urgency"] or "normal",
                    title=new,
                    description=data["new_description"],
                )
            except InvalidInput as exc:
                raise InvalidInput(
                    exc.message, errors={f"new_{k}": v for k, v in exc.errors.items()}
                ) from exc
            return _("Visit done; the new problem is filed.")
    return _("Visit done.")


@login_required
def visit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One visit with the problems linked to it; a planned one is completed or cancelled here,
    and a problem heard at a done one is raised here (POST, field "action")."""
    visit = selectors.get_visit(request.user, pk)
    may_change = may(request.user, "change", visit)
    action = ""
    data = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in VISIT_ACTIONS:
            raise InvalidInput(_("Choose a step to take."))
        # The right first: one who only sees the visit gets 403, whatever they sent.
        selectors.get_visit(request.user, pk, "change")
        data = request.POST
    action_forms = _visit_forms(request, visit, data, action)
    if data is not None:
        if action not in action_forms:
            raise Conflict(
                _("This visit is no longer planned: %(status)s.")
                % {"status": visit.get_status_display()}
            )
        form = action_forms[action]
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                if action == "complete":
                    done = _complete(request, visit, cleaned)
                elif action == "cancel":
                    services.cancel_visit(
                        actor=request.user,
                        visit_id=pk,
                        reason=cleaned["reason"],
                        version=cleaned["version"],
                    )
                    done = _("Visit cancelled.")
                else:
                    problem = services.raise_problem_at_visit(
                        actor=request.user, visit_id=pk, **cleaned
                    )
                    done = _("Problem filed as no. %(pk)s.") % {"pk": problem.pk}
            except KeeplineError as exc:
                if exc.status == 409:
                    _conflict(request, exc)
                    visit = selectors.get_visit(request.user, pk)
                    action_forms = _visit_forms(request, visit)
                elif exc.status == 400:
                    apply_errors(form, exc)
                else:
                    raise
                status = exc.status
            else:
                messages.success(request, done)
                return redirect("service:visit", pk=pk)
        else:
            status = 400
    now = timezone.now()
    linked = [
        (p, problem_selectors.deadline_state(p, now))
        for p in problem_selectors.problems(request.user)
        .filter(pk__in=visit.problems.values("pk"))
        .order_by("-filed_at")
    ]
    return render(
        request,
        "service/visit_detail.html",
        {
            "visit": visit,
            "linked": linked,
            "forms": action_forms if may_change else {},
        },
        status=status,
    )


# ---- working groups ---------------------------------------------------------------------------


@login_required
def group_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, WorkingGroup)
    active = request.GET.get("active") == "1"
    qs = selectors.working_groups(request.user, selectors.local_today() if active else None)
    page, query = paginate(request, qs.prefetch_related("regions", "parks", "members"))
    return render(
        request,
        "service/group_list.html",
        {
            "page": page,
            "query": query,
            "active": active,
            "may_create": holds_area(request.user, WorkingGroup),
            "today": selectors.local_today(),
        },
    )


def _group_form(
    request: AuthedRequest,
    data: Any = None,
    group: WorkingGroup | None = None,
    **kwargs: Any,
) -> WorkingGroupForm:
    """The form with the people who may lead or join a group of its authority: the group's
    own once it exists, else the one chosen (reloaded when another is chosen)."""
    user = request.user
    form = WorkingGroupForm(
        data,
        regions=region_choices(user, None),
        parks=park_choices(user, None),
        editing=group is not None,
        **kwargs,
    )
    if group is not None:
        authority: Region | None = group.authority
        query = {"for": "group", "authority": group.authority.code}
        refresh = {}
    else:
        code = str(form["authority"].value() or "").strip()
        authority = visible(Region.objects.filter(code=code), user).first() if code else None
        query = {"for": "group"}
        refresh = {"include": "#id_authority", "refresh_on": "id_authority"}
    people = selectors.group_people(user, authority)
    offer(
        form,
        "leader",
        people,
        _source("service:people_choices", **query, field="leader"),
        **refresh,
    )
    offer(
        form,
        "members",
        people,
        _source("service:people_choices", **query, field="members"),
        **refresh,
    )
    return form


def _group_parts(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "purpose": data["purpose"],
        "leader": user_named(data["leader"], "leader"),
        "members": users_named(data["members"], "members"),
        "regions": list(Region.objects.filter(code__in=data["regions"])),
        "parks": list(Park.objects.filter(code__in=data["parks"]).select_related("region")),
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
    }


@login_required
def group_new(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, WorkingGroup)
    form = _group_form(request, request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("authority"):
            # A region out of sight is not found, before any field is judged.
            visible_region(request.user, request.POST["authority"])
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.create_working_group(
                    actor=request.user,
                    authority=visible_region(request.user, data["authority"]),
                    **_group_parts(data),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Working group created."))
                return redirect("service:group", pk=group.pk)
        status = 400
    return render(
        request,
        "service/group_form.html",
        {"form": form, "title": _("New working group")},
        status=status,
    )


@login_required
def group_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    group = selectors.get_working_group(request.user, pk)
    may_change = may(request.user, "change", group)
    return render(
        request,
        "service/group_detail.html",
        {
            "group": group,
            "may_change": may_change,
            "open": group.ends_on is None or group.ends_on >= selectors.local_today(),
            "end_form": WorkingGroupEndForm(initial={"version": group.version}),
        },
    )


def _group_initial(group: WorkingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "purpose": group.purpose,
        "leader": group.leader.get_username(),
        "members": [u.get_username() for u in group.members.order_by("username")],
        "regions": [r.code for r in group.regions.all()],
        "parks": [p.code for p in group.parks.all()],
        "starts_on": group.starts_on,
        "ends_on": group.ends_on,
        "version": group.version,
    }


@login_required
def group_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a group's members, areas and period; a stale form answers 409."""
    group = selectors.get_working_group(request.user, pk, "change")
    form = _group_form(request, request.POST or None, group, initial=_group_initial(group))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_working_group(
                    actor=request.user,
                    group_id=pk,
                    version=data["version"],
                    **_group_parts(data),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
                status = 400
            except Conflict as exc:
                _conflict(request, exc)
                group = selectors.get_working_group(request.user, pk)
                form = _group_form(request, None, group, initial=_group_initial(group))
                status = 409
            else:
                messages.success(request, _("Working group changed."))
                return redirect("service:group", pk=pk)
        else:
            status = 400
    return render(
        request,
        "service/group_form.html",
        {"form": form, "group": group, "title": _("Change working group")},
        status=status,
    )


@login_required
@require_POST
def group_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """Stand a group down; a stale form answers 409 on the group's page."""
    group = selectors.get_working_group(request.user, pk, "change")
    form = WorkingGroupEndForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.end_working_group(
                actor=request.user,
                group_id=pk,
                ends_on=form.cleaned_data["ends_on"],
                version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            _conflict(request, exc)
            group = selectors.get_working_group(request.user, pk)
            form = WorkingGroupEndForm(initial={"version": group.version})
            status = 409
        else:
            messages.success(request, _("Working group stood down."))
            return redirect("service:group", pk=pk)
    return render(
        request,
        "service/group_detail.html",
        {
            "group": group,
            "may_change": True,
            "open": group.ends_on is None or group.ends_on >= selectors.local_today(),
            "end_form": form,
        },
        status=status,
    )


# ---- on the enterprise's registry page -----------------------------------------------------


def enterprise_panel(request: AuthedRequest, enterprise: Enterprise) -> str:
    """Who covers the enterprise today (commissioners, chief service officers through its key
    projects, leaders through its park or region), for those who may see coverage."""
    if not holds(request.user, Coverage):
        return ""
    rows = selectors.covering(request.user, enterprise).order_by("kind", "since", "id")
    return render_to_string(
        "service/_enterprise_panel.html",
        {"rows": list(rows), "enterprise": enterprise},
        request=request,
    )
