"""The enterprise registry in a real browser: sign-in, the menu, htmx filters, the CSV import,
the login lockout, and the phone layout.

Assertions use element ids, counts, codes and names rather than interface wording, so they hold
in either language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from keepline.core.models import AuditEvent
from keepline.enterprises import services
from keepline.enterprises.models import Enterprise
from keepline.enterprises.validation import COLUMNS
from tests.conftest import SYSTEM, World, make_uscc
from tests.e2e.conftest import PHONE, PageFactory, shot, sign_in

HEADER = [c.key for c in COLUMNS]
HOME = re.compile(r"^http://[^/]+/$")  # the start page itself, not any URL ending in a slash
OWN_CHEMICAL = "江阳测试化工有限公司"
OWN_MACHINERY = "江阳测试机械有限公司"


def _row(serial: int, name: str, **overrides: str) -> dict[str, str]:
    row = {
        "uscc": make_uscc(serial),
        "name": name,
        "region": "510502",
        "park": "OWN-PARK",
        "industry": "15",
        "above_size": "是",
        "annual_output": "2345.6",
        "employees": "85",
        "capacity_note": "",
        "liaison_name": "陈红",
        "liaison_phone": "13512345678",
        "power_accounts": f"77{serial:08d}",
    }
    row.update(overrides)
    return row


def _csv(rows: list[dict[str, str]]) -> FilePayload:
    lines = [",".join(HEADER)] + [",".join(r[k] for k in HEADER) for r in rows]
    return FilePayload(
        name="enterprises.csv", mimeType="text/csv", buffer="\n".join(lines).encode()
    )


def _wrong_check(code: str) -> str:
    """The same code with another character of the USCC alphabet in the check position."""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def _count(page: Page) -> int:
    match = re.search(r"\d+", page.locator("#result-count").inner_text())
    assert match, "the list shows no row count"
    return int(match.group())


def _expect_rows(page: Page, names: list[str]) -> None:
    """The results hold exactly these enterprises, and the count line agrees."""
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(len(names))
    for name in names:
        expect(page.locator("#results tbody")).to_contain_text(name)
    assert _count(page) == len(names)


def _check_file(page: Page, file: FilePayload) -> None:
    page.locator("#id_file").set_input_files(file)
    page.locator("form:has(#id_file) button[type=submit]").click()


@pytest.mark.e2e
def test_district_filters_and_imports(e2e_world: World, new_page: PageFactory) -> None:
    w = e2e_world
    for serial, name, industry in [(11, OWN_CHEMICAL, "26"), (12, OWN_MACHINERY, "34")]:
        services.create_enterprise(
            actor=SYSTEM,
            data={
                "uscc": make_uscc(serial),
                "name": name,
                "region": "510502",
                "industry": industry,
                "above_size": "yes",
                "annual_output": "800",
                "employees": "40",
            },
        )
    own = [w.enterprise.name, OWN_CHEMICAL, OWN_MACHINERY]
    foreign = w.foreign_enterprise.name
    page = new_page()

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    shot(page, "01-login")
    sign_in(page, "district")
    expect(page).to_have_url(HOME)
    expect(page.locator("#kl-menu")).to_be_visible()
    shot(page, "02-home")

    page.locator("#kl-menu a[href='/enterprises/']").click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    _expect_rows(page, own)
    expect(page.locator("body")).not_to_contain_text(foreign)
    shot(page, "03-list")

    # "化工" matches the foreign chemical works too: the scope, not the filter, must hide it.
    page.locator("#id_q").fill("化工")
    page.locator("#id_q").press("Enter")
    _expect_rows(page, [OWN_CHEMICAL])
    expect(page).to_have_url(re.compile(r"[?&]q=%E5%8C%96%E5%B7%A5"))
    expect(page.locator("#results")).not_to_contain_text(foreign)
    shot(page, "04-list-search")

    page.locator("#id_q").fill("")
    page.locator("#id_industry").select_option("15")
    _expect_rows(page, [w.enterprise.name])
    page.locator("#id_industry").select_option("26")
    _expect_rows(page, [OWN_CHEMICAL])
    expect(page.locator("#results")).not_to_contain_text(foreign)

    # Typing part of a credit code searches as you type (htmx's keyup trigger, no Enter).
    page.locator("#id_industry").select_option("")
    _expect_rows(page, own)
    page.locator("#id_q").press_sequentially(make_uscc(12)[-4:])
    _expect_rows(page, [OWN_MACHINERY])
    page.locator("#id_q").fill("")
    page.locator("#id_q").press("Enter")
    _expect_rows(page, own)

    # A file with one bad row: the row is named and nothing is written.
    good = [_row(101, "江阳导入测试一厂"), _row(103, "江阳导入测试三厂", industry="27")]
    bad = _row(102, "江阳导入测试二厂")
    bad["uscc"] = _wrong_check(bad["uscc"])
    before = Enterprise.objects.count()
    page.locator("main a[href='/imports/enterprises/']").click()
    expect(page).to_have_url(re.compile(r"/imports/enterprises/$"))
    _check_file(page, _csv([good[0], bad, good[1]]))
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")
    expect(cells.nth(1).locator("code")).to_have_text("uscc")
    expect(cells.nth(1)).to_contain_text("统一社会信用代码")
    expect(cells.nth(2)).to_contain_text(bad["uscc"])
    expect(page.locator("#import-errors")).to_be_visible()
    expect(page.locator("form[action$='/confirm/']")).to_have_count(0)
    shot(page, "05-import-errors")
    assert Enterprise.objects.count() == before
    page.goto("/enterprises/")
    _expect_rows(page, own)
    for row in good:
        expect(page.locator("#results")).not_to_contain_text(row["name"])

    # The good rows alone: checked, confirmed, and shown newest first.
    page.goto("/imports/enterprises/")
    _check_file(page, _csv(good))
    expect(page.locator("#import-ready")).to_be_visible()
    expect(page.locator("#row-errors")).to_have_count(0)
    for row in good:
        expect(page.locator("main")).to_contain_text(row["uscc"])
    shot(page, "06-import-ready")
    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/enterprises/\?sort=-created$"))
    expect(page.locator(".alert-success")).to_be_visible()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(len(own) + len(good))
    newest = {rows.nth(i).locator("td").nth(1).inner_text().strip() for i in range(len(good))}
    assert newest == {row["name"] for row in good}
    assert _count(page) == len(own) + len(good)
    expect(page.locator("#results")).not_to_contain_text(foreign)
    shot(page, "07-list-after-import")

    assert Enterprise.objects.count() == before + len(good)
    imported = Enterprise.objects.filter(uscc__in=[r["uscc"] for r in good])
    assert {e.region.code for e in imported} == {"510502"}
    assert AuditEvent.objects.filter(action="import").count() == len(good)


@pytest.mark.e2e
def test_login_locks_after_five_wrong_passwords(e2e_world: World, new_page: PageFactory) -> None:
    page = new_page()
    for _attempt in range(4):
        sign_in(page, "district", "wrong-password")
        expect(page).to_have_url(re.compile(r"/accounts/login/$"))
        expect(page.locator("#id_password")).to_be_visible()
        expect(page.locator("form .alert-danger")).to_be_visible()
    with page.expect_response(lambda r: r.request.method == "POST") as fifth:
        sign_in(page, "district", "wrong-password")
    assert fifth.value.status == 429
    expect(page.locator("#locked-out")).to_be_visible()
    expect(page.locator("#id_password")).to_have_count(0)
    shot(page, "08-locked-out")

    # The right password no longer helps while the lock lasts.
    with page.expect_response(lambda r: r.request.method == "POST") as right:
        sign_in(page, "district")
    assert right.value.status == 429
    expect(page.locator("#locked-out")).to_be_visible()
    expect(page.locator("#kl-menu")).to_have_count(0)


@pytest.mark.e2e
def test_liaison_on_a_phone(e2e_world: World, new_page: PageFactory) -> None:
    w = e2e_world
    page = new_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(page, "liaison")
    expect(page).to_have_url(HOME)
    menu = page.locator("#kl-menu")
    expect(menu).not_to_be_in_viewport()
    shot(page, "09-phone-home")

    page.locator("button[data-bs-target='#kl-menu']").click()
    # Bootstrap swaps "showing" for "show" when the slide-in ends; a screenshot before that
    # catches the panel half outside the screen.
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu).to_be_in_viewport(ratio=1)
    shot(page, "10-phone-menu")
    menu.locator("a[href='/enterprises/']").click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    _expect_rows(page, [w.enterprise.name])
    shot(page, "11-phone-list")

    page.locator("#results").get_by_role("link", name=w.enterprise.name).click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{w.enterprise.pk}/$"))
    expect(page.locator("h1")).to_have_text(str(w.enterprise))
    expect(page.locator("main")).to_contain_text(w.enterprise.uscc)
    shot(page, "12-phone-detail")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the detail page is {overflow}px wider than the phone"
