"""Reads of the supply network, each through the visibility function: the links a user sees,
filtered and sorted; an enterprise's upstream and downstream to a depth; a chain's graph (its
members and list in selectors.industry)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from keepline.chains.models import IndustryChain, SupplyLink
from keepline.chains.selectors.industry import chain_links, chains, in_chain, members
from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter, YesNoFilter
from keepline.core.scopes import Actor, may_place, parse_key, visible
from keepline.enterprises.models import Enterprise, Industry
from keepline.enterprises.selectors import industry_choices
from keepline.places.models import Region
from keepline.places.selectors import region_choices

MAX_DEPTH = 4
# Beyond this many enterprises a graph is no longer read by eye: the walk stops at the level
# that passes it (and says so) rather than drawing a hairball.
MAX_NODES = 400
SIDES = [("supplier", _("As supplier")), ("customer", _("As customer"))]


def _seen_links(actor: Actor) -> QuerySet[SupplyLink]:
    """The links the actor sees; `editable` says which of them they may change (the page
    offers those the edit buttons)."""
    changeable = visible(SupplyLink.objects.filter(pk=OuterRef("pk")), actor, "change")
    return (
        visible(SupplyLink.objects.all(), actor)
        .select_related("supplier__region", "customer__region", "sector")
        .annotate(editable=Exists(changeable))
    )


def _ends(side: str, **lookup: Any) -> Q:
    """A lookup on the link's supplier, its customer, or either (`side` empty)."""
    match = Q()
    for end in [side] if side else ["supplier", "customer"]:
        match |= Q(**{f"{end}__{key}": value for key, value in lookup.items()})
    return match


def _enterprise_choices(actor: Actor) -> list[tuple[str, str]]:
    # Hidden on the page (the enterprise's chain page links here), so never a dropdown.
    return []


def resolve_enterprise(actor: Actor, code: str) -> Enterprise | None:
    key = parse_key(code)
    return None if key is None else registry(actor).filter(pk=key).first()


def _chain_choices(actor: Actor) -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c.name} · {c.region}") for c in chains(actor)]


def _resolve_chain(actor: Actor, code: str) -> IndustryChain | None:
    key = parse_key(code)
    return (
        None if key is None else visible(IndustryChain.objects.all(), actor).filter(pk=key).first()
    )


def _resolve_sector(actor: Actor, code: str) -> Industry | None:
    return Industry.objects.filter(code=code.upper()).first()


def _of_sector(qs: QuerySet[SupplyLink], sector: Industry) -> QuerySet[SupplyLink]:
    # A section takes its divisions.
    return qs.filter(Q(sector=sector) | Q(sector__parent=sector))


def _either_region(qs: QuerySet[SupplyLink], region: Region) -> QuerySet[SupplyLink]:
    return qs.filter(_ends("", region__path__startswith=region.path))


