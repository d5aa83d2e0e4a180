"""The role matrix entries of the core app's pages and API operations."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import ROLES
from tests.matrix import (
    ALL,
    AUDIT,
    REGISTRY_CREATE,
    Case,
    foreign,
    form_page,
    static,
    statuses,
)

# Who may import each kind of file: officials over an area, and the bureau alone for the
# working-day calendar and the grid's meter data.
IMPORTERS = {
    "enterprises": REGISTRY_CREATE,
    "daily-reports": REGISTRY_CREATE,
    "problems": REGISTRY_CREATE,
    "links": REGISTRY_CREATE,
    "calendar": {"admin", "bureau"},
    "power": {"admin", "bureau"},
}


def _bad_file(w: object, which: str) -> dict[str, SimpleUploadedFile]:
    """A file whose header names no column: every allowed caller gets 400, nothing written."""
    return {"file": SimpleUploadedFile("x.csv", b"nothing\n1\n")}


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
    # The one import page of every kind: the form, an empty post, a file naming no column.
    "import": [
        case
        for kind, allowed in IMPORTERS.items()
        for case in (
            *form_page(Case("get", static(f"/imports/{kind}/"), statuses(200, allowed)), 400),
            Case("post", static(f"/imports/{kind}/"), statuses(400, allowed), data=_bad_file),
        )
    ],
    "import_template": [
        Case("get", static(f"/imports/{kind}/template.xlsx"), statuses(200, allowed))
        for kind, allowed in IMPORTERS.items()
    ],
    # An upload belongs to the user who made it; anyone else's is foreign. The stored file
    # names no column, so confirming it writes nothing.
    "import_confirm": [
        Case(
            "post",
            lambda w, which: f"/imports/enterprises/{w.upload_ids[which]}/confirm/",  # type: ignore[attr-defined]
            statuses(400, REGISTRY_CREATE),
            statuses(404, REGISTRY_CREATE),
        ),
    ],
}

# Reachable without signing in.
PUBLIC = {"login", "logout", "set_language"}

API: dict[str, list[Case]] = {
    "GET /api/me": [Case("get", static("/api/me"), statuses(200, ALL), json=True)],
    "GET /api/people": [Case("get", static("/api/people"), statuses(200, {"admin"}), json=True)],
    "GET /api/audit": [Case("get", static("/api/audit"), statuses(200, AUDIT), json=True)],
    "POST /api/imports/{kind}": [
        Case("post", static(f"/api/imports/{kind}"), statuses(400, allowed), data=_bad_file)
        for kind, allowed in IMPORTERS.items()
    ],
}
