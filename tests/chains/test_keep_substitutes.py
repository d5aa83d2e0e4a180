"""Substitute suppliers for a customer that runs dry: same sector, outside the shut area, with
spare output, sorted by spare output (or nearest first); on the page, in Excel and in the API."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from keepline.chains.selectors.keep import substitutes
from tests.chains.support_keep import Net, link, net_fixture  # noqa: F401


def test_substitutes_exclude_the_shut_area_and_sort_by_spare_output(net: Net) -> None:
    f = net.firms
    report = substitutes(net.user("admin"), net.scenario, f["distillery"])
    # Two days of glass stock: it runs dry on day 3, for want of glass (sector 30).
    assert report.dry_day == 3
    (glass,) = report.sectors
    assert glass.sector.code == "30" and glass.scarce
    # Spare output = (1 + 0.10 − 1.0) × normal daily output; the Jiangyang works are shut.
    assert [(r.enterprise.name, r.spare, r.distance) for r in glass.rows] == [
        ("宜宾玻璃", Decimal("3.00"), 2),
        ("泸县玻璃", Decimal("2.00"), 1),
        ("纳溪玻璃", Decimal("1.00"), 0),
    ]
    assert not any(r.supplier for r in glass.rows)
    assert glass.hidden == 0


def test_substitutes_the_reader_may_not_see_are_counted_not_named(net: Net) -> None:
    report = substitutes(net.user("bureau"), net.scenario, net.firms["distillery"])
    (glass,) = report.sectors
    assert [r.enterprise.name for r in glass.rows] == ["泸县玻璃", "纳溪玻璃"]
    assert glass.hidden == 1
    nearest = substitutes(
        net.user("bureau"), net.scenario, net.firms["distillery"], sort="distance"
    )
    assert [r.enterprise.name for r in nearest.sectors[0].rows] == ["纳溪玻璃", "泸县玻璃"]


def test_a_supplier_already_at_its_limit_while_the_customer_is_dry_is_not_offered(
    net: Net,
) -> None:
    # Luxian's works take the distillery's orders for glass once Jiangyang's stop, and make all
    # they can (1 + 0.10) on the days the distillery is dry: it has nothing more to offer,
    # though it made only its normal output before the shock.
    link(net.firms["lu_glass"], net.firms["distillery"], "30", "0.2", "2")
    report = substitutes(net.user("admin"), net.scenario, net.firms["distillery"])
    names = [r.enterprise.name for r in report.sectors[0].rows]
    assert "泸县玻璃" not in names and "纳溪玻璃" in names


def test_page_lists_substitutes_and_says_when_none_is_needed(net: Net) -> None:
    client = net.world.client("bureau")
    base = f"/chains/scenarios/{net.scenario.pk}/enterprises"
    page = client.get(f"{base}/{net.firms['distillery'].pk}/substitutes/").content.decode()
    assert 'data-dry-day="3"' in page
    assert page.index("泸县玻璃") < page.index("纳溪玻璃")
    assert "江阳玻璃一厂" not in page and "江阳玻璃三厂" not in page and "宜宾玻璃" not in page
    assert "1 more supplier outside your area is not shown." in page
    page = client.get(
        f"{base}/{net.firms['distillery'].pk}/substitutes/?sort=distance"
    ).content.decode()
    assert page.index("纳溪玻璃") < page.index("泸县玻璃")
    # The printer runs dry too, but no paper maker outside Jiangyang has spare output.
    page = client.get(f"{base}/{net.firms['printer'].pk}/substitutes/").content.decode()
    assert "No supplier of this sector outside the shut area has output to spare." in page
    page = client.get(f"{base}/{net.firms['naxi_glass'].pk}/substitutes/").content.decode()
    assert "data-not-dry" in page


def test_substitutes_export(net: Net) -> None:
    response = net.world.client("bureau").get(
        f"/chains/scenarios/{net.scenario.pk}/enterprises/{net.firms['distillery'].pk}"
        "/substitutes.xlsx"
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["泸县玻璃", "纳溪玻璃"]
    assert rows[1][6] == 2.0


def test_substitutes_api(net: Net) -> None:
    response = net.world.client("bureau").get(
        f"/api/chains/scenarios/{net.scenario.pk}/enterprises/{net.firms['distillery'].pk}"
        "/substitutes"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["dry_day"] == 3
    (glass,) = body["sectors"]
    assert glass["sector"] == "30" and glass["scarce"] and glass["hidden"] == 1
    assert [(s["name"], s["spare"], s["distance"]) for s in glass["substitutes"]] == [
        ("泸县玻璃", "2.00", "same_city"),
        ("纳溪玻璃", "1.00", "same_district"),
    ]