class LinkFilterSet(FilterSet):
    """The links' filters: the list page, its export and `GET /api/chains/links`. `q` and
    `enterprise` match either end, or the one `side` names."""

    q = django_filters.CharFilter(
        label=_("Enterprise"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Name or credit code")}),
    )
    # From an enterprise's chain page: the links of that enterprise.
    enterprise = ScopedChoiceFilter(
        label=_("An end's id"),
        choices=_enterprise_choices,
        resolve=resolve_enterprise,
        apply=lambda qs, e: qs.filter(_ends("", pk=e.pk)),
        widget=forms.HiddenInput,
    )
    side = django_filters.ChoiceFilter(
        label=_("Taking part"),
        choices=SIDES,
        empty_label=_("As supplier or customer"),
        method="by_side",
    )
    sector = ScopedChoiceFilter(
        label=_("Sector"),
        empty_label=_("All sectors"),
        choices=industry_choices,
        resolve=_resolve_sector,
        apply=_of_sector,
    )
    region = ScopedChoiceFilter(
        label=_("Region"),
        empty_label=_("All regions"),
        choices=region_choices,
        resolve=lambda actor, code: Region.objects.filter(code=code).first(),
        apply=_either_region,
    )
    chain = ScopedChoiceFilter(
        label=_("Industry chain"),
        empty_label=_("All chains"),
        choices=_chain_choices,
        resolve=_resolve_chain,
        apply=in_chain,
    )
    substitutes = YesNoFilter(
        label=_("Substitutes exist"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        empty_label=_("Either"),
        method="by_substitutes",
    )
    low_stock = django_filters.NumberFilter(
        label=_("Stock at most (days)"),
        field_name="stock_days",
        lookup_expr="lte",
        min_value=0,
        max_value=365,
        widget=forms.NumberInput({"placeholder": _("Stock at most (days)"), "step": "any"}),
    )

    class Meta:
        model = SupplyLink
        fields: list[str] = []

    def search(self, qs: QuerySet[SupplyLink], name: str, value: str) -> QuerySet[SupplyLink]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(_ends("", name__icontains=value) | _ends("", uscc__icontains=value))

    def by_side(self, qs: QuerySet[SupplyLink], name: str, side: str) -> QuerySet[SupplyLink]:
        """Keep to the side named what `q` and `enterprise` matched on either end."""
        data = self.form.cleaned_data
        text, enterprise = (data.get("q") or "").strip(), data.get("enterprise")
        if text:
            qs = qs.filter(_ends(side, name__icontains=text) | _ends(side, uscc__icontains=text))
        if enterprise is not None:
            qs = qs.filter(_ends(side, pk=enterprise.pk))
        return qs

    def by_substitutes(
        self, qs: QuerySet[SupplyLink], name: str, value: str
    ) -> QuerySet[SupplyLink]:
        return qs.filter(substitutes=value == "yes")


LINKS: Listing[SupplyLink] = Listing(
    filterset=LinkFilterSet,
    title=_("Supply links"),
    filename="supply-links",
    page="chains:links",
    api="/api/chains/links",
    base=_seen_links,
    default_sort="customer",
    columns=(
        Column(
            "supplier", _("Supplier"), "supplier.name", sort=("supplier__name", "customer__name")
        ),
        Column("supplier_uscc", _("Supplier's credit code"), "supplier.uscc", table=False),
        Column("supplier_region", _("Supplier's region"), "supplier.region.name", table=False),
        Column(
            "customer",
            _("Customer"),
            "customer.name",
            sort=("customer__name", "sector__code", "supplier__name"),
        ),
        Column("customer_uscc", _("Customer's credit code"), "customer.uscc", table=False),
        Column("customer_region", _("Customer's region"), "customer.region.name", table=False),
        Column("product", _("Product"), sort="product", css="d-none d-md-table-cell"),
        Column("sector_code", _("Industry code"), "sector.code", table=False),
        Column(
            "sector",
            _("Sector"),
            "sector.name",
            sort=("sector__code", "customer__name"),
            css="d-none d-lg-table-cell",
        ),
        Column("share", _("Share"), sort="share", css="num"),
        Column("stock", _("Stock (days)"), "stock_days", sort="stock_days", css="num"),
        Column("substitutes", _("Substitutes exist"), css="d-none d-sm-table-cell"),
        Column("note", _("Note"), table=False),
        Column("updated", _("Updated"), "updated_at", sort="updated_at", table=False),
        Column("actions", "", css="d-none d-md-table-cell", export=False),
    ),
)


def share_total(customer_id: int, sector_id: int, exclude: Iterable[int] = ()) -> Decimal:
    """The shares the customer's other links of the sector already cover."""
    total = (
        SupplyLink.objects.filter(customer_id=customer_id, sector_id=sector_id)
        .exclude(pk__in=list(exclude))
        .aggregate(total=Sum("share"))["total"]
    )
    return Decimal(total or 0)


def recorded_shares(
    customer_ids: Iterable[int], exclude: Iterable[int] = ()
) -> dict[tuple[int, int], Decimal]:
    """The shares recorded for each (customer, sector) of these customers, leaving out the
    links `exclude` names (those a file replaces), in one query."""
    return {
        (row["customer_id"], row["sector_id"]): Decimal(row["total"] or 0)
        for row in SupplyLink.objects.filter(customer_id__in=set(customer_ids))
        .exclude(pk__in=list(exclude))
        .values("customer_id", "sector_id")
        .annotate(total=Sum("share"))
    }


def recorded_links(
    supplier_ids: Iterable[int], customer_ids: Iterable[int]
) -> dict[tuple[int, int, str], int]:
    """The recorded links among these suppliers and customers: (supplier, customer, product)
    → the link's id."""
    return {
        (s, c, p): pk
        for pk, s, c, p in SupplyLink.objects.filter(
            supplier_id__in=set(supplier_ids), customer_id__in=set(customer_ids)
        ).values_list("pk", "supplier_id", "customer_id", "product")
    }


# ---- graphs -----------------------------------------------------------------------------------


@dataclass
class Node:
    """An enterprise in a graph: how far from the focus (negative upstream), and its place."""

    enterprise: Enterprise
    level: int
    segment: str = ""

    @property
    def depth(self) -> int:
        return abs(self.level)


@dataclass
class Edge:
    """A link in a graph, found at a depth from the focus on one side."""

    link: SupplyLink
    depth: int
    upstream: bool


@dataclass
class Graph:
    """An enterprise's suppliers and customers to a depth, or a chain's members and links."""

    focus: Enterprise | None
    depth: int
    nodes: dict[int, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False

    @property
    def suppliers(self) -> list[Edge]:
        return [e for e in self.edges if e.upstream]

    @property
    def customers(self) -> list[Edge]:
        return [e for e in self.edges if not e.upstream]


def _walk(
    graph: Graph, qs: QuerySet[SupplyLink], start: int, depth: int, *, upstream: bool
) -> None:
    """Breadth first from `start` along the links, one query per level."""
    near, far = ("customer_id", "supplier") if upstream else ("supplier_id", "customer")
    frontier = {start}
    seen_links = {e.link.pk for e in graph.edges}
    for level in range(1, depth + 1):
        if not frontier:
            break
        if len(graph.nodes) >= MAX_NODES:
            graph.truncated = True
            break
        found = list(
            qs.filter(**{f"{near}__in": frontier}).order_by(
                "-share", f"{far}__name", "product", "id"
            )
        )
        frontier = set()
        for link in found:
            if link.pk in seen_links:
                continue
            seen_links.add(link.pk)
            graph.edges.append(Edge(link, level, upstream))
            other: Enterprise = getattr(link, far)
            if other.pk not in graph.nodes:
                graph.nodes[other.pk] = Node(other, -level if upstream else level)
                frontier.add(other.pk)


def neighbourhood(actor: Actor, enterprise: Enterprise, *, depth: int = 2) -> Graph:
    """The enterprise's suppliers, their suppliers… and its customers, theirs… to `depth` (1–4)
    links away, along the links the actor sees."""
    depth = max(1, min(int(depth), MAX_DEPTH))
    graph = Graph(focus=enterprise, depth=depth)
    graph.nodes[enterprise.pk] = Node(enterprise, 0)
    qs = visible(SupplyLink.objects.all(), actor).select_related(
        "supplier__region", "customer__region", "sector"
    )
    _walk(graph, qs, enterprise.pk, depth, upstream=True)
    _walk(graph, qs, enterprise.pk, depth, upstream=False)
    return graph


def chain_graph(actor: Actor, chain: IndustryChain) -> Graph:
    """The chain's members (by segment) and the links among them the actor sees."""
    graph = Graph(focus=chain.leader, depth=1)
    for member in members(actor, chain):
        graph.nodes[member.enterprise_id] = Node(member.enterprise, 0, member.segment)
    for link in chain_links(actor, chain):
        for end in (link.supplier, link.customer):
            graph.nodes.setdefault(end.pk, Node(end, 0))
        graph.edges.append(Edge(link, 1, False))
    return graph


def city_code(path: str) -> str:
    """The city (second level) code of a region path, or the region's own code above it."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def district_code(path: str) -> str:
    """The district (third level) code of a region path, or the region's own code above it."""
    parts = path.strip("/").split("/")
    return parts[2] if len(parts) > 2 else parts[-1]


def graph_data(actor: Actor, graph: Graph) -> dict[str, Any]:
    """The graph as the chart draws it: nodes with their region, whether they lie in the focus's
    city, and whether the reader may open their chain page; edges with share and stock."""
    ids = list(graph.nodes)
    openable = set(
        visible(Enterprise.objects.filter(pk__in=ids), actor).values_list("pk", flat=True)
    )
    home = city_code(graph.focus.region.path) if graph.focus is not None else None
    leader = graph.focus.pk if graph.focus is not None else None
    # Coloured by district: towns and streets would give a colour per enterprise.
    districts = {district_code(n.enterprise.region.path) for n in graph.nodes.values()}
    names = {r.code: r.name for r in Region.objects.filter(code__in=districts)}
    nodes = []
    for node in graph.nodes.values():
        e = node.enterprise
        district = district_code(e.region.path)
        nodes.append(
            {
                "id": e.pk,
                "name": e.name,
                "level": node.level,
                "region": names.get(district, e.region.name),
                "region_code": district,
                "home_city": home is None or city_code(e.region.path) == home,
                "focus": e.pk == leader,
                "segment": node.segment,
                "openable": e.pk in openable,
            }
        )
    edges = [
        {
            "id": edge.link.pk,
            "source": edge.link.supplier_id,
            "target": edge.link.customer_id,
            "product": edge.link.product,
            "sector": edge.link.sector.code,
            "share": float(edge.link.share),
            "stock_days": float(edge.link.stock_days),
            "substitutes": edge.link.substitutes,
            "depth": edge.depth,
            "upstream": edge.upstream,
        }
        for edge in graph.edges
    ]
    return {
        "focus": leader,
        "depth": graph.depth,
        "truncated": graph.truncated,
        "nodes": nodes,
        "edges": edges,
    }


def sectors_by_code() -> dict[str, Industry]:
    """Every industry by its code, as a file names a link's sector."""
    return {i.code.upper(): i for i in Industry.objects.all()}


def registry(actor: Actor) -> Any:
    """The enterprises the actor may name in the network: those the registry shows them."""
    return visible(Enterprise.objects.select_related("region", "park"), actor)


def in_area(actor: Actor, enterprise: Enterprise) -> bool:
    """Whether the enterprise lies where the actor keeps the network."""
    return may_place(
        actor,
        "change",
        SupplyLink,
        region=enterprise.region,
        park=enterprise.park,
        enterprise=enterprise,
    )
