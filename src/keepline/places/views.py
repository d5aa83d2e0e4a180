"""Pages for regions, parks and control measures (the lists are declared in selectors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import InvalidInput
from keepline.core.lists import export_response, list_page
from keepline.core.scopes import get_for, holds, may, require_role, visible
from keepline.core.web import AuthedRequest, apply_errors
from keepline.places import selectors, services
from keepline.places.forms import MeasureForm, ParkForm
from keepline.places.models import ControlMeasure, Park, Region


@login_required
def regions(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Region)
    rows = visible(Region.objects.all(), request.user).annotate(park_count=Count("parks"))
    return render(request, "places/regions.html", {"regions": rows})


@login_required
def parks(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Park)
    return list_page(
        request,
        selectors.PARKS,
        "places/parks.html",
        "places/_parks.html",
        {
            "export_url": reverse("places:park_export"),
            "can_change": holds(request.user, Park, "change"),
        },
    )


@login_required
def park_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Park)
    return export_response(request, selectors.PARKS)


@login_required
def park_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    park = get_for(Park.objects.all(), request.user, pk, "change") if pk else None
    if park is None:
        require_role(request.user, Park, "change")
    initial = (
        {
            "code": park.code,
            "name": park.name,
            "region": park.region,
            "level": park.level,
            "committee_contact": park.committee_contact,
            "committee_phone": park.committee_phone,
            "version": park.version,
        }
        if park
        else {}
    )
    form = ParkForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if park:
                services.update_park(
                    actor=request.user, park_id=park.pk, data=data, version=data["version"] or 0
                )
            else:
                services.create_park(actor=request.user, data=data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Park saved."))
            return redirect("places:parks")
    return render(
        request,
        "places/park_form.html",
        {"form": form, "park": park},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def measures(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ControlMeasure)
    return list_page(
        request,
        selectors.MEASURES,
        "places/measures.html",
        "places/_measures.html",
        {
            "export_url": reverse("places:measure_export"),
            "can_create": holds(request.user, ControlMeasure, "change"),
        },
    )


@login_required
def measure_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ControlMeasure)
    return export_response(request, selectors.MEASURES)


@login_required
def measure_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    measure = get_for(ControlMeasure.objects.all(), request.user, pk, "change") if pk else None
    if measure is None:
        require_role(request.user, ControlMeasure, "change")
    initial = {}
    if measure:
        initial = {
            "kind": measure.kind,
            "title": measure.title,
            "authority": measure.authority,
            "regions": list(measure.regions.all()),
            "parks": list(measure.parks.all()),
            "starts_at": timezone.localtime(measure.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": measure.ends_at
            and timezone.localtime(measure.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "strictness": measure.strictness,
            "notes": measure.notes,
            "version": measure.version,
        }
    form = MeasureForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if measure:
                saved = services.update_measure(
                    actor=request.user,
                    measure_id=measure.pk,
                    data=data,
                    version=data["version"] or 0,
                )
            else:
                saved = services.create_measure(actor=request.user, data=data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Control measure saved."))
            return redirect("places:measure", saved.pk)
    return render(
        request,
        "places/measure_form.html",
        {"form": form, "measure": measure},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def measure_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    measure = get_for(
        ControlMeasure.objects.select_related("authority").prefetch_related(
            "regions", "parks__region"
        ),
        request.user,
        pk,
    )
    return render(
        request,
        "places/measure_detail.html",
        {"measure": measure, "can_change": may(request.user, "change", measure)},
    )


@login_required
@require_POST
def measure_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    services.delete_measure(actor=request.user, measure_id=pk)
    messages.success(request, _("Control measure deleted."))
    return redirect("places:measures")
