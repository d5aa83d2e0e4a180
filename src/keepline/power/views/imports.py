"""Meter-data import pages: the files taken so far and one file's gaps. The upload itself is the
shared import page (`/imports/power/`, `power/importers.py`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from keepline.core.scopes import get_for, holds, require_role, visible
from keepline.core.web import AuthedRequest, paginate
from keepline.power.models import DailyReading, PowerImport


@login_required
def imports(request: AuthedRequest) -> HttpResponse:
    """The files of meter data taken so far, the latest first."""
    require_role(request.user, PowerImport)
    page, query = paginate(
        request, visible(PowerImport.objects.select_related("region"), request.user)
    )
    context = {
        "page": page,
        "query": query,
        "may_import": holds(request.user, DailyReading, "change"),
    }
    return render(request, "power/imports.html", context)


@login_required
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for(PowerImport.objects.select_related("region"), request.user, pk)
    return render(request, "power/import_detail.html", {"batch": batch})
