"""Supply-network pages: the links (filters, sorting, Excel export, forms, the file import), the
industry chains with their leader, members, internal links and graph, and an enterprise's
upstream and downstream as a graph and two tables."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.chains import importing, selectors, services
from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.chains.network_forms import (
    ChainFilterForm,
    ChainForm,
    DepthForm,
    ImportForm,
    LinkFilterForm,
    LinkForm,
    MemberForm,
    VersionForm,
)
from keepline.core.errors import InvalidInput, KeeplineError
from keepline.core.pickers import ENTERPRISES, offer, options_response
from keepline.core.scopes import get_for, holds_area, may, require_area, require_role, visible
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors, paginate, query_without
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.reports.forms import industry_choices, region_choices

ENTERPRISE_SOURCE = "/chains/choices/enterprises/"


# ---- pickers ----------------------------------------------------------------------------------


@login_required
def enterprise_choices(request: AuthedRequest) -> HttpResponse:
    """The options of an enterprise picker matching what was typed (an htmx fragment): the
    enterprises the registry shows the user, for those who keep the network."""
    require_role(request.user, SupplyLink, "change")
    qs = services.registry(request.user).order_by("name", "pk")
    return options_response(request, qs, ENTERPRISES, None)


def _offer_enterprises(form: Any, user: Any, *names: str, keep: Iterable[int] = ()) -> None:
    """Fill the enterprise pickers from the registry the user sees, plus the ends a link being
    changed already has (an end left as it was stays, even outside what the user sees)."""
    qs = Enterprise.objects.filter(
        Q(pk__in=services.registry(user).values("pk")) | Q(pk__in=list(keep))
    ).order_by("name", "pk")
    for name in names:
        offer(form, name, qs, ENTERPRISES, ENTERPRISE_SOURCE)


def _sectors(empty: str | None = "—") -> list[tuple[str, str]]:
    return industry_choices(empty)


# ---- links ------------------------------------------------------------------------------------


def _chain_choices(user: Any) -> list[tuple[Any, str]]:
    return [("", _("All chains"))] + [
        (c.pk, f"{c.name} · {c.region}") for c in selectors.chains(user)
    ]


def _filter_form(request: AuthedRequest) -> LinkFilterForm:
    return LinkFilterForm(
        request.GET or None,
        sectors=_sectors(str(_("All sectors"))),
        regions=region_choices(request.user, str(_("All regions"))),
        chains=_chain_choices(request.user),
    )


def link_filters(data: dict[str, Any]) -> dict[str, Any]:
    """A LinkFilterForm's cleaned data as selectors.links takes it."""
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
    return selectors.links(request.user, sort=request.GET.get("sort", "customer"), **values)


@login_required
def link_list(request: AuthedRequest) -> HttpResponse:
    """The supply links of the user's reach, filtered and sorted."""
    require_role(request.user, SupplyLink)
    form = _filter_form(request)
    page, query = paginate(request, _filtered(request, form))
    chosen = None
    if form.is_valid() and form.cleaned_data.get("enterprise"):
        # Named only if the registry shows it: any id may be typed into the address.
        chosen = services.registry(request.user).filter(pk=form.cleaned_data["enterprise"]).first()
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
    _offer_enterprises(form, request.user, "supplier", "customer", keep=keep)
    return {"form": form, "link": link}


def _save_link_from(request: AuthedRequest, form: LinkForm, link: SupplyLink | None) -> Any:
    data = form.cleaned_data
    return services.save_link(
        actor=request.user,
        supplier_id=_pk(data["supplier"], "supplier"),
        customer_id=_pk(data["customer"], "customer"),
        product=data["product"],
        sector_code=data["sector"],
        share=data["share"],
        stock_days=data["stock_days"],
        substitutes=data["substitutes"],
        note=data["note"],
        link_id=link.pk if link else None,
        version=data.get("version"),
    )


