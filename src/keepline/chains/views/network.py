"""Supply-network pages: the links (the list and its export, declared in
`selectors.network.LINKS`; the forms), and the enterprise picker of the network's forms. The
file import is the shared import page ("links", `chains.importers`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.chains.forms.network import LinkForm, VersionForm
from keepline.chains.models import SupplyLink
from keepline.chains.selectors.network import LINKS, registry, resolve_enterprise
from keepline.chains.services.network import delete_link, save_link
from keepline.core.errors import InvalidInput, KeeplineError
from keepline.core.lists import listing_views
from keepline.core.pickers import ENTERPRISES, offer, options_response
from keepline.core.scopes import get_for, holds_area, parse_key, require_area, require_role
from keepline.core.web import AuthedRequest, apply_errors, query_without
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import industry_choices

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


def sector_choices() -> list[tuple[str, str]]:
    return [("", "—"), *industry_choices()]


# ---- links ------------------------------------------------------------------------------------


def _link_list_context(request: AuthedRequest) -> dict[str, Any]:
    # Named only if the registry shows it: any id may be typed into the address.
    chosen = resolve_enterprise(request.user, request.GET.get("enterprise", ""))
    return {
        "chosen": chosen,
        "unfiltered": query_without(request, "enterprise"),
        "may_add": holds_area(request.user, SupplyLink),
        "now": timezone.now(),
        "oob": bool(request.headers.get("HX-Request")),
    }


# The supply links of the user's reach, filtered and sorted; the export has the import's
# columns and more.
link_list, link_export = listing_views(
    LINKS,
    "chains/network_links.html",
    "chains/network_link_results.html",
    export="chains:links_export",
    extra=_link_list_context,
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
    key = parse_key(str(value).strip())
    if key is None:
        raise InvalidInput(
            _("Please correct the marked fields."),
            errors={field: [_("Choose an enterprise from the list.")]},
        )
    return key


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
