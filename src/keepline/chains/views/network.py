"""Supply-network pages: the links (filters, sorting, Excel export, forms, the file import),
and the enterprise picker of the network's forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.chains import importing
from keepline.chains.forms.network import (
    ImportForm,
    LinkFilterForm,
    LinkForm,
    VersionForm,
)
from keepline.chains.models import SupplyLink
from keepline.chains.selectors.network import (
    chains,
    links,
    registry,
)
from keepline.chains.services.network import (
    delete_link,
    import_links,
    save_link,
)
from keepline.core.errors import InvalidInput, KeeplineError
from keepline.core.pickers import ENTERPRISES, offer, options_response
from keepline.core.scopes import get_for, holds_area, require_area, require_role, visible
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors, paginate, query_without
from keepline.enterprises.models import Enterprise
from keepline.reports.forms import industry_choices, region_choices

ENTERPRISE_SOURCE = "/chains/choices/enterprises/"


# ---- pickers ----------------------------------------------------------------------------------


@login_required
def enterprise_choices(request: AuthedRequest) -> HttpResponse:
    """The options of an enterprise picker matching what was typed (an htmx fragment): the
    enterprises the registry shows the user, for those who keep the network."""
    require_role(request.user, SupplyLink, "change")
    qs = registry(request.user).order_by("name", "pk")
    return options_response(request, qs, ENTERPRISES, None)


def offer_enterprises(form: Any, user: Any, *names: str, keep: Iterable[int] = ()) -> None:
    """Fill the enterprise pickers from the registry the user sees, plus the ends a link being
    changed already has (an end left as it was stays, even outside what the user sees)."""
    qs = Enterprise.objects.filter(
        Q(pk__in=registry(user).values("pk")) | Q(pk__in=list(keep))
    ).order_by("name", "pk")
    for name in names:
        offer(form, name, qs, ENTERPRISES, ENTERPRISE_SOURCE)


def sector_choices(empty: str | None = "—") -> list[tuple[str, str]]:
    return industry_choices(empty)


# ---- links ------------------------------------------------------------------------------------


def _chain_choices(user: Any) -> list[tuple[Any, str]]:
    return [("", _("All chains"))] + [(c.pk, f"{c.name} · {c.region}") for c in chains(user)]


def _filter_form(request: AuthedRequest) -> LinkFilterForm:
    return LinkFilterForm(
        request.GET or None,
        sectors=sector_choices(str(_("All sectors"))),
        regions=region_choices(request.user, str(_("All regions"))),
        chains=_chain_choices(request.user),
    )


def link_filters(data: dict[str, Any]) -> dict[str, Any]:
    """A LinkFilterForm's cleaned data as links takes it."""
    return {
        "q": (data.get("q") or "").strip(),
        "side": data.get("side") or "",
        "enterprise": data.get("enterprise"),
        "sector": data.get("sector") or "",
        "region": data.get("region") or "",
        "chain": data.get("chain"),
        "substitutes": {"yes": True, "no": False}.get(data.get("substitutes") or ""),
        "low_stock": data.get("low_stock"),
    }


def _filtered(request: AuthedRequest, form: LinkFilterForm) -> QuerySet[SupplyLink]:
    form.is_valid()
    values = link_filters(getattr(form, "cleaned_data", {}))
    return links(request.user, sort=request.GET.get("sort", "customer"), **values)


