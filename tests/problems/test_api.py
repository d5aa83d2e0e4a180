"""The problem API: the same lifecycle, errors and conflicts as the pages."""

from __future__ import annotations

from typing import Any

from keepline.problems.models import Problem
from tests.conftest import World
from tests.problems.conftest import file


def _post(world: World, role: str, url: str, data: dict[str, Any]) -> Any:
    return world.client(role).post(url, data, content_type="application/json")


def test_filed_accepted_replied_rated_and_closed_through_the_api(world: World) -> None:
    response = _post(
        world,
        "liaison",
        "/api/problems",
        {"enterprise_id": world.enterprise.pk, "category": "energy", "title": "停电三小时"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    pk = body["id"]
    assert (body["status"], body["source"], body["version"]) == ("submitted", "form", 1)
    assert body["handler"] == world.users["commissioner"].username
    assert [e["kind"] for e in body["timeline"]] == ["filed"]
    assert body["deadline"]["kind"] == "acknowledge" and not body["deadline"]["overdue"]

    body = _post(world, "commissioner", f"/api/problems/{pk}/accept", {"version": 1}).json()
    assert (body["status"], body["version"]) == ("accepted", 2)
    body = _post(world, "commissioner", f"/api/problems/{pk}/start", {"version": 2}).json()
    assert body["status"] == "in_progress"
    body = _post(
        world,
        "commissioner",
        f"/api/problems/{pk}/reply",
        {"version": 3, "text": "已恢复供电", "final": True},
    ).json()
    assert (body["status"], body["reply"]) == ("replied", "已恢复供电")

    bad = _post(world, "liaison", f"/api/problems/{pk}/confirm", {"version": 4, "rating": 0})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"rating": ["Give a rating from 1 to 5."]}
    body = _post(
        world, "liaison", f"/api/problems/{pk}/confirm", {"version": 4, "rating": 5}
    ).json()
    assert (body["status"], body["rating"]) == ("closed", 5)
    assert [e["kind"] for e in body["timeline"]] == [
        "filed",
        "accepted",
        "started",
        "replied",
        "confirmed",
    ]
    detail = world.client("district").get(f"/api/problems/{pk}").json()
    assert detail["status"] == "closed" and len(detail["timeline"]) == 5


def test_a_stale_version_answers_409_with_the_current_state(world: World) -> None:
    p = file(world)
    assert (
        _post(world, "commissioner", f"/api/problems/{p.pk}/accept", {"version": 1}).status_code
        == 200
    )
    response = _post(world, "commissioner", f"/api/problems/{p.pk}/accept", {"version": 1})
    assert response.status_code == 409
    assert response.json()["current"] == {"status": "accepted", "version": 2}


def test_reopen_and_reassign(world: World) -> None:
    p = file(world)
    _post(world, "commissioner", f"/api/problems/{p.pk}/accept", {"version": 1})
    _post(
        world,
        "commissioner",
        f"/api/problems/{p.pk}/reply",
        {"version": 2, "text": "已放行", "final": True},
    )
    blank = _post(world, "liaison", f"/api/problems/{p.pk}/reopen", {"version": 3, "reason": ""})
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    body = _post(
        world, "liaison", f"/api/problems/{p.pk}/reopen", {"version": 3, "reason": "仍被拦"}
    ).json()
    assert body["status"] == "in_progress"
    for field in ("department", "handler"):
        unknown = _post(
            world,
            "district",
            f"/api/problems/{p.pk}/reassign",
            {"version": 4, "reason": "交通问题", field: 999999},
        )
        assert unknown.status_code == 400 and field in unknown.json()["errors"]
    body = _post(
        world,
        "district",
        f"/api/problems/{p.pk}/reassign",
        {"version": 4, "reason": "交通问题", "department": world.department.pk},
    ).json()
    assert body["department"] == world.department.name
    assert body["timeline"][-1]["note"] == "交通问题"
    # The liaison cannot reassign: a visible problem it may not change is 403.
    denied = _post(
        world,
        "liaison",
        f"/api/problems/{p.pk}/reassign",
        {"version": 5, "reason": "x", "department": world.department.pk},
    )
    assert denied.status_code == 403


def test_the_list_is_filtered_paginated_and_scoped(world: World) -> None:
    own = file(world, category="energy")
    file(world, category="logistics")
    file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    client = world.client("district")
    body = client.get("/api/problems").json()
    assert body["count"] == 2
    body = client.get("/api/problems?category=energy").json()
    assert [p["id"] for p in body["items"]] == [own.pk]
    assert client.get("/api/problems?deadline=overdue").json()["count"] == 0
    Problem.objects.filter(pk=own.pk).update(interim_due=own.filed_at)
    overdue = client.get("/api/problems?deadline=overdue").json()
    assert [p["id"] for p in overdue["items"]] == [own.pk]
    assert overdue["items"][0]["deadline"]["overdue"] is True
    assert world.client("admin").get("/api/problems").json()["count"] == 3
