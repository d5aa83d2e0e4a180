"""Writes of the supply network: links (one at a time or imported from a file), industry chains
and their members. Each checks the actor's right, validates, changes the rows and writes the
audit event in one transaction.

Officials keep the network over their area: a link may be written by whoever may change one of
its ends' places and sees both enterprises in the registry (a customer in the district reports a
supplier in another city, which the bureau, seeing the city, may name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from keepline.chains import parsing
from keepline.chains.models import ChainMember, IndustryChain, Scenario, ScenarioStatus, SupplyLink
from keepline.chains.selectors.network import in_area, registry, share_total
from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.imports import ImportCheck
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, get_for, require_place, require_role
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import Region

LINK_AUDIT = [
    "supplier",
    "customer",
    "product",
    "sector",
    "share",
    "stock_days",
    "substitutes",
    "note",
    "version",
]
CHAIN_AUDIT = ["name", "region", "industry", "leader", "description", "version"]
MEMBER_AUDIT = ["chain", "enterprise", "segment"]
PRODUCT_MAX = 100
NOTE_MAX = 200
SEGMENT_MAX = 50
NAME_MAX = 100


def _seen_enterprise(actor: Actor, pk: Any) -> Enterprise:
    return get_for(Enterprise.objects.select_related("region", "park"), actor, pk)


def _conflict(obj: Any, fields: list[str], what: str) -> Conflict:
    return Conflict(
        _("Someone else changed this %(what)s while you were looking at it.") % {"what": what},
        current=audit.snapshot(obj, fields),
    )


def _sector_name(sector: Industry) -> str:
    return f"{sector.code} {sector.name}"


def over_message(customer: Enterprise, sector: Industry, total: Decimal) -> str:
    return _(
        "The shares of %(customer)s's suppliers of %(sector)s would add up to %(total)s; "
        "together they cover at most 1 (100%%)."
    ) % {"customer": customer.name, "sector": _sector_name(sector), "total": total}


# ---- links ------------------------------------------------------------------------------------


def _network_changed() -> None:
    """Scenarios were run over the network as it stood: a change to it leaves every run one
    out of date (rerun to see its effect), as a change to a scenario's areas does."""
    Scenario.objects.filter(status=ScenarioStatus.DONE).update(status=ScenarioStatus.STALE)


@transaction.atomic
def save_link(
    *,
    actor: Actor,
    supplier_id: int,
    customer_id: int,
    product: str,
    sector_code: str,
    share: Any,
    stock_days: Any,
    substitutes: bool = False,
    note: str = "",
    link_id: int | None = None,
    version: int | None = None,
) -> SupplyLink:
    """Record that the supplier supplies the customer with a product of a sector (a new link,
    or a change to `link_id` at `version`). Shares of one customer's suppliers of a sector add up
    to at most 1."""
    link: SupplyLink | None = None
    before: dict[str, Any] = {}
    if link_id is None:
        require_role(actor, SupplyLink, "change")
    else:
        link = get_for(
            SupplyLink.objects.select_for_update(of=("self",)).select_related(
                "supplier__region", "supplier__park", "customer__region", "customer__park"
            ),
            actor,
            link_id,
            "change",
        )
        if version is None or version != link.version:
            raise _conflict(link, LINK_AUDIT, _("link"))
        before = audit.snapshot(link, LINK_AUDIT)
    # An end left as it was stays, even where the registry does not show it to the actor (a
    # district keeps its customer's link to a supplier the bureau named in another district).
    supplier = (
        link.supplier
        if link and link.supplier_id == supplier_id
        else _seen_enterprise(actor, supplier_id)
    )
    customer = (
        link.customer
        if link and link.customer_id == customer_id
        else _seen_enterprise(actor, customer_id)
    )
    if not (in_area(actor, supplier) or in_area(actor, customer)):
        raise Forbidden(_("Neither enterprise is in your area."))

    errors: dict[str, list[str]] = {}
    if supplier.pk == customer.pk:
        errors["customer"] = [_("An enterprise does not supply itself.")]
    product = (product or "").strip()
    if not product:
        errors["product"] = [_("This field is required.")]
    elif len(product) > PRODUCT_MAX:
        errors["product"] = [_("At most %(n)d characters.") % {"n": PRODUCT_MAX}]
    sector = Industry.objects.filter(code=(sector_code or "").strip()).first()
    if sector is None:
        errors["sector"] = [_("Choose an industry code from the list.")]
    share_value, message = parsing.parse_share(share)
    if message:
        errors["share"] = [message]
    stock_value, message = parsing.parse_stock(stock_days)
    if message:
        errors["stock_days"] = [message]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    if not errors:
        twin = SupplyLink.objects.filter(supplier=supplier, customer=customer, product=product)
        if link is not None:
            twin = twin.exclude(pk=link.pk)
        if twin.exists():
            errors["product"] = [_("This supplier already supplies this product to this customer.")]
    if not errors and sector is not None and share_value is not None:
        total = share_total(customer.pk, sector.pk, [link.pk] if link else []) + share_value
        if total > 1:
            errors["share"] = [over_message(customer, sector, total)]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)

    assert sector is not None and share_value is not None and stock_value is not None
    if link is None:
        link = SupplyLink(supplier=supplier, customer=customer)
    link.supplier, link.customer = supplier, customer
    link.product, link.sector = product, sector
    link.share, link.stock_days = share_value, stock_value
    link.substitutes, link.note = bool(substitutes), note
    if before:
        link.version += 1
    link.save()
    after = audit.snapshot(link, LINK_AUDIT)
    if before:
        old, new = audit.changes(before, after)
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=link, before=old, after=new)
    else:
        audit.record(actor=actor, action=audit.Action.CREATE, obj=link, after=after)
    _network_changed()
    return link


