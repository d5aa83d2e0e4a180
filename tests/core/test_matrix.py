"""The role matrix: every registered page and API operation × every role × own and foreign object.

Adding a URL or an API operation without an entry here fails `test_every_endpoint_is_in_the_matrix`.
Each expected status is what the rules say: a foreign object answers 404, a visible one the user
may not change answers 403, a capability outside the role answers 403.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from keepline.api import api
from keepline.core.models import ApiToken, Upload
from tests.conftest import ROLES, World, make_uscc

ALL = set(ROLES)
OFFICIALS = {"admin", "bureau", "district", "park", "department", "health", "leader"}
REGISTRY = {
    "admin",
    "bureau",
    "district",
    "park",
    "commissioner",
    "department",
    "liaison",
    "health",
    "leader",
}
REGISTRY_CHANGE = {"admin", "bureau", "district", "park", "liaison"}
REGISTRY_CREATE = REGISTRY_CHANGE - {"liaison"}  # a liaison's scope is one enterprise
PERSONAL = {"admin", "bureau", "district", "park", "commissioner", "liaison"}
PLACE_VIEW = OFFICIALS | {"checkpoint"}
PARK_VIEW = PLACE_VIEW | {"commissioner"}
PARK_CHANGE = {"admin", "bureau", "district", "park"}
MEASURE_CHANGE = {"admin", "bureau", "district"}
AUDIT = {"admin", "bureau"}


def statuses(ok: int, allowed: set[str], denied: int = 403) -> dict[str, int]:
    return {role: ok if role in allowed else denied for role in ROLES}


def object_statuses(ok: int, view: set[str], change: set[str] | None = None) -> dict[str, int]:
    """For an object the role's scope holds: ok if it may act, 403 if it only sees it, else 404."""
    change = view if change is None else change
    return {r: ok if r in change else 403 if r in view else 404 for r in ROLES}


@dataclass
class Case:
    """One endpoint: how to call it for an own or a foreign object, and what each role gets."""

    method: str
    url: Callable[[World, str], str]
    own: dict[str, int]
    foreign: dict[str, int] | None = None  # None: the endpoint has no object (same as own)
    data: Callable[[World, str], Any] | None = None
    # List endpoints: a 200 must show the own object (for these roles) and never a foreign one.
    shows: Callable[[World, str], str] | None = None
    shows_own_for: set[str] = field(default_factory=set)
    json: bool = False


def _obj(kind: str, attr: str = "pk") -> Callable[[World, str], Any]:
    return lambda w, which: getattr(getattr(w, kind if which == "own" else f"foreign_{kind}"), attr)


def _u(template: str, kind: str, attr: str = "pk") -> Callable[[World, str], str]:
    get = _obj(kind, attr)
    return lambda w, which: template.format(get(w, which))


def _static(url: str) -> Callable[[World, str], str]:
    return lambda w, which: url


def _foreign(ok: int) -> dict[str, int]:
    return {r: ok if r == "admin" else 404 for r in ROLES}


def _measure_body(w: World, which: str) -> dict[str, Any]:
    measure = w.measure if which == "own" else w.foreign_measure
    return {
        "kind": "static",
        "title": "changed",
        "authority": measure.authority.code,
        "regions": [r.code for r in measure.regions.all()],
        "parks": [],
        "starts_at": "2022-09-08T00:00:00+08:00",
        "version": measure.version,
    }


def _new_measure(w: World, which: str) -> dict[str, Any]:
    region = w.jiangyang if which == "own" else w.yibin_district
    return {
        "kind": "lockdown",
        "title": "new measure",
        "authority": region.code,
        "regions": [region.code],
        "starts_at": "2022-09-10T00:00:00+08:00",
    }


def _new_enterprise(w: World, which: str) -> dict[str, Any]:
    region = w.jiangyang if which == "own" else w.yibin_district
    return {
        "uscc": make_uscc(99, region.code),
        "name": "新登记企业",
        "region": region.code,
        "industry": "15",
        "above_size": True,
        "annual_output": "100",
        "employees": 10,
    }


