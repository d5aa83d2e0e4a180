"""The supply-network pages: the links list with its filters, sorting and Excel export, the
link forms with errors by field and 409, and the industry chains with their leader."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from keepline.chains.models import ChainMember, IndustryChain, SupplyLink
from keepline.chains.services.network import add_member, save_chain, save_link
from keepline.enterprises.models import Enterprise
from tests.chains.support_network import firm, link
from tests.conftest import World


@pytest.fixture
def net(world: World) -> dict[str, object]:
    glass = firm(1, "江阳测试玻璃有限公司", world.jiangyang)
    box = firm(2, "江阳测试包装有限公司", world.jiangyang, industry="22")
    naxi = firm(3, "纳溪测试瓶盖有限公司", world.naxi)
    return {
        "glass": glass,
        "box": box,
        "naxi": naxi,
        "bottle": link(glass, world.enterprise, "玻璃酒瓶", share="0.6", stock_days="2"),
        "carton": link(box, world.enterprise, "纸箱", sector="22", share="1", stock_days="15"),
        "cap": link(naxi, world.enterprise, "瓶盖", share="0.3", stock_days="30", substitutes=True),
    }


def _rows(body: str) -> list[str]:
    return [part.split('"')[0] for part in body.split('data-link="')[1:]]


def test_the_list_filters_sorts_and_pages(world: World, net: dict[str, object]) -> None:
    client = world.client("bureau")
    ids = {k: str(v.pk) for k, v in net.items() if isinstance(v, SupplyLink)}
    everything = client.get("/chains/links/")
    assert everything.status_code == 200 and len(_rows(everything.content.decode())) == 3
    low = client.get("/chains/links/?low_stock=3")
    assert _rows(low.content.decode()) == [ids["bottle"]]
    assert 'data-flag="low-stock"' in low.content.decode()
    assert _rows(client.get("/chains/links/?sector=22").content.decode()) == [ids["carton"]]
    assert _rows(client.get("/chains/links/?substitutes=yes").content.decode()) == [ids["cap"]]
    assert _rows(client.get("/chains/links/?region=510503").content.decode()) == [ids["cap"]]
    by_name = client.get("/chains/links/?q=%E7%BA%B8%E7%AE%B1&side=supplier")  # 纸箱: no supplier
    assert _rows(by_name.content.decode()) == []
    by_supplier = client.get("/chains/links/?q=%E5%8C%85%E8%A3%85&side=supplier")  # 包装
    assert _rows(by_supplier.content.decode()) == [ids["carton"]]
    by_share = client.get("/chains/links/?sort=-share")
    assert _rows(by_share.content.decode()) == [ids["carton"], ids["bottle"], ids["cap"]]
    bad = client.get("/chains/links/?low_stock=abc")
    assert bad.status_code == 400 and 'data-field-error="low_stock"' in bad.content.decode()
    partial = client.get("/chains/links/?low_stock=3", HTTP_HX_REQUEST="true")
    assert (
        'hx-swap-oob="true"' in partial.content.decode() and "<html" not in partial.content.decode()
    )


def test_the_export_follows_the_filters(world: World, net: dict[str, object]) -> None:
    response = world.client("bureau").get("/chains/links/export.xlsx?sector=30&sort=-share")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Supplier" and rows[0][6] == "Product"
    assert [r[6] for r in rows[1:]] == ["玻璃酒瓶", "瓶盖"]
    assert rows[1][9] == pytest.approx(0.6)
    assert world.client("bureau").get("/chains/links/export.xlsx?low_stock=x").status_code == 400


def test_the_add_form_shows_errors_by_field_and_saves(world: World, net: dict[str, object]) -> None:
    client = world.client("district")
    form = client.get(f"/chains/links/new/?customer={world.enterprise.pk}")
    assert form.status_code == 200 and net["glass"].name in form.content.decode()  # type: ignore[attr-defined]
    data = {
        "supplier": net["glass"].pk,  # type: ignore[attr-defined]
        "customer": world.enterprise.pk,
        "product": "玻璃瓶盖",
        "sector": "30",
        "share": "50%",
        "stock_days": "7",
    }
    refused = client.post("/chains/links/new/", data)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'data-field-error="share"' in body and "1.4" in body
    saved = client.post("/chains/links/new/", data | {"share": "10%"})
    assert saved.status_code == 302
    assert SupplyLink.objects.get(product="玻璃瓶盖").share == Decimal("0.100")


def test_an_edit_over_someone_elses_answers_with_their_version(
    world: World, net: dict[str, object]
) -> None:
    bottle: SupplyLink = net["bottle"]  # type: ignore[assignment]
    client = world.client("district")
    page = client.get(f"/chains/links/{bottle.pk}/edit/")
    assert page.status_code == 200 and 'name="version" value="1"' in page.content.decode()
    save_link(
        actor=world.users["bureau"],
        supplier_id=bottle.supplier_id,
        customer_id=bottle.customer_id,
        product=bottle.product,
        sector_code="30",
        share="0.6",
        stock_days="1",
        link_id=bottle.pk,
        version=1,
    )
    data = {
        "supplier": bottle.supplier_id,
        "customer": bottle.customer_id,
        "product": bottle.product,
        "sector": "30",
        "share": "0.6",
        "stock_days": "9",
        "version": 1,
    }
    stale = client.post(f"/chains/links/{bottle.pk}/edit/", data, follow=True)
    assert "Someone else changed this link" in stale.content.decode()
    bottle.refresh_from_db()
    assert bottle.stock_days == 1
    removed = client.post(f"/chains/links/{bottle.pk}/delete/", {"version": 2})
    assert removed.status_code == 302 and not SupplyLink.objects.filter(pk=bottle.pk).exists()


def test_the_liaison_reads_its_links_without_edit_buttons(
    world: World, net: dict[str, object]
) -> None:
    body = world.client("liaison").get("/chains/links/").content.decode()
    assert len(_rows(body)) == 3
    assert "/edit/" not in body and 'id="add-link"' not in body


def test_the_enterprise_filter_names_only_an_enterprise_the_reader_sees(
    world: World, net: dict[str, object]
) -> None:
    client = world.client("district")
    own = client.get(f"/chains/links/?enterprise={world.enterprise.pk}").content.decode()
    assert 'id="enterprise-filter"' in own and world.enterprise.name in own
    # An enterprise the reader does not see is refused as any value naming nothing is.
    foreign = client.get(f"/chains/links/?enterprise={world.foreign_enterprise.pk}")
    assert foreign.status_code == 400 and "enterprise" in foreign.context["filters"].errors
    assert world.foreign_enterprise.name not in foreign.content.decode()


@pytest.mark.parametrize("code", ["²", "abc", str(2**63), "0", "9" * 5000])
@pytest.mark.parametrize("url", ["/chains/links/", "/api/chains/links"])
def test_an_id_filter_that_names_nothing_is_refused_not_a_crash(
    world: World, net: dict[str, object], url: str, code: str
) -> None:
    # "²" passes str.isdigit() but not int(): it must be refused like a word.
    client = world.client("district")
    for name in ("enterprise", "chain"):
        assert client.get(url, {name: code}).status_code == 400, (name, code)


@pytest.mark.parametrize("supplier", ["²", str(2**63), "9" * 5000])
def test_a_link_end_that_names_nothing_is_a_field_error(
    world: World, net: dict[str, object], supplier: str
) -> None:
    data = {
        "supplier": supplier,
        "customer": world.enterprise.pk,
        "product": "玻璃瓶盖",
        "sector": "30",
        "share": "10%",
        "stock_days": "7",
    }
    refused = world.client("district").post("/chains/links/new/", data)
    assert refused.status_code == 400 and 'data-field-error="supplier"' in refused.content.decode()
    assert not SupplyLink.objects.filter(product="玻璃瓶盖").exists()


def test_chains_list_and_page_highlight_the_chain_leader(
    world: World, net: dict[str, object]
) -> None:
    bureau = world.client("bureau")
    created = bureau.post(
        "/chains/chains/new/",
        {"name": "白酒产业链", "region": "510500", "industry": "15", "leader": world.enterprise.pk},
    )
    assert created.status_code == 302
    chain = IndustryChain.objects.get()
    assert created["Location"] == f"/chains/chains/{chain.pk}/"
    # Digits that name no enterprise ("²" passes isdigit(), not int()) are a leader refused.
    for leader in ("²", "9" * 30):
        refused = bureau.post(
            "/chains/chains/new/", {"name": "白酒产业链二", "region": "510500", "leader": leader}
        )
        assert refused.status_code == 400
        assert 'data-field-error="leader"' in refused.content.decode()
    duplicate = bureau.post("/chains/chains/new/", {"name": "白酒产业链", "region": "510500"})
    assert duplicate.status_code == 400 and 'data-field-error="name"' in duplicate.content.decode()
    for enterprise, segment in (
        (world.enterprise, "酿造"),
        (net["glass"], "玻璃瓶"),
        (net["box"], "包装"),
    ):
        response = bureau.post(
            f"/chains/chains/{chain.pk}/members/",
            {"enterprise": enterprise.pk, "segment": segment},  # type: ignore[attr-defined]
        )
        assert response.status_code == 302
    missing = bureau.post(f"/chains/chains/{chain.pk}/members/", {"enterprise": "", "segment": ""})
    assert missing.status_code == 400
    page = bureau.get(f"/chains/chains/{chain.pk}/").content.decode()
    assert 'id="chain-leader"' in page and 'data-flag="leader"' in page
    internal = page.split('id="chain-links"')[1].split("</table>")[0]
    assert "玻璃酒瓶" in internal and "纸箱" in internal and "瓶盖" not in internal
    assert f'data-source="/api/chains/chains/{chain.pk}/graph"' in page
    listing = bureau.get("/chains/chains/").content.decode()
    assert "白酒产业链" in listing and world.enterprise.name in listing
    # The district reads the city's chain, without the forms to change it.
    district_page = world.client("district").get(f"/chains/chains/{chain.pk}/").content.decode()
    assert 'id="member-form"' not in district_page
    graph = bureau.get(f"/api/chains/chains/{chain.pk}/graph").json()
    assert {n["segment"] for n in graph["nodes"]} == {"酿造", "玻璃瓶", "包装"}
    assert len(graph["edges"]) == 2
    member = ChainMember.objects.get(segment="包装")
    assert bureau.post(f"/chains/members/{member.pk}/remove/").status_code == 302
    assert ChainMember.objects.count() == 2


def test_the_enterprise_picker_offers_what_the_registry_shows(
    world: World, net: dict[str, object]
) -> None:
    district = world.client("district").get("/chains/choices/enterprises/?q=%E6%B5%8B%E8%AF%95")
    body = district.content.decode()
    assert net["glass"].name in body and net["naxi"].name not in body  # type: ignore[attr-defined]
    bureau = world.client("bureau").get("/chains/choices/enterprises/?q=%E7%BA%B3%E6%BA%AA")
    assert net["naxi"].name in bureau.content.decode()  # type: ignore[attr-defined]
    assert Enterprise.objects.count() == 5


def test_a_district_keeps_a_link_to_a_supplier_beyond_its_sight(
    world: World, net: dict[str, object]
) -> None:
    cap: SupplyLink = net["cap"]  # type: ignore[assignment]
    client = world.client("district")
    page = client.get(f"/chains/links/{cap.pk}/edit/").content.decode()
    assert f'<option value="{cap.supplier_id}" selected>' in page
    data = {
        "supplier": cap.supplier_id,
        "customer": cap.customer_id,
        "product": cap.product,
        "sector": "30",
        "share": "30%",
        "stock_days": "4",
        "version": cap.version,
    }
    assert client.post(f"/chains/links/{cap.pk}/edit/", data).status_code == 302
    cap.refresh_from_db()
    assert cap.stock_days == 4 and cap.version == 2


def test_the_chains_sort_by_size_and_export_their_members(
    world: World, net: dict[str, object]
) -> None:
    bureau = world.users["bureau"]
    small = save_chain(actor=bureau, name="玻璃产业链", region_id=world.luzhou.pk)
    big = save_chain(
        actor=bureau, name="白酒产业链", region_id=world.luzhou.pk, leader_id=world.enterprise.pk
    )
    for enterprise, segment in ((world.enterprise, "酿造"), (net["glass"], "玻璃瓶")):
        add_member(
            actor=bureau,
            chain_id=big.pk,
            enterprise_id=enterprise.pk,  # type: ignore[attr-defined]
            segment=segment,
        )
    client = world.client("bureau")
    listing = client.get("/chains/chains/?sort=-members").content.decode()
    order = [part.split('"')[0] for part in listing.split('data-chain="')[1:]]
    assert order == [str(big.pk), str(small.pk)]
    response = client.get("/chains/chains/export.xlsx?q=%E7%99%BD%E9%85%92")  # 白酒
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [
        ("白酒产业链", world.enterprise.name, "玻璃瓶"),
        ("白酒产业链", world.enterprise.name, "酿造"),
    ]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/chains/chains/export.xlsx").status_code == 200
        return len(captured.captured_queries)

    before = queries()
    add_member(
        actor=bureau,
        chain_id=small.pk,
        enterprise_id=net["glass"].pk,  # type: ignore[attr-defined]
        segment="玻璃瓶",
    )
    third = save_chain(actor=bureau, name="包装产业链", region_id=world.luzhou.pk)
    add_member(
        actor=bureau,
        chain_id=third.pk,
        enterprise_id=net["box"].pk,  # type: ignore[attr-defined]
        segment="纸箱",
    )
    # The members of every chain are read together, however many chains there are.
    assert queries() == before


def test_the_pages_render_in_chinese_too(world: World, net: dict[str, object]) -> None:
    chain = save_chain(
        actor=world.users["bureau"],
        name="白酒产业链",
        region_id=world.luzhou.pk,
        leader_id=world.enterprise.pk,
    )
    client = Client()
    client.force_login(world.users["bureau"])
    bottle: SupplyLink = net["bottle"]  # type: ignore[assignment]
    for url in (
        "/chains/links/",
        "/chains/links/new/",
        f"/chains/links/{bottle.pk}/edit/",
        f"/chains/links/{bottle.pk}/delete/",
        "/imports/links/",
        "/chains/chains/",
        "/chains/chains/new/",
        f"/chains/chains/{chain.pk}/",
        f"/chains/chains/{chain.pk}/edit/",
        f"/chains/enterprises/{world.enterprise.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in response.content.decode(), url
