"""The role matrix entries of power alerts and enterprise power timelines.

Own objects are the world's enterprise (Jiangyang) and an alert about it; foreign ones are in
Yibin. Each alert is made while its case runs, inside the savepoint the matrix rolls back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keepline.power.models import AlertKind, PowerAlert
from tests.conftest import ROLES, World
from tests.matrix import REGISTRY, Case, foreign, obj, object_statuses, static, statuses

VIEWERS = {"admin", "bureau", "district", "park", "commissioner", "leader"}
HANDLERS = {"admin", "bureau", "district", "park"}


def _alert(w: World, which: str) -> PowerAlert:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    alert, _created = PowerAlert.objects.get_or_create(
        enterprise=enterprise,
        kind=AlertKind.HALTED_WITH_POWER,
        first_day=dt.date(2022, 9, 10),
        defaults={"last_day": dt.date(2022, 9, 12), "detected_at": timezone.now()},
    )
    return alert


def _listing(path: str) -> Any:
    """A list address, with an own and a foreign alert made first so the list can show them."""

    def url(w: World, which: str) -> str:
        _alert(w, "own")
        _alert(w, "foreign")
        return path

    return url


def _alert_url(template: str) -> Any:
    return lambda w, which: template.format(_alert(w, which).pk)


def _timeline(ok: int) -> tuple[dict[str, int], dict[str, int]]:
    """Meter data is for registry viewers (403 for other roles); within it, foreign is 404."""
    own = {r: ok if r in REGISTRY else 403 for r in ROLES}
    far = {r: ok if r == "admin" else 404 if r in REGISTRY else 403 for r in ROLES}
    return own, far


def _assignee(w: World, which: str) -> dict[str, Any]:
    # Someone who can see the alert's enterprise: the district official of its own district.
    user = w.users["district"] if which == "own" else w.other_user
    assert user is not None
    return {"assignee": user.pk, "version": 1}


PERIOD = {"start": "2022-09-01", "end": "2022-09-07"}

PAGES: dict[str, list[Case]] = {
    "power:alerts": [
        Case(
            "get",
            _listing("/power/alerts/"),
            statuses(200, VIEWERS),
            shows=obj("enterprise", "name"),
            shows_own_for=VIEWERS,
        )
    ],
    "power:alerts_export": [
        Case("get", static("/power/alerts/export.xlsx"), statuses(200, VIEWERS))
    ],
    "power:alerts_detect": [
        Case(
            "post",
            static("/power/alerts/detect/"),
            statuses(302, HANDLERS),
            data=lambda w, which: PERIOD,
        )
    ],
    "power:alert": [
        Case(
            "get",
            _alert_url("/power/alerts/{}/"),
            object_statuses(200, VIEWERS),
            foreign(200),
        ),
        Case(
            "post",
            _alert_url("/power/alerts/{}/"),
            object_statuses(302, VIEWERS, HANDLERS),
            foreign(302),
            data=lambda w, which: {"action": "close", "reason": "核实", "version": 1},
        ),
    ],
    "power:enterprise": [
        Case(
            "get",
            lambda w, which: f"/power/enterprises/{obj('enterprise')(w, which)}/",
            *_timeline(200),
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/power/alerts": [
        Case(
            "get",
            _listing("/api/power/alerts"),
            statuses(200, VIEWERS),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=VIEWERS,
        )
    ],
    "GET /api/power/alerts/{alert_id}": [
        Case(
            "get",
            _alert_url("/api/power/alerts/{}"),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/power/alerts/{alert_id}/assign": [
        Case(
            "post",
            _alert_url("/api/power/alerts/{}/assign"),
            object_statuses(200, VIEWERS, HANDLERS),
            foreign(200),
            data=_assignee,
            json=True,
        )
    ],
    "POST /api/power/alerts/{alert_id}/close": [
        Case(
            "post",
            _alert_url("/api/power/alerts/{}/close"),
            object_statuses(200, VIEWERS, HANDLERS),
            foreign(200),
            data=lambda w, which: {"reason": "核实", "version": 1},
            json=True,
        )
    ],
    "POST /api/power/alerts/detect": [
        Case(
            "post",
            static("/api/power/alerts/detect"),
            statuses(200, HANDLERS),
            data=lambda w, which: PERIOD,
            json=True,
        )
    ],
    "GET /api/power/enterprises/{enterprise_id}/daily": [
        Case(
            "get",
            lambda w, which: f"/api/power/enterprises/{obj('enterprise')(w, which)}/daily",
            *_timeline(200),
            json=True,
        )
    ],
}
