"""The pages: a liaison applies from a phone, each official decides on the application's page,
the applicant follows it, the city revokes; the whitelist shows wherever the enterprise does."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keepline.core.models import AuditEvent
from keepline.whitelist.models import ApplicationStatus as S
from keepline.whitelist.models import WhitelistApplication, WhitelistListing
from keepline.whitelist.services import listings as listing_services
from tests.conftest import SYSTEM, World
from tests.whitelist.conftest import advance, documents, submit


def _client(world: World, role: str) -> Client:
    client = world.client(role)
    client.cookies["django_language"] = "en"
    return client


def _files(**changes: Any) -> dict[str, SimpleUploadedFile]:
    return {name: SimpleUploadedFile(*data) for name, data in documents(**changes).items()}


def _post_decision(client: Client, app: WhitelistApplication, **data: Any) -> Any:
    return client.post(f"/whitelist/applications/{app.pk}/decide/", data)


def test_a_liaison_applies_and_follows_the_application(world: World) -> None:
    liaison = _client(world, "liaison")
    url = f"/whitelist/apply/enterprise/{world.enterprise.pk}/"
    form = liaison.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'accept=".pdf' in form
    assert 'name="viewport"' in form  # the phone layout of base.html
    bad = liaison.post(url, {"category": "", "chain": "", **_files(commitment=("x.exe", b"MZ"))})
    body = bad.content.decode()
    assert bad.status_code == 400 and not WhitelistApplication.objects.exists()
    for field in ("category", "chain", "commitment"):
        assert f'data-field-error="{field}"' in body

    done = liaison.post(url, {"category": "key_industries", "chain": "白酒", **_files()})
    app = WhitelistApplication.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/whitelist/applications/{app.pk}/"
    page = liaison.get(done["Location"]).content.decode()
    assert 'data-step="inspection" data-state="current"' in page
    assert "江阳测试园区" in page  # who inspects: the park
    assert "data-decide" not in page  # the applicant does not decide
    assert f"/whitelist/applications/{app.pk}/documents/commitment/" in page
    again = liaison.get(url).content.decode()
    assert "data-pending" in again and "<form" not in again.split("data-pending")[1]
    mine = liaison.get("/whitelist/applications/").content.decode()
    assert f"/whitelist/applications/{app.pk}/" in mine


def test_each_official_decides_on_the_page_and_the_applicant_sees_it(world: World) -> None:
    app = submit(world, actor=world.users["liaison"])
    park = _client(world, "park")
    waiting = park.get("/whitelist/applications/").content.decode()
    assert f"/whitelist/applications/{app.pk}/" in waiting and "data-waiting>1<" in waiting
    district = _client(world, "district")
    assert (
        f"/whitelist/applications/{app.pk}/"
        not in district.get("/whitelist/applications/").content.decode()
    )
    page = park.get(f"/whitelist/applications/{app.pk}/").content.decode()
    assert 'data-decide="inspection"' in page

    no_reasons = _post_decision(
        park, app, decision="return", version=app.version, step="inspection"
    )
    assert no_reasons.status_code == 400
    assert 'data-field-error="reasons"' in no_reasons.content.decode()
    ok = _post_decision(park, app, decision="approve", version=app.version, step="inspection")
    assert ok.status_code == 302
    stale = _post_decision(park, app, decision="approve", version=app.version, step="inspection")
    assert stale.status_code == 409 and "data-error" in stale.content.decode()

    app.refresh_from_db()
    health = _client(world, "health")
    assert (
        'data-decide="health"' in health.get(f"/whitelist/applications/{app.pk}/").content.decode()
    )
    returned = _post_decision(
        health, app, decision="return", reasons="缺少隔离房间说明", version=app.version
    )
    assert returned.status_code == 302
    liaison = _client(world, "liaison")
    seen = liaison.get(f"/whitelist/applications/{app.pk}/").content.decode()
    assert 'data-step="health" data-state="returned"' in seen
    assert "缺少隔离房间说明" in seen and f"/whitelist/applications/{app.pk}/edit/" in seen

    app.refresh_from_db()
    edit = liaison.get(f"/whitelist/applications/{app.pk}/edit/").content.decode()
    assert "缺少隔离房间说明" in edit and "Leave empty to keep" in edit
    resent = liaison.post(
        f"/whitelist/applications/{app.pk}/edit/",
        {
            "category": "key_industries",
            "chain": "白酒",
            "note": "已补充",
            "version": app.version,
            "epidemic_plan": SimpleUploadedFile("防疫方案-v2.pdf", b"%PDF v2"),
        },
    )
    assert resent.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.round, app.epidemic_plan.filename) == (
        S.INSPECTION,
        2,
        "防疫方案-v2.pdf",
    )
    # A returned-and-resubmitted application is no longer editable.
    assert liaison.get(f"/whitelist/applications/{app.pk}/edit/").status_code == 409

    advance(app, S.CITY_DECISION)
    bureau = _client(world, "bureau")
    decided = _post_decision(bureau, app, decision="approve", version=app.version)
    assert decided.status_code == 302
    listing = WhitelistListing.objects.get(application=app)
    page = bureau.get(f"/whitelist/applications/{app.pk}/").content.decode()
    assert "data-nominate" in page and listing.number in page
    app.refresh_from_db()
    nominated = bureau.post(
        f"/whitelist/applications/{app.pk}/nominate/", {"version": app.version, "reasons": "龙头"}
    )
    assert nominated.status_code == 302
    app.refresh_from_db()
    assert app.status == S.PROVINCE_DECISION
    late = bureau.post(f"/whitelist/applications/{app.pk}/nominate/", {"version": app.version})
    assert late.status_code == 409


def test_the_city_revokes_on_the_page_and_the_history_keeps_it(world: World) -> None:
    app = advance(submit(world), S.LISTED_CITY)
    listing = WhitelistListing.objects.get(application=app)
    bureau = _client(world, "bureau")
    detail = bureau.get(f"/whitelist/listings/{listing.pk}/").content.decode()
    assert f"/whitelist/listings/{listing.pk}/revoke/" in detail
    assert f"/whitelist/check/{listing.token}/" in detail
    empty = bureau.post(f"/whitelist/listings/{listing.pk}/revoke/", {"reason": ""})
    assert 'data-field-error="reason"' in empty.content.decode()
    done = bureau.post(f"/whitelist/listings/{listing.pk}/revoke/", {"reason": "闭环管理不到位"})
    assert done.status_code == 302
    world.enterprise.refresh_from_db()
    assert world.enterprise.whitelist_level == ""
    assert (
        bureau.post(f"/whitelist/listings/{listing.pk}/revoke/", {"reason": "again"}).status_code
        == 409
    )
    liaison = _client(world, "liaison")
    history = liaison.get(f"/whitelist/enterprises/{world.enterprise.pk}/").content.decode()
    assert listing.number in history and "闭环管理不到位" in history
    assert 'data-event="revoked"' in history and 'data-event="city:approve"' in history
    assert "Not on any whitelist now." in history
    assert f"/whitelist/apply/enterprise/{world.enterprise.pk}/" in history
    listings = liaison.get("/whitelist/?status=revoked").content.decode()
    assert listing.number in listings and "data-revoked" in listings


def test_direct_listings_appear_in_the_subject_history(world: World) -> None:
    listing_services.list_directly(
        actor=SYSTEM,
        subject=world.park,
        level="city",
        category="social_operation",
        chain="综合",
        reason="泸市经信〔2022〕45号",
    )
    page = _client(world, "park").get(f"/whitelist/parks/{world.park.pk}/").content.decode()
    assert "泸市经信〔2022〕45号" in page and 'data-level="city"' in page
    assert f"/whitelist/apply/park/{world.park.pk}/" not in page  # listed already


def test_documents_are_served_to_readers_and_every_opening_is_audited(world: World) -> None:
    app = submit(world)
    response = _client(world, "health").get(
        f"/whitelist/applications/{app.pk}/documents/staff_list/"
    )
    assert response.status_code == 200
    assert response.content == documents()["staff_list"][1]
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%91%98%E5%B7%A5%E5%90%8D%E5%8D%95.xlsx"
    )
    event = AuditEvent.objects.get(action="open_document")
    assert event.actor == world.users["health"] and event.after["document"] == "staff_list"
    assert (
        _client(world, "leader")
        .get(f"/whitelist/applications/{app.pk}/documents/staff_list/")
        .status_code
        == 403
    )
    assert (
        _client(world, "health")
        .get(f"/whitelist/applications/{app.pk}/documents/passport/")
        .status_code
        == 404
    )


def test_the_whitelist_badge_shows_on_the_registry(world: World) -> None:
    listing_services.list_directly(
        actor=SYSTEM,
        subject=world.enterprise,
        level="city",
        category="key_industries",
        chain="白酒",
        reason="第一批",
    )
    client = _client(world, "district")
    listing = client.get("/enterprises/").content.decode()
    assert "City whitelist" in listing
    detail = client.get(f"/enterprises/{world.enterprise.pk}/").content.decode()
    assert "City whitelist" in detail
    zh = world.client("district").get(f"/enterprises/{world.enterprise.pk}/").content.decode()
    assert "data-whitelist" in zh


def test_the_menu_offers_the_whitelist_to_those_who_see_it(world: World) -> None:
    bureau = _client(world, "bureau").get("/").content.decode()
    assert "/whitelist/" in bureau and "/whitelist/applications/" in bureau
    department = _client(world, "department").get("/").content.decode()
    assert "/whitelist/" in department and "/whitelist/applications/" not in department
    checkpoint = _client(world, "checkpoint").get("/").content.decode()
    assert "/whitelist/" not in checkpoint


def test_a_first_time_applicant_finds_where_to_apply(world: World) -> None:
    page = world.client("liaison").get("/whitelist/applications/")
    links = [url for _name, url in page.context["apply_for"]]
    assert links == [f"/whitelist/apply/enterprise/{world.enterprise.pk}/"]
    assert world.client("liaison").get(links[0]).status_code == 200
    parks = world.client("park").get("/whitelist/applications/").context["apply_for"]
    assert [url for _name, url in parks] == [f"/whitelist/apply/park/{world.park.pk}/"]
    assert world.client("district").get("/whitelist/applications/").context["apply_for"] == []
