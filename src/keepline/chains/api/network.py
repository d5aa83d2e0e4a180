"""API of the supply network: links, industry chains with members, and graphs.
The same selectors, services and scopes as the pages."""

from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.chains.selectors.industry import CHAINS, members
from keepline.chains.selectors.network import LINKS, MAX_DEPTH, graph_data, neighbourhood
from keepline.chains.selectors.network import chain_graph as graph_of_chain
from keepline.chains.services.network import (
    add_member,
    delete_link,
    remove_member,
    save_chain,
    save_link,
)
from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region

router = Router(tags=["chains"])


# ---- schemas ----------------------------------------------------------------------------------


class EndOut(Schema):
    id: int = Field(examples=[42])
    name: str = Field(examples=["泸州示例玻璃制品有限公司"])
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    region: str = Field(alias="region.code", examples=["510502"])


class LinkOut(Schema):
    id: int = Field(examples=[7])
    supplier: EndOut
    customer: EndOut
    product: str = Field(examples=["玻璃酒瓶"])
    sector: str = Field(alias="sector.code", description="Industry code", examples=["30"])
    share: Decimal = Field(description="Share of the customer's need (0–1)", examples=["0.400"])
    stock_days: Decimal = Field(examples=["7.0"])
    substitutes: bool = Field(examples=[False])
    note: str = Field(examples=[""])
    version: int = Field(description="Send it back when changing or removing", examples=[1])


class LinkIn(Schema):
    supplier_id: int = Field(examples=[41])
    customer_id: int = Field(examples=[42])
    product: str = Field(examples=["玻璃酒瓶"])
    sector: str = Field(description="Industry code", examples=["30"])
    share: str = Field(description="0.4 or 40%", examples=["40%"])
    stock_days: str = Field(examples=["7"])
    substitutes: bool = Field(False, examples=[False])
    note: str = Field("", examples=[""])


class LinkChangeIn(LinkIn):
    version: int = Field(examples=[1])


class ChainOut(Schema):
    id: int = Field(examples=[3])
    name: str = Field(examples=["白酒产业链"])
    region: str = Field(
        alias="region.code", description="Region code keeping it", examples=["510500"]
    )
    industry: str | None = Field(None, description="Industry code", examples=["15"])
    leader_id: int | None = Field(None, description="The chain leader (链主)", examples=[42])
    leader: str | None = Field(None, examples=["泸州示例酒业股份有限公司"])
    description: str = Field(examples=[""])
    version: int = Field(examples=[1])

    @staticmethod
    def resolve_industry(obj: IndustryChain) -> str | None:
        return obj.industry.code if obj.industry else None

    @staticmethod
    def resolve_leader(obj: IndustryChain) -> str | None:
        return obj.leader.name if obj.leader else None


class MemberOut(Schema):
    id: int = Field(examples=[11])
    enterprise: EndOut
    segment: str = Field(examples=["玻璃瓶"])


class ChainDetailOut(ChainOut):
    members: list[MemberOut] = Field(description="The members the reader sees, by segment")

    @staticmethod
    def resolve_members(obj: IndustryChain, context: Any) -> Any:
        return members(context["request"].auth, obj)


class ChainIn(Schema):
    name: str = Field(examples=["白酒产业链"])
    region: str = Field(
        description="Region code of the city or district keeping it", examples=["510500"]
    )
    industry: str = Field("", description="Industry code", examples=["15"])
    leader_id: int | None = Field(None, description="The chain leader (链主)", examples=[42])
    description: str = Field("", examples=[""])


class ChainChangeIn(ChainIn):
    version: int = Field(examples=[1])


class MemberIn(Schema):
    enterprise_id: int = Field(examples=[42])
    segment: str = Field(examples=["玻璃瓶"])


class NodeOut(Schema):
    id: int = Field(examples=[42])
    name: str = Field(examples=["泸州示例酒业股份有限公司"])
    level: int = Field(description="Links from the focus: negative upstream", examples=[-1])
    region: str = Field(examples=["江阳区"])
    region_code: str = Field(examples=["510502"])
    home_city: bool = Field(description="In the focus's city", examples=[True])
    focus: bool = Field(examples=[False])
    segment: str = Field(description="Its segment in the chain (chain graphs)", examples=[""])
    openable: bool = Field(description="The reader may open its chain page", examples=[True])


class EdgeOut(Schema):
    id: int = Field(description="The link", examples=[7])
    source: int = Field(description="Supplier", examples=[41])
    target: int = Field(description="Customer", examples=[42])
    product: str = Field(examples=["玻璃酒瓶"])
    sector: str = Field(examples=["30"])
    share: float = Field(examples=[0.4])
    stock_days: float = Field(examples=[7.0])
    substitutes: bool = Field(examples=[False])
    depth: int = Field(examples=[1])
    upstream: bool = Field(examples=[True])


class GraphOut(Schema):
    focus: int | None = Field(description="The enterprise (or the chain's leader)", examples=[42])
    depth: int = Field(examples=[2])
    truncated: bool = Field(
        description="The walk stopped early: too many enterprises to draw", examples=[False]
    )
    nodes: list[NodeOut]
    edges: list[EdgeOut]


class GraphIn(Schema):
    depth: int = Field(2, ge=1, le=MAX_DEPTH, description="1–4 links away", examples=[2])


# ---- links ------------------------------------------------------------------------------------


