"""Resumption targets: the list, its export, and setting and removing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import InvalidInput
from keepline.core.lists import export_response, list_page
from keepline.core.scopes import holds, require_role
from keepline.core.web import AuthedRequest, apply_errors
from keepline.places.models import Park, Region
from keepline.reports import selectors, services
from keepline.reports.forms import TargetForm
from keepline.reports.models import ResumptionTarget


@login_required
def targets(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST":
        require_role(request.user, ResumptionTarget, "change")
        if form.is_valid():
            kind, _sep, code = form.cleaned_data["area"].partition(":")
            try:
                services.set_target(
                    actor=request.user,
                    region=Region.objects.get(code=code) if kind == "region" else None,
                    park=Park.objects.select_related("region").get(code=code)
                    if kind == "park"
                    else None,
                    day=form.cleaned_data["date"],
                    rate=form.cleaned_data["rate"],
                    basis=form.cleaned_data["basis"],
                    note=form.cleaned_data["note"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Target set."))
                return redirect("reports:targets")
    response = list_page(
        request,
        selectors.TARGETS,
        "reports/targets.html",
        "reports/_targets.html",
        {
            "export_url": reverse("reports:targets_export"),
            "form": form,
            "can_set": holds(request.user, ResumptionTarget, "change"),
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@login_required
def targets_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    return export_response(request, selectors.TARGETS)


@login_required
@require_POST
def target_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    services.remove_target(actor=request.user, target_id=pk)
    messages.success(request, _("Target removed."))
    return redirect("reports:targets")
