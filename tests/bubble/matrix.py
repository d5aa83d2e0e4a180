"""The role matrix entries of the bubble app's pages and API operations.

Plans, requests and switches are made inside each call (the matrix rolls every call back), for
the own enterprise (in OWN-PARK, so its park decides) or the foreign one, and for the world's
measures (the own one is the city's, over Jiangyang).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keepline.bubble.models import ClosedLoopPlan, MeasureSwitch, ModeChangeRequest
from keepline.bubble.services import plans as plan_services
from keepline.bubble.services import requests as request_services
from keepline.bubble.services import switching as switch_services
from tests.bubble.conftest import READY
from tests.conftest import ROLES, SYSTEM, World
from tests.matrix import (
    REGISTRY,
    REGISTRY_CHANGE,
    Case,
    foreign,
    form_page,
    obj,
    object_statuses,
    static,
    statuses,
)

SWITCH_VIEW = {"admin", "bureau", "district", "park", "department", "health", "leader"}
# The own measure covers Jiangyang: the city and the district may switch it, not the park.
SWITCHERS = {"admin", "bureau", "district"}
MODE_CHANGE = {"admin", "bureau", "district", "park"}
DECIDE_OWN = {"admin", "park"}  # the own enterprise is in OWN-PARK
REQUEST = {"admin", "liaison"}
PARK_PAGE = SWITCH_VIEW  # park pages need a plan role and sight of the park


def _data() -> dict[str, Any]:
    review = timezone.localdate() + dt.timedelta(days=90)
    return {**READY, "review_date": review}


def _enterprise(w: World, which: str) -> Any:
    return w.enterprise if which == "own" else w.foreign_enterprise


def _measure(w: World, which: str) -> Any:
    return w.measure if which == "own" else w.foreign_measure


def _plan(w: World, which: str) -> ClosedLoopPlan:
    # The anonymous walk calls every case without rolling back: reuse what an earlier made.
    open_plan = ClosedLoopPlan.objects.filter(
        enterprise=_enterprise(w, which), status="submitted"
    ).first()
    if open_plan is not None:
        return open_plan
    return plan_services.save_plan(
        actor=SYSTEM, enterprise_id=_enterprise(w, which).pk, data=_data(), submit=True
    )


def _request(w: World, which: str) -> ModeChangeRequest:
    pending = ModeChangeRequest.objects.filter(
        enterprise=_enterprise(w, which), status="pending"
    ).first()
    if pending is not None:
        return pending
    return request_services.request_mode_change(
        actor=SYSTEM,
        enterprise_id=_enterprise(w, which).pk,
        requested_mode="closed_loop",
        reason="方案已获批",
    )


def _both(make: Callable[[World, str], Any], url: str) -> Callable[[World, str], str]:
    """Make the object for both sides (so a list can be checked for the foreign one), and
    give the URL of the asked side's."""

    def build(w: World, which: str) -> str:
        made = {side: make(w, side) for side in ("own", "foreign")}
        return url.format(made[which].pk)

    return build


def _one(make: Callable[[World, str], Any], url: str) -> Callable[[World, str], str]:
    return lambda w, which: url.format(make(w, which).pk)


def _switched(url: str) -> Callable[[World, str], str]:
    """The measure, switched first by the system so that it can be ended."""

    def build(w: World, which: str) -> str:
        measure = _measure(w, which)
        if not MeasureSwitch.objects.filter(measure=measure).exists():
            count = switch_services.preview_switch(actor=SYSTEM, measure_id=measure.pk).change_count
            switch_services.confirm_switch(
                actor=SYSTEM, measure_id=measure.pk, expected_count=count
            )
        return url.format(measure.pk)

    return build


def _measure_url(url: str) -> Callable[[World, str], str]:
    return lambda w, which: url.format(_measure(w, which).pk)


def _enterprise_url(url: str) -> Callable[[World, str], str]:
    return lambda w, which: url.format(_enterprise(w, which).pk)


def _park_url(url: str) -> Callable[[World, str], str]:
    return lambda w, which: url.format((w.park if which == "own" else w.foreign_park).pk)


def _expected_count(w: World, which: str) -> dict[str, Any]:
    measure = _measure(w, which)
    return {
        "expected_count": switch_services.preview_switch(
            actor=SYSTEM, measure_id=measure.pk
        ).change_count
    }