def _link(request: Any, link_id: int) -> SupplyLink:
    return get_for(
        SupplyLink.objects.select_related("supplier__region", "customer__region", "sector"),
        request.auth,
        link_id,
    )


def _save_link(request: Any, payload: LinkIn, **change: Any) -> SupplyLink:
    """Create the link, or with `link_id` and `version` change it."""
    return save_link(
        actor=request.auth,
        supplier_id=payload.supplier_id,
        customer_id=payload.customer_id,
        product=payload.product,
        sector_code=payload.sector,
        share=payload.share,
        stock_days=payload.stock_days,
        substitutes=payload.substitutes,
        note=payload.note,
        **change,
    )


@router.get(
    "/chains/links",
    response=list[LinkOut],
    summary="Supply links the user sees",
    openapi_extra=LINKS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def link_list(request: Any) -> Any:
    require_role(request.auth, SupplyLink)
    return LINKS.rows(request.auth, request.GET)


@router.post(
    "/chains/links",
    response=LinkOut,
    summary="Record a supply link (an end in your area; both ends ones you see)",
)
def link_create(request: Any, payload: LinkIn) -> Any:
    return _link(request, _save_link(request, payload).pk)


@router.get("/chains/links/{link_id}", response=LinkOut, summary="One supply link")
def link_detail(request: Any, link_id: int) -> Any:
    return _link(request, link_id)


@router.put("/chains/links/{link_id}", response=LinkOut, summary="Change a supply link")
def link_change(request: Any, link_id: int, payload: LinkChangeIn) -> Any:
    _save_link(request, payload, link_id=link_id, version=payload.version)
    return _link(request, link_id)


@router.delete("/chains/links/{link_id}", response={204: None}, summary="Remove a supply link")
def link_delete(request: Any, link_id: int, version: int) -> Any:
    delete_link(actor=request.auth, link_id=link_id, version=version)
    return Status(204, None)


# ---- industry chains --------------------------------------------------------------------------


def _chain(request: Any, chain_id: int) -> IndustryChain:
    return get_for(
        IndustryChain.objects.select_related("region", "industry", "leader"),
        request.auth,
        chain_id,
    )


def _save_chain(request: Any, payload: ChainIn, **change: Any) -> IndustryChain:
    """Create the chain, or with `chain_id` and `version` change it."""
    region_id = Region.objects.filter(code=payload.region.strip()).values_list("pk", flat=True)
    return save_chain(
        actor=request.auth,
        name=payload.name,
        region_id=region_id.first(),  # type: ignore[arg-type]
        industry_code=payload.industry,
        leader_id=payload.leader_id,
        description=payload.description,
        **change,
    )


@router.get(
    "/chains/chains",
    response=list[ChainOut],
    summary="Industry chains the user sees",
    openapi_extra=CHAINS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def chain_list(request: Any) -> Any:
    require_role(request.auth, IndustryChain)
    return CHAINS.rows(request.auth, request.GET)


@router.post("/chains/chains", response=ChainDetailOut, summary="Start following an industry chain")
def chain_create(request: Any, payload: ChainIn) -> Any:
    return _chain(request, _save_chain(request, payload).pk)


@router.get("/chains/chains/{chain_id}", response=ChainDetailOut, summary="One chain, with members")
def chain_detail(request: Any, chain_id: int) -> Any:
    return _chain(request, chain_id)


@router.put(
    "/chains/chains/{chain_id}", response=ChainDetailOut, summary="Change an industry chain"
)
def chain_change(request: Any, chain_id: int, payload: ChainChangeIn) -> Any:
    _save_chain(request, payload, chain_id=chain_id, version=payload.version)
    return _chain(request, chain_id)


@router.post(
    "/chains/chains/{chain_id}/members",
    response=MemberOut,
    summary="Add an enterprise to a chain at a segment",
)
def member_add(request: Any, chain_id: int, payload: MemberIn) -> Any:
    member = add_member(
        actor=request.auth,
        chain_id=chain_id,
        enterprise_id=payload.enterprise_id,
        segment=payload.segment,
    )
    return ChainMember.objects.select_related("enterprise__region").get(pk=member.pk)


@router.delete(
    "/chains/members/{member_id}", response={204: None}, summary="Take an enterprise out of a chain"
)
def member_remove(request: Any, member_id: int) -> Any:
    remove_member(actor=request.auth, member_id=member_id)
    return Status(204, None)


@router.get(
    "/chains/chains/{chain_id}/graph",
    response=GraphOut,
    summary="A chain's members and the links among them, for the chart",
)
def chain_graph(request: Any, chain_id: int) -> Any:
    chain = _chain(request, chain_id)
    return graph_data(request.auth, graph_of_chain(request.auth, chain))


# ---- an enterprise's chain --------------------------------------------------------------------


@router.get(
    "/chains/enterprises/{enterprise_id}/graph",
    response=GraphOut,
    summary="An enterprise's suppliers and customers to a depth (1–4), for the chart",
)
def enterprise_graph(request: Any, enterprise_id: int, query: Query[GraphIn]) -> Any:
    require_role(request.auth, SupplyLink)
    enterprise = get_for(Enterprise.objects.select_related("region"), request.auth, enterprise_id)
    graph = neighbourhood(request.auth, enterprise, depth=query.depth)
    return graph_data(request.auth, graph)