# Pages, by URL name. Form pages are also posted where posting changes something.
PAGES: dict[str, list[Case]] = {
    "home": [Case("get", _static("/"), statuses(200, ALL))],
    "people": [Case("get", _static("/people/"), statuses(200, {"admin"}))],
    "person": [
        # Own = the user's own record: everyone sees it; only the administrator changes it.
        Case(
            "get",
            lambda w, which: f"/people/{w.current.pk if which == 'own' else w.other_user.pk}/",  # type: ignore[attr-defined]
            statuses(200, ALL),
            _foreign(200),
        ),
        Case(
            "post",
            lambda w, which: (
                f"/people/{w.users['leader'].pk if which == 'own' else w.other_user.pk}/"
            ),
            {r: 302 if r == "admin" else 403 if r == "leader" else 404 for r in ROLES},
            _foreign(302),
            data=lambda w, which: {"action": "deactivate"},
        ),
    ],
    "tokens": [Case("get", _static("/account/tokens/"), statuses(200, ALL))],
    "token_revoke": [
        Case(
            "post",
            lambda w, which: f"/account/tokens/{w.token_ids[which]}/revoke/",  # type: ignore[attr-defined]
            statuses(302, ALL),
            _foreign(302),
        ),
    ],
    "audit": [Case("get", _static("/audit/"), statuses(200, AUDIT))],
    "audit_export": [Case("get", _static("/audit/export.xlsx"), statuses(200, AUDIT))],
    "places:regions": [
        Case(
            "get",
            _static("/places/regions/"),
            statuses(200, PLACE_VIEW),
            shows=lambda w, which: w.jiangyang.code if which == "own" else w.yibin_district.code,
            shows_own_for={
                "admin",
                "bureau",
                "district",
                "department",
                "health",
                "leader",
                "checkpoint",
            },
        )
    ],
    "places:parks": [
        Case(
            "get",
            _static("/places/parks/"),
            statuses(200, PARK_VIEW),
            shows=_obj("park", "code"),
            shows_own_for={
                "admin",
                "bureau",
                "district",
                "park",
                "department",
                "health",
                "leader",
                "checkpoint",
            },
        )
    ],
    "places:park_new": [
        Case("get", _static("/places/parks/new/"), statuses(200, PARK_CHANGE)),
    ],
    "places:park_edit": [
        Case(
            "get",
            _u("/places/parks/{}/edit/", "park"),
            object_statuses(200, PARK_VIEW - {"commissioner"}, PARK_CHANGE),
            _foreign(200),
        ),
    ],
    "places:measures": [
        Case(
            "get",
            _static("/places/measures/"),
            statuses(200, PLACE_VIEW),
            shows=_obj("measure", "title"),
            shows_own_for=PLACE_VIEW,
        ),
    ],
    "places:measure_new": [
        Case("get", _static("/places/measures/new/"), statuses(200, MEASURE_CHANGE))
    ],
    "places:measure": [
        Case(
            "get",
            _u("/places/measures/{}/", "measure"),
            object_statuses(200, PLACE_VIEW),
            _foreign(200),
        ),
    ],
    "places:measure_edit": [
        # The own measure was issued by the city: a district official sees it but may not edit it.
        Case(
            "get",
            _u("/places/measures/{}/edit/", "measure"),
            object_statuses(200, PLACE_VIEW, {"admin", "bureau"}),
            _foreign(200),
        ),
    ],
    "places:measure_delete": [
        Case(
            "post",
            _u("/places/measures/{}/delete/", "measure"),
            object_statuses(302, PLACE_VIEW, {"admin", "bureau"}),
            _foreign(302),
        ),
    ],
    "enterprises:list": [
        Case(
            "get",
            _static("/enterprises/"),
            statuses(200, REGISTRY),
            shows=_obj("enterprise", "name"),
            shows_own_for=REGISTRY,
        ),
    ],
    "enterprises:export": [
        Case("get", _static("/enterprises/export.xlsx"), statuses(200, REGISTRY))
    ],
    "enterprises:create": [
        Case("get", _static("/enterprises/new/"), statuses(200, REGISTRY_CREATE))
    ],
    "enterprises:detail": [
        Case(
            "get",
            _u("/enterprises/{}/", "enterprise"),
            object_statuses(200, REGISTRY),
            _foreign(200),
        ),
    ],
    "enterprises:edit": [
        Case(
            "get",
            _u("/enterprises/{}/edit/", "enterprise"),
            object_statuses(200, REGISTRY, REGISTRY_CHANGE),
            _foreign(200),
        ),
    ],
    "enterprises:contact_add": [
        Case(
            "post",
            _u("/enterprises/{}/contacts/", "enterprise"),
            object_statuses(302, REGISTRY, REGISTRY_CHANGE),
            _foreign(302),
            data=lambda w, which: {"name": "新联系人", "phone": "13600001111", "is_liaison": "on"},
        ),
    ],
    "enterprises:contact_remove": [
        Case(
            "post",
            _u("/enterprises/contacts/{}/remove/", "contact"),
            object_statuses(302, REGISTRY, REGISTRY_CHANGE),
            _foreign(302),
        ),
    ],
    "enterprises:contact_reveal": [
        Case(
            "post",
            _u("/enterprises/contacts/{}/phone/", "contact"),
            object_statuses(200, REGISTRY, PERSONAL),
            _foreign(200),
        ),
    ],
    "enterprises:import": [
        Case("get", _static("/enterprises/import/"), statuses(200, REGISTRY_CREATE))
    ],
    "enterprises:import_template": [
        Case("get", _static("/enterprises/import/template.xlsx"), statuses(200, REGISTRY_CREATE))
    ],
    "enterprises:import_confirm": [
        # An upload belongs to the user who made it; anyone else's is foreign.
        Case(
            "post",
            lambda w, which: f"/enterprises/import/{w.upload_ids[which]}/confirm/",  # type: ignore[attr-defined]
            statuses(400, REGISTRY_CREATE),
            statuses(404, REGISTRY_CREATE),
        ),
    ],
}

