"""The role matrix entries of the enterprises app's pages and API operations."""

from __future__ import annotations

from typing import Any

from tests.conftest import World, make_uscc
from tests.matrix import (
    PERSONAL,
    REGISTRY,
    REGISTRY_CHANGE,
    REGISTRY_CREATE,
    Case,
    foreign,
    form_page,
    obj,
    object_statuses,
    static,
    statuses,
    url,
)


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


PAGES: dict[str, list[Case]] = {
    "enterprises:list": [
        Case(
            "get",
            static("/enterprises/"),
            statuses(200, REGISTRY),
            shows=obj("enterprise", "name"),
            shows_own_for=REGISTRY,
        ),
    ],
    "enterprises:export": [
        Case("get", static("/enterprises/export.xlsx"), statuses(200, REGISTRY))
    ],
    "enterprises:create": form_page(
        Case("get", static("/enterprises/new/"), statuses(200, REGISTRY_CREATE)), posted=400
    ),
    "enterprises:detail": [
        Case(
            "get",
            url("/enterprises/{}/", "enterprise"),
            object_statuses(200, REGISTRY),
            foreign(200),
        ),
    ],
    "enterprises:edit": form_page(
        Case(
            "get",
            url("/enterprises/{}/edit/", "enterprise"),
            object_statuses(200, REGISTRY, REGISTRY_CHANGE),
            foreign(200),
        ),
        posted=400,
    ),
    "enterprises:contact_add": [
        Case(
            "post",
            url("/enterprises/{}/contacts/", "enterprise"),
            object_statuses(302, REGISTRY, REGISTRY_CHANGE),
            foreign(302),
            data=lambda w, which: {"name": "新联系人", "phone": "13600001111", "is_liaison": "on"},
        ),
    ],
    "enterprises:contact_remove": [
        Case(
            "post",
            url("/enterprises/contacts/{}/remove/", "contact"),
            object_statuses(302, REGISTRY, REGISTRY_CHANGE),
            foreign(302),
        ),
    ],
    "enterprises:contact_reveal": [
        Case(
            "post",
            url("/enterprises/contacts/{}/phone/", "contact"),
            object_statuses(200, REGISTRY, PERSONAL),
            foreign(200),
        ),
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/enterprises": [
        Case(
            "get",
            static("/api/enterprises"),
            statuses(200, REGISTRY),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=REGISTRY,
        )
    ],
    "POST /api/enterprises": [
        # A liaison's scope is one enterprise: it cannot register another.
        Case(
            "post",
            static("/api/enterprises"),
            statuses(201, REGISTRY_CHANGE - {"liaison", "park"}),
            statuses(201, {"admin"}),
            data=_new_enterprise,
            json=True,
        )
    ],
    "GET /api/enterprises/{enterprise_id}": [
        Case(
            "get",
            url("/api/enterprises/{}", "enterprise"),
            object_statuses(200, REGISTRY),
            foreign(200),
            json=True,
        )
    ],
    "PATCH /api/enterprises/{enterprise_id}": [
        Case(
            "patch",
            url("/api/enterprises/{}", "enterprise"),
            object_statuses(200, REGISTRY, REGISTRY_CHANGE),
            foreign(200),
            data=lambda w, which: {"version": 1, "employees": 333},
            json=True,
        )
    ],
}
