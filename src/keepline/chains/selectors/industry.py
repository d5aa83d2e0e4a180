"""Reads of the industry chains, each through the visibility function: the chains a user sees,
filtered and sorted; a chain's members and the links among them."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.scopes import Actor, visible
from keepline.places.selectors import region_filter


def in_chain(qs: QuerySet[SupplyLink], chain: IndustryChain) -> QuerySet[SupplyLink]:
    """The links of `qs` between two members of the chain."""
    members = ChainMember.objects.filter(chain=chain).values("enterprise_id")
    return qs.filter(supplier_id__in=members, customer_id__in=members)


def chains(actor: Actor) -> QuerySet[IndustryChain]:
    """The industry chains the actor sees, with their leader and number of members."""
    return (
        visible(IndustryChain.objects.all(), actor)
        .select_related("region", "industry", "leader")
        .annotate(member_count=Count("members"))
        .order_by("region__path", "name")
    )


class ChainFilterSet(FilterSet):
    """The industry chains' filters: the list page, its export (a row per member) and
    `GET /api/chains/chains`."""

    q = django_filters.CharFilter(
        label=_("Chain"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Name or chain leader")}),
    )
    # Chains kept within the region.
    region = region_filter(label=_("Kept by"))

    class Meta:
        model = IndustryChain
        fields: list[str] = []

    def search(self, qs: QuerySet[IndustryChain], name: str, value: str) -> QuerySet[IndustryChain]:
        value = value.strip()
        return (
            qs.filter(Q(name__icontains=value) | Q(leader__name__icontains=value)) if value else qs
        )


# Not walked by tests/core/test_lists.py (no page=, api=): its export has a row per member, not
# per chain; tests/chains/test_network_lists.py compares its page and API.
CHAINS: Listing[IndustryChain] = Listing(
    filterset=ChainFilterSet,
    title=_("Industry chains"),
    filename="industry-chains",
    base=chains,
    default_sort="region",
    columns=(
        Column("name", _("Chain"), sort="name"),
        Column("leader", _("Chain leader")),
        Column("industry", _("Main industry"), css="d-none d-md-table-cell"),
        Column("region", _("Kept by"), sort=("region__path", "name"), css="d-none d-sm-table-cell"),
        Column("members", _("Members"), "member_count", sort=("member_count", "name"), css="num"),
    ),
)


def members(actor: Actor, chain: IndustryChain) -> QuerySet[ChainMember]:
    """The chain's members the actor sees, by segment."""
    return (
        visible(ChainMember.objects.filter(chain=chain), actor)
        .select_related("enterprise__region", "enterprise__industry")
        .order_by("segment", "enterprise__name")
    )


def chain_links(actor: Actor, chain: IndustryChain) -> QuerySet[SupplyLink]:
    """The links the actor sees between two members of the chain."""
    qs = visible(SupplyLink.objects.all(), actor).select_related(
        "supplier__region", "customer__region", "sector"
    )
    return in_chain(qs, chain).order_by("supplier__name", "customer__name", "id")
