"""The role matrix entry of the inbox: every signed-in user has one, and sees only their own.

Each call first makes a notification for the caller (own) and one for a user of Yibin
(foreign), inside the savepoint the matrix rolls back."""

from __future__ import annotations

from typing import Any

from keepline.core.models import Notification
from tests.conftest import World
from tests.matrix import ALL, Case, statuses


def _title(w: World, which: str) -> str:
    return "Inbox notice for the caller" if which == "own" else "Inbox notice for Yibin"


def _inbox(w: World, which: str) -> str:
    Notification.objects.create(user=w.current, kind="test", title=_title(w, "own"))  # type: ignore[attr-defined]
    Notification.objects.create(user=w.other_user, kind="test", title=_title(w, "foreign"))
    return "/inbox/"


PAGES: dict[str, list[Case]] = {
    "inbox": [
        Case(
            "get",
            _inbox,
            statuses(200, ALL),
            shows=_title,
            shows_own_for=ALL,
        ),
        Case("post", _inbox, statuses(302, ALL)),
    ],
}

API: dict[str, Any] = {}
