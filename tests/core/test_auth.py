"""Signing in: argon2, password rules, lockout, idle expiry, and hashed API tokens."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from keepline import settings as keepline_settings
from keepline.core import services
from keepline.core.errors import InvalidInput
from keepline.core.models import ApiToken, AuditEvent, User
from keepline.core.scopes import SystemActor
from tests.conftest import PASSWORD, World


def test_passwords_are_hashed_with_argon2(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = keepline_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = services.create_user(actor=SystemActor("test"), username="argon", password=PASSWORD)
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")


@pytest.mark.parametrize("password", ["short1", "12345678901", "password123"])
def test_weak_passwords_are_refused_and_nothing_is_created(world: World, password: str) -> None:
    with pytest.raises(InvalidInput) as info:
        services.create_user(actor=SystemActor("test"), username="weak", password=password)
    assert "password" in info.value.errors
    assert not User.objects.filter(username="weak").exists()


def test_login_and_logout(world: World) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "district", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_five_failed_logins_lock_the_account(world: World) -> None:
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "district", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "district", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # still not signed in


def test_sessions_expire_after_inactivity(world: World) -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    client.post("/accounts/login/", {"username": "district", "password": PASSWORD})
    session = Session.objects.get()
    # Each request renews the session for another half hour from now.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(minutes=29)
    # Half an hour without a request and the official must sign in again.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_tokens_are_stored_hashed_work_and_stop_when_revoked(world: World) -> None:
    user = world.users["district"]
    token, key = services.create_token(actor=user, name="etl")
    assert (
        key not in token.key_hash
        and ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).exists()
    )
    client = Client()
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200 and me.json()["username"] == "district"
    # A token call needs no CSRF token: it is not sent by a browser on its own.
    created = client.patch(
        f"/api/enterprises/{world.enterprise.pk}",
        {"version": 1, "employees": 301},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert created.status_code == 200
    services.revoke_token(actor=user, token_id=token.pk)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer kl_nonsense").status_code == 401
    assert AuditEvent.objects.filter(action="revoke", object_type="core.apitoken").exists()


def test_token_page_shows_the_key_once(world: World) -> None:
    client = world.client("leader")
    response = client.post("/account/tokens/", {"name": "报表"})
    key = response.context["new_key"]
    assert key.startswith("kl_") and key in response.content.decode()
    assert key not in client.get("/account/tokens/").content.decode()


def test_session_api_writes_need_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["district"])
    response = client.patch(
        f"/api/enterprises/{world.enterprise.pk}", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 403


def test_admin_manages_people_through_the_page(world: World) -> None:
    client = world.client("admin")
    response = client.post(
        "/people/", {"username": "newbie", "password": PASSWORD, "display_name": "新人"}
    )
    newbie = User.objects.get(username="newbie")
    assert response.status_code == 302
    client.post(
        f"/people/{newbie.pk}/",
        {"action": "add_membership", "m-role": "district", "m-scope": "510503"},
    )
    assert [(m.role, m.region.code) for m in newbie.memberships.all()] == [("district", "510503")]
    bad = client.post(
        f"/people/{newbie.pk}/", {"action": "add_membership", "m-role": "park", "m-scope": "NOPE"}
    )
    assert bad.status_code == 400 and "scope" in bad.context["membership_form"].errors
    # A department id that no key can be ("²" passes isdigit, 9 × 30 overflows) is not found.
    for scope in ("²", "9" * 30):
        odd = client.post(
            f"/people/{newbie.pk}/",
            {"action": "add_membership", "m-role": "department", "m-scope": scope},
        )
        assert odd.status_code == 400 and "scope" in odd.context["membership_form"].errors
    client.post(f"/people/{newbie.pk}/", {"action": "deactivate"})
    newbie.refresh_from_db()
    assert not newbie.is_active
    actions = set(
        AuditEvent.objects.filter(object_id=str(newbie.pk)).values_list("action", flat=True)
    )
    assert actions == {"create", "add_membership", "deactivate"}


def test_create_admin_command_makes_an_audited_administrator(db: Any, monkeypatch: Any) -> None:
    from django.core.management import call_command

    monkeypatch.setenv("KEEPLINE_ADMIN_PASSWORD", PASSWORD)
    call_command("create-admin", "root", stdout=io.StringIO())
    user = User.objects.get(username="root")
    assert [m.role for m in user.memberships.all()] == ["admin"]
    assert AuditEvent.objects.filter(actor_name="command:create-admin").count() == 2
