"""Meter-data import pages: upload (with progress), the imports so far, one import's gaps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from keepline.core.errors import KeeplineError
from keepline.core.scopes import get_for, holds, require_role, visible
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, paginate
from keepline.power import services
from keepline.power.forms import ImportForm
from keepline.power.importing import COLUMNS
from keepline.power.models import DailyReading, ImportKind, PowerImport


@login_required
def imports(request: AuthedRequest) -> HttpResponse:
    """Upload a file of meter data; below, the files taken so far."""
    require_role(request.user, PowerImport)
    form = ImportForm(request.POST or None, request.FILES or None)
    failure: KeeplineError | None = None
    if request.method == "POST":
        require_role(request.user, DailyReading, "change")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_power(
                    actor=request.user,
                    filename=upload.name,
                    stream=upload,
                    replace=form.cleaned_data["replace"],
                )
            except KeeplineError as exc:
                failure = exc
            else:
                messages.success(
                    request,
                    _("%(rows)s rows imported from %(file)s.")
                    % {"rows": f"{batch.rows:,}", "file": batch.filename},
                )
                url = reverse("power:import", args=[batch.pk])
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
    page, query = paginate(
        request, visible(PowerImport.objects.select_related("region"), request.user)
    )
    context: dict[str, Any] = {
        "form": form,
        "failure": failure,
        "page": page,
        "query": query,
        "may_import": holds(request.user, DailyReading, "change"),
        "columns": COLUMNS,
    }
    # htmx swaps only 2xx answers into the page; a plain form post gets the honest 400.
    refused = failure is not None or bool(form.errors)
    status = 400 if refused and not request.headers.get("HX-Request") else 200
    return render(request, "power/imports.html", context, status=status)


@login_required
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for(PowerImport.objects.select_related("region"), request.user, pk)
    return render(request, "power/import_detail.html", {"batch": batch})


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    """An .xlsx with the daily columns and one example row (interval files: see the page)."""
    require_role(request.user, DailyReading, "change")
    columns = COLUMNS[ImportKind.DAILY]
    return workbook_response(
        "meter-data-template.xlsx",
        [str(c.label) for c in columns],
        [[c.example for c in columns]],
        title=_("Daily energy"),
    )
