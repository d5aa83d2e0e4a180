"""Helpers for the service network tests."""

from __future__ import annotations

from keepline.core.models import User
from tests.factories import UserFactory


def person(username: str) -> User:
    """A signed-up person who holds no membership yet."""
    return UserFactory(username=username)


def fresh(user: User) -> User:
    """The user as a new request would load it: memberships read again."""
    return User.objects.get(pk=user.pk)
