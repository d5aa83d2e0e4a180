"""What every page needs: the user's memberships (shown as their scope) and the menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keepline.core.menu import menu_for
from keepline.core.scopes import memberships


def keepline(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_memberships": memberships(user), "menu": menu_for(request)}
