"""The audit trail: append-only at every level, written by pages, API and commands alike."""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from keepline.core import audit
from keepline.core.models import AuditEvent
from keepline.core.scopes import SystemActor
from tests.conftest import World

# An action nothing in the small world records, so a filter on it finds only these events.
TOUCH = audit.Action.OPEN_DOCUMENT


def _event(world: World) -> AuditEvent:
    return audit.record(actor=SystemActor("test"), action=TOUCH, obj=world.enterprise)


def test_an_action_outside_the_set_is_refused(world: World) -> None:
    with pytest.raises(ValueError):
        audit.record(actor=SystemActor("test"), action="touch", obj=world.enterprise)  # type: ignore[arg-type]
    assert not AuditEvent.objects.filter(action="touch").exists()


def test_events_cannot_be_changed_or_deleted_through_the_orm(world: World) -> None:
    event = _event(world)
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_updates_even_in_raw_sql(world: World) -> None:
    event = _event(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("update core_auditevent set action = 'forged' where id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == TOUCH


def test_an_event_records_actor_object_region_and_request_id(world: World) -> None:
    client = world.client("district")
    response = client.patch(
        f"/api/enterprises/{world.enterprise.pk}",
        {"version": 1, "name": "新名字"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-123",
    )
    assert response["X-Request-ID"] == "req-123"
    event = AuditEvent.objects.get(action="update")
    assert event.actor == world.users["district"] and event.actor_name == "district"
    assert event.object_type == "enterprises.enterprise" and event.object_id == str(
        world.enterprise.pk
    )
    assert event.region == world.jiangyang and event.request_id == "req-123"
    assert event.before == {"name": "江阳测试酒业有限公司", "version": 1}


def test_bureau_sees_events_of_its_region_only_and_others_are_refused(world: World) -> None:
    _event(world)
    audit.record(actor=SystemActor("test"), action=TOUCH, obj=world.foreign_enterprise)
    audit.record(actor=SystemActor("test"), action=TOUCH, obj=world.users["leader"])
    bureau = world.client("bureau").get(f"/audit/?action={TOUCH}").context["page"]
    assert [e.object_id for e in bureau] == [str(world.enterprise.pk)]
    admin = world.client("admin").get(f"/audit/?action={TOUCH}").context["page"]
    assert len(admin) == 3
    assert world.client("district").get("/audit/").status_code == 403


def test_audit_export_has_the_filtered_events(world: World) -> None:
    _event(world)
    response = world.client("admin").get(f"/audit/export.xlsx?action={TOUCH}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "test" and rows[1][2] == TOUCH


def test_api_audit_filters(world: World) -> None:
    _event(world)
    body = world.client("admin").get(f"/api/audit?action={TOUCH}&actor=test").json()
    assert body["count"] == 1 and body["items"][0]["object_repr"] == "江阳测试酒业有限公司"
