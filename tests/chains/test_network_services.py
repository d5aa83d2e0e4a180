"""Supply links and industry chains written through the services: validation naming the field,
versions (409), audit, and who may touch what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.utils.http import urlencode

from keepline.chains.models import (
    ChainMember,
    IndustryChain,
    Scenario,
    ScenarioStatus,
    SupplyLink,
)
from keepline.chains.selectors.industry import chains
from keepline.chains.selectors.network import LINKS
from keepline.chains.services.network import (
    add_member,
    delete_link,
    remove_member,
    save_chain,
    save_link,
)
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from tests.chains.support_network import firm, link
from tests.conftest import World


def links(actor: Any, **filters: Any) -> Any:
    """The links the list shows the actor with these filters (as a query string gives them)."""
    return LINKS.rows(actor, QueryDict(urlencode({k: str(v) for k, v in filters.items()})))


@pytest.fixture
def naxi_firm(world: World) -> Enterprise:
    return firm(1, "纳溪测试玻璃有限公司", world.naxi)


@pytest.fixture
def glass(world: World) -> Enterprise:
    return firm(2, "江阳测试玻璃有限公司", world.jiangyang)


def _save(actor: Any, supplier: Enterprise, customer: Enterprise, **changes: Any) -> SupplyLink:
    args: dict[str, Any] = {
        "actor": actor,
        "supplier_id": supplier.pk,
        "customer_id": customer.pk,
        "product": "玻璃酒瓶",
        "sector_code": "30",
        "share": "40%",
        "stock_days": "7",
    }
    args.update(changes)
    return save_link(**args)


def test_a_link_is_saved_with_its_share_as_a_fraction_and_audited(
    world: World, glass: Enterprise
) -> None:
    saved = _save(world.users["district"], glass, world.enterprise, substitutes=True)
    saved.refresh_from_db()
    assert saved.share == Decimal("0.400")
    assert saved.stock_days == Decimal("7.0")
    assert saved.substitutes is True
    event = AuditEvent.objects.get(object_type="chains.supplylink", object_id=str(saved.pk))
    assert event.action == "create"
    assert event.actor_name == "district"
    assert event.after is not None and event.after["share"] == "0.400"


def test_every_bad_field_is_named_and_nothing_is_written(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _save(
            world.users["district"],
            world.enterprise,
            world.enterprise,
            product=" ",
            sector_code="ZZ",
            share="150%",
            stock_days="400",
        )
    errors = caught.value.errors
    assert set(errors) == {"customer", "product", "sector", "share", "stock_days"}
    assert "itself" in errors["customer"][0]
    assert "at most 1" in errors["share"][0]
    assert "365" in errors["stock_days"][0]
    assert not SupplyLink.objects.exists()


@pytest.mark.parametrize("share", ["0", "-0.2", "abc", "1.01"])
def test_shares_outside_zero_to_one_are_refused(
    world: World, glass: Enterprise, share: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _save(world.users["district"], glass, world.enterprise, share=share)
    assert list(caught.value.errors) == ["share"]


def test_shares_of_one_customers_suppliers_of_a_sector_add_up_to_at_most_one(
    world: World, glass: Enterprise
) -> None:
    other = firm(3, "江阳第二玻璃有限公司", world.jiangyang)
    _save(world.users["district"], glass, world.enterprise, share="0.6")
    with pytest.raises(InvalidInput) as caught:
        _save(world.users["district"], other, world.enterprise, share="0.5")
    message = caught.value.errors["share"][0]
    assert world.enterprise.name in message and "1.1" in message
    # Another sector is another need.
    _save(
        world.users["district"],
        other,
        world.enterprise,
        share="0.5",
        sector_code="22",
        product="纸箱",
    )
    # The whole remainder fits.
    _save(world.users["district"], other, world.enterprise, share="40%")
    assert SupplyLink.objects.filter(customer=world.enterprise, sector__code="30").count() == 2


def test_the_same_product_twice_between_two_enterprises_is_refused(
    world: World, glass: Enterprise
) -> None:
    _save(world.users["district"], glass, world.enterprise, share="0.2")
    with pytest.raises(InvalidInput) as caught:
        _save(world.users["district"], glass, world.enterprise, share="0.2")
    assert list(caught.value.errors) == ["product"]


def test_a_stale_version_answers_409_with_the_current_state(
    world: World, glass: Enterprise
) -> None:
    saved = _save(world.users["district"], glass, world.enterprise)
    _save(
        world.users["bureau"], glass, world.enterprise, link_id=saved.pk, version=1, stock_days="3"
    )
    with pytest.raises(Conflict) as caught:
        _save(
            world.users["district"],
            glass,
            world.enterprise,
            link_id=saved.pk,
            version=1,
            stock_days="9",
        )
    assert caught.value.current["stock_days"] == "3.0"
    assert caught.value.current["version"] == 2
    with pytest.raises(Conflict):
        delete_link(actor=world.users["district"], link_id=saved.pk, version=1)
    delete_link(actor=world.users["district"], link_id=saved.pk, version=2)
    assert not SupplyLink.objects.exists()
    assert AuditEvent.objects.filter(object_type="chains.supplylink", action="delete").count() == 1


def test_a_district_official_names_only_enterprises_the_registry_shows_them(
    world: World, naxi_firm: Enterprise
) -> None:
    with pytest.raises(NotFound):
        _save(world.users["district"], naxi_firm, world.enterprise)
    # The bureau sees the city: a Naxi supplier of a Jiangyang customer.
    saved = _save(world.users["bureau"], naxi_firm, world.enterprise)
    # The district then keeps its customer's link, the supplier left as it was.
    changed = _save(
        world.users["district"],
        naxi_firm,
        world.enterprise,
        link_id=saved.pk,
        version=1,
        stock_days="2",
    )
    assert changed.stock_days == Decimal("2.0")


def test_a_district_official_cannot_touch_a_link_with_both_ends_outside_its_area(
    world: World, naxi_firm: Enterprise
) -> None:
    naxi_customer = firm(4, "纳溪测试酒业有限公司", world.naxi, industry="15")
    outside = link(naxi_firm, naxi_customer)
    district = world.users["district"]
    with pytest.raises(NotFound):
        _save(district, naxi_firm, naxi_customer, link_id=outside.pk, version=1)
    with pytest.raises(NotFound):
        delete_link(actor=district, link_id=outside.pk, version=1)
    assert outside not in links(district)
    # The bureau of the city may; the Yibin district official may not even see it.
    _save(
        world.users["bureau"], naxi_firm, naxi_customer, link_id=outside.pk, version=1, note="核实"
    )
    with pytest.raises(NotFound):
        delete_link(actor=world.other_user, link_id=outside.pk, version=2)  # type: ignore[arg-type]


def test_neither_end_in_the_area_is_forbidden_even_when_both_are_seen(world: World) -> None:
    # The park committee sees its park's enterprises; a link between two outside it is refused.
    inside = firm(5, "园区外江阳企业", world.jiangyang)
    other = firm(6, "园区外江阳企业二", world.jiangyang)
    with pytest.raises((Forbidden, NotFound)):
        _save(world.users["park"], inside, other)
    park_firm = firm(7, "园区内玻璃企业", world.jiangyang, park=world.park)
    assert _save(world.users["park"], park_firm, world.enterprise).pk


def test_a_liaison_sees_only_its_enterprises_links_and_writes_none(
    world: World, glass: Enterprise
) -> None:
    own = link(glass, world.enterprise)
    third = firm(8, "江阳测试包装有限公司", world.jiangyang, industry="22")
    others = link(third, glass, "纸箱", sector="22")
    seen = list(links(world.users["liaison"]))
    assert own in seen and others not in seen
    with pytest.raises(Forbidden):
        _save(world.users["liaison"], third, world.enterprise, product="标签", sector_code="23")
    assert links(world.users["checkpoint"]).count() == 0


def test_filters_of_the_links(world: World, glass: Enterprise, naxi_firm: Enterprise) -> None:
    bureau = world.users["bureau"]
    a = link(glass, world.enterprise, share="0.5", stock_days="2")
    b = link(naxi_firm, world.enterprise, "瓶盖", share="0.3", stock_days="20", substitutes=True)
    c = link(world.enterprise, naxi_firm, "白酒", sector="15", share="1")
    assert set(links(bureau, low_stock=Decimal(3))) == {a}
    assert set(links(bureau, substitutes=True)) == {b}
    assert set(links(bureau, sector="15")) == {c}
    assert set(links(bureau, sector="C")) == {a, b, c}  # the manufacturing section
    assert set(links(bureau, region="510503")) == {b, c}
    assert set(links(bureau, q=naxi_firm.name, side="supplier")) == {b}
    assert set(links(bureau, enterprise=world.enterprise.pk, side="customer")) == {a, b}
    assert list(links(bureau, sort="-share")) == [c, a, b]


# ---- industry chains --------------------------------------------------------------------------


def test_chains_are_kept_by_their_region_and_named_once(world: World) -> None:
    bureau, district = world.users["bureau"], world.users["district"]
    with pytest.raises(Forbidden):
        save_chain(actor=district, name="白酒产业链", region_id=world.luzhou.pk)
    chain = save_chain(
        actor=bureau,
        name="白酒产业链",
        region_id=world.luzhou.pk,
        industry_code="15",
        leader_id=world.enterprise.pk,
    )
    with pytest.raises(InvalidInput) as caught:
        save_chain(actor=bureau, name="白酒产业链", region_id=world.luzhou.pk)
    assert list(caught.value.errors) == ["name"]
    with pytest.raises(InvalidInput) as caught:
        save_chain(actor=bureau, name="化工", region_id=world.luzhou.pk, industry_code="X9")
    assert list(caught.value.errors) == ["industry"]
    # A district reads the city's chain but does not change it.
    assert chain in chains(district)
    with pytest.raises(Forbidden):
        save_chain(
            actor=district, name="改名", region_id=world.luzhou.pk, chain_id=chain.pk, version=1
        )
    with pytest.raises(Conflict):
        save_chain(
            actor=bureau, name="白酒", region_id=world.luzhou.pk, chain_id=chain.pk, version=7
        )
    renamed = save_chain(
        actor=bureau,
        name="白酒（酱香）产业链",
        region_id=world.luzhou.pk,
        leader_id=world.enterprise.pk,
        chain_id=chain.pk,
        version=1,
    )
    assert renamed.version == 2 and renamed.leader_id == world.enterprise.pk
    assert world.other_user is not None
    assert chain not in chains(world.other_user)


def test_members_are_added_once_with_a_segment_and_removed(world: World, glass: Enterprise) -> None:
    bureau = world.users["bureau"]
    chain = save_chain(actor=bureau, name="白酒产业链", region_id=world.luzhou.pk)
    member = add_member(actor=bureau, chain_id=chain.pk, enterprise_id=glass.pk, segment="玻璃瓶")
    with pytest.raises(InvalidInput) as caught:
        add_member(actor=bureau, chain_id=chain.pk, enterprise_id=glass.pk, segment="")
    assert set(caught.value.errors) == {"enterprise", "segment"}
    with pytest.raises(InvalidInput) as caught:
        add_member(
            actor=bureau,
            chain_id=chain.pk,
            enterprise_id=world.foreign_enterprise.pk,
            segment="化工",
        )
    assert list(caught.value.errors) == ["enterprise"]
    with pytest.raises(Forbidden):
        remove_member(actor=world.users["district"], member_id=member.pk)
    remove_member(actor=bureau, member_id=member.pk)
    assert not ChainMember.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="chains.chainmember")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["add_member", "remove_member"]


def test_a_liaison_sees_the_chains_its_enterprise_belongs_to(
    world: World, glass: Enterprise
) -> None:
    bureau = world.users["bureau"]
    mine = save_chain(actor=bureau, name="白酒产业链", region_id=world.luzhou.pk)
    add_member(actor=bureau, chain_id=mine.pk, enterprise_id=world.enterprise.pk, segment="酿造")
    other = save_chain(actor=bureau, name="玻璃产业链", region_id=world.luzhou.pk)
    assert list(chains(world.users["liaison"])) == [mine]
    assert other in chains(world.users["leader"])
    assert IndustryChain.objects.count() == 2
    assert Region.objects.filter(pk=world.luzhou.pk).exists()


def test_a_change_to_the_network_leaves_run_scenarios_out_of_date(
    world: World, glass: Enterprise, naxi_firm: Enterprise
) -> None:
    def scenario(status: str) -> Scenario:
        return Scenario.objects.create(
            name=status, region=world.luzhou, starts_on=dt.date(2022, 9, 8), status=status
        )

    run, draft = scenario(ScenarioStatus.DONE), scenario(ScenarioStatus.DRAFT)
    saved = _save(world.users["bureau"], glass, world.enterprise)
    assert Scenario.objects.get(pk=run.pk).status == ScenarioStatus.STALE
    assert Scenario.objects.get(pk=draft.pk).status == ScenarioStatus.DRAFT
    # Run again, then the link goes: out of date again.
    Scenario.objects.filter(pk=run.pk).update(status=ScenarioStatus.DONE)
    delete_link(actor=world.users["bureau"], link_id=saved.pk, version=saved.version)
    assert Scenario.objects.get(pk=run.pk).status == ScenarioStatus.STALE
    Scenario.objects.filter(pk=run.pk).update(status=ScenarioStatus.DONE)
    link(naxi_firm, glass)
    assert Scenario.objects.get(pk=run.pk).status == ScenarioStatus.STALE
