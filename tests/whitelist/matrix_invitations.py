"""The role matrix entries of the invitations to apply: the list, inviting, withdrawing.

An open invitation of the side's enterprise is made inside the call (rolled back after it). The
city's bureau and the district over the enterprise invite and withdraw (404 on an enterprise
outside their area); every other role lacks the right (403), though the application's readers
(park, commissioner, liaison, health officer, leader) see the invitations.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keepline.whitelist.models import InvitationStatus, WhitelistInvitation
from tests.conftest import ROLES, World
from tests.matrix import Case, statuses

VIEW = {"admin", "bureau", "district", "park", "commissioner", "liaison", "health", "leader"}
INVITE = {"admin", "bureau", "district"}


def _inviting(ok: int) -> tuple[dict[str, int], dict[str, int]]:
    """Roles that invite nowhere get 403; the inviters 404 on a foreign enterprise."""
    own = {r: ok if r in INVITE else 403 for r in ROLES}
    other = {r: ok if r == "admin" else 404 if r in INVITE else 403 for r in ROLES}
    return own, other


def _enterprise(w: World, which: str) -> Any:
    return w.enterprise if which == "own" else w.foreign_enterprise


def _invitation(w: World, which: str) -> WhitelistInvitation:
    enterprise = _enterprise(w, which)
    found = WhitelistInvitation.objects.filter(
        enterprise=enterprise, status=InvitationStatus.OPEN
    ).first()
    if found is not None:
        return found
    return WhitelistInvitation.objects.create(
        enterprise=enterprise,
        chain="白酒",
        reason="保链企业",
        invited_by="matrix",
        invited_at=timezone.now(),
    )


def _both(template: str) -> Any:
    def build(w: World, which: str) -> str:
        made = {side: _invitation(w, side) for side in ("own", "foreign")}
        return template.format(made[which].pk)

    return build


PAGES: dict[str, list[Case]] = {
    "whitelist:withdraw_invitation": [
        Case(
            "post",
            _both("/whitelist/invitations/{}/withdraw/"),
            *_inviting(302),
        )
    ]
}

API: dict[str, list[Case]] = {
    "GET /api/whitelist/invitations": [
        Case(
            "get",
            lambda w, which: _both("/api/whitelist/invitations")(w, which),
            statuses(200, VIEW),
            json=True,
            shows=lambda w, which: _enterprise(w, which).name,
            shows_own_for=VIEW,
        )
    ],
    "POST /api/whitelist/invitations": [
        Case(
            "post",
            lambda w, which: "/api/whitelist/invitations",
            *_inviting(201),
            data=lambda w, which: {
                "enterprise_id": _enterprise(w, which).pk,
                "chain": "白酒",
                "reason": "保链企业",
            },
            json=True,
        )
    ],
    "POST /api/whitelist/invitations/{invitation_id}/withdraw": [
        Case(
            "post",
            _both("/api/whitelist/invitations/{}/withdraw"),
            *_inviting(200),
            json=True,
        )
    ],
}