# Public pages: reachable without signing in.
PUBLIC = {"login", "logout", "set_language"}

API: dict[str, list[Case]] = {
    "GET /api/me": [Case("get", _static("/api/me"), statuses(200, ALL), json=True)],
    "GET /api/audit": [Case("get", _static("/api/audit"), statuses(200, AUDIT), json=True)],
    "GET /api/regions": [
        Case(
            "get",
            _static("/api/regions"),
            statuses(200, PLACE_VIEW),
            json=True,
            shows=lambda w, which: w.jiangyang.code if which == "own" else w.yibin_district.code,
            shows_own_for={
                "admin",
                "bureau",
                "district",
                "department",
                "health",
                "leader",
                "checkpoint",
            },
        )
    ],
    "GET /api/parks": [
        Case(
            "get",
            _static("/api/parks"),
            statuses(200, PARK_VIEW),
            json=True,
            shows=_obj("park", "code"),
            shows_own_for={
                "admin",
                "bureau",
                "district",
                "park",
                "department",
                "health",
                "leader",
                "checkpoint",
            },
        )
    ],
    "GET /api/measures": [
        Case(
            "get",
            _static("/api/measures"),
            statuses(200, PLACE_VIEW),
            json=True,
            shows=_obj("measure", "title"),
            shows_own_for=PLACE_VIEW,
        )
    ],
    "POST /api/measures": [
        Case(
            "post",
            _static("/api/measures"),
            statuses(201, MEASURE_CHANGE),
            statuses(201, {"admin"}),
            data=_new_measure,
            json=True,
        )
    ],
    "GET /api/measures/{measure_id}": [
        Case(
            "get",
            _u("/api/measures/{}", "measure"),
            object_statuses(200, PLACE_VIEW),
            _foreign(200),
            json=True,
        )
    ],
    "PUT /api/measures/{measure_id}": [
        Case(
            "put",
            _u("/api/measures/{}", "measure"),
            object_statuses(200, PLACE_VIEW, {"admin", "bureau"}),
            _foreign(200),
            data=_measure_body,
            json=True,
        )
    ],
    "DELETE /api/measures/{measure_id}": [
        Case(
            "delete",
            _u("/api/measures/{}", "measure"),
            object_statuses(204, PLACE_VIEW, {"admin", "bureau"}),
            _foreign(204),
            json=True,
        )
    ],
    "GET /api/enterprises": [
        Case(
            "get",
            _static("/api/enterprises"),
            statuses(200, REGISTRY),
            json=True,
            shows=_obj("enterprise", "uscc"),
            shows_own_for=REGISTRY,
        )
    ],
    "POST /api/enterprises": [
        # A liaison's scope is one enterprise: it cannot register another.
        Case(
            "post",
            _static("/api/enterprises"),
            statuses(201, REGISTRY_CHANGE - {"liaison", "park"}),
            statuses(201, {"admin"}),
            data=_new_enterprise,
            json=True,
        )
    ],
    "GET /api/enterprises/{enterprise_id}": [
        Case(
            "get",
            _u("/api/enterprises/{}", "enterprise"),
            object_statuses(200, REGISTRY),
            _foreign(200),
            json=True,
        )
    ],
    "PATCH /api/enterprises/{enterprise_id}": [
        Case(
            "patch",
            _u("/api/enterprises/{}", "enterprise"),
            object_statuses(200, REGISTRY, REGISTRY_CHANGE),
            _foreign(200),
            data=lambda w, which: {"version": 1, "employees": 333},
            json=True,
        )
    ],
}


