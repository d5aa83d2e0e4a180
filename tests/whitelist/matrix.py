"""The role matrix entries of the whitelist app's pages and API operations.

Listings and applications are made inside each call (the matrix rolls every call back), for the
own enterprise (in OWN-PARK, Jiangyang, Luzhou: its park inspects, the district and the city's
health officer review, the city's bureau decides) or the foreign one (Cuiping, Yibin). The world
has no provincial official, so only the administrator decides for the province.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from keepline.whitelist.models import ApplicationStatus, WhitelistApplication, WhitelistListing
from keepline.whitelist.services import applications as application_services
from keepline.whitelist.services import listings as listing_services
from keepline.whitelist.services import reviews
from tests.conftest import ROLES, SYSTEM, World
from tests.matrix import (
    REGISTRY,
    Case,
    foreign,
    form_page,
    object_statuses,
    static,
    statuses,
)
from tests.whitelist.conftest import advance, approve, documents

LISTING_VIEW = REGISTRY
APPLICATION_VIEW = REGISTRY - {"department"}
DOCUMENTS = {"admin", "bureau", "district", "park", "liaison", "health"}
CITY = {"admin", "bureau"}  # the city's bureau decides, nominates and revokes city listings
APPLY = {"admin", "liaison", "park"}  # hold the right to apply somewhere
# The own park's page: the park's viewers (a commissioner's or liaison's scope is one
# enterprise, so they see no park); checkpoint staff do not see whitelists at all.
PARK_PAGE = {"admin", "bureau", "district", "park", "department", "health", "leader"}


def _enterprise(w: World, which: str) -> Any:
    return w.enterprise if which == "own" else w.foreign_enterprise


def _listing(w: World, which: str) -> WhitelistListing:
    enterprise = _enterprise(w, which)
    # The anonymous walk calls every case without rolling back: reuse what an earlier made.
    existing = WhitelistListing.objects.filter(enterprise=enterprise, level="city").first()
    if existing is not None:
        return existing
    return listing_services.list_directly(
        actor=SYSTEM,
        subject=enterprise,
        level="city",
        category="key_industries",
        chain="白酒",
        reason="市级白名单第一批",
    )


def _application(w: World, which: str, stage: str) -> WhitelistApplication:
    """The side's application at a stage: a status, or "economy"/"health" for a district
    review with only that half still open."""
    enterprise = _enterprise(w, which)
    existing = WhitelistApplication.objects.filter(enterprise=enterprise).first()
    if existing is not None:
        return existing
    # In the anonymous walk a listing case ran before, without rollback: a listed enterprise
    # does not apply, so that listing goes.
    for listing in WhitelistListing.objects.filter(enterprise=enterprise, revoked_at=None):
        listing_services.revoke_listing(actor=SYSTEM, listing_id=listing.pk, reason="matrix")
    application = application_services.submit_application(
        actor=SYSTEM,
        enterprise_id=enterprise.pk,
        category="key_industries",
        chain="白酒",
        files=documents(),
    )
    if stage == ApplicationStatus.RETURNED:
        reviews.decide_application(
            actor=SYSTEM,
            application_id=application.pk,
            decision="return",
            reasons="补充材料",
            version=application.version,
        )
    elif stage in ("economy", "health"):
        advance(application, ApplicationStatus.DISTRICT_REVIEW)
        approve(application, "health" if stage == "economy" else "economy")
    else:
        advance(application, stage)
    application.refresh_from_db()
    return application


def _both(make: Callable[[World, str], Any], url: str) -> Callable[[World, str], str]:
    """Make the object for both sides (so a list can be checked for the foreign one), and give
    the URL of the asked side's."""

    def build(w: World, which: str) -> str:
        made = {side: make(w, side) for side in ("own", "foreign")}
        return url.format(made[which].pk)

    return build


def _listing_url(template: str) -> Callable[[World, str], str]:
    return lambda w, which: template.format(_listing(w, which).pk)


def _application_url(template: str, stage: str) -> Callable[[World, str], str]:
    return lambda w, which: template.format(_application(w, which, stage).pk)


def _version(w: World, which: str) -> int:
    return WhitelistApplication.objects.get(enterprise=_enterprise(w, which)).version


def _decision(w: World, which: str) -> dict[str, Any]:
    return {"decision": "approve", "version": _version(w, which)}


def _files() -> dict[str, SimpleUploadedFile]:
    return {name: SimpleUploadedFile(*data) for name, data in documents().items()}


def _decide_case(stage: str, deciders: set[str], *, ok: int, json: bool, path: str) -> Case:
    """Deciding an application at `stage`: the deciders succeed, other viewers get 403, except
    those whose half of the district review is decided already (409)."""
    own = object_statuses(ok, APPLICATION_VIEW, deciders)
    if stage == "health":
        own["district"] = 409
    if stage == "economy":
        own["health"] = 409
    return Case(
        "post",
        _application_url(path, stage),
        own,
        foreign(ok),
        data=_decision,
        json=json,
        made_once=True,
    )


