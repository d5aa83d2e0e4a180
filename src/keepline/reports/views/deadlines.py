"""Report deadlines: the list, its export, and setting and removing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import InvalidInput
from keepline.core.lists import export_response, list_page
from keepline.core.scopes import holds, require_role
from keepline.core.web import AuthedRequest, apply_errors
from keepline.places.models import Region
from keepline.reports import selectors, services
from keepline.reports.forms import DeadlineForm
from keepline.reports.models import ReportDeadline


@login_required
def deadlines(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ReportDeadline)
    form = DeadlineForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "due_time": selectors.default_due_time()},
        user=request.user,
    )
    if request.method == "POST":
        require_role(request.user, ReportDeadline, "change")
        if form.is_valid():
            try:
                services.set_deadline(
                    actor=request.user,
                    region=Region.objects.get(code=form.cleaned_data["region"]),
                    day=form.cleaned_data["date"],
                    due_time=form.cleaned_data["due_time"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Deadline set."))
                return redirect("reports:deadlines")
    response = list_page(
        request,
        selectors.DEADLINES,
        "reports/deadlines.html",
        "reports/_deadlines.html",
        {
            "export_url": reverse("reports:deadlines_export"),
            "form": form,
            "can_set": holds(request.user, ReportDeadline, "change"),
            "default": selectors.default_due_time(),
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@login_required
def deadlines_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ReportDeadline)
    return export_response(request, selectors.DEADLINES)


@login_required
@require_POST
def deadline_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    services.remove_deadline(actor=request.user, deadline_id=pk)
    messages.success(request, _("Deadline removed."))
    return redirect("reports:deadlines")
