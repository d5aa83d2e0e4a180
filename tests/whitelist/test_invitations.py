"""Invitations to apply for the whitelist (邀请申报): invite, the liaison applies, taken up."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent, Notification
from keepline.whitelist.models import InvitationStatus, WhitelistInvitation
from keepline.whitelist.services import invitations as invitation_services
from keepline.whitelist.services import listings as listing_services
from tests.conftest import SYSTEM, World
from tests.whitelist.conftest import documents, submit


def invite(world: World, role: str = "bureau", **changes: object) -> WhitelistInvitation:
    data: dict[str, object] = {
        "enterprise_id": world.enterprise.pk,
        "chain": "白酒",
        "reason": "闭环生产可使纳溪区 3 家企业免于断供",
        "source": "Scenario: 江阳区封控",
    }
    return invitation_services.invite_application(actor=world.users[role], **(data | changes))


def test_invite_liaison_sees_it_applies_and_the_invitation_is_taken_up(world: World) -> None:
    invitation = invite(world)
    assert invitation.status == InvitationStatus.OPEN
    assert AuditEvent.objects.filter(action="invite_whitelist_application").count() == 1
    note = Notification.objects.get(user=world.users["liaison"], kind="whitelist_invited")
    assert note.url == f"/whitelist/enterprises/{world.enterprise.pk}/"

    liaison = world.client("liaison")
    page = liaison.get(f"/whitelist/enterprises/{world.enterprise.pk}/").content.decode()
    assert "闭环生产可使纳溪区 3 家企业免于断供" in page
    apply_url = f"/whitelist/apply/enterprise/{world.enterprise.pk}/?chain=%E7%99%BD%E9%85%92"
    assert apply_url in page
    form = liaison.get(apply_url).content.decode()
    assert 'value="白酒"' in form

    files = {name: SimpleUploadedFile(*data) for name, data in documents().items()}
    response = liaison.post(
        f"/whitelist/apply/enterprise/{world.enterprise.pk}/",
        {"category": "key_industries", "chain": "白酒", **files},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.APPLIED
    assert invitation.application is not None
    assert invitation.application.enterprise_id == world.enterprise.pk
    assert AuditEvent.objects.filter(action="take_up_whitelist_invitation").count() == 1
    # Taken up: the liaison's page offers no second "Apply" on it.
    page = liaison.get(f"/whitelist/enterprises/{world.enterprise.pk}/").content.decode()
    assert "data-apply" not in page


def test_officials_see_open_invitations_on_the_applications_page(world: World) -> None:
    invite(world)
    page = world.client("district").get("/whitelist/applications/").content.decode()
    assert 'id="invitations"' in page and world.enterprise.name in page
    assert "1 open invitation to apply" in page
    # The foreign official sees nothing of it.
    other = Client()
    other.force_login(world.other_user)
    page = other.get("/whitelist/applications/?view=all").content.decode()
    assert 'id="invitations"' not in page


def test_second_invitation_while_one_is_open_conflicts(world: World) -> None:
    invite(world)
    with pytest.raises(Conflict):
        invite(world, role="district")
    assert WhitelistInvitation.objects.count() == 1


def test_no_invitation_for_an_enterprise_listed_or_applying(world: World) -> None:
    submit(world)
    with pytest.raises(Conflict):
        invite(world)
    listing_services.list_directly(
        actor=SYSTEM,
        subject=world.foreign_enterprise,
        level="city",
        category="key_industries",
        chain="化工",
        reason="市级白名单第一批",
    )
    with pytest.raises(Conflict):
        invite(world, role="admin", enterprise_id=world.foreign_enterprise.pk)
    assert not WhitelistInvitation.objects.exists()


def test_foreign_enterprise_is_not_found_and_others_may_not_invite(world: World) -> None:
    with pytest.raises(NotFound):
        invite(world, enterprise_id=world.foreign_enterprise.pk)
    for role in ("park", "liaison", "leader", "health"):
        with pytest.raises(Forbidden):
            invite(world, role=role)
    assert not WhitelistInvitation.objects.exists()


def test_bad_invitation_names_the_fields(world: World) -> None:
    with pytest.raises(InvalidInput) as raised:
        invite(world, chain=" ", reason="")
    assert set(raised.value.errors) == {"chain", "reason"}
    with pytest.raises(InvalidInput) as raised:
        invite(world, chain="链" * 51)
    assert "chain" in raised.value.errors
    assert not WhitelistInvitation.objects.exists()


def test_withdraw_then_invite_again(world: World) -> None:
    invitation = invite(world)
    client = world.client("district")
    response = client.post(f"/whitelist/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN and invitation.closed_by == "district"
    assert client.post(f"/whitelist/invitations/{invitation.pk}/withdraw/").status_code == 409
    assert invite(world).status == InvitationStatus.OPEN
    # The liaison may read it but not withdraw it.
    latest = WhitelistInvitation.objects.filter(status="open").get()
    liaison = world.client("liaison")
    assert liaison.post(f"/whitelist/invitations/{latest.pk}/withdraw/").status_code == 403


def test_invitations_api(world: World) -> None:
    client = world.client("bureau")
    response = client.post(
        "/api/whitelist/invitations",
        {"enterprise_id": world.enterprise.pk, "chain": "白酒", "reason": "链主企业的玻璃瓶供应商"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "open" and body["name"] == world.enterprise.name
    again = client.post(
        "/api/whitelist/invitations",
        {"enterprise_id": world.enterprise.pk, "chain": "白酒", "reason": "again"},
        content_type="application/json",
    )
    assert again.status_code == 409
    listed = world.client("liaison").get("/api/whitelist/invitations?status=open").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    withdrawn = client.post(f"/api/whitelist/invitations/{body['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.get("/api/whitelist/invitations?status=open").json()["items"] == []
    bad = client.post(
        "/api/whitelist/invitations",
        {"enterprise_id": world.enterprise.pk, "chain": "", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
