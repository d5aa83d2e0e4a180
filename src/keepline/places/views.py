"""Pages for regions, parks and control measures (the lists are declared in selectors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.lists import listing_views
from keepline.core.scopes import get_for, holds, may, require_role, visible
from keepline.core.web import AuthedRequest, form_page
from keepline.places import selectors, services
from keepline.places.forms import MeasureForm, ParkForm
from keepline.places.models import ControlMeasure, Park, Region


@login_required
def regions(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Region)
    rows = visible(Region.objects.all(), request.user).annotate(park_count=Count("parks"))
    return render(request, "places/regions.html", {"regions": rows})


parks, park_export = listing_views(
    selectors.PARKS,
    "places/parks.html",
    "places/_parks.html",
    export="places:park_export",
    extra=lambda request: {"can_change": holds(request.user, Park, "change")},
)


@login_required
def park_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    park = get_for(Park.objects.all(), request.user, pk, "change") if pk else None
    if park is None:
        require_role(request.user, Park, "change")
    fields = ("code", "name", "region", "level", "committee_contact", "committee_phone", "version")
    initial = {name: getattr(park, name) for name in fields} if park else {}
    form = ParkForm(request.POST or None, initial=initial, user=request.user)

    def save(data: dict[str, Any]) -> HttpResponse:
        if park:
            services.update_park(
                actor=request.user, park_id=park.pk, data=data, version=data["version"] or 0
            )
        else:
            services.create_park(actor=request.user, data=data)
        messages.success(request, _("Park saved."))
        return redirect("places:parks")

    return form_page(request, form, "places/park_form.html", save, {"park": park})


measures, measure_export = listing_views(
    selectors.MEASURES,
    "places/measures.html",
    "places/_measures.html",
    export="places:measure_export",
    extra=lambda request: {"can_create": holds(request.user, ControlMeasure, "change")},
)


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

    def save(data: dict[str, Any]) -> HttpResponse:
        if measure:
            saved = services.update_measure(
                actor=request.user, measure_id=measure.pk, data=data, version=data["version"] or 0
            )
        else:
            saved = services.create_measure(actor=request.user, data=data)
        messages.success(request, _("Control measure saved."))
        return redirect("places:measure", saved.pk)

    return form_page(request, form, "places/measure_form.html", save, {"measure": measure})


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
