"""The role matrix entries of the core app's pages and API operations."""

from __future__ import annotations

from tests.conftest import ROLES
from tests.matrix import (
    ALL,
    AUDIT,
    Case,
    foreign,
    form_page,
    static,
    statuses,
)

PAGES: dict[str, list[Case]] = {
    "home": [Case("get", static("/"), statuses(200, ALL))],
    "people": form_page(Case("get", static("/people/"), statuses(200, {"admin"})), posted=400),
    "people_export": [Case("get", static("/people/export.xlsx"), statuses(200, {"admin"}))],
    "person": [
        # Own = the user's own record: everyone sees it; only the administrator changes it.
        Case(
            "get",
            lambda w, which: f"/people/{w.current.pk if which == 'own' else w.other_user.pk}/",  # type: ignore[attr-defined]
            statuses(200, ALL),
            foreign(200),
        ),
        Case(
            "post",
            lambda w, which: (
                f"/people/{w.users['leader'].pk if which == 'own' else w.other_user.pk}/"
            ),
            {r: 302 if r == "admin" else 403 if r == "leader" else 404 for r in ROLES},
            foreign(302),
            data=lambda w, which: {"action": "deactivate"},
        ),
    ],
    "tokens": form_page(Case("get", static("/account/tokens/"), statuses(200, ALL)), posted=400),
    "token_revoke": [
        Case(
            "post",
            lambda w, which: f"/account/tokens/{w.token_ids[which]}/revoke/",  # type: ignore[attr-defined]
            statuses(302, ALL),
            foreign(302),
        ),
    ],
    "audit": [Case("get", static("/audit/"), statuses(200, AUDIT))],
    "audit_export": [Case("get", static("/audit/export.xlsx"), statuses(200, AUDIT))],
}

# Reachable without signing in.
PUBLIC = {"login", "logout", "set_language"}

API: dict[str, list[Case]] = {
    "GET /api/me": [Case("get", static("/api/me"), statuses(200, ALL), json=True)],
    "GET /api/people": [Case("get", static("/api/people"), statuses(200, {"admin"}), json=True)],
    "GET /api/audit": [Case("get", static("/api/audit"), statuses(200, AUDIT), json=True)],
}
