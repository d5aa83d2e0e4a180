"""The service network API: the same flows as the pages, bad input named by field and
changing nothing, a stale version answered with 409 and the current state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from keepline.problems.models import Problem
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.service.models import Coverage, Visit, VisitStatus, WorkingGroup
from keepline.service.selectors.coverage import local_today
from keepline.service.services.coverage import assign_coverage
from keepline.service.services.projects import create_key_project
from tests.conftest import World
from tests.service.conftest import person


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def _tomorrow() -> str:
    return (local_today() + dt.timedelta(days=1)).isoformat()


def test_coverage_is_assigned_listed_and_ended(world: World) -> None:
    district = world.client("district")
    person("zhang.wei")
    wrong = _post(
        district,
        "/api/service/coverage",
        {"kind": "area", "user": "zhang.wei", "enterprise_id": world.enterprise.pk},
    )
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"enterprise", "region"}
    assert not Coverage.objects.exists()

    made = _post(
        district,
        "/api/service/coverage",
        {"kind": "area", "user": "zhang.wei", "park": world.park.code, "note": "包片"},
    )
    assert made.status_code == 200
    body = made.json()
    assert (body["kind"], body["park"], body["assigned_by"], body["until"]) == (
        "area",
        world.park.code,
        "district",
        None,
    )
    listed = district.get("/api/service/coverage?person=zhang.wei").json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]

    stale = _post(
        district, f"/api/service/coverage/{body['id']}/end", {"version": body["version"] + 1}
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["until"] is None
    ended = _post(district, f"/api/service/coverage/{body['id']}/end", {"version": body["version"]})
    assert ended.status_code == 200 and ended.json()["ended_by"] == "district"


def test_visits_are_planned_completed_with_problems_and_cancelled(world: World) -> None:
    commissioner = world.client("commissioner")
    own = problem_lifecycle.file_problem(
        actor=world.users["admin"],
        enterprise_id=world.enterprise.pk,
        category="energy",
        title="停电",
    )
    foreign = problem_lifecycle.file_problem(
        actor=world.users["admin"],
        enterprise_id=world.foreign_enterprise.pk,
        category="energy",
        title="翠屏停电",
    )
    bad = _post(
        commissioner,
        "/api/service/visits",
        {"enterprise_id": world.enterprise.pk, "planned_for": "2000-01-01", "purpose": ""},
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"planned_for", "purpose"}
    planned = _post(
        commissioner,
        "/api/service/visits",
        {"enterprise_id": world.enterprise.pk, "planned_for": _tomorrow(), "purpose": "走访"},
    ).json()
    assert planned["status"] == "planned" and planned["visitor"] == "commissioner"
    listed = commissioner.get("/api/service/visits?list=planned").json()["items"]
    assert [v["id"] for v in listed] == [planned["id"]]

    at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    complete = {"version": planned["version"], "visited_at": at, "findings": "停电已恢复"}
    refused = _post(
        commissioner,
        f"/api/service/visits/{planned['id']}/complete",
        {**complete, "problem_ids": [own.pk, foreign.pk]},
    )
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"problems"}
    assert Visit.objects.get().status == VisitStatus.PLANNED

    done = _post(
        commissioner,
        f"/api/service/visits/{planned['id']}/complete",
        {**complete, "problem_ids": [own.pk]},
    )
    assert done.status_code == 200
    assert [p["id"] for p in done.json()["problems"]] == [own.pk]
    raised = _post(
        commissioner,
        f"/api/service/visits/{planned['id']}/problems",
        {"category": "logistics", "title": "物流受阻", "urgency": "urgent"},
    )
    assert raised.status_code == 200
    new = Problem.objects.get(title="物流受阻")
    assert raised.json()["problem_id"] == new.pk
    assert {p["id"] for p in raised.json()["visit"]["problems"]} == {own.pk, new.pk}
    detail = commissioner.get(f"/api/service/visits/{planned['id']}").json()
    assert detail["findings"] == "停电已恢复" and len(detail["problems"]) == 2

    again = _post(
        commissioner,
        f"/api/service/visits/{planned['id']}/cancel",
        {"version": detail["version"], "reason": "改期"},
    )
    assert again.status_code == 409 and again.json()["current"]["status"] == "done"
    assert commissioner.get("/api/service/visits?list=sideways").status_code == 400


def test_a_visit_made_is_recorded_with_a_local_time(world: World) -> None:
    park = world.client("park")
    response = _post(
        park,
        "/api/service/visits/record",
        {
            "enterprise_id": world.enterprise.pk,
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT00:00"),
            "findings": "生产正常",
            "problem_ids": [],
        },
    )
    assert response.status_code == 200
    visit = Visit.objects.get()
    assert timezone.localtime(visit.visited_at).hour == 0
    assert [v["id"] for v in park.get("/api/service/visits?list=done").json()["items"]] == [
        visit.pk
    ]


def test_working_groups_are_sent_changed_and_stood_down(world: World) -> None:
    bureau = world.client("bureau")
    base = {
        "authority": world.luzhou.code,
        "name": "市督导第一组",
        "leader": "leader",
        "members": ["commissioner"],
        "regions": [world.jiangyang.code],
        "starts_on": local_today().isoformat(),
    }
    bad = _post(bureau, "/api/service/groups", {**base, "regions": ["999999"]})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"regions"}
    outside = _post(bureau, "/api/service/groups", {**base, "regions": [world.yibin.code]})
    assert outside.status_code == 400 and set(outside.json()["errors"]) == {"regions"}
    assert not WorkingGroup.objects.exists()
    group = _post(bureau, "/api/service/groups", base).json()
    assert (group["leader"], group["members"], group["regions"]) == (
        "leader",
        ["commissioner"],
        [world.jiangyang.code],
    )
    assert [g["id"] for g in bureau.get("/api/service/groups").json()["items"]] == [group["id"]]

    stale = _post(
        bureau,
        f"/api/service/groups/{group['id']}/change",
        {"version": group["version"] + 1, "members": []},
    )
    assert stale.status_code == 409
    changed = _post(
        bureau,
        f"/api/service/groups/{group['id']}/change",
        {"version": group["version"], "members": ["district", "park"]},
    ).json()
    assert changed["members"] == ["district", "park"] and changed["regions"] == group["regions"]
    ended = _post(bureau, f"/api/service/groups/{group['id']}/end", {"version": changed["version"]})
    assert ended.status_code == 200 and ended.json()["ends_on"] == local_today().isoformat()
    assert world.client("commissioner").get(f"/api/service/groups/{group['id']}").status_code == 404


def test_my_work_lists_only_what_the_user_covers(world: World) -> None:
    admin = world.users["admin"]
    assign_coverage(
        actor=admin,
        kind="enterprise",
        user=world.users["commissioner"],
        enterprise=world.enterprise,
    )
    project = create_key_project(
        actor=admin, enterprise=world.foreign_enterprise, name="翠屏扩产项目"
    )
    rival = person("rival")
    assign_coverage(actor=admin, kind="project", user=rival, project=project)
    mine = world.client("commissioner").get("/api/service/mine").json()
    assert [e["name"] for e in mine["enterprises"]] == [world.enterprise.name]
    assert mine["counts"]["enterprises"] == 1 and mine["projects"] == []
    client = Client()
    client.force_login(rival)
    theirs = client.get("/api/service/mine").json()
    assert [e["name"] for e in theirs["enterprises"]] == [world.foreign_enterprise.name]
    assert [p["name"] for p in theirs["projects"]] == ["翠屏扩产项目"]
    empty = world.client("health").get("/api/service/mine").json()
    assert empty["coverage"] == [] and empty["counts"]["enterprises"] == 0


def test_key_projects_are_created_and_listed(world: World) -> None:
    district = world.client("district")
    made = _post(
        district,
        "/api/service/projects",
        {"enterprise_id": world.enterprise.pk, "name": "白酒技改项目"},
    )
    assert made.status_code == 200 and made.json()["region"] == world.jiangyang.code
    twice = _post(
        district,
        "/api/service/projects",
        {"enterprise_id": world.enterprise.pk, "name": "白酒技改项目"},
    )
    assert twice.status_code == 400 and set(twice.json()["errors"]) == {"name"}
    listed = world.client("commissioner").get("/api/service/projects").json()["items"]
    assert [p["name"] for p in listed] == ["白酒技改项目"]