@login_required
def link_list(request: AuthedRequest) -> HttpResponse:
    """The supply links of the user's reach, filtered and sorted."""
    require_role(request.user, SupplyLink)
    form = _filter_form(request)
    page, query = paginate(request, _filtered(request, form))
    chosen = None
    if form.is_valid() and form.cleaned_data.get("enterprise"):
        # Named only if the registry shows it: any id may be typed into the address.
        chosen = registry(request.user).filter(pk=form.cleaned_data["enterprise"]).first()
    editable = set(
        visible(
            SupplyLink.objects.filter(pk__in=[link.pk for link in page]), request.user, "change"
        ).values_list("pk", flat=True)
    )
    context = {
        "page": page,
        "query": query,
        "sort": request.GET.get("sort", "customer"),
        "sortless": query_without(request, "sort"),
        "form": form,
        "chosen": chosen,
        "unfiltered": query_without(request, "enterprise"),
        "editable": editable,
        "may_add": holds_area(request.user, SupplyLink),
        "now": timezone.now(),
        "oob": bool(request.headers.get("HX-Request")),
    }
    template = "chains/network_link_results.html" if context["oob"] else "chains/network_links.html"
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def link_export(request: AuthedRequest) -> HttpResponse:
    """The filtered links as an Excel workbook, in the import's columns and more."""
    require_role(request.user, SupplyLink)
    form = _filter_form(request)
    if request.GET and not form.is_valid():
        first = next(iter(form.errors))
        raise InvalidInput(
            f"{form.fields[first].label}: {form.errors[first][0]}",
            errors={k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    qs = _filtered(request, form)
    headers = [
        _("Supplier"),
        str(importing.LABELS["supplier"]),
        _("Supplier's region"),
        _("Customer"),
        str(importing.LABELS["customer"]),
        _("Customer's region"),
        str(importing.LABELS["product"]),
        str(importing.LABELS["sector"]),
        _("Sector"),
        str(importing.LABELS["share"]),
        str(importing.LABELS["stock_days"]),
        str(importing.LABELS["substitutes"]),
        str(importing.LABELS["note"]),
        _("Updated"),
    ]

    def line(link: SupplyLink) -> list[Any]:
        return [
            link.supplier.name,
            link.supplier.uscc,
            link.supplier.region.name,
            link.customer.name,
            link.customer.uscc,
            link.customer.region.name,
            link.product,
            link.sector.code,
            link.sector.name,
            link.share,
            link.stock_days,
            link.substitutes,
            link.note,
            link.updated_at,
        ]

    return workbook_response(
        "supply-links", headers, (line(x) for x in qs), title=_("Supply links")
    )


def _link_form_context(request: AuthedRequest, form: LinkForm, link: SupplyLink | None) -> Any:
    keep = [link.supplier_id, link.customer_id] if link is not None else []
    offer_enterprises(form, request.user, "supplier", "customer", keep=keep)
    return {"form": form, "link": link}


def _save_link_from(request: AuthedRequest, form: LinkForm, link: SupplyLink | None) -> Any:
    data = form.cleaned_data
    return save_link(
        actor=request.user,
        supplier_id=enterprise_pk(data["supplier"], "supplier"),
        customer_id=enterprise_pk(data["customer"], "customer"),
        product=data["product"],
        sector_code=data["sector"],
        share=data["share"],
        stock_days=data["stock_days"],
        substitutes=data["substitutes"],
        note=data["note"],
        link_id=link.pk if link else None,
        version=data.get("version"),
    )


def enterprise_pk(value: str, field: str) -> int:
    if not str(value).strip().isdigit():
        raise InvalidInput(
            _("Please correct the marked fields."),
            errors={field: [_("Choose an enterprise from the list.")]},
        )
    return int(value)


def _link_page(request: AuthedRequest, link: SupplyLink | None) -> HttpResponse:
    if link is None:
        initial: dict[str, Any] = {}
        if str(request.GET.get("customer", "")).isdigit():
            initial["customer"] = request.GET["customer"]
        if str(request.GET.get("supplier", "")).isdigit():
            initial["supplier"] = request.GET["supplier"]
    else:
        initial = {
            "supplier": link.supplier_id,
            "customer": link.customer_id,
            "product": link.product,
            "sector": link.sector.code,
            "share": link.share,
            "stock_days": link.stock_days,
            "substitutes": link.substitutes,
            "note": link.note,
            "version": link.version,
        }
    form = LinkForm(request.POST or None, initial=initial, sectors=sector_choices())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = _save_link_from(request, form, link)
            except KeeplineError as exc:
                if exc.status == 409:
                    messages.error(request, exc.message)
                    return (
                        redirect("chains:link_edit", pk=link.pk)
                        if link
                        else redirect("chains:links")
                    )
                if exc.status != 400:
                    raise
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Link saved: %(link)s.") % {"link": saved},
                )
                return redirect(reverse("chains:links") + f"?enterprise={saved.customer_id}")
    return render(
        request,
        "chains/network_link_form.html",
        _link_form_context(request, form, link),
        status=status,
    )


@login_required
def link_new(request: AuthedRequest) -> HttpResponse:
    """Record a new supply link between two enterprises."""
    require_area(request.user, SupplyLink)
    return _link_page(request, None)


@login_required
def link_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a link; a change made meanwhile by someone else is not overwritten (409)."""
    link = get_for(
        SupplyLink.objects.select_related("supplier", "customer", "sector"),
        request.user,
        pk,
        "change",
    )
    return _link_page(request, link)


@login_required
def link_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm and remove a link."""
    link = get_for(
        SupplyLink.objects.select_related("supplier", "customer", "sector"),
        request.user,
        pk,
        "change",
    )
    form = VersionForm(request.POST or None, initial={"version": link.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                delete_link(
                    actor=request.user, link_id=link.pk, version=form.cleaned_data["version"]
                )
            except KeeplineError as exc:
                if exc.status != 409:
                    raise
                messages.error(request, exc.message)
                return redirect("chains:link_delete", pk=link.pk)
            messages.success(request, _("Link removed: %(link)s.") % {"link": link})
            return redirect(reverse("chains:links") + f"?enterprise={link.customer_id}")
    return render(
        request, "chains/network_link_delete.html", {"form": form, "link": link}, status=status
    )


# ---- import -----------------------------------------------------------------------------------


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, SupplyLink)
    return workbook_response(
        "supply-link-template",
        [str(c.label) for c in importing.COLUMNS],
        [[c.example for c in importing.COLUMNS]],
        title=_("Supply links"),
    )


@login_required
def link_import(request: AuthedRequest) -> HttpResponse:
    """Upload an Excel or CSV file of links: every row is checked and every bad row reported;
    with all rows good they are written (unless only checking), else nothing is."""
    require_area(request.user, SupplyLink)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "form": form,
        "columns": [
            (c, "、".join(str(a.label) for a in importing.ALIASES if a.key == c.key))
            for c in importing.COLUMNS
        ],
    }
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = importing.read_file(upload.name or "", upload.read())
                result = import_links(
                    actor=request.user, rows=rows, check_only=form.cleaned_data["check_only"]
                )
            except KeeplineError as exc:
                if exc.status not in (400, 409):
                    raise
                form.add_error("file", exc.message)
                for where, problems in exc.errors.items():
                    for problem in problems:
                        form.add_error("file", f"{where}: {problem}")
            else:
                context["result"] = result
                if result.ok and not result.check_only:
                    messages.success(
                        request,
                        _("%(created)d links added and %(updated)d updated from the file.")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect("chains:links")
                status = 200 if result.ok else 400
    return render(request, "chains/network_import.html", context, status=status)