def registered_pages() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def registered_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_is_in_the_matrix() -> None:
    assert registered_pages() == set(PAGES) | PUBLIC
    assert registered_operations() == set(API)


def _call(client: Client, case: Case, w: World, which: str) -> Any:
    url = case.url(w, which)
    data = case.data(w, which) if case.data else None
    if case.json:
        kwargs: dict[str, Any] = {"content_type": "application/json"}
        if data is not None:
            kwargs["data"] = data
        return getattr(client, case.method)(url, **kwargs)
    return getattr(client, case.method)(url, data or {})


def _own_objects(w: World, role: str, which: str) -> None:
    """A token and an upload owned by the role's user (own) or by someone else (foreign)."""
    owner = w.users[role] if which == "own" else w.other_user
    token = ApiToken.objects.create(
        user=owner, name="t", key_prefix="kl_x", key_hash=f"{role}{which}"
    )
    upload = Upload.objects.create(
        user=owner, purpose="enterprises", filename="x.csv", content=b"uscc\n"
    )
    w.token_ids = {which: token.pk}  # type: ignore[attr-defined]
    w.upload_ids = {which: upload.pk}  # type: ignore[attr-defined]


def _run(case: Case, w: World, key: str) -> list[str]:
    failures = []
    for role in ROLES:
        for which in ("own", "foreign"):
            expected = (case.own if which == "own" or case.foreign is None else case.foreign)[role]
            sid = transaction.savepoint()
            _own_objects(w, role, which)
            w.current = w.users[role]  # type: ignore[attr-defined]
            client = w.client(role)
            response = _call(client, case, w, which)
            got = response.status_code
            if got != expected:
                failures.append(
                    f"{key} {case.method.upper()} {role}/{which}: expected {expected}, got {got}"
                )
            elif case.shows and got == 200:
                body = (
                    json.dumps(response.json(), ensure_ascii=False)
                    if case.json
                    else response.content.decode()
                )
                if (
                    which == "own"
                    and role in case.shows_own_for
                    and case.shows(w, "own") not in body
                ):
                    failures.append(f"{key} {role}: own object missing from the list")
                if which == "foreign" and role != "admin" and case.shows(w, "foreign") in body:
                    failures.append(f"{key} {role}: foreign object shown in the list")
            transaction.savepoint_rollback(sid)
    return failures


@pytest.mark.parametrize("key", sorted(PAGES))
def test_page_matrix(world: World, key: str) -> None:
    failures = [f for case in PAGES[key] for f in _run(case, world, key)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("key", sorted(API))
def test_api_matrix(world: World, key: str) -> None:
    failures = [f for case in API[key] for f in _run(case, world, key)]
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_login_or_refused(world: World) -> None:
    _own_objects(world, "admin", "own")
    world.current = world.users["admin"]  # type: ignore[attr-defined]
    client = Client()
    for key, cases in PAGES.items():
        for case in cases:
            response = _call(client, case, world, "own")
            assert response.status_code in (302, 405), key
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], key
    for key, cases in API.items():
        for case in cases:
            assert _call(client, case, world, "own").status_code == 401, key
