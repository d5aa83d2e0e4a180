"""Report deadlines and resumption targets: each a list, its export, and setting and removing
one from the same page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import InvalidInput
from keepline.core.lists import Listing, export_response, list_page
from keepline.core.scopes import holds, require_role
from keepline.core.web import AuthedRequest, apply_errors
from keepline.places.models import Park, Region
from keepline.reports import selectors, services
from keepline.reports.forms import DeadlineForm, TargetForm
from keepline.reports.models import ReportDeadline, ResumptionTarget


def _setting_page(
    request: AuthedRequest,
    model: type[Model],
    form: forms.Form,
    save: Callable[[dict[str, Any]], HttpResponse],
    listing: Listing[Any],
    name: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The list of `name` with the form that sets one above it (for those who may): a valid
    POST calls `save`, an invalid one answers 400 with the list under the form."""
    require_role(request.user, model)
    if request.method == "POST":
        require_role(request.user, model, "change")
        if form.is_valid():
            try:
                return save(form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc)
    response = list_page(
        request,
        listing,
        f"reports/{name}.html",
        f"reports/_{name}.html",
        {
            "export_url": reverse(f"reports:{name}_export"),
            "form": form,
            "can_set": holds(request.user, model, "change"),
            **(context or {}),
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@login_required
def deadlines(request: AuthedRequest) -> HttpResponse:
    form = DeadlineForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "due_time": selectors.default_due_time()},
        user=request.user,
    )

    def save(data: dict[str, Any]) -> HttpResponse:
        services.set_deadline(
            actor=request.user,
            region=Region.objects.get(code=data["region"]),
            day=data["date"],
            due_time=data["due_time"],
        )
        messages.success(request, _("Deadline set."))
        return redirect("reports:deadlines")

    return _setting_page(
        request,
        ReportDeadline,
        form,
        save,
        selectors.DEADLINES,
        "deadlines",
        {"default": selectors.default_due_time()},
    )


@login_required
def targets(request: AuthedRequest) -> HttpResponse:
    form = TargetForm(request.POST or None, user=request.user)

    def save(data: dict[str, Any]) -> HttpResponse:
        kind, _sep, code = data["area"].partition(":")
        services.set_target(
            actor=request.user,
            region=Region.objects.get(code=code) if kind == "region" else None,
            park=Park.objects.select_related("region").get(code=code) if kind == "park" else None,
            day=data["date"],
            rate=data["rate"],
            basis=data["basis"],
            note=data["note"],
        )
        messages.success(request, _("Target set."))
        return redirect("reports:targets")

    return _setting_page(request, ResumptionTarget, form, save, selectors.TARGETS, "targets")


@login_required
def deadlines_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ReportDeadline)
    return export_response(request, selectors.DEADLINES)


@login_required
def targets_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    return export_response(request, selectors.TARGETS)


@login_required
@require_POST
def deadline_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    services.remove_deadline(actor=request.user, deadline_id=pk)
    messages.success(request, _("Deadline removed."))
    return redirect("reports:deadlines")


@login_required
@require_POST
def target_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    services.remove_target(actor=request.user, target_id=pk)
    messages.success(request, _("Target removed."))
    return redirect("reports:targets")
