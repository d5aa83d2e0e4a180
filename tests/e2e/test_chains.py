"""Supply chains in a real browser: the bureau opens the Luzhou scenario built from the measures
in force, reads who runs dry outside the shut district and the direct/indirect loss split, opens
a customer's chain graph, ranks the suppliers worth keeping running and adds the top one to the
whitelist applications (an invitation to apply that its liaison then sees).

Assertions use element ids, data attributes and data rather than interface wording, so they hold
in either language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from keepline.chains.models import KeepRunningPick, ScenarioResult
from keepline.chains.services.network import save_link
from keepline.chains.services.runs import run_scenario
from keepline.chains.services.scenarios import scenario_from_measures
from keepline.core.scopes import SystemActor
from keepline.enterprises.models import Enterprise
from keepline.whitelist.models import WhitelistInvitation
from tests.conftest import World
from tests.e2e.conftest import shot, sign_in
from tests.factories import EnterpriseFactory

SYSTEM = SystemActor("e2e")


def _enterprise(uscc_n: int, name: str, region: object, industry: str, output: str) -> Enterprise:
    return EnterpriseFactory(
        serial=uscc_n,
        name=name,
        region=region,
        industry__code=industry,
        annual_output=Decimal(output),
        employees=200,
    )


@pytest.mark.e2e
def test_the_bureau_reads_the_scenario_opens_a_chain_and_invites_a_supplier(
    e2e_world: World, new_page: object
) -> None:
    world = e2e_world
    # Jiangyang's glassworks and printer supply two distilleries in Naxi, which stays open.
    glass = _enterprise(101, "江阳玻璃制品有限公司", world.jiangyang, "30", "36500")
    printer = _enterprise(102, "江阳彩印有限公司", world.jiangyang, "23", "7300")
    naxi_a = _enterprise(103, "纳溪曲酒有限公司", world.naxi, "15", "73000")
    naxi_b = _enterprise(104, "纳溪酿酒有限公司", world.naxi, "15", "36500")
    rows = [
        (glass, naxi_a, "白酒玻璃瓶", "30", "0.9", 4),
        (glass, naxi_b, "白酒玻璃瓶", "30", "0.8", 6),
        (printer, naxi_a, "酒标印刷", "23", "0.7", 10),
    ]
    for supplier, customer, product, sector, share, stock in rows:
        save_link(
            actor=SYSTEM,
            supplier_id=supplier.pk,
            customer_id=customer.pk,
            product=product,
            sector_code=sector,
            share=Decimal(share),
            stock_days=Decimal(stock),
        )
    # Full lockdown of Jiangyang: what has no closed-loop qualification halts.
    world.measure.strictness = 3
    world.measure.save()
    scenario = scenario_from_measures(
        actor=SYSTEM,
        name="泸州市2022年9月临时性静态管理",
        region_id=world.luzhou.pk,
        starts_on=dt.date(2022, 9, 8),
        days=30,
    )
    run_scenario(actor=SYSTEM, scenario_id=scenario.pk)
    dry = ScenarioResult.objects.get(scenario=scenario, enterprise=naxi_a)
    assert dry.dry_day == 5 and not dry.in_area

    page = new_page()  # type: ignore[operator]
    sign_in(page, "bureau")
    page.goto("/chains/scenarios/")
    page.get_by_role("link", name="泸州市2022年9月临时性静态管理").click()
    expect(page).to_have_url(re.compile(rf"/chains/scenarios/{scenario.pk}/$"))

    # Who runs dry outside the shut district, and the loss split.
    at_risk = page.locator("#at-risk")
    row = at_risk.locator(f"tr[data-enterprise='{naxi_a.pk}']")
    expect(row).to_be_visible()
    expect(row.locator("[data-key=survives]")).to_have_text("4")
    expect(at_risk.locator(f"tr[data-enterprise='{naxi_b.pk}']")).to_be_visible()
    totals = page.locator("#totals")
    expect(totals.locator("[data-key=direct_loss]")).not_to_have_text("")
    expect(totals.locator("[data-key=indirect_loss]")).not_to_have_text("")
    expect(page.locator("#by-region tr[data-row='510503']")).to_be_visible()
    expect(page.locator("#chart-region canvas")).to_be_visible()
    shot(page, "chains-scenario")

    # The customer's chain graph: its suppliers upstream.
    row.locator(f"a[href='/chains/enterprises/{naxi_a.pk}/']").first.click()
    expect(page).to_have_url(re.compile(rf"/chains/enterprises/{naxi_a.pk}/"))
    expect(page.locator("#chain-graph canvas")).to_be_visible()
    expect(page.get_by_role("cell", name="江阳玻璃制品有限公司")).to_be_visible()
    shot(page, "chains-graph")

    # Rank the suppliers worth keeping running; the glassworks comes first.
    page.go_back()
    panel = page.locator("#keep-running")
    panel.locator("[data-rank]").click()
    first = panel.locator("[data-pick='1']")
    expect(first).to_contain_text("江阳玻璃制品有限公司")
    assert KeepRunningPick.objects.get(scenario=scenario, rank=1).enterprise == glass
    first.locator("[data-invite]").click()
    expect(page.locator("#keep-running [data-pick='1'] [data-invited]")).to_be_visible()
    shot(page, "chains-invited")
    invitation = WhitelistInvitation.objects.get(enterprise=glass)
    assert scenario.name in invitation.source