@transaction.atomic
def delete_link(*, actor: Actor, link_id: int, version: int) -> None:
    """Remove a link that no longer holds (the supplier stopped supplying)."""
    link = get_for(SupplyLink.objects.select_for_update(of=("self",)), actor, link_id, "change")
    if version != link.version:
        raise _conflict(link, LINK_AUDIT, _("link"))
    before = audit.snapshot(link, LINK_AUDIT)
    event = audit.build(actor=actor, action=audit.Action.DELETE, obj=link, before=before)
    link.delete()
    event.save()
    _network_changed()


@dataclass
class LinkRow:
    """A checked row of a links file (`chains.importers`): the link it writes, and the
    recorded link with the same supplier, customer and product it replaces, if any."""

    number: int
    supplier: Enterprise
    customer: Enterprise
    product: str
    sector: Industry
    share: Decimal
    stock_days: Decimal
    substitutes: bool
    note: str
    replaces: int | None = None


@dataclass
class LinkImport:
    """What an import wrote."""

    created: int = 0
    updated: int = 0
    links: list[SupplyLink] = field(default_factory=list)


def import_links(*, actor: Actor, check: ImportCheck[LinkRow]) -> LinkImport:
    """Write the rows of a checked links file in one transaction, all or none: a row that
    replaces a recorded link updates it."""
    require_role(actor, SupplyLink, "change")
    if not check.ok:
        raise check.as_error()
    try:
        return _write_import(actor, check.rows)
    except IntegrityError as exc:
        # Someone recorded one of the same links meanwhile: the whole file waits for a retry.
        raise Conflict(
            _("The network changed while the file was imported; import it again.")
        ) from exc


@transaction.atomic
def _write_import(actor: Actor, rows: list[LinkRow]) -> LinkImport:
    result = LinkImport()
    events: list[AuditEvent] = []
    for row in rows:
        before: dict[str, Any] = {}
        if row.replaces is not None:
            link = SupplyLink.objects.select_for_update(of=("self",)).get(pk=row.replaces)
            before = audit.snapshot(link, LINK_AUDIT)
            link.version += 1
        else:
            link = SupplyLink(supplier=row.supplier, customer=row.customer, product=row.product)
        link.sector, link.share, link.stock_days = row.sector, row.share, row.stock_days
        link.substitutes, link.note = row.substitutes, row.note
        link.save()
        after = audit.snapshot(link, LINK_AUDIT)
        if before:
            old, new = audit.changes(before, after)
            if set(new) - {"version"}:
                events.append(
                    audit.build(
                        actor=actor, action=audit.Action.IMPORT, obj=link, before=old, after=new
                    )
                )
            result.updated += 1
        else:
            events.append(
                audit.build(actor=actor, action=audit.Action.IMPORT, obj=link, after=after)
            )
            result.created += 1
        result.links.append(link)
    AuditEvent.objects.bulk_create(events)
    _network_changed()
    return result


