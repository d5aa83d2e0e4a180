"""The closed loop in a real browser, the walk issue 3 asks for: the liaison applies for the
whitelist from a phone, each official decides their step, the enterprise is listed; the district
starts a control measure, previews and confirms the switch; the liaison files the daily report;
the dashboard's figures change, and the daily briefing downloads as a Word document.

Assertions use element ids, data attributes and data rather than interface wording, so they hold
in either language; the briefing's sentences are checked in both, as the document carries both.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Dialog, Page, expect

from keepline.bubble.models import EnterpriseMode, MeasureSwitch
from keepline.bubble.selectors import modes_at
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure
from keepline.reports.models import DailyReport
from keepline.whitelist.models import ApplicationStatus, WhitelistApplication, WhitelistListing
from tests.bubble.conftest import qualify
from tests.conftest import World
from tests.e2e.conftest import PHONE, PageFactory, sign_in

SHOTS = Path("/tmp/keepline-shots3")
HOME = re.compile(r"^http://[^/]+/$")
MEASURE = "江阳区临时性静态管理（闭环测试）"
CLOSED = EnterpriseMode.CLOSED_LOOP.value
# The briefing's closed-loop sentence for one above-size enterprise, all of the area's.
CLOSED_ZH = "1家规上工业企业实行闭环生产，户数占比100.0%"
CLOSED_EN = "1 above-size enterprise produces in closed loop, 100.0% of them by count"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _pdf(text: str) -> bytes:
    """A small one-page PDF whose cross-reference table points at the right bytes."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _number(page: Page, selector: str) -> int:
    text = page.locator(selector).inner_text()
    match = re.search(r"\d[\d,]*", text)
    assert match, f"{selector} shows no number: {text!r}"
    return int(match.group().replace(",", ""))


