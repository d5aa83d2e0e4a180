"""Pages of the enterprise registry: list, export, detail, edit and contacts (the import is
the shared import page, `enterprises/importers.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import KeeplineError
from keepline.core.lists import listing_views
from keepline.core.models import AuditEvent
from keepline.core.scopes import (
    get_for,
    holds,
    holds_area,
    may,
    require_area,
    visible,
)
from keepline.core.web import AuthedRequest, form_page
from keepline.enterprises import links, selectors, services
from keepline.enterprises.forms import ContactForm, EnterpriseForm
from keepline.enterprises.models import Enterprise, EnterpriseContact

enterprise_list, enterprise_export = listing_views(
    selectors.ENTERPRISES,
    "enterprises/list.html",
    "enterprises/_results.html",
    export="enterprises:export",
    extra=lambda request: {"can_create": holds_area(request.user, Enterprise)},
)


@login_required
def enterprise_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_for(
        Enterprise.objects.select_related("region", "park", "industry__parent"), request.user, pk
    )
    history = (
        visible(
            AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(pk)),
            request.user,
        )[:20]
        if holds(request.user, AuditEvent)
        else None
    )
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "contacts": enterprise.contacts.all(),
            "accounts": enterprise.power_accounts.all(),
            "can_change": may(request.user, "change", enterprise),
            "can_reveal": may(request.user, "personal", enterprise),
            "contact_form": ContactForm(),
            "history": history,
            # What the apps above the registry offer about it, as the reader's roles open them.
            "links": links.links_for(request.user, enterprise),
            "panels": links.panels_for(request, enterprise),
        },
    )


def _raw(form: EnterpriseForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@login_required
def enterprise_create(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, Enterprise)
    form = EnterpriseForm(request.POST or None, user=request.user, creating=True)

    def save(data: dict[str, Any]) -> HttpResponse:
        enterprise = services.create_enterprise(actor=request.user, data=_raw(form))
        messages.success(request, _("Enterprise registered."))
        return redirect("enterprises:detail", enterprise.pk)

    return form_page(request, form, "enterprises/form.html", save, {"enterprise": None})


@login_required
def enterprise_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_for(Enterprise.objects.all(), request.user, pk, "change")
    initial = {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region": enterprise.region.code,
        "park": enterprise.park.code if enterprise.park else "",
        "industry": enterprise.industry.code,
        "above_size": "yes" if enterprise.above_size else "no",
        "annual_output": enterprise.annual_output,
        "employees": enterprise.employees,
        "capacity_note": enterprise.capacity_note,
        "power_accounts": "; ".join(a.number for a in enterprise.power_accounts.all()),
        "version": enterprise.version,
    }
    form = EnterpriseForm(request.POST or None, initial=initial, user=request.user, creating=False)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.update_enterprise(
            actor=request.user, enterprise_id=pk, data=_raw(form), version=data["version"]
        )
        messages.success(request, _("Enterprise saved."))
        return redirect("enterprises:detail", pk)

    return form_page(request, form, "enterprises/form.html", save, {"enterprise": enterprise})


@login_required
@require_POST
def contact_add(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.add_contact(actor=request.user, enterprise_id=pk, **form.cleaned_data)
        except KeeplineError as exc:
            if exc.status != 400:
                raise
            messages.error(
                request, "; ".join(m for ms in exc.errors.values() for m in ms) or exc.message
            )
    else:
        get_for(Enterprise.objects.all(), request.user, pk, "change")
        messages.error(request, _("Give the contact's name and phone."))
    return redirect("enterprises:detail", pk)


@login_required
@require_POST
def contact_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = get_for(EnterpriseContact.objects.all(), request.user, pk)
    services.remove_contact(actor=request.user, contact_id=pk)
    return redirect("enterprises:detail", contact.enterprise_id)


@login_required
@require_POST
def contact_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """The whole phone number as an htmx fragment; the view is audited by the service."""
    phone = services.reveal_phone(actor=request.user, contact_id=pk)
    return HttpResponse(format_html('<a href="tel:{0}">{0}</a>', phone))