def _pk(value: str, field: str) -> int:
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
    form = LinkForm(request.POST or None, initial=initial, sectors=_sectors())
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
                services.delete_link(
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
                result = services.import_links(
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


# ---- industry chains --------------------------------------------------------------------------


def _chains_filtered(request: AuthedRequest) -> tuple[ChainFilterForm, QuerySet[IndustryChain]]:
    form = ChainFilterForm(
        request.GET or None, regions=region_choices(request.user, str(_("All regions")))
    )
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = selectors.chains(
        request.user,
        q=data.get("q", ""),
        region=data.get("region", ""),
        sort=request.GET.get("sort", "region"),
    )
    return form, qs


@login_required
def chain_list(request: AuthedRequest) -> HttpResponse:
    """The industry chains the user sees, with their leader and size."""
    require_role(request.user, IndustryChain)
    form, qs = _chains_filtered(request)
    page, query = paginate(request, qs)
    return render(
        request,
        "chains/network_chains.html",
        {
            "page": page,
            "query": query,
            "sort": request.GET.get("sort", "region"),
            "sortless": query_without(request, "sort"),
            "form": form,
            "may_add": holds_area(request.user, IndustryChain),
        },
        status=400 if form.errors else 200,
    )


@login_required
def chain_export(request: AuthedRequest) -> HttpResponse:
    """The filtered chains as an Excel workbook, one row per member (a chain without members
    has one row of its own)."""
    require_role(request.user, IndustryChain)
    _form, qs = _chains_filtered(request)
    headers = [
        _("Chain"),
        _("Kept by"),
        _("Main industry"),
        _("Chain leader"),
        _("Segment"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Region"),
    ]

    # Each chain's members the user sees, read for all the chains at once.
    seen = (
        visible(ChainMember.objects.all(), request.user)
        .select_related("enterprise__region")
        .order_by("segment", "enterprise__name")
    )
    qs = qs.prefetch_related(Prefetch("members", queryset=seen, to_attr="seen_members"))

    def lines() -> Any:
        for chain in qs:
            head = [
                chain.name,
                chain.region.name,
                f"{chain.industry.code} {chain.industry.name}" if chain.industry else "",
                chain.leader.name if chain.leader else "",
            ]
            members: list[ChainMember] = chain.seen_members
            if not members:
                yield [*head, "", "", "", ""]
            for m in members:
                e = m.enterprise
                yield [*head, m.segment, e.name, e.uscc, e.region.name]

    return workbook_response("industry-chains", headers, lines(), title=_("Industry chains"))


def _region_pk(code: str) -> int | None:
    region = Region.objects.filter(code=code).first() if code else None
    return region.pk if region else None


def _chain_page(request: AuthedRequest, chain: IndustryChain | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if chain is not None:
        initial = {
            "name": chain.name,
            "region": chain.region.code,
            "industry": chain.industry.code if chain.industry else "",
            "leader": chain.leader_id or "",
            "description": chain.description,
            "version": chain.version,
        }
    form = ChainForm(
        request.POST or None,
        initial=initial,
        regions=region_choices(request.user),
        sectors=_sectors(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            leader = str(data["leader"] or "").strip()
            try:
                saved = services.save_chain(
                    actor=request.user,
                    name=data["name"],
                    region_id=_region_pk(data["region"]),  # type: ignore[arg-type]
                    industry_code=data["industry"] or "",
                    leader_id=int(leader) if leader.isdigit() else None,
                    description=data["description"],
                    chain_id=chain.pk if chain else None,
                    version=data.get("version"),
                )
            except KeeplineError as exc:
                if exc.status == 409 and chain is not None:
                    messages.error(request, exc.message)
                    return redirect("chains:chain_edit", pk=chain.pk)
                if exc.status != 400:
                    raise
                apply_errors(form, exc)
            else:
                messages.success(request, _("Chain saved: %(chain)s.") % {"chain": saved})
                return redirect("chains:chain", pk=saved.pk)
    _offer_enterprises(form, request.user, "leader")
    return render(
        request, "chains/network_chain_form.html", {"form": form, "chain": chain}, status=status
    )


@login_required
def chain_new(request: AuthedRequest) -> HttpResponse:
    """Start following an industry chain."""
    require_area(request.user, IndustryChain)
    return _chain_page(request, None)


@login_required
def chain_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    chain = get_for(
        IndustryChain.objects.select_related("region", "industry"), request.user, pk, "change"
    )
    return _chain_page(request, chain)


def _chain_context(request: AuthedRequest, chain: IndustryChain, form: MemberForm) -> Any:
    may_change = may(request.user, "change", chain)
    if may_change:
        _offer_enterprises(form, request.user, "enterprise")
    links = list(selectors.chain_links(request.user, chain))
    return {
        "chain": chain,
        "members": selectors.members(request.user, chain),
        "links": links,
        "may_change": may_change,
        "form": form,
        "graph_url": f"/api/chains/chains/{chain.pk}/graph",
        "colour": "segment",
        "layout": "force",
        "now": timezone.now(),
    }


@login_required
def chain_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One chain: its leader (链主), members by segment, the links among them and their graph."""
    chain = get_for(
        IndustryChain.objects.select_related("region", "industry", "leader"), request.user, pk
    )
    return render(
        request, "chains/network_chain.html", _chain_context(request, chain, MemberForm())
    )


@login_required
@require_POST
def member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add an enterprise to the chain at a segment."""
    chain = get_for(
        IndustryChain.objects.select_related("region", "industry", "leader"),
        request.user,
        pk,
        "change",
    )
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            member = services.add_member(
                actor=request.user,
                chain_id=chain.pk,
                enterprise_id=_pk(form.cleaned_data["enterprise"], "enterprise"),
                segment=form.cleaned_data["segment"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(enterprise)s added.") % {"enterprise": member.enterprise}
            )
            return redirect("chains:chain", pk=chain.pk)
    context = _chain_context(request, chain, form)
    return render(request, "chains/network_chain.html", context, status=400)


@login_required
@require_POST
def member_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take an enterprise out of its chain."""
    member = get_for(
        ChainMember.objects.select_related("chain", "enterprise"), request.user, pk, "change"
    )
    chain_id = member.chain_id
    services.remove_member(actor=request.user, member_id=member.pk)
    messages.success(request, _("%(enterprise)s removed.") % {"enterprise": member.enterprise})
    return redirect("chains:chain", pk=chain_id)


# ---- an enterprise's chain --------------------------------------------------------------------


@login_required
def enterprise_chain(request: AuthedRequest, pk: int) -> HttpResponse:
    """An enterprise's suppliers and customers to a chosen depth, as a graph and two tables."""
    require_role(request.user, SupplyLink)
    enterprise = get_for(
        Enterprise.objects.select_related("region", "park", "industry"), request.user, pk
    )
    form = DepthForm(request.GET or None, initial={"depth": 2})
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    depth = data.get("depth") or 2
    graph = selectors.neighbourhood(request.user, enterprise, depth=depth)
    openable = set(
        visible(Enterprise.objects.filter(pk__in=list(graph.nodes)), request.user).values_list(
            "pk", flat=True
        )
    )
    return render(
        request,
        "chains/network_enterprise.html",
        {
            "enterprise": enterprise,
            "graph": graph,
            "form": form,
            "depth": depth,
            "colour": data.get("colour") or "region",
            "layout": data.get("layout") or "layered",
            "graph_url": f"/api/chains/enterprises/{enterprise.pk}/graph?depth={depth}",
            "openable": openable,
            "may_add": holds_area(request.user, SupplyLink)
            and services.in_area(request.user, enterprise),
            "share_total": _share_totals(graph),
            "sides": [
                (_("Suppliers (upstream)"), graph.suppliers, "suppliers", True),
                (_("Customers (downstream)"), graph.customers, "customers", False),
            ],
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


def _share_totals(graph: selectors.Graph) -> dict[str, Decimal]:
    """The focus's direct suppliers' shares summed by sector: a need not fully covered shows."""
    totals: dict[str, Decimal] = {}
    for edge in graph.suppliers:
        if edge.depth == 1:
            code = edge.link.sector.code
            totals[code] = totals.get(code, Decimal(0)) + edge.link.share
    return totals
