"""The role matrix entries of the places app's pages and API operations."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix import (
    MEASURE_CHANGE,
    PARK_CHANGE,
    PARK_VIEW,
    PLACE_VIEW,
    Case,
    foreign,
    form_page,
    obj,
    object_statuses,
    static,
    statuses,
    url,
)


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


PAGES: dict[str, list[Case]] = {
    "places:regions": [
        Case(
            "get",
            static("/places/regions/"),
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
            static("/places/parks/"),
            statuses(200, PARK_VIEW),
            shows=obj("park", "code"),
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
    "places:park_export": [
        Case("get", static("/places/parks/export.xlsx"), statuses(200, PARK_VIEW)),
    ],
    "places:park_new": form_page(
        Case("get", static("/places/parks/new/"), statuses(200, PARK_CHANGE)), posted=400
    ),
    "places:park_edit": form_page(
        Case(
            "get",
            url("/places/parks/{}/edit/", "park"),
            object_statuses(200, PARK_VIEW - {"commissioner"}, PARK_CHANGE),
            foreign(200),
        ),
        posted=400,
    ),
    "places:measures": [
        Case(
            "get",
            static("/places/measures/"),
            statuses(200, PLACE_VIEW),
            shows=obj("measure", "title"),
            shows_own_for=PLACE_VIEW,
        ),
    ],
    "places:measure_export": [
        Case("get", static("/places/measures/export.xlsx"), statuses(200, PLACE_VIEW)),
    ],
    "places:measure_new": form_page(
        Case("get", static("/places/measures/new/"), statuses(200, MEASURE_CHANGE)), posted=400
    ),
    "places:measure": [
        Case(
            "get",
            url("/places/measures/{}/", "measure"),
            object_statuses(200, PLACE_VIEW),
            foreign(200),
        ),
    ],
    # The own measure was issued by the city: a district official sees it but may not edit it.
    "places:measure_edit": form_page(
        Case(
            "get",
            url("/places/measures/{}/edit/", "measure"),
            object_statuses(200, PLACE_VIEW, {"admin", "bureau"}),
            foreign(200),
        ),
        posted=400,
    ),
    "places:measure_delete": [
        Case(
            "post",
            url("/places/measures/{}/delete/", "measure"),
            object_statuses(302, PLACE_VIEW, {"admin", "bureau"}),
            foreign(302),
        ),
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/regions": [
        Case(
            "get",
            static("/api/regions"),
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
            static("/api/parks"),
            statuses(200, PARK_VIEW),
            json=True,
            shows=obj("park", "code"),
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
            static("/api/measures"),
            statuses(200, PLACE_VIEW),
            json=True,
            shows=obj("measure", "title"),
            shows_own_for=PLACE_VIEW,
        )
    ],
    "POST /api/measures": [
        Case(
            "post",
            static("/api/measures"),
            statuses(201, MEASURE_CHANGE),
            statuses(201, {"admin"}),
            data=_new_measure,
            json=True,
        )
    ],
    "GET /api/measures/{measure_id}": [
        Case(
            "get",
            url("/api/measures/{}", "measure"),
            object_statuses(200, PLACE_VIEW),
            foreign(200),
            json=True,
        )
    ],
    "PUT /api/measures/{measure_id}": [
        Case(
            "put",
            url("/api/measures/{}", "measure"),
            object_statuses(200, PLACE_VIEW, {"admin", "bureau"}),
            foreign(200),
            data=_measure_body,
            json=True,
        )
    ],
    "DELETE /api/measures/{measure_id}": [
        Case(
            "delete",
            url("/api/measures/{}", "measure"),
            object_statuses(204, PLACE_VIEW, {"admin", "bureau"}),
            foreign(204),
            json=True,
        )
    ],
}