# ---- industry chains --------------------------------------------------------------------------


def _chain_region(region_id: Any) -> Region:
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    if region is None:
        raise InvalidInput(
            _("Please correct the marked fields."),
            errors={"region": [_("Choose the city or district that keeps the chain.")]},
        )
    return region


@transaction.atomic
def save_chain(
    *,
    actor: Actor,
    name: str,
    region_id: int,
    industry_code: str = "",
    leader_id: int | None = None,
    description: str = "",
    chain_id: int | None = None,
    version: int | None = None,
) -> IndustryChain:
    """Create an industry chain kept by a region's task force, or change one at `version`."""
    chain: IndustryChain | None = None
    before: dict[str, Any] = {}
    if chain_id is None:
        require_role(actor, IndustryChain, "change")
    else:
        chain = get_for(
            IndustryChain.objects.select_for_update(of=("self",)), actor, chain_id, "change"
        )
        if version is None or version != chain.version:
            raise _conflict(chain, CHAIN_AUDIT, _("chain"))
        before = audit.snapshot(chain, CHAIN_AUDIT)
    region = _chain_region(region_id)
    require_place(actor, "change", IndustryChain, region=region)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    else:
        twin = IndustryChain.objects.filter(region=region, name=name)
        if chain is not None:
            twin = twin.exclude(pk=chain.pk)
        if twin.exists():
            errors["name"] = [
                _("%(region)s already keeps a chain of this name.") % {"region": region}
            ]
    industry = None
    if (industry_code or "").strip():
        industry = Industry.objects.filter(code=industry_code.strip()).first()
        if industry is None:
            errors["industry"] = [_("Choose an industry code from the list.")]
    leader = None
    if leader_id:
        leader = registry(actor).filter(pk=leader_id).first()
        if leader is None:
            errors["leader"] = [_("Choose an enterprise you can see.")]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    if chain is None:
        chain = IndustryChain()
    chain.name, chain.region, chain.industry = name, region, industry
    chain.leader, chain.description = leader, (description or "").strip()
    if before:
        chain.version += 1
    chain.save()
    after = audit.snapshot(chain, CHAIN_AUDIT)
    if before:
        old, new = audit.changes(before, after)
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=chain, before=old, after=new)
    else:
        audit.record(actor=actor, action=audit.Action.CREATE, obj=chain, after=after)
    return chain


@transaction.atomic
def add_member(*, actor: Actor, chain_id: int, enterprise_id: int, segment: str) -> ChainMember:
    """Put an enterprise in a chain at a segment (环节: grain, glass bottles, packaging…)."""
    chain = get_for(
        IndustryChain.objects.select_for_update(of=("self",)), actor, chain_id, "change"
    )
    errors: dict[str, list[str]] = {}
    enterprise = registry(actor).filter(pk=enterprise_id).first() if enterprise_id else None
    if enterprise is None:
        errors["enterprise"] = [_("Choose an enterprise you can see.")]
    elif ChainMember.objects.filter(chain=chain, enterprise=enterprise).exists():
        errors["enterprise"] = [_("Already a member of this chain.")]
    segment = (segment or "").strip()
    if not segment:
        errors["segment"] = [_("This field is required.")]
    elif len(segment) > SEGMENT_MAX:
        errors["segment"] = [_("At most %(n)d characters.") % {"n": SEGMENT_MAX}]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    assert enterprise is not None
    member = ChainMember.objects.create(chain=chain, enterprise=enterprise, segment=segment)
    audit.record(
        actor=actor,
        action=audit.Action.ADD_MEMBER,
        obj=member,
        after=audit.snapshot(member, MEMBER_AUDIT),
    )
    return member


@transaction.atomic
def remove_member(*, actor: Actor, member_id: int) -> None:
    """Take an enterprise out of a chain."""
    member = get_for(
        ChainMember.objects.select_for_update(of=("self",)).select_related("chain", "enterprise"),
        actor,
        member_id,
        "change",
    )
    event = audit.build(
        actor=actor,
        action=audit.Action.REMOVE_MEMBER,
        obj=member,
        before=audit.snapshot(member, MEMBER_AUDIT),
    )
    member.delete()
    event.save()
