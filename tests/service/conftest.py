"""Helpers for the service network tests."""

from __future__ import annotations

from keepline.core import services as core_services
from keepline.core.models import User
from tests.conftest import PASSWORD, SYSTEM


def person(username: str) -> User:
    """A signed-up person who holds no membership yet."""
    return core_services.create_user(actor=SYSTEM, username=username, password=PASSWORD)


def fresh(user: User) -> User:
    """The user as a new request would load it: memberships read again."""
    return User.objects.get(pk=user.pk)