def _no_overflow(page: Page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the phone"


def _dashboard(page: Page, name: str) -> tuple[int, int]:
    """The closed-loop headline and the count of missing reports, as the dashboard shows them."""
    page.goto("/")
    page.locator("#kl-menu a[href='/briefing/']").click()
    expect(page).to_have_url(re.compile(r"/briefing/$"))
    expect(page.locator("#chart-modes canvas").first).to_be_visible()
    _shot(page, name)
    return _number(page, "#headline [data-key='closed_loop']"), _number(page, "#missing-count")


def _decide(page: Page, application: WhitelistApplication, step: str, name: str) -> None:
    """From the official's queue to the application, approve the official's step."""
    page.goto("/")
    page.locator("#kl-menu a[href='/whitelist/applications/']").click()
    expect(page).to_have_url(re.compile(r"/whitelist/applications/$"))
    link = page.locator(f"#result-count ~ div a[href='/whitelist/applications/{application.pk}/']")
    expect(link).to_have_count(1)
    _shot(page, f"{name}-queue")
    link.click()
    form = page.locator(f"form[data-decide='{step}']")
    expect(form).to_be_visible()
    # An official decides only their own step.
    expect(page.locator("form[data-decide]")).to_have_count(1)
    _shot(page, f"{name}-application")
    form.locator("button[value='approve']").click()
    expect(page).to_have_url(re.compile(rf"/whitelist/applications/{application.pk}/$"))
    expect(page.locator(f"[data-progress] [data-step='{step}']")).to_have_attribute(
        "data-state", "done"
    )
    expect(page.locator(".alert-success[role=alert]")).to_be_visible()
    expect(page.locator("form[data-decide]")).to_have_count(0)
    _shot(page, f"{name}-approved")


@pytest.mark.e2e
def test_apply_list_switch_report_and_brief(
    e2e_world: World, new_page: PageFactory, tmp_path: Path
) -> None:
    w = e2e_world
    enterprise = w.enterprise
    now = timezone.localtime()
    today = now.date()
    # An approved plan with its review date ahead: the enterprise qualifies for closed loop.
    qualify(enterprise, review=today + dt.timedelta(days=90), at=now)
    documents = {}
    for field, name in [
        ("commitment", "承诺书.pdf"),
        ("staff_list", "员工名单.pdf"),
        ("epidemic_plan", "防疫方案.pdf"),
    ]:
        documents[field] = tmp_path / name
        documents[field].write_bytes(_pdf(f"{field} {enterprise.uscc}"))

    # ---- the liaison applies from a phone --------------------------------------------------------
    liaison = new_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(liaison, "liaison")
    expect(liaison).to_have_url(HOME)
    # The enterprise's whitelist page is where an application starts.
    liaison.goto(f"/whitelist/enterprises/{enterprise.pk}/")
    expect(liaison.locator("[data-level='']")).to_be_visible()
    _shot(liaison, "01-liaison-whitelist-page")
    liaison.locator(f"main a[href='/whitelist/apply/enterprise/{enterprise.pk}/']").click()
    expect(liaison).to_have_url(re.compile(rf"/whitelist/apply/enterprise/{enterprise.pk}/$"))
    liaison.locator("#id_category").select_option("key_industries")
    liaison.locator("#id_chain").fill("白酒")
    liaison.locator("#id_note").fill("保障白酒产业链原料供应，闭环生产")
    for field, path in documents.items():
        liaison.locator(f"#id_{field}").set_input_files(path)
    _shot(liaison, "02-phone-whitelist-form")
    _no_overflow(liaison, "the application form")
    liaison.locator("form:has(#id_commitment) button[type=submit]").click()
    expect(liaison).to_have_url(re.compile(r"/whitelist/applications/\d+/$"))
    application = WhitelistApplication.objects.get(enterprise=enterprise)
    assert application.status == ApplicationStatus.INSPECTION
    assert application.commitment.content == documents["commitment"].read_bytes()
    expect(liaison.locator("[data-progress] [data-step='inspection']")).to_have_attribute(
        "data-state", "current"
    )
    expect(liaison.locator("form[data-decide]")).to_have_count(0)
    expect(liaison.locator("[data-document]")).to_have_count(3)
    _shot(liaison, "03-phone-application-submitted")
    _no_overflow(liaison, "the application page")

    # ---- each official decides their step --------------------------------------------------------
    park = new_page()
    sign_in(park, "park")
    _decide(park, application, "inspection", "04-park-inspection")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DISTRICT_REVIEW

    # The economy bureau and the health commission review side by side; the health official
    # opens the epidemic plan first.
    district = new_page()
    sign_in(district, "district")
    _decide(district, application, "economy", "05-district-economy")
    health = new_page()
    sign_in(health, "health")
    health.goto(f"/whitelist/applications/{application.pk}/")
    with health.expect_download() as opened:
        health.locator("[data-document='epidemic_plan']").click()
    assert Path(opened.value.path()).read_bytes() == documents["epidemic_plan"].read_bytes()
    _decide(health, application, "health", "06-health")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CITY_DECISION

    bureau = new_page()
    sign_in(bureau, "bureau")
    _decide(bureau, application, "city", "07-city")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.LISTED_CITY
    listing = WhitelistListing.objects.get(application=application, revoked_at=None)
    expect(bureau.locator("h1 [data-status]")).to_have_attribute(
        "data-status", ApplicationStatus.LISTED_CITY
    )
    bureau.locator(f"main a[href='/whitelist/listings/{listing.pk}/']").first.click()
    expect(bureau.locator("main")).to_contain_text(listing.number)
    _shot(bureau, "08-listing")
    bureau.goto(f"/whitelist/listings/{listing.pk}/certificate/")
    expect(bureau.locator("svg").first).to_be_visible()
    _shot(bureau, "09-certificate")

    # The applicant sees where it stands, and the badge shows wherever the enterprise does.
    liaison.reload()
    expect(liaison.locator("[data-progress] [data-step='city']")).to_have_attribute(
        "data-state", "done"
    )
    _shot(liaison, "10-phone-application-listed")
    liaison.goto(f"/enterprises/{enterprise.pk}/")
    expect(liaison.locator("h1 [data-whitelist='city']")).to_be_visible()
    _shot(liaison, "11-phone-enterprise-badge")
    district.goto("/enterprises/")
    row = district.locator("#results tbody tr", has_text=enterprise.name)
    expect(row.locator("[data-whitelist='city']")).to_be_visible()
    _shot(district, "12-registry-badge")

    # ---- the district starts a control measure ---------------------------------------------------
    closed_before, missing_before = _dashboard(district, "13-dashboard-before")
    assert (closed_before, missing_before) == (0, 1)

    district.goto("/")
    district.locator("#kl-menu a[href='/places/measures/']").click()
    district.locator("main a[href='/places/measures/new/']").click()
    expect(district).to_have_url(re.compile(r"/places/measures/new/$"))
    district.locator("#id_kind").select_option("static")
    district.locator("#id_title").fill(MEASURE)
    district.locator("#id_authority").select_option(str(w.jiangyang.pk))
    district.locator("#id_regions").select_option([str(w.jiangyang.pk)])
    starts = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    district.locator("#id_starts_at").fill(starts)
    district.locator("#id_strictness").select_option("2")
    _shot(district, "14-measure-form")
    district.locator("form:has(#id_title) button[type=submit]").click()
    expect(district).to_have_url(re.compile(r"/places/measures/\d+/$"))
    measure = ControlMeasure.objects.get(title=MEASURE)
    assert list(measure.regions.all()) == [w.jiangyang]
    _shot(district, "15-measure")

    # ---- preview, then one confirmation switches the area ----------------------------------------
    district.locator("#kl-menu a[href='/bubble/switching/']").click()
    district.locator(f"main a[href='/bubble/switching/{measure.pk}/']").click()
    expect(district).to_have_url(re.compile(rf"/bubble/switching/{measure.pk}/$"))
    expect(district.locator(f"[data-preview-counts] [data-count='{CLOSED}']")).to_have_text("1")
    expect(district.locator("[data-preview-counts] [data-change-count]")).to_have_text("1")
    preview = district.locator(
        "tr", has=district.locator(f"a[href='/bubble/enterprises/{enterprise.pk}/']")
    )
    expect(preview.locator("td").nth(1).locator("[data-mode]")).to_have_attribute(
        "data-mode", EnterpriseMode.NORMAL
    )
    expect(preview.locator("td").nth(2).locator("[data-mode]")).to_have_attribute(
        "data-mode", CLOSED
    )
    expect(district.locator("[data-switched]")).to_have_count(0)
    _shot(district, "16-switch-preview")
    assert not MeasureSwitch.objects.filter(measure=measure).exists()  # the preview writes nothing

    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.accept()

    district.once("dialog", accept)
    district.locator(f"form[action='/bubble/switching/{measure.pk}/confirm/'] button").click()
    expect(district.locator("[data-switched]")).to_be_visible()
    assert asked == ["confirm"]
    expect(
        district.locator(f"form[action='/bubble/switching/{measure.pk}/confirm/']")
    ).to_have_count(0)
    _shot(district, "17-switched")
    assert MeasureSwitch.objects.get(measure=measure).switched == 1
    assert modes_at(Enterprise.objects.filter(pk=enterprise.pk), timezone.now()) == {
        enterprise.pk: CLOSED
    }

    closed_after, missing_after = _dashboard(district, "18-dashboard-switched")
    assert (closed_after, missing_after) == (closed_before + 1, 1)

    # ---- the liaison sees the new mode and files the daily report --------------------------------
    liaison.goto(f"/bubble/enterprises/{enterprise.pk}/")
    expect(liaison.locator("[data-current-mode]")).to_have_attribute("data-current-mode", CLOSED)
    _shot(liaison, "19-phone-mode")
    liaison.goto("/reports/")
    liaison.locator(
        f"[data-own-enterprise='{enterprise.pk}'] a[href='/reports/enterprise/{enterprise.pk}/']"
    ).click()
    expect(liaison).to_have_url(re.compile(rf"/reports/enterprise/{enterprise.pk}/$"))
    expect(liaison.locator("#id_date")).to_have_value(today.isoformat())
    expect(liaison.locator("#filed")).to_have_count(0)
    liaison.locator("#id_mode").select_option(CLOSED)
    for field, value in [
        ("staff_on_site", "150"),
        ("staff_inside", "140"),
        ("output_value", "35.5"),
        ("capacity_use", "85"),
        ("raw_material_days", "10"),
        ("finished_goods_days", "7"),
    ]:
        liaison.locator(f"#id_{field}").fill(value)
    liaison.locator("#id_problems").fill("高粱运输车辆通行证待办")
    _shot(liaison, "20-phone-report-form")
    _no_overflow(liaison, "the daily report form")
    liaison.locator("form:has(#id_mode) button[type=submit]").click()
    expect(liaison).to_have_url(
        re.compile(rf"/reports/enterprise/{enterprise.pk}/\?date={today.isoformat()}$")
    )
    expect(liaison.locator("#filed")).to_be_visible()
    _shot(liaison, "21-phone-report-filed")
    report = DailyReport.objects.get(enterprise=enterprise, date=today)
    assert (report.mode, report.staff_on_site, report.staff_inside) == (CLOSED, 150, 140)
    assert str(report.output_value) == "35.50"

    closed_reported, missing_reported = _dashboard(district, "22-dashboard-reported")
    assert (closed_reported, missing_reported) == (1, 0)

    # ---- the daily briefing, on the page and as a Word document ----------------------------------
    district.locator("main a[href^='/briefing/daily/']").click()
    expect(district).to_have_url(re.compile(r"/briefing/daily/\?"))
    figures = district.locator("#briefing [data-section='figures']")
    zh = figures.locator("p[lang='zh-Hans']").first
    en = figures.locator("p[lang='en']").first
    expect(zh).to_contain_text(CLOSED_ZH)
    expect(en).to_contain_text(CLOSED_EN)
    _shot(district, "23-daily-briefing")
    with district.expect_download() as downloaded:
        district.locator("#download-docx").click()
    download = downloaded.value
    assert re.fullmatch(rf"briefing-[\w-]+-{today.isoformat()}\.docx", download.suggested_filename)
    word = Document(io.BytesIO(Path(download.path()).read_bytes()))
    paragraphs = [p.text for p in word.paragraphs]
    assert zh.inner_text() in paragraphs
    assert en.inner_text() in paragraphs
    assert any(CLOSED_ZH in p for p in paragraphs)