def _apply_statuses(own_ok: set[str], ok: int) -> tuple[dict[str, int], dict[str, int]]:
    """Applying: roles that apply nowhere get 403; an applicant for something else 403 on a
    subject it sees and 404 on one it does not."""
    own = {r: ok if r in own_ok else 403 for r in ROLES}
    other = {r: ok if r == "admin" else 404 if r in APPLY else 403 for r in ROLES}
    return own, other


ENTERPRISE_APPLY = _apply_statuses({"admin", "liaison"}, 200)
PARK_APPLY = (
    {r: 200 if r in ("admin", "park") else 404 if r == "liaison" else 403 for r in ROLES},
    {r: 200 if r == "admin" else 404 if r in APPLY else 403 for r in ROLES},
)
API_APPLY = _apply_statuses({"admin", "liaison"}, 201)

PAGES: dict[str, list[Case]] = {
    "whitelist:listings": [
        Case(
            "get",
            _both(_listing, "/whitelist/"),
            statuses(200, LISTING_VIEW),
            shows=lambda w, which: _listing(w, which).number,
            shows_own_for=LISTING_VIEW,
        )
    ],
    "whitelist:listings_export": [
        Case("get", lambda w, which: "/whitelist/export.xlsx", statuses(200, LISTING_VIEW))
    ],
    "whitelist:listing": [
        Case(
            "get",
            _listing_url("/whitelist/listings/{}/"),
            object_statuses(200, LISTING_VIEW),
            foreign(200),
        )
    ],
    "whitelist:certificate": [
        Case(
            "get",
            _listing_url("/whitelist/listings/{}/certificate/"),
            object_statuses(200, LISTING_VIEW),
            foreign(200),
        )
    ],
    "whitelist:revoke": [
        Case(
            "get",
            _listing_url("/whitelist/listings/{}/revoke/"),
            object_statuses(200, LISTING_VIEW, CITY),
            foreign(200),
        ),
        Case(
            "post",
            _listing_url("/whitelist/listings/{}/revoke/"),
            object_statuses(302, LISTING_VIEW, CITY),
            foreign(302),
            data=lambda w, which: {"reason": "不再符合闭环生产条件"},
        ),
    ],
    "whitelist:applications_export": [
        Case("get", static("/whitelist/applications/export.xlsx"), statuses(200, APPLICATION_VIEW))
    ],
    "whitelist:applications": [
        Case(
            "get",
            lambda w, which: (
                _both(lambda w, s: _application(w, s, "inspection"), "")(w, which),
                "/whitelist/applications/?view=all",
            )[1],
            statuses(200, APPLICATION_VIEW),
            shows=lambda w, which: (
                f"/whitelist/applications/{_application(w, which, 'inspection').pk}/"
            ),
            shows_own_for=APPLICATION_VIEW,
        )
    ],
    "whitelist:application": [
        Case(
            "get",
            _application_url("/whitelist/applications/{}/", "inspection"),
            object_statuses(200, APPLICATION_VIEW),
            foreign(200),
        )
    ],
    "whitelist:decide": [
        _decide_case(
            "inspection",
            {"admin", "park"},
            ok=302,
            json=False,
            path="/whitelist/applications/{}/decide/",
        ),
        _decide_case(
            "economy",
            {"admin", "district"},
            ok=302,
            json=False,
            path="/whitelist/applications/{}/decide/",
        ),
        _decide_case(
            "health",
            {"admin", "health"},
            ok=302,
            json=False,
            path="/whitelist/applications/{}/decide/",
        ),
        _decide_case(
            "city_decision", CITY, ok=302, json=False, path="/whitelist/applications/{}/decide/"
        ),
        _decide_case(
            "province_decision",
            {"admin"},
            ok=302,
            json=False,
            path="/whitelist/applications/{}/decide/",
        ),
    ],
    "whitelist:nominate": [
        Case(
            "post",
            _application_url("/whitelist/applications/{}/nominate/", "listed_city"),
            object_statuses(302, APPLICATION_VIEW, CITY),
            foreign(302),
            data=lambda w, which: {"version": _version(w, which)},
            made_once=True,
        )
    ],
    "whitelist:resubmit": [
        Case(
            "get",
            _application_url("/whitelist/applications/{}/edit/", "returned"),
            object_statuses(200, APPLICATION_VIEW, {"admin", "liaison"}),
            foreign(200),
            made_once=True,
        ),
        Case(
            "post",
            _application_url("/whitelist/applications/{}/edit/", "returned"),
            object_statuses(302, APPLICATION_VIEW, {"admin", "liaison"}),
            foreign(302),
            data=lambda w, which: {
                "category": "daily_needs",
                "chain": "白酒",
                "version": _version(w, which),
            },
            made_once=True,
        ),
    ],
    "whitelist:document": [
        Case(
            "get",
            _application_url("/whitelist/applications/{}/documents/staff_list/", "inspection"),
            object_statuses(200, APPLICATION_VIEW, DOCUMENTS),
            foreign(200),
        )
    ],
    "whitelist:apply_enterprise": [
        Case(
            "get",
            lambda w, which: f"/whitelist/apply/enterprise/{_enterprise(w, which).pk}/",
            *ENTERPRISE_APPLY,
        ),
        Case(
            "post",
            lambda w, which: f"/whitelist/apply/enterprise/{_enterprise(w, which).pk}/",
            *_apply_statuses({"admin", "liaison"}, 302),
            data=lambda w, which: {"category": "key_industries", "chain": "白酒", **_files()},
        ),
    ],
    "whitelist:apply_park": form_page(
        Case(
            "get",
            lambda w, which: (
                f"/whitelist/apply/park/{(w.park if which == 'own' else w.foreign_park).pk}/"
            ),
            *PARK_APPLY,
        ),
        posted=400,
    ),
    "whitelist:enterprise": [
        Case(
            "get",
            lambda w, which: f"/whitelist/enterprises/{_enterprise(w, which).pk}/",
            statuses(200, LISTING_VIEW),
            {r: 200 if r == "admin" else 404 if r in LISTING_VIEW else 403 for r in ROLES},
        )
    ],
    "whitelist:park": [
        Case(
            "get",
            lambda w, which: (
                f"/whitelist/parks/{(w.park if which == 'own' else w.foreign_park).pk}/"
            ),
            {r: 200 if r in PARK_PAGE else 404 if r in LISTING_VIEW else 403 for r in ROLES},
            {r: 200 if r == "admin" else 404 if r in LISTING_VIEW else 403 for r in ROLES},
        )
    ],
}

