"""Electricity as the truth signal in a real browser: the bureau imports the grid's file (a bad
row first, named; then the good file), reads the power resumption index, detects the alerts,
opens the one that catches a "halted" enterprise drawing full power, sees its evidence, and closes
it with a reason; the enterprise's timeline shows the power against its modes.

Assertions use element ids, data attributes and data rather than interface wording, so they hold
in either language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, expect

from keepline.power.models import AlertKind, AlertStatus, DailyReading, PowerAlert
from keepline.reports.models import DailyReport, ReportChannel
from tests.conftest import World
from tests.e2e.conftest import PageFactory, shot, sign_in

HALTED_FROM = dt.date(2022, 9, 5)
LAST = dt.date(2022, 9, 7)


def _grid_file(account: str, *, bad: bool) -> FilePayload:
    """September 2021 (the baseline: same month last year) and 1–7 September 2022 at full power."""
    days = [dt.date(2021, 9, 1) + dt.timedelta(days=n) for n in range(30)]
    days += [dt.date(2022, 9, 1) + dt.timedelta(days=n) for n in range(7)]
    lines = ["account,date,kwh"] + [f"{account},{d.isoformat()},12000" for d in days]
    if bad:
        lines[2] = f"{account},2021-09-02,-12000"  # row 3
    return FilePayload(name="grid.csv", mimeType="text/csv", buffer="\n".join(lines).encode())


def _report_halted(world: World) -> None:
    now = timezone.now()
    for n in range((LAST - HALTED_FROM).days + 1):
        DailyReport.objects.create(
            enterprise=world.enterprise,
            date=HALTED_FROM + dt.timedelta(days=n),
            mode="halted",
            staff_on_site=3,
            staff_inside=0,
            output_value=Decimal(0),
            capacity_use=Decimal(0),
            raw_material_days=Decimal(5),
            finished_goods_days=Decimal(3),
            via=ReportChannel.FORM,
            submitted_by_name="liaison",
            submitted_at=now,
            first_submitted_at=now,
        )


@pytest.mark.e2e
def test_bureau_imports_reads_the_index_and_closes_an_alert(
    e2e_world: World, new_page: PageFactory
) -> None:
    world = e2e_world
    account = world.enterprise.power_accounts.get().number
    _report_halted(world)
    page = new_page()
    sign_in(page, "bureau")

    # A bad row is named, and nothing is written.
    page.goto("/imports/power/")
    page.locator("#id_file").set_input_files(_grid_file(account, bad=True))
    page.locator("form.kl-import button[type=submit]").click()
    expect(page.locator("#row-errors")).to_contain_text("3")
    expect(page.locator("#row-errors tbody tr")).to_have_count(1)
    assert not DailyReading.objects.exists()

    # The good file is previewed, confirmed, and lands among the files imported.
    page.locator("#id_file").set_input_files(_grid_file(account, bad=False))
    page.locator("form.kl-import button[type=submit]").click()
    expect(page.locator("#import-ready")).to_contain_text("37")
    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/power/imports/$"))
    page.locator("#imports tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/power/imports/\d+/$"))
    expect(page.locator("#import-rows")).to_contain_text("37")
    shot(page, "power-import")

    # The index for the first week of September against the same month last year.
    page.goto("/power/?start=2022-09-01&end=2022-09-07")
    expect(page.locator("#headline")).to_be_visible()
    expect(page.locator("#chart-index canvas").first).to_be_attached()
    expect(page.locator("#table-index tbody tr").first).to_be_attached()
    shot(page, "power-index")

    # Detection finds the "halted" enterprise drawing full power on 5–7 September.
    page.goto("/power/alerts/")
    page.locator("#detect summary").click()
    page.locator("#detect input[name=start]").fill("2022-09-01")
    page.locator("#detect input[name=end]").fill("2022-09-07")
    page.locator("#detect button[type=submit]").click()
    alert = PowerAlert.objects.get(enterprise=world.enterprise)
    assert alert.kind == AlertKind.HALTED_WITH_POWER
    assert (alert.first_day, alert.last_day) == (HALTED_FROM, LAST)
    row = page.locator(f"#results tr[data-alert='{alert.pk}']")
    expect(row).to_be_visible()
    row.locator("a").first.click()

    # The evidence: the chart and the days, then the alert is closed with a reason.
    expect(page.locator("#evidence tbody tr")).to_have_count(3)
    expect(page.locator("#power-chart canvas").first).to_be_attached()
    shot(page, "power-alert")
    page.locator("#close-form textarea[name=reason]").fill("现场核查：企业擅自复产，已责令整改")
    page.locator("#close-form button[type=submit]").click()
    expect(page.locator("#alert-closed")).to_contain_text("擅自复产")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED

    # The enterprise's timeline: power against its modes.
    page.goto(f"/power/enterprises/{world.enterprise.pk}/?start=2022-09-01&end=2022-09-07")
    expect(page.locator("#accounts")).to_contain_text(account)
    expect(page.locator("#alerts")).to_contain_text("2022-09-05")
