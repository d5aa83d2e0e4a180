"""Pages of the enterprise registry: list, export, detail, edit, contacts and import."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import KeeplineError
from keepline.core.models import AuditEvent, Upload
from keepline.core.scopes import (
    get_for,
    holds,
    holds_area,
    may,
    require_area,
    require_role,
    visible,
)
from keepline.core.tabular import read_table, workbook_response
from keepline.core.web import AuthedRequest, apply_errors, paginate
from keepline.enterprises import links, selectors, services
from keepline.enterprises.forms import ContactForm, EnterpriseForm, FilterForm, ImportForm
from keepline.enterprises.models import Enterprise, EnterpriseContact
from keepline.enterprises.validation import COLUMNS

IMPORT_PURPOSE = "enterprises"
PREVIEW_ROWS = 20


def _filter(request: AuthedRequest) -> selectors.EnterpriseFilter:
    get = request.GET
    return selectors.EnterpriseFilter(
        region=get.get("region", "").strip(),
        park=get.get("park", "").strip(),
        industry=get.get("industry", "").strip(),
        size=get.get("size", ""),
        q=get.get("q", "").strip(),
        sort=get.get("sort", "name"),
    )


@login_required
def enterprise_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Enterprise)
    f = _filter(request)
    page, query = paginate(request, selectors.enterprises(request.user, f))
    sortless = request.GET.copy()
    sortless.pop("sort", None)
    sortless.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "sort": f.sort,
        "sortless": sortless.urlencode(),
        "form": FilterForm(request.GET or None, user=request.user),
        "can_create": holds_area(request.user, Enterprise),
    }
    # htmx swaps only the results when a filter changes.
    template = (
        "enterprises/_results.html"
        if request.headers.get("HX-Request")
        else "enterprises/list.html"
    )
    return render(request, template, context)


@login_required
def enterprise_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Enterprise)
    rows = selectors.enterprises(request.user, _filter(request))
    headers = [
        _("Unified social credit code"),
        _("Name"),
        _("Region code"),
        _("Region"),
        _("Park"),
        _("Industry code"),
        _("Industry"),
        _("Above designated size"),
        _("Annual output value (10k CNY)"),
        _("Employees"),
        _("Production capacity"),
    ]
    return workbook_response(
        "enterprises",
        headers,
        (
            [
                e.uscc,
                e.name,
                e.region.code,
                e.region.name,
                e.park.name if e.park else "",
                e.industry.code,
                e.industry.name,
                e.above_size,
                e.annual_output,
                e.employees,
                e.capacity_note,
            ]
            for e in rows.iterator(chunk_size=2000)
        ),
        title=_("Enterprises"),
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
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.create_enterprise(actor=request.user, data=_raw(form))
        except KeeplineError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enterprise registered."))
            return redirect("enterprises:detail", enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": None})


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
    if request.method == "POST" and form.is_valid():
        try:
            services.update_enterprise(
                actor=request.user,
                enterprise_id=pk,
                data=_raw(form),
                version=form.cleaned_data["version"],
            )
        except KeeplineError as exc:
            if exc.status != 400:
                raise
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enterprise saved."))
            return redirect("enterprises:detail", pk)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})


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


# ---- import ---------------------------------------------------------------------------------


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, Enterprise)
    return workbook_response(
        "enterprise-import-template",
        [str(c.label) for c in COLUMNS],
        [[c.example for c in COLUMNS]],
        title=_("Enterprises"),
    )


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    """Step 1: upload. The file is checked at once; the preview shows every bad row, or the
    rows that would be written and a button to confirm."""
    require_area(request.user, Enterprise)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": COLUMNS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            check = _check(request, upload.name, data)
        except KeeplineError as exc:
            apply_errors(form, exc)
            form.add_error("file", exc.message)
        else:
            context["check"] = check
            context["preview"] = check.rows[:PREVIEW_ROWS]
            if check.ok:
                saved = Upload.objects.create(
                    user=request.user, purpose=IMPORT_PURPOSE, filename=upload.name, content=data
                )
                context["upload"] = saved
    return render(request, "enterprises/import.html", context)


def _check(request: AuthedRequest, filename: str, data: bytes) -> services.ImportCheck:
    _total, rows = read_table(filename, data, COLUMNS, max_rows=settings.KEEPLINE_IMPORT_MAX_ROWS)
    return services.check_import(actor=request.user, rows=rows)


@login_required
@require_POST
def import_confirm(request: AuthedRequest, upload_id: int) -> HttpResponse:
    """Step 2: the file is checked again (the registry may have changed) and written whole."""
    require_area(request.user, Enterprise)
    upload = get_for(
        Upload.objects.filter(purpose=IMPORT_PURPOSE), request.user, upload_id, "change"
    )
    check = _check(request, upload.filename, bytes(upload.content))
    if not check.ok:
        return render(
            request,
            "enterprises/import.html",
            {"form": ImportForm(), "columns": COLUMNS, "check": check, "preview": []},
            status=400,
        )
    with transaction.atomic():
        created = services.import_enterprises(actor=request.user, check=check)
        upload.delete()
    messages.success(request, _("%(count)s enterprises imported.") % {"count": len(created)})
    return redirect(reverse("enterprises:list") + "?sort=-created")
