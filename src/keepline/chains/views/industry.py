"""Industry-chain pages: the chains with their leader, members, internal links and graph, and
an enterprise's upstream and downstream as a graph and two tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.chains.forms.network import ChainForm, DepthForm, MemberForm
from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.chains.selectors.industry import CHAINS, chain_links, members
from keepline.chains.selectors.network import Graph, in_area, neighbourhood
from keepline.chains.services.network import (
    add_member,
    remove_member,
    save_chain,
)
from keepline.chains.views.network import enterprise_pk, offer_enterprises, sector_choices
from keepline.core.errors import InvalidInput, KeeplineError
from keepline.core.lists import list_page
from keepline.core.scopes import (
    get_for,
    holds_area,
    may,
    parse_key,
    require_area,
    require_role,
    visible,
)
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.places.selectors import region_choices

# ---- industry chains --------------------------------------------------------------------------


@login_required
def chain_list(request: AuthedRequest) -> HttpResponse:
    """The industry chains the user sees, with their leader and size."""
    require_role(request.user, IndustryChain)
    return list_page(
        request,
        CHAINS,
        "chains/network_chains.html",
        "chains/_chain_results.html",
        {
            "export_url": reverse("chains:chains_export"),
            "may_add": holds_area(request.user, IndustryChain),
        },
    )


@login_required
def chain_export(request: AuthedRequest) -> HttpResponse:
    """The filtered chains as an Excel workbook, one row per member (a chain without members
    has one row of its own)."""
    require_role(request.user, IndustryChain)
    qs = CHAINS.rows(request.user, request.GET)
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
        regions=[("", "—"), *region_choices(request.user)],
        sectors=sector_choices(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            leader = str(data["leader"] or "").strip()
            try:
                saved = save_chain(
                    actor=request.user,
                    name=data["name"],
                    region_id=_region_pk(data["region"]),  # type: ignore[arg-type]
                    industry_code=data["industry"] or "",
                    # Digits naming no row ("²", 10**30) are refused as an unseen leader is.
                    leader_id=(parse_key(leader) or -1) if leader.isdigit() else None,
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
    offer_enterprises(form, request.user, "leader")
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
        offer_enterprises(form, request.user, "enterprise")
    links = list(chain_links(request.user, chain))
    return {
        "chain": chain,
        "members": members(request.user, chain),
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
            member = add_member(
                actor=request.user,
                chain_id=chain.pk,
                enterprise_id=enterprise_pk(form.cleaned_data["enterprise"], "enterprise"),
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
    remove_member(actor=request.user, member_id=member.pk)
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
    graph = neighbourhood(request.user, enterprise, depth=depth)
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
            "may_add": holds_area(request.user, SupplyLink) and in_area(request.user, enterprise),
            "share_total": _share_totals(graph),
            "sides": [
                (_("Suppliers (upstream)"), graph.suppliers, "suppliers", True),
                (_("Customers (downstream)"), graph.customers, "customers", False),
            ],
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


def _share_totals(graph: Graph) -> dict[str, Decimal]:
    """The focus's direct suppliers' shares summed by sector: a need not fully covered shows."""
    totals: dict[str, Decimal] = {}
    for edge in graph.suppliers:
        if edge.depth == 1:
            code = edge.link.sector.code
            totals[code] = totals.get(code, Decimal(0)) + edge.link.share
    return totals
