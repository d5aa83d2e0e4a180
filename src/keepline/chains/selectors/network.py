"""Reads of the supply network, each through the visibility function: the links a user sees,
filtered and sorted; the industry chains; an enterprise's upstream and downstream to a depth;
a chain's members and the links among them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.core.scopes import Actor, may_place, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region

MAX_DEPTH = 4
# Beyond this many enterprises a graph is no longer read by eye: the walk stops at the level
# that passes it (and says so) rather than drawing a hairball.
MAX_NODES = 400
LINK_SORTS = {
    "customer": ("customer__name", "sector__code", "supplier__name", "id"),
    "-customer": ("-customer__name", "sector__code", "supplier__name", "-id"),
    "supplier": ("supplier__name", "customer__name", "id"),
    "-supplier": ("-supplier__name", "customer__name", "-id"),
    "product": ("product", "id"),
    "-product": ("-product", "-id"),
    "sector": ("sector__code", "customer__name", "id"),
    "-sector": ("-sector__code", "customer__name", "-id"),
    "share": ("share", "id"),
    "-share": ("-share", "-id"),
    "stock": ("stock_days", "id"),
    "-stock": ("-stock_days", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
SIDES = ("", "supplier", "customer")


def links(
    actor: Actor,
    *,
    q: str = "",
    side: str = "",
    enterprise: int | None = None,
    sector: str = "",
    region: str = "",
    chain: int | None = None,
    substitutes: bool | None = None,
    low_stock: Decimal | None = None,
    sort: str = "customer",
) -> QuerySet[SupplyLink]:
    """The links the actor sees. `q` (part of a name or credit code) and `enterprise` (an id)
    match the supplier, the customer or either (`side`); `region` (a code) keeps links with an
    end in its subtree; `chain` keeps the links among a chain's members; `low_stock` those with
    at most that many days of stock."""
    qs = visible(SupplyLink.objects.all(), actor).select_related(
        "supplier__region", "customer__region", "sector"
    )
    ends = [side] if side in ("supplier", "customer") else ["supplier", "customer"]
    if q:
        match = Q()
        for end in ends:
            match |= Q(**{f"{end}__name__icontains": q}) | Q(**{f"{end}__uscc__icontains": q})
        qs = qs.filter(match)
    if enterprise is not None:
        match = Q()
        for end in ends:
            match |= Q(**{f"{end}_id": enterprise})
        qs = qs.filter(match)
    if sector:
        qs = qs.filter(Q(sector__code=sector) | Q(sector__parent__code=sector))
    if region:
        found = Region.objects.filter(code=region).values_list("path", flat=True).first()
        if found is None:
            return qs.none()
        qs = qs.filter(
            Q(supplier__region__path__startswith=found)
            | Q(customer__region__path__startswith=found)
        )
    if chain is not None:
        members = ChainMember.objects.filter(chain_id=chain).values("enterprise_id")
        qs = qs.filter(supplier_id__in=members, customer_id__in=members)
    if substitutes is not None:
        qs = qs.filter(substitutes=substitutes)
    if low_stock is not None:
        qs = qs.filter(stock_days__lte=low_stock)
    return qs.order_by(*LINK_SORTS.get(sort, LINK_SORTS["customer"]))


CHAIN_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "region": ("region__path", "name"),
    "-region": ("-region__path", "name"),
    "members": ("member_count", "name"),
    "-members": ("-member_count", "name"),
}


def chains(
    actor: Actor, *, q: str = "", region: str = "", sort: str = "region"
) -> QuerySet[IndustryChain]:
    """The industry chains the actor sees, with their leader and number of members."""
    qs = (
        visible(IndustryChain.objects.all(), actor)
        .select_related("region", "industry", "leader")
        .annotate(member_count=Count("members"))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(leader__name__icontains=q))
    if region:
        qs = qs.filter(region__code=region)
    return qs.order_by(*CHAIN_SORTS.get(sort, CHAIN_SORTS["region"]))


def members(actor: Actor, chain: IndustryChain) -> QuerySet[ChainMember]:
    """The chain's members the actor sees, by segment."""
    return (
        visible(ChainMember.objects.filter(chain=chain), actor)
        .select_related("enterprise__region", "enterprise__industry")
        .order_by("segment", "enterprise__name")
    )


def chain_links(actor: Actor, chain: IndustryChain) -> QuerySet[SupplyLink]:
    """The links the actor sees between two members of the chain."""
    return links(actor, chain=chain.pk, sort="supplier")


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
