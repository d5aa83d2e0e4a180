"""Taking up the problem field of a daily report from the reports list."""

from __future__ import annotations

from keepline.problems.models import Problem
from tests.conftest import World
from tests.problems.support import report


def test_an_official_takes_up_a_reports_problem_once(world: World) -> None:
    filed = report(world, "天然气供应不足\n每日缺口约2000立方米")
    client = world.client("district")
    listing = client.get("/reports/").content.decode()
    assert f'data-take-up="{filed.pk}"' in listing
    response = client.post(f"/problems/from-report/{filed.pk}/")
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{problem.pk}/"
    assert (problem.source, problem.report_id, problem.title) == (
        "report",
        filed.pk,
        "天然气供应不足",
    )
    listing = client.get("/reports/").content.decode()
    assert f'data-take-up="{filed.pk}"' not in listing
    assert f'data-taken-up="{problem.pk}"' in listing
    again = client.post(f"/problems/from-report/{filed.pk}/")
    assert again["Location"] == f"/problems/{problem.pk}/"
    assert Problem.objects.count() == 1
    detail = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "daily report of" in detail


def test_who_may_not_take_it_up(world: World) -> None:
    filed = report(world, "缺少包装材料")
    for role, status in [("leader", 403), ("health", 403), ("checkpoint", 404)]:
        assert world.client(role).post(f"/problems/from-report/{filed.pk}/").status_code == status
    leader_list = world.client("leader").get("/reports/").content.decode()
    assert "data-take-up" not in leader_list
    foreign = report(world, "缺电", foreign=True)
    assert world.client("district").post(f"/problems/from-report/{foreign.pk}/").status_code == 404
    assert not Problem.objects.exists()


def test_a_report_without_a_problem_offers_nothing_and_is_refused(world: World) -> None:
    filed = report(world, "")
    client = world.client("district")
    assert "data-take-up" not in client.get("/reports/").content.decode()
    assert client.post(f"/problems/from-report/{filed.pk}/").status_code == 400
    assert not Problem.objects.exists()


def test_the_api_takes_up_a_report(world: World) -> None:
    filed = report(world, "缺少包装材料")
    api = world.client("park")
    first = api.post(f"/api/problems/from-report/{filed.pk}", content_type="application/json")
    assert first.status_code == 200 and first.json()["created"] is True
    second = api.post(f"/api/problems/from-report/{filed.pk}", content_type="application/json")
    assert second.json() == {"problem_id": first.json()["problem_id"], "created": False}
