"""The API: the same workflow as the pages, with 409s and as-of reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.services import modes as mode_services
from tests.bubble.conftest import READY
from tests.conftest import SYSTEM, World
from tests.factories import EnterpriseFactory

JSON = "application/json"


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type=JSON)


def _plan_body(world: World, **changes: Any) -> dict[str, Any]:
    review = timezone.localdate() + dt.timedelta(days=60)
    return {
        **READY,
        "review_date": review.isoformat(),
        "enterprise_id": world.enterprise.pk,
        **changes,
    }


def test_plan_submit_readiness_and_decision(world: World) -> None:
    liaison = world.client("liaison")
    created = _post(liaison, "/api/plans", _plan_body(world, beds=120))
    assert created.status_code == 201
    plan = created.json()
    assert (plan["number"], plan["status"], plan["ready"]) == (1, "submitted", False)
    readiness = liaison.get(f"/api/plans/{plan['id']}/readiness").json()
    beds = next(r for r in readiness["rules"] if r["code"] == "beds")
    assert beds == {
        "code": "beds",
        "condition": "Lodging",
        "passed": False,
        "explanation": "Beds 120 for 150 staff living inside: 30 short.",
    }
    assert readiness["ready"] is False and readiness["qualified_now"] is False
    bad = _post(liaison, "/api/plans", _plan_body(world, gates=-1))
    assert bad.status_code == 409  # version 1 is waiting for a decision
    park = world.client("park")
    returned = _post(
        park, f"/api/plans/{plan['id']}/decision", {"approve": False, "note": "床位不足"}
    )
    assert returned.json()["status"] == "returned"
    late = _post(park, f"/api/plans/{plan['id']}/decision", {"approve": True})
    assert late.status_code == 409 and late.json()["current"]["status"] == "returned"
    invalid = _post(liaison, "/api/plans", _plan_body(world, gates=-1))
    assert invalid.status_code == 400 and "gates" in invalid.json()["errors"]
    second = _post(liaison, "/api/plans", _plan_body(world)).json()
    assert second["number"] == 2
    _post(park, f"/api/plans/{second['id']}/decision", {"approve": True})
    assert liaison.get(f"/api/plans/{second['id']}/readiness").json()["qualified_now"] is True
    listed = park.get("/api/plans?status=approved").json()
    assert [p["id"] for p in listed["items"]] == [second["id"]]


def test_preview_switch_twice_and_end(world: World) -> None:
    EnterpriseFactory(serial=71, region=world.jiangyang)
    bureau = world.client("bureau")
    preview = bureau.get(f"/api/measures/{world.measure.pk}/switch-preview").json()
    assert preview["change_count"] == 2 and preview["counts"]["semi_closed"] == 2
    assert preview["switched"] is False
    assert {r["proposed"] for r in preview["rows"]} == {"semi_closed"}
    stale = _post(bureau, f"/api/measures/{world.measure.pk}/switch", {"expected_count": 5})
    assert stale.status_code == 409 and stale.json()["current"] == {"change_count": 2}
    done = _post(bureau, f"/api/measures/{world.measure.pk}/switch", {"expected_count": 2})
    assert done.status_code == 201 and done.json()["switched"] == 2
    again = _post(bureau, f"/api/measures/{world.measure.pk}/switch", {"expected_count": 0})
    assert again.status_code == 409
    day = timezone.localdate() + dt.timedelta(days=1)
    ended = _post(
        bureau, f"/api/measures/{world.measure.pk}/switch/end", {"return_on": day.isoformat()}
    )
    assert ended.status_code == 200 and ended.json()["returned"] == 2
    history = bureau.get(f"/api/enterprises/{world.enterprise.pk}/modes").json()
    assert [h["mode"] for h in history] == ["normal", "semi_closed"]
    assert history[1]["measure_id"] == world.measure.pk


def test_modes_as_of(world: World) -> None:
    before = timezone.now()
    mode_services.set_mode(
        actor=SYSTEM,
        enterprise_id=world.enterprise.pk,
        mode=EnterpriseMode.SEASONAL_STOP,
        reason="榨季结束",
    )
    client = world.client("district")
    now_rows = client.get("/api/modes").json()["items"]
    assert [(r["uscc"], r["mode"]) for r in now_rows] == [(world.enterprise.uscc, "seasonal_stop")]
    assert now_rows[0]["reason"] == "榨季结束" and now_rows[0]["since"] is not None
    then = client.get("/api/modes", {"as_of": before.isoformat()}).json()["items"]
    assert then[0]["mode"] == "normal" and then[0]["as_of"].startswith(before.isoformat()[:19])
    assert client.get("/api/modes?mode=halted").json()["count"] == 0


def test_requests_and_manual_modes(world: World) -> None:
    liaison = world.client("liaison")
    created = _post(
        liaison,
        "/api/mode-requests",
        {"enterprise_id": world.enterprise.pk, "requested_mode": "halted", "reason": "检修"},
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    duplicate = _post(
        liaison,
        "/api/mode-requests",
        {"enterprise_id": world.enterprise.pk, "requested_mode": "halted", "reason": "检修"},
    )
    assert duplicate.status_code == 409
    decided = _post(
        world.client("park"),
        f"/api/mode-requests/{created.json()['id']}/decision",
        {"approve": True},
    )
    assert decided.json()["status"] == "approved"
    assert liaison.get(f"/api/mode-requests/{created.json()['id']}").json()["status"] == "approved"
    manual = _post(
        world.client("district"),
        f"/api/enterprises/{world.enterprise.pk}/modes",
        {"mode": "normal", "reason": "检修完成"},
    )
    assert manual.status_code == 201 and manual.json()["recorded_by"] == "district"
    wrong = _post(
        world.client("district"),
        f"/api/enterprises/{world.enterprise.pk}/modes",
        {"mode": "normal", "reason": ""},
    )
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"reason"}