# Reachable without signing in: the page a certificate's QR code opens.
PUBLIC = {"whitelist:check"}

API: dict[str, list[Case]] = {
    "GET /api/whitelist/listings": [
        Case(
            "get",
            _both(_listing, "/api/whitelist/listings"),
            statuses(200, LISTING_VIEW),
            json=True,
            shows=lambda w, which: _listing(w, which).number,
            shows_own_for=LISTING_VIEW,
        )
    ],
    "GET /api/whitelist/listings/{listing_id}": [
        Case(
            "get",
            _listing_url("/api/whitelist/listings/{}"),
            object_statuses(200, LISTING_VIEW),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/whitelist/listings/{listing_id}/revoke": [
        Case(
            "post",
            _listing_url("/api/whitelist/listings/{}/revoke"),
            object_statuses(200, LISTING_VIEW, CITY),
            foreign(200),
            data=lambda w, which: {"reason": "不再符合闭环生产条件"},
            json=True,
        )
    ],
    "GET /api/whitelist/applications": [
        Case(
            "get",
            lambda w, which: (
                _both(lambda w, s: _application(w, s, "inspection"), "")(w, which),
                "/api/whitelist/applications",
            )[1],
            statuses(200, APPLICATION_VIEW),
            json=True,
            shows=lambda w, which: _enterprise(w, which).name,
            shows_own_for=APPLICATION_VIEW,
        )
    ],
    "POST /api/whitelist/applications": [
        Case(
            "post",
            lambda w, which: "/api/whitelist/applications",
            *API_APPLY,
            data=lambda w, which: {
                "enterprise_id": _enterprise(w, which).pk,
                "category": "key_industries",
                "chain": "白酒",
                **_files(),
            },
        )
    ],
    "GET /api/whitelist/applications/{application_id}": [
        Case(
            "get",
            _application_url("/api/whitelist/applications/{}", "inspection"),
            object_statuses(200, APPLICATION_VIEW),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/whitelist/applications/{application_id}/resubmit": [
        Case(
            "post",
            _application_url("/api/whitelist/applications/{}/resubmit", "returned"),
            object_statuses(200, APPLICATION_VIEW, {"admin", "liaison"}),
            foreign(200),
            data=lambda w, which: {
                "category": "daily_needs",
                "chain": "白酒",
                "version": _version(w, which),
            },
            made_once=True,
        )
    ],
    "POST /api/whitelist/applications/{application_id}/decision": [
        _decide_case(
            "inspection",
            {"admin", "park"},
            ok=200,
            json=True,
            path="/api/whitelist/applications/{}/decision",
        ),
        _decide_case(
            "city_decision",
            CITY,
            ok=200,
            json=True,
            path="/api/whitelist/applications/{}/decision",
        ),
    ],
    "POST /api/whitelist/applications/{application_id}/nomination": [
        Case(
            "post",
            _application_url("/api/whitelist/applications/{}/nomination", "listed_city"),
            object_statuses(200, APPLICATION_VIEW, CITY),
            foreign(200),
            data=lambda w, which: {"version": _version(w, which)},
            json=True,
            made_once=True,
        )
    ],
}
