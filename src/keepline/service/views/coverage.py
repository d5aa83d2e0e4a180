"""Coverage pages: who covers what with the history, assigning and ending coverage, and the
panel on the enterprise's registry page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from keepline.core.errors import Conflict, InvalidInput, NotFound
from keepline.core.lists import listing_views
from keepline.core.pickers import ENTERPRISES, PEOPLE, offer, source_url
from keepline.core.scopes import get_for, holds, holds_area, require_area
from keepline.core.web import AuthedRequest, apply_errors, form_page, query_without
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.places.selectors import park_choices, region_choices
from keepline.service.forms import CoverageAssignForm, CoverageEndForm
from keepline.service.models import Coverage
from keepline.service.selectors.coverage import (
    COVERAGE,
    covering,
    get_coverage,
    key_projects,
    visible_enterprises,
)
from keepline.service.selectors.people import coverage_people, user_named
from keepline.service.services.coverage import assign_coverage, end_coverage

# ---- coverage ---------------------------------------------------------------------------------


# Who covers what, with the history: since, until, who assigned and who ended it.
coverage_list, coverage_export = listing_views(
    COVERAGE,
    "service/coverage_list.html",
    "service/_coverage_results.html",
    export="service:coverage_export",
    extra=lambda request: {
        "may_assign": holds_area(request.user, Coverage),
        "unfiltered": query_without(request, "enterprise"),
    },
)


def _assign_form(request: AuthedRequest, data: Any = None) -> CoverageAssignForm:
    user = request.user
    projects = key_projects(user)
    form = CoverageAssignForm(
        data,
        regions=[("", "—"), *region_choices(user)],
        parks=[("", "—"), *park_choices(user)],
        projects=[(p.pk, f"{p.name} · {p.enterprise.name}") for p in projects],
    )
    offer(
        form,
        "user",
        coverage_people(user),
        PEOPLE,
        source_url("service:people_choices", **{"for": "coverage", "field": "user"}),
    )
    offer(
        form,
        "enterprise",
        visible_enterprises(user),
        ENTERPRISES,
        source_url("service:enterprise_choices", **{"for": "coverage"}),
    )
    return form


@login_required
def coverage_assign(request: AuthedRequest) -> HttpResponse:
    """Assign a leader an area, a commissioner an enterprise, a chief service officer a key
    project."""
    require_area(request.user, Coverage)
    form = _assign_form(request, request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        targets: dict[str, Any] = {
            "region": Region.objects.get(code=data["region"]) if data["region"] else None,
            "park": Park.objects.get(code=data["park"]) if data["park"] else None,
            "enterprise": (
                get_for(Enterprise.objects.all(), request.user, data["enterprise"])
                if data["enterprise"] is not None
                else None
            ),
            "project": (
                key_projects(request.user).filter(pk=data["project"]).first()
                if data["project"] is not None
                else None
            ),
        }
        if data["project"] is not None and targets["project"] is None:
            raise NotFound(_("Not found."))
        assign_coverage(
            actor=request.user,
            kind=data["kind"],
            user=user_named(data["user"], "user"),
            since=data["since"],
            note=data["note"],
            **targets,
        )
        messages.success(request, _("Coverage assigned."))
        return redirect("service:coverage")

    return form_page(request, form, "service/coverage_assign.html", save)


@login_required
def coverage_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """End a coverage; it stays in the history. A stale form answers 409 with the state now."""
    coverage = get_coverage(request.user, pk, "change")
    form = CoverageEndForm(request.POST or None, initial={"version": coverage.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                end_coverage(
                    actor=request.user,
                    coverage_id=pk,
                    until=form.cleaned_data["until"],
                    version=form.cleaned_data["version"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
                status = 400
            except Conflict as exc:
                messages.error(request, exc.message)
                coverage = get_coverage(request.user, pk)
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


# ---- on the enterprise's registry page -----------------------------------------------------


def enterprise_panel(request: AuthedRequest, enterprise: Enterprise) -> str:
    """Who covers the enterprise today (commissioners, chief service officers through its key
    projects, leaders through its park or region), for those who may see coverage."""
    if not holds(request.user, Coverage):
        return ""
    rows = covering(request.user, enterprise).order_by("kind", "since", "id")
    return render_to_string(
        "service/_enterprise_panel.html",
        {"rows": list(rows), "enterprise": enterprise},
        request=request,
    )
