"""Listings: certificate numbers, listing without an application, revocation, the level kept on
enterprises and parks, the certificate's QR code and the public check page, lists and export."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from openpyxl import load_workbook

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park
from keepline.whitelist import rules
from keepline.whitelist.certificates import check_url, qr_svg
from keepline.whitelist.models import ApplicationStatus, WhitelistListing
from keepline.whitelist.selectors import applications as application_selectors
from keepline.whitelist.selectors import listings as listing_selectors
from keepline.whitelist.services import listings as listing_services
from tests.conftest import SYSTEM, TZ, World
from tests.factories import EnterpriseFactory
from tests.whitelist.conftest import advance, province_bureau, submit

AUG = dt.datetime(2022, 8, 20, 10, 0, tzinfo=TZ)


def _query(**f: str) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(f)
    return query


def _list(subject: Any, level: str = "city", actor: Any = SYSTEM, **kw: Any) -> WhitelistListing:
    data: dict[str, Any] = {
        "category": "key_industries",
        "chain": "白酒",
        "reason": "泸市经信〔2022〕45号",
        "at": AUG,
    }
    return listing_services.list_directly(actor=actor, subject=subject, level=level, **(data | kw))


def _enterprises(world: World, n: int, start: int = 100) -> list[Enterprise]:
    """`n` small chemical works in Jiangyang, outside parks."""
    return [
        EnterpriseFactory(
            serial=start + i,
            region=world.jiangyang,
            industry__code="26",
            above_size=False,
            annual_output=Decimal("500"),
            employees=50,
        )
        for i in range(n)
    ]


def _level(obj: Any) -> str:
    obj.refresh_from_db()
    return str(obj.whitelist_level)


def test_certificate_numbers_run_per_government_and_year(world: World) -> None:
    a, b, c = _enterprises(world, 3)
    assert [_list(x).number for x in (a, b)] == ["LZ-WL-2022-0001", "LZ-WL-2022-0002"]
    assert _list(a, "province").number == "SC-WL-2022-0001"
    assert _list(c, at=dt.datetime(2023, 1, 3, tzinfo=TZ)).number == "LZ-WL-2023-0001"
    # The year is the local (Asia/Shanghai) year of the listing.
    assert _list(world.park, at=dt.datetime(2022, 12, 31, 17, 0, tzinfo=dt.UTC)).number == (
        "LZ-WL-2023-0002"
    )
    assert _list(a, "national", actor=world.users["admin"]).number == "CN-WL-2022-0001"
    assert _list(world.foreign_enterprise).number == "511500-WL-2022-0001"


def test_listing_directly_is_for_the_government_of_that_level(world: World) -> None:
    users = world.users
    listing = _list(world.enterprise, actor=users["bureau"])
    assert listing.authority == world.luzhou and listing.basis == "泸市经信〔2022〕45号"
    assert _level(world.enterprise) == "city"
    event = AuditEvent.objects.get(action="list_directly")
    assert event.actor == users["bureau"] and event.after["number"] == "LZ-WL-2022-0001"
    for role in ("district", "park", "health", "leader"):
        with pytest.raises(Forbidden):
            _list(world.park, actor=users[role])
    with pytest.raises(Forbidden):
        _list(world.enterprise, "province", actor=users["liaison"])
    with pytest.raises(Forbidden):  # the city does not list for the province
        _list(world.enterprise, "province", actor=users["bureau"])
    _list(world.enterprise, "province", actor=province_bureau())
    assert _level(world.enterprise) == "province"
    with pytest.raises(Forbidden):
        _list(world.enterprise, "national", actor=users["bureau"])
    with pytest.raises(Conflict):
        _list(world.enterprise, actor=users["admin"])
    with pytest.raises(NotFound):
        _list(world.foreign_enterprise, actor=users["bureau"])
    with pytest.raises(InvalidInput) as exc:
        _list(world.park, "county", category="x", chain="", reason="")
    assert set(exc.value.errors) == {"level", "category", "chain", "reason"}


def test_revocation_by_the_listing_level_recomputes_the_level(world: World) -> None:
    users = world.users
    city = _list(world.enterprise)
    province = _list(world.enterprise, "province")
    assert _level(world.enterprise) == "province"
    with pytest.raises(Forbidden):  # the city does not revoke the province's listing
        listing_services.revoke_listing(actor=users["bureau"], listing_id=province.pk, reason="x")
    for role in ("district", "park", "health", "liaison", "leader", "commissioner"):
        with pytest.raises(Forbidden):
            listing_services.revoke_listing(actor=users[role], listing_id=city.pk, reason="x")
    with pytest.raises(NotFound):
        listing_services.revoke_listing(actor=users["checkpoint"], listing_id=city.pk, reason="x")
    with pytest.raises(InvalidInput) as exc:
        listing_services.revoke_listing(actor=users["bureau"], listing_id=city.pk, reason="  ")
    assert set(exc.value.errors) == {"reason"}

    listing_services.revoke_listing(
        actor=province_bureau(), listing_id=province.pk, reason="不再符合条件"
    )
    assert _level(world.enterprise) == "city"
    listing_services.revoke_listing(
        actor=users["bureau"], listing_id=city.pk, reason="闭环管理不到位"
    )
    assert _level(world.enterprise) == ""
    city.refresh_from_db()
    assert (city.revoke_reason, city.revoked_by) == ("闭环管理不到位", "bureau")
    with pytest.raises(Conflict) as again:
        listing_services.revoke_listing(actor=users["bureau"], listing_id=city.pk, reason="again")
    assert again.value.current["revoke_reason"] == "闭环管理不到位"
    assert AuditEvent.objects.filter(action="revoke").count() == 2
    levels = AuditEvent.objects.filter(
        action="set_whitelist_level", object_id=str(world.enterprise.pk)
    )
    assert [e.after["whitelist_level"] for e in levels.order_by("at", "id")] == [
        "city",
        "province",
        "city",
        "",
    ]
    # Listed again after a revocation: a new listing with a new number.
    assert _list(world.enterprise).number == "LZ-WL-2022-0002"


def test_revoking_the_city_listing_closes_its_application(world: World) -> None:
    app = advance(submit(world), ApplicationStatus.PROVINCE_DECISION)
    listing = WhitelistListing.objects.get(application=app)
    listing_services.revoke_listing(
        actor=world.users["bureau"], listing_id=listing.pk, reason="违规"
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CLOSED
    assert rules.open_steps(app) == []
    assert AuditEvent.objects.filter(action="close_whitelist_application").exists()
    kinds = [e.kind for e in application_selectors.timeline(app)]
    assert kinds[-2:] == ["nomination", "revoked"]
    # The enterprise may apply again.
    assert submit(world).status == ApplicationStatus.INSPECTION


def test_whitelist_level_always_agrees_with_the_listings_in_force(world: World) -> None:
    rng = random.Random(7)
    subjects: list[Any] = [*_enterprises(world, 6), world.park, world.enterprise]
    admin = world.users["admin"]
    for _ in range(80):
        subject = rng.choice(subjects)
        level = rng.choice(["city", "province", "national"])
        active = listing_selectors.active_listings(subject).filter(level=level).first()
        if active is None:
            _list(subject, level, actor=admin)
        else:
            listing_services.revoke_listing(actor=admin, listing_id=active.pk, reason="抽查")
        assert listing_selectors.level_mismatches() == []
    expected = {
        s.pk: listing_selectors.highest_level(
            set(listing_selectors.active_listings(s).values_list("level", flat=True))
        )
        for s in subjects
        if isinstance(s, Enterprise)
    }
    stored = dict(Enterprise.objects.filter(pk__in=expected).values_list("pk", "whitelist_level"))
    assert stored == expected
    # The check notices a level written by anyone else.
    expected_park = listing_selectors.highest_level(
        set(listing_selectors.active_listings(world.park).values_list("level", flat=True))
    )
    wrong = "city" if expected_park != "city" else "national"
    Park.objects.filter(pk=world.park.pk).update(whitelist_level=wrong)
    assert listing_selectors.level_mismatches() == [("park", world.park.pk, wrong, expected_park)]


def test_the_certificate_qr_code_carries_the_check_page_address(world: World) -> None:
    listing = _list(world.enterprise)
    expected = f"http://testserver/whitelist/check/{listing.token}/"
    assert check_url(RequestFactory().get("/"), listing) == expected
    assert len(listing.token) >= 22  # 128 random bits
    page = world.client("leader").get(f"/whitelist/listings/{listing.pk}/certificate/")
    body = page.content.decode()
    assert page.status_code == 200
    assert qr_svg(expected) in body
    assert qr_svg(expected) != qr_svg(expected.replace(listing.token, "x" * 22))
    assert "@media print" in body and "size: A4" in body
    assert listing.number in body and world.enterprise.uscc in body
    assert "data-revoked" not in body
    listing_services.revoke_listing(actor=SYSTEM, listing_id=listing.pk, reason="撤销")
    revoked = world.client("leader").get(f"/whitelist/listings/{listing.pk}/certificate/")
    assert "data-revoked" in revoked.content.decode()


def test_qr_is_a_full_size_code_of_exactly_the_url() -> None:
    import segno

    url = "https://keepline.example/whitelist/check/abc/"
    svg = qr_svg(url)
    assert svg.startswith("<svg") and f"<title>{url}</title>" in svg
    assert svg == str(segno.make_qr(url, error="m").svg_inline(scale=4, border=2, title=url))
    assert not segno.make_qr(url, error="m").is_micro


def test_the_public_check_page_shows_listed_then_revoked(world: World) -> None:
    listing = _list(world.enterprise)
    anonymous = Client()
    anonymous.cookies["django_language"] = "en"
    page = anonymous.get(f"/whitelist/check/{listing.token}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-state="listed"' in body
    assert world.enterprise.name in body and world.enterprise.uscc in body
    assert "City whitelist" in body and "Key industries" in body and "2022-08-20" in body
    # Nothing else: not the certificate number, the chain, the basis or the menu.
    for hidden in (listing.number, "白酒", listing.basis, "/whitelist/applications/"):
        assert hidden not in body
    assert 'name="robots" content="noindex"' in body
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]

    listing_services.revoke_listing(
        actor=SYSTEM,
        listing_id=listing.pk,
        reason="不合格",
        now=dt.datetime(2022, 9, 20, tzinfo=TZ),
    )
    revoked = anonymous.get(f"/whitelist/check/{listing.token}/").content.decode()
    assert 'data-state="revoked"' in revoked and "2022-09-20" in revoked
    assert "不合格" not in revoked
    assert anonymous.get("/whitelist/check/not-a-token/").status_code == 404
    park = _list(world.park)
    park_page = anonymous.get(f"/whitelist/check/{park.token}/").content.decode()
    assert world.park.name in park_page and "Industrial park" in park_page


def test_listing_filters_and_the_excel_export(world: World) -> None:
    a, b = _enterprises(world, 2)
    _list(a, chain="化工", category="key_materials")
    _list(b, chain="化工", category="key_materials")
    _list(a, "province", chain="化工", category="key_materials")
    revoked = _list(world.enterprise)
    listing_services.revoke_listing(actor=SYSTEM, listing_id=revoked.pk, reason="撤销")
    _list(world.park, chain="综合", category="social_operation")
    _list(world.foreign_enterprise)
    bureau = world.users["bureau"]

    def numbers(**f: Any) -> set[str]:
        return set(
            listing_selectors.LISTINGS.rows(bureau, _query(**f)).values_list("number", flat=True)
        )

    assert len(numbers()) == 5  # the Yibin listing is foreign
    assert numbers(level="province") == {"SC-WL-2022-0001"}
    assert len(numbers(chain="化工")) == 3
    assert numbers(status="revoked") == {revoked.number}
    assert len(numbers(status="active")) == 4
    assert len(numbers(category="social_operation")) == 1
    assert len(numbers(region="510502")) == 5 and numbers(region="510503") == set()
    with pytest.raises(InvalidInput) as refused:
        numbers(region="nonsense")
    assert "region" in refused.value.errors
    assert numbers(q=a.name) == {"LZ-WL-2022-0001", "SC-WL-2022-0001"}
    assert (
        world.users["admin"]
        and len(listing_selectors.LISTINGS.rows(world.users["admin"], _query())) == 6
    )

    client = world.client("bureau")
    response = client.get("/whitelist/export.xlsx?chain=化工&level=city")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"LZ-WL-2022-0001", "LZ-WL-2022-0002"}
    assert {r[4] for r in rows[1:]} == {a.uscc, b.uscc}