def _return_on(w: World, which: str) -> dict[str, Any]:
    return {"return_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}


def _measure_statuses(ok: int, allowed: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Own: ok for `allowed`, 403 for the rest. Foreign: ok for admin, 404 for roles that see
    measures somewhere, 403 for roles without the capability."""
    own = statuses(ok, allowed)
    other = {r: ok if r == "admin" else 404 if r in SWITCH_VIEW else 403 for r in ROLES}
    return own, other


def _park_statuses(ok: int, allowed: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Park pages: a plan role is needed (else 403), then sight of the park (else 404)."""
    own = {
        r: ok if r in allowed else 403 if r in PARK_PAGE | {"checkpoint"} else 404 for r in ROLES
    }
    other = {r: ok if r == "admin" else 403 if r == "checkpoint" else 404 for r in ROLES}
    return own, other


REQUEST_OWN = {r: 201 if r in REQUEST else 403 for r in ROLES}
REQUEST_FOREIGN = {r: 201 if r == "admin" else 404 if r == "liaison" else 403 for r in ROLES}
name = obj("enterprise", "name")

PAGES: dict[str, list[Case]] = {
    "bubble:plans": [
        Case(
            "get",
            _both(_plan, "/bubble/plans/?waiting=0&p={}"),
            statuses(200, REGISTRY),
            shows=name,
            shows_own_for=REGISTRY,
        )
    ],
    "bubble:plans_export": [
        Case("get", static("/bubble/plans/export.xlsx"), statuses(200, REGISTRY))
    ],
    "bubble:plan": [
        Case(
            "get",
            _one(_plan, "/bubble/plans/{}/"),
            object_statuses(200, REGISTRY),
            foreign(200),
        )
    ],
    "bubble:plan_decide": [
        Case(
            "post",
            _one(_plan, "/bubble/plans/{}/decide/"),
            object_statuses(302, REGISTRY, DECIDE_OWN),
            foreign(302),
            data=lambda w, which: {"decision": "approve"},
        )
    ],
    "bubble:enterprise": [
        Case(
            "get",
            _enterprise_url("/bubble/enterprises/{}/"),
            object_statuses(200, REGISTRY),
            foreign(200),
        )
    ],
    "bubble:plan_edit": form_page(
        Case(
            "get",
            _enterprise_url("/bubble/enterprises/{}/plan/"),
            object_statuses(200, REGISTRY, REGISTRY_CHANGE),
            foreign(200),
        ),
        posted=400,
    ),
    "bubble:mode_set": [
        Case(
            "post",
            _enterprise_url("/bubble/enterprises/{}/mode/"),
            object_statuses(302, REGISTRY, MODE_CHANGE),
            foreign(302),
            data=lambda w, which: {"mode": "halted", "reason": "停电检修"},
        )
    ],
    "bubble:request_new": form_page(
        Case(
            "get",
            _enterprise_url("/bubble/enterprises/{}/request/"),
            {r: 200 if r in REQUEST else 403 for r in ROLES},
            {r: 200 if r == "admin" else 404 if r == "liaison" else 403 for r in ROLES},
        ),
        posted=400,
    ),
    "bubble:park": [
        Case(
            "get",
            _park_url("/bubble/parks/{}/"),
            *_park_statuses(200, PARK_PAGE - {"commissioner"}),
        )
    ],
    "bubble:park_plan_edit": form_page(
        Case("get", _park_url("/bubble/parks/{}/plan/"), *_park_statuses(200, MODE_CHANGE)),
        posted=400,
    ),
    "bubble:requests": [
        Case(
            "get",
            _both(_request, "/bubble/requests/?waiting=0&r={}"),
            statuses(200, REGISTRY),
            shows=name,
            shows_own_for=REGISTRY,
        )
    ],
    "bubble:requests_export": [
        Case("get", static("/bubble/requests/export.xlsx"), statuses(200, REGISTRY))
    ],
    "bubble:request": [
        Case(
            "get",
            _one(_request, "/bubble/requests/{}/"),
            object_statuses(200, REGISTRY),
            foreign(200),
        )
    ],
    "bubble:request_decide": [
        Case(
            "post",
            _one(_request, "/bubble/requests/{}/decide/"),
            object_statuses(302, REGISTRY, DECIDE_OWN),
            foreign(302),
            data=lambda w, which: {"decision": "refuse", "note": "暂不具备条件"},
        )
    ],
    "bubble:modes": [
        Case(
            "get",
            lambda w, which: "/bubble/modes/",
            statuses(200, REGISTRY),
            shows=name,
            shows_own_for=REGISTRY,
        )
    ],
    "bubble:modes_export": [
        Case("get", lambda w, which: "/bubble/modes/export.xlsx", statuses(200, REGISTRY))
    ],
    "bubble:switching": [
        Case(
            "get",
            lambda w, which: "/bubble/switching/",
            statuses(200, SWITCH_VIEW),
            shows=obj("measure", "title"),
            shows_own_for=SWITCH_VIEW,
        )
    ],
    "bubble:switch": [
        Case("get", _measure_url("/bubble/switching/{}/"), *_measure_statuses(200, SWITCH_VIEW))
    ],
    "bubble:switch_confirm": [
        Case(
            "post",
            _measure_url("/bubble/switching/{}/confirm/"),
            *_measure_statuses(302, SWITCHERS),
            data=_expected_count,
        )
    ],
    "bubble:switch_end": [
        Case(
            "post",
            _switched("/bubble/switching/{}/end/"),
            *_measure_statuses(302, SWITCHERS),
            data=_return_on,
        )
    ],
}


def _plan_body(w: World, which: str) -> dict[str, Any]:
    data = _data()
    data["review_date"] = data["review_date"].isoformat()
    return {**data, "enterprise_id": _enterprise(w, which).pk, "submit": True}


API: dict[str, list[Case]] = {
    "GET /api/plans": [
        Case(
            "get",
            _both(_plan, "/api/plans?p={}"),
            statuses(200, REGISTRY),
            json=True,
            shows=name,
            shows_own_for=REGISTRY,
        )
    ],
    "POST /api/plans": [
        Case(
            "post",
            lambda w, which: "/api/plans",
            object_statuses(201, REGISTRY, REGISTRY_CHANGE),
            foreign(201),
            data=_plan_body,
            json=True,
        )
    ],
    "GET /api/plans/{plan_id}": [
        Case(
            "get",
            _one(_plan, "/api/plans/{}"),
            object_statuses(200, REGISTRY),
            foreign(200),
            json=True,
        )
    ],
    "GET /api/plans/{plan_id}/readiness": [
        Case(
            "get",
            _one(_plan, "/api/plans/{}/readiness"),
            object_statuses(200, REGISTRY),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/plans/{plan_id}/decision": [
        Case(
            "post",
            _one(_plan, "/api/plans/{}/decision"),
            object_statuses(200, REGISTRY, DECIDE_OWN),
            foreign(200),
            data=lambda w, which: {"approve": True},
            json=True,
        )
    ],
    "GET /api/measures/{measure_id}/switch-preview": [
        Case(
            "get",
            _measure_url("/api/measures/{}/switch-preview"),
            *_measure_statuses(200, SWITCH_VIEW),
            json=True,
        )
    ],
    "POST /api/measures/{measure_id}/switch": [
        Case(
            "post",
            _measure_url("/api/measures/{}/switch"),
            *_measure_statuses(201, SWITCHERS),
            data=_expected_count,
            json=True,
        )
    ],
    "POST /api/measures/{measure_id}/switch/end": [
        Case(
            "post",
            _switched("/api/measures/{}/switch/end"),
            *_measure_statuses(200, SWITCHERS),
            data=_return_on,
            json=True,
        )
    ],
    "GET /api/mode-requests": [
        Case(
            "get",
            _both(_request, "/api/mode-requests?r={}"),
            statuses(200, REGISTRY),
            json=True,
            shows=name,
            shows_own_for=REGISTRY,
        )
    ],
    "POST /api/mode-requests": [
        Case(
            "post",
            lambda w, which: "/api/mode-requests",
            REQUEST_OWN,
            REQUEST_FOREIGN,
            data=lambda w, which: {
                "enterprise_id": _enterprise(w, which).pk,
                "requested_mode": "closed_loop",
                "reason": "方案已获批",
            },
            json=True,
        )
    ],
    "GET /api/mode-requests/{request_id}": [
        Case(
            "get",
            _one(_request, "/api/mode-requests/{}"),
            object_statuses(200, REGISTRY),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/mode-requests/{request_id}/decision": [
        Case(
            "post",
            _one(_request, "/api/mode-requests/{}/decision"),
            object_statuses(200, REGISTRY, DECIDE_OWN),
            foreign(200),
            data=lambda w, which: {"approve": True},
            json=True,
        )
    ],
    "GET /api/modes": [
        Case(
            "get",
            lambda w, which: "/api/modes",
            statuses(200, REGISTRY),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=REGISTRY,
        )
    ],
    "GET /api/enterprises/{enterprise_id}/modes": [
        Case(
            "get",
            _enterprise_url("/api/enterprises/{}/modes"),
            object_statuses(200, REGISTRY),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/enterprises/{enterprise_id}/modes": [
        Case(
            "post",
            _enterprise_url("/api/enterprises/{}/modes"),
            object_statuses(201, REGISTRY, MODE_CHANGE),
            foreign(201),
            data=lambda w, which: {"mode": "halted", "reason": "停电检修"},
            json=True,
        )
    ],
}
