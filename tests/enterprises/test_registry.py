"""The registry through pages and API: filters, sorting, export, edits, conflicts, personal data."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from keepline.core.models import AuditEvent
from keepline.core.scopes import SystemActor
from keepline.enterprises import services
from keepline.enterprises.models import Enterprise
from tests.conftest import World, make_uscc


def _add(world: World, serial: int, **raw: Any) -> Enterprise:
    data = {
        "uscc": make_uscc(serial),
        "name": f"企业{serial}",
        "region": "510502",
        "industry": "26",
        "above_size": "yes",
        "annual_output": "500",
        "employees": "50",
    } | raw
    return services.create_enterprise(actor=SystemActor("test"), data=data)


def names(response: Any) -> list[str]:
    return [e["name"] for e in response.json()["items"]]


def test_api_filters_region_subtree_park_industry_size_text_and_sort(world: World) -> None:
    _add(world, 101, name="纳溪化工", region="510503", annual_output="900")
    _add(world, 102, name="江阳小厂", above_size="no", annual_output="10")
    _add(world, 103, name="黄舣酒厂", region="510502103", industry="15", annual_output="7000")
    client = world.client("bureau")
    assert set(names(client.get("/api/enterprises?region=510502"))) == {
        "江阳测试酒业有限公司",
        "江阳小厂",
        "黄舣酒厂",
    }
    assert names(client.get("/api/enterprises?region=510503")) == ["纳溪化工"]
    assert names(client.get("/api/enterprises?park=OWN-PARK")) == ["江阳测试酒业有限公司"]
    assert set(names(client.get("/api/enterprises?industry=15"))) == {
        "江阳测试酒业有限公司",
        "黄舣酒厂",
    }
    assert len(names(client.get("/api/enterprises?industry=C"))) == 4  # the section holds 15 and 26
    assert names(client.get("/api/enterprises?size=below")) == ["江阳小厂"]
    assert names(client.get("/api/enterprises?q=酒厂")) == ["黄舣酒厂"]
    ordered = names(client.get("/api/enterprises?sort=-output"))
    assert ordered[:2] == ["江阳测试酒业有限公司", "黄舣酒厂"]
    assert ordered[-1] == "江阳小厂"


def test_district_sees_only_its_subtree(world: World) -> None:
    _add(world, 104, name="纳溪企业", region="510503")
    listed = names(world.client("district").get("/api/enterprises"))
    assert "纳溪企业" not in listed and "江阳测试酒业有限公司" in listed


def test_api_create_reports_every_bad_field_and_writes_nothing(world: World) -> None:
    before = Enterprise.objects.count()
    response = world.client("district").post(
        "/api/enterprises",
        {
            "uscc": "91510502000000001X",
            "name": "",
            "region": "510502",
            "industry": "98",
            "above_size": True,
            "annual_output": "-1",
            "employees": 5,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"uscc", "name", "industry", "annual_output"}
    assert Enterprise.objects.count() == before


def test_api_update_with_stale_version_is_409_with_current_state(world: World) -> None:
    client = world.client("district")
    url = f"/api/enterprises/{world.enterprise.pk}"
    first = client.patch(url, {"version": 1, "employees": 400}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(url, {"version": 1, "employees": 500}, content_type="application/json")
    assert second.status_code == 409
    assert second.json()["current"]["employees"] == 400
    world.enterprise.refresh_from_db()
    assert world.enterprise.employees == 400
    event = AuditEvent.objects.get(action="update", object_id=str(world.enterprise.pk))
    assert event.before == {"employees": 300, "version": 1}
    assert event.after == {"employees": 400, "version": 2}
    assert event.actor_name == "district" and event.request_id


def test_moving_an_enterprise_out_of_ones_area_is_refused(world: World) -> None:
    response = world.client("district").patch(
        f"/api/enterprises/{world.enterprise.pk}",
        {"version": 1, "region": "510503", "park": ""},
        content_type="application/json",
    )
    assert response.status_code == 403
    world.enterprise.refresh_from_db()
    assert world.enterprise.region == world.jiangyang


def test_park_must_lie_in_the_enterprise_district(world: World) -> None:
    response = world.client("bureau").patch(
        f"/api/enterprises/{world.enterprise.pk}",
        {"version": 1, "region": "510503"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "park" in response.json()["errors"]


def test_list_page_filters_and_export_match(world: World) -> None:
    _add(world, 105, name="江阳化工二厂", annual_output="800")
    client = world.client("district")
    page = client.get("/enterprises/?industry=26&sort=-output")
    assert [e.name for e in page.context["page"]] == ["江阳化工二厂"]
    partial = client.get("/enterprises/?q=酒业", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and "江阳测试酒业有限公司" in partial.content.decode()
    export = client.get("/enterprises/export.xlsx?industry=26")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == make_uscc(105) and rows[1][1] == "江阳化工二厂"


def test_page_form_shows_errors_by_field(world: World) -> None:
    response = world.client("district").post(
        "/enterprises/new/",
        {
            "uscc": "123",
            "name": "x",
            "region": "510502",
            "industry": "15",
            "above_size": "yes",
            "annual_output": "abc",
            "employees": "1",
        },
    )
    assert response.status_code == 400  # an invalid form answers 400
    errors = response.context["form"].errors
    assert set(errors) == {"uscc", "annual_output"}


def test_page_edit_saves_and_audits(world: World) -> None:
    client = world.client("park")
    response = client.post(
        f"/enterprises/{world.enterprise.pk}/edit/",
        {
            "uscc": world.enterprise.uscc,
            "name": "改名后的酒业",
            "region": "510502",
            "park": "OWN-PARK",
            "industry": "15",
            "above_size": "yes",
            "annual_output": "12000",
            "employees": "300",
            "power_accounts": "0500000001; 0599999999",
            "version": "1",
        },
    )
    assert response.status_code == 302
    world.enterprise.refresh_from_db()
    assert world.enterprise.name == "改名后的酒业"
    assert sorted(a.number for a in world.enterprise.power_accounts.all()) == [
        "0500000001",
        "0599999999",
    ]
    event = AuditEvent.objects.get(action="update", actor_name="park")
    assert event.after["power_accounts"] == ["0500000001", "0599999999"]


def test_phone_is_stored_encrypted_shown_masked_and_revealing_is_audited(world: World) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "select phone from enterprises_enterprisecontact where id = %s", [world.contact.pk]
        )
        stored = cursor.fetchone()[0]
    assert "13800001234" not in stored
    detail = world.client("leader").get(f"/enterprises/{world.enterprise.pk}/").content.decode()
    assert "138****1234" in detail and "13800001234" not in detail
    assert (
        world.client("leader").post(f"/enterprises/contacts/{world.contact.pk}/phone/").status_code
        == 403
    )
    revealed = world.client("commissioner").post(f"/enterprises/contacts/{world.contact.pk}/phone/")
    assert "13800001234" in revealed.content.decode()
    event = AuditEvent.objects.get(action="view_personal")
    assert event.actor_name == "commissioner" and event.after == {
        "contact": world.contact.pk,
        "field": "phone",
    }


def test_contacts_add_and_remove_are_audited(world: World) -> None:
    client = world.client("liaison")
    client.post(
        f"/enterprises/{world.enterprise.pk}/contacts/", {"name": "新人", "phone": "13611112222"}
    )
    contact = world.enterprise.contacts.get(name="新人")
    client.post(f"/enterprises/contacts/{contact.pk}/remove/")
    assert not world.enterprise.contacts.filter(name="新人").exists()
    actions = list(AuditEvent.objects.filter(actor_name="liaison").values_list("action", flat=True))
    assert sorted(actions) == ["add_contact", "remove_contact"]
    removed = AuditEvent.objects.get(action="remove_contact")
    assert removed.before["phone"] == "136****2222"
    bad = client.post(f"/enterprises/{world.enterprise.pk}/contacts/", {"name": "x", "phone": "12"})
    assert bad.status_code == 302 and not world.enterprise.contacts.filter(name="x").exists()
