"""The API: the same workflow as the pages — multipart submission, decisions with 400/403/409,
nomination, revocation and the listing filters."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keepline.whitelist.models import ApplicationStatus as S
from keepline.whitelist.models import WhitelistApplication
from tests.conftest import World
from tests.whitelist.conftest import advance, documents, province_bureau

JSON = "application/json"


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type=JSON)


def _files(**changes: Any) -> dict[str, SimpleUploadedFile]:
    return {name: SimpleUploadedFile(*data) for name, data in documents(**changes).items()}


def _apply(client: Client, world: World, **changes: Any) -> Any:
    data = {
        "enterprise_id": world.enterprise.pk,
        "category": "key_industries",
        "chain": "白酒",
        "note": "保障原料供应",
        **_files(),
    }
    return client.post("/api/whitelist/applications", data | changes)


def test_submit_decide_nominate_and_list_through_the_api(world: World) -> None:
    liaison = world.client("liaison")
    created = _apply(liaison, world)
    assert created.status_code == 201
    app = created.json()
    assert (app["status"], app["open_steps"], app["round"]) == ("inspection", ["inspection"], 1)
    assert [d["kind"] for d in app["documents"]] == ["commitment", "staff_list", "epidemic_plan"]
    assert app["documents"][0]["filename"] == "承诺书.pdf"
    assert app["progress"][1] == {"step": "inspection", "state": "current", "place": "江阳测试园区"}
    url = f"/api/whitelist/applications/{app['id']}"

    park = world.client("park")
    wrong = _post(world.client("bureau"), f"{url}/decision", {"decision": "approve", "version": 1})
    assert wrong.status_code == 403
    first = _post(park, f"{url}/decision", {"decision": "approve", "version": 1})
    assert first.status_code == 200 and first.json()["status"] == "district_review"
    late = _post(park, f"{url}/decision", {"decision": "reject", "reasons": "x", "version": 1})
    assert late.status_code == 409
    assert late.json()["current"]["status"] == "district_review"
    assert late.json()["current"]["open_steps"] == ["economy", "health"]

    version = first.json()["version"]
    admin = world.client("admin")
    ambiguous = _post(admin, f"{url}/decision", {"decision": "approve", "version": version})
    assert ambiguous.status_code == 400 and "step" in ambiguous.json()["errors"]
    health = _post(
        admin, f"{url}/decision", {"decision": "approve", "version": version, "step": "health"}
    )
    assert health.json()["health_approved"] is True and health.json()["open_steps"] == ["economy"]
    no_reasons = _post(
        world.client("district"),
        f"{url}/decision",
        {"decision": "return", "version": health.json()["version"]},
    )
    assert no_reasons.status_code == 400 and list(no_reasons.json()["errors"]) == ["reasons"]
    economy = _post(
        world.client("district"),
        f"{url}/decision",
        {"decision": "approve", "version": health.json()["version"]},
    )
    assert economy.json()["status"] == "city_decision"
    city = _post(
        world.client("bureau"),
        f"{url}/decision",
        {"decision": "approve", "version": economy.json()["version"]},
    ).json()
    assert city["status"] == "listed_city"
    [listing] = city["listings"]
    assert listing["level"] == "city" and listing["number"].startswith("LZ-WL-")
    assert listing["check_url"].startswith("http://testserver/whitelist/check/")
    assert listing["uscc"] == world.enterprise.uscc and listing["authority"] == "510500"

    nominated = _post(
        world.client("bureau"), f"{url}/nomination", {"version": city["version"], "reasons": "龙头"}
    )
    assert nominated.json()["status"] == "province_decision"
    province = Client()
    province.force_login(province_bureau())
    listed = _post(
        province,
        f"{url}/decision",
        {"decision": "approve", "version": nominated.json()["version"]},
    ).json()
    assert listed["status"] == "listed_province" and len(listed["listings"]) == 2
    reviews = [(r["step"], r["decision"]) for r in listed["reviews"]]
    assert reviews[0] == ("application", "submit") and reviews[-1] == ("province", "approve")

    found = liaison.get("/api/whitelist/listings?level=province").json()
    assert found["count"] == 1 and found["items"][0]["name"] == world.enterprise.name
    mine = liaison.get("/api/whitelist/applications?view=mine").json()
    assert [a["id"] for a in mine["items"]] == [app["id"]]
    waiting = park.get("/api/whitelist/applications?view=waiting").json()
    assert waiting["count"] == 0


def test_bad_submissions_name_the_fields(world: World) -> None:
    liaison = world.client("liaison")
    bad = liaison.post(
        "/api/whitelist/applications",
        {
            "enterprise_id": world.enterprise.pk,
            "category": "tea",
            "chain": "",
            "commitment": SimpleUploadedFile("承诺书.exe", b"MZ"),
        },
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {
        "category",
        "chain",
        "commitment",
        "staff_list",
        "epidemic_plan",
    }
    assert not WhitelistApplication.objects.exists()
    assert _apply(liaison, world).status_code == 201
    assert _apply(liaison, world).status_code == 409  # one application at a time
    foreign = _apply(liaison, world, enterprise_id=world.foreign_enterprise.pk)
    assert foreign.status_code == 404


def test_resubmit_and_revoke_through_the_api(world: World) -> None:
    liaison = world.client("liaison")
    app = _apply(liaison, world).json()
    url = f"/api/whitelist/applications/{app['id']}"
    returned = _post(
        world.client("park"),
        f"{url}/decision",
        {"decision": "return", "reasons": "承诺书未签字", "version": app["version"]},
    ).json()
    assert returned["status"] == "returned"
    stale = liaison.post(
        f"{url}/resubmit", {"category": "key_industries", "chain": "白酒", "version": 1}
    )
    assert stale.status_code == 409
    resent = liaison.post(
        f"{url}/resubmit",
        {
            "category": "key_industries",
            "chain": "白酒",
            "version": returned["version"],
            "commitment": SimpleUploadedFile("承诺书-签字.pdf", b"%PDF signed"),
        },
    ).json()
    assert (resent["status"], resent["round"]) == ("inspection", 2)
    assert resent["documents"][0]["filename"] == "承诺书-签字.pdf"
    assert resent["documents"][1]["filename"] == "员工名单.xlsx"

    listed = advance(WhitelistApplication.objects.get(pk=app["id"]), S.LISTED_CITY)
    listing = listed.listings.get()
    bureau = world.client("bureau")
    empty = _post(bureau, f"/api/whitelist/listings/{listing.pk}/revoke", {"reason": ""})
    assert empty.status_code == 400 and list(empty.json()["errors"]) == ["reason"]
    assert (
        _post(
            world.client("district"),
            f"/api/whitelist/listings/{listing.pk}/revoke",
            {"reason": "x"},
        ).status_code
        == 403
    )
    revoked = _post(bureau, f"/api/whitelist/listings/{listing.pk}/revoke", {"reason": "不合格"})
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False and revoked.json()["revoke_reason"] == "不合格"
    again = _post(bureau, f"/api/whitelist/listings/{listing.pk}/revoke", {"reason": "x"})
    assert again.status_code == 409
    assert bureau.get("/api/whitelist/listings?status=active").json()["count"] == 0
    assert bureau.get(f"{url}").json()["status"] == "closed"


def test_every_schema_field_has_an_example() -> None:
    from keepline.api import api

    schema = api.get_openapi_schema()
    names = [
        n
        for n in schema["components"]["schemas"]
        if n.startswith(
            (
                "Listing",
                "Application",
                "Document",
                "Review",
                "Step",
                "Revoke",
                "Decision",
                "Nomination",
                "Submit",
                "Resubmit",
            )
        )
    ]
    assert len(names) >= 8
    missing = [
        f"{name}.{field}"
        for name in names
        for field, spec in schema["components"]["schemas"][name].get("properties", {}).items()
        if "examples" not in spec and "format" not in spec  # uploaded files have none
    ]
    assert missing == []
