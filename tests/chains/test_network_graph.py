"""An enterprise's upstream and downstream to a depth: the selector, the JSON endpoint that
feeds the chart, and the page's two tables."""

from __future__ import annotations

import pytest

from keepline.chains.selectors import network as network_selectors
from keepline.chains.selectors.network import neighbourhood
from keepline.enterprises.models import Enterprise
from tests.chains.support_network import firm, link
from tests.conftest import World


@pytest.fixture
def line(world: World) -> list[Enterprise]:
    """A chain of four links: sand → glass → bottles → liquor (the world's) → bottler."""
    sand = firm(1, "纳溪测试石英砂有限公司", world.naxi, industry="10")
    glass = firm(2, "江阳测试玻璃有限公司", world.jiangyang)
    bottles = firm(3, "江阳测试瓶业有限公司", world.jiangyang)
    bottler = firm(4, "翠屏测试灌装有限公司", world.yibin_district, industry="15")
    link(sand, glass, "石英砂", sector="10", share="1")
    link(glass, bottles, "玻璃", share="1")
    link(bottles, world.enterprise, "玻璃酒瓶", share="0.8", stock_days="5")
    link(world.enterprise, bottler, "原酒", sector="15", share="0.6")
    return [sand, glass, bottles, world.enterprise, bottler]


def test_depth_two_shows_two_levels_of_a_chain_of_four(
    world: World, line: list[Enterprise]
) -> None:
    sand, glass, bottles, liquor, bottler = line
    admin = world.users["admin"]
    graph = neighbourhood(admin, bottler, depth=2)
    assert {n.enterprise.pk: n.level for n in graph.nodes.values()} == {
        bottler.pk: 0,
        liquor.pk: -1,
        bottles.pk: -2,
    }
    assert [(e.link.product, e.depth) for e in graph.suppliers] == [("原酒", 1), ("玻璃酒瓶", 2)]
    assert graph.customers == []
    full = neighbourhood(admin, bottler, depth=4)
    assert len(full.suppliers) == 4 and full.nodes[sand.pk].level == -4
    down = neighbourhood(admin, sand, depth=2)
    assert [n.enterprise for n in down.nodes.values()] == [sand, glass, bottles]
    assert all(not e.upstream for e in down.edges)


def test_a_cycle_ends_and_depth_is_kept_within_one_to_four(
    world: World, line: list[Enterprise]
) -> None:
    sand, _glass, _bottles, liquor, bottler = line
    link(bottler, sand, "回收玻璃", share="0.1")
    graph = neighbourhood(world.users["admin"], liquor, depth=9)
    assert graph.depth == 4
    assert len({e.link.pk for e in graph.edges}) == len(graph.edges) == 5
    assert neighbourhood(world.users["admin"], liquor, depth=0).depth == 1


def test_only_the_links_the_reader_sees_appear(world: World, line: list[Enterprise]) -> None:
    sand, _glass, bottles, liquor, bottler = line
    # The liaison sees its enterprise's own links, not those further up.
    graph = neighbourhood(world.users["liaison"], liquor, depth=3)
    assert set(graph.nodes) == {liquor.pk, bottles.pk, bottler.pk}
    # The district sees links with an end in Jiangyang: sand → glass (glass in Jiangyang) too.
    district = neighbourhood(world.users["district"], liquor, depth=4)
    assert sand.pk in district.nodes


def test_the_endpoint_feeds_the_chart(world: World, line: list[Enterprise]) -> None:
    _sand, glass, bottles, liquor, bottler = line
    client = world.client("district")
    response = client.get(f"/api/chains/enterprises/{liquor.pk}/graph?depth=2")
    assert response.status_code == 200
    data = response.json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {glass.pk, bottles.pk, liquor.pk, bottler.pk}
    assert nodes[liquor.pk]["focus"] and nodes[bottles.pk]["level"] == -1
    assert nodes[bottler.pk]["home_city"] is False and nodes[glass.pk]["home_city"] is True
    # The district may open Jiangyang's enterprises' pages, not Yibin's.
    assert nodes[glass.pk]["openable"] and not nodes[bottler.pk]["openable"]
    edge = next(e for e in data["edges"] if e["target"] == liquor.pk)
    assert (edge["source"], edge["share"], edge["stock_days"], edge["depth"]) == (
        bottles.pk,
        0.8,
        5.0,
        1,
    )
    assert client.get(f"/api/chains/enterprises/{liquor.pk}/graph?depth=5").status_code == 422
    assert client.get(f"/api/chains/enterprises/{bottler.pk}/graph").status_code == 404


def test_the_page_shows_suppliers_and_customers_to_the_depth(
    world: World, line: list[Enterprise]
) -> None:
    sand, glass, bottles, liquor, bottler = line
    response = world.client("bureau").get(f"/chains/enterprises/{liquor.pk}/?depth=2")
    assert response.status_code == 200
    body = response.content.decode()
    suppliers = body.split('id="suppliers"')[1].split("</table>")[0]
    customers = body.split('id="customers"')[1].split("</table>")[0]
    assert bottles.name in suppliers and glass.name in suppliers and sand.name not in suppliers
    assert 'data-depth="2"' in suppliers
    assert bottler.name in customers and "60%" in customers
    assert f'data-source="/api/chains/enterprises/{liquor.pk}/graph?depth=2"' in body
    # On a phone the tables scroll and the minor columns step aside.
    assert "table-responsive" in body and "d-none d-md-table-cell" in body
    deeper = world.client("bureau").get(f"/chains/enterprises/{liquor.pk}/?depth=3")
    assert sand.name in deeper.content.decode()
    assert (
        world.client("bureau").get(f"/chains/enterprises/{liquor.pk}/?depth=7").status_code == 400
    )
    assert world.client("district").get(f"/chains/enterprises/{bottler.pk}/").status_code == 404


def test_a_huge_neighbourhood_stops_at_the_level_that_passes_the_limit(
    world: World, line: list[Enterprise], monkeypatch: pytest.MonkeyPatch
) -> None:
    _sand, _glass, bottles, liquor, bottler = line
    monkeypatch.setattr(network_selectors, "MAX_NODES", 2)
    graph = neighbourhood(world.users["admin"], liquor, depth=4)
    # Upstream: one level (bottles) reaches the limit; downstream is not walked further.
    assert graph.truncated
    assert set(graph.nodes) == {liquor.pk, bottles.pk}
    page = world.client("bureau").get(f"/chains/enterprises/{liquor.pk}/?depth=4")
    assert 'id="graph-truncated"' in page.content.decode()
    assert bottler.pk not in graph.nodes
