"""The problem settings through the API: the same services, errors and scopes as the pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from keepline.core.models import AuditEvent, Department, DepartmentKind, Role
from keepline.problems import selectors
from keepline.problems.importers import CALENDAR_COLUMNS, CALENDAR_IMPORTER
from keepline.problems.models import CalendarDay, RoutingRule, TimeLimit
from keepline.problems.services import routing
from tests.conftest import ROLES, World
from tests.factories import UserFactory
from tests.problems.conftest import calendar_2022, file


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_rules_are_set_listed_tried_changed_and_removed(world: World) -> None:
    bureau = world.client("bureau")
    response = _post(
        bureau,
        "/api/problems/routing-rules",
        {"category": "logistics", "region": "510502", "department": world.department.pk},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["category"], body["region"], body["department_id"], body["handler"]) == (
        "logistics",
        "510502",
        world.department.pk,
        None,
    )
    assert body["set_by_name"] == "bureau"
    rule_id = body["id"]

    listed = world.client("leader").get("/api/problems/routing-rules").json()
    assert [r["id"] for r in listed["items"]] == [rule_id]
    assert (
        world.client("leader").get("/api/problems/routing-rules?region=510500").json()["items"]
        == []
    )

    tried = bureau.get(
        f"/api/problems/route?enterprise={world.enterprise.pk}&category=logistics"
    ).json()
    assert (tried["decided_by"], tried["department_id"], tried["rule"]["id"]) == (
        "rule",
        world.department.pk,
        rule_id,
    )
    assert file(world, category="logistics").department == world.department
    tried = bureau.get(
        f"/api/problems/route?enterprise={world.enterprise.pk}&category=energy"
    ).json()
    assert (tried["decided_by"], tried["handler"], tried["rule"]) == (
        "commissioner",
        "commissioner",
        None,
    )

    handler = world.users["district"]
    changed = _post(
        bureau,
        "/api/problems/routing-rules",
        {"category": "logistics", "region": "510502", "handler": handler.pk},
    ).json()
    assert (changed["id"], changed["handler"], changed["department"]) == (
        rule_id,
        "district",
        None,
    )
    assert RoutingRule.objects.count() == 1

    assert bureau.delete(f"/api/problems/routing-rules/{rule_id}").status_code == 204
    assert not RoutingRule.objects.exists()
    assert bureau.delete(f"/api/problems/routing-rules/{rule_id}").status_code == 404


def test_bad_rules_are_refused_by_field_and_change_nothing(world: World) -> None:
    bureau = world.client("bureau")
    url = "/api/problems/routing-rules"
    both = _post(
        bureau,
        url,
        {"region": "510500", "department": world.department.pk, "handler": world.users["park"].pk},
    )
    assert both.status_code == 400
    assert both.json()["errors"] == {"department": ["Choose a department or a handler, not both."]}
    no_region = _post(bureau, url, {"region": "999999", "department": world.department.pk})
    assert (no_region.status_code, no_region.json()["errors"]) == (
        400,
        {"region": ["No such region."]},
    )
    no_department = _post(bureau, url, {"region": "510500", "department": 999999})
    assert no_department.json()["errors"] == {"department": ["No such department."]}
    category = _post(
        bureau, url, {"category": "weather", "region": "510500", "department": world.department.pk}
    )
    assert category.json()["errors"] == {"category": ["Choose one of the listed values."]}
    # A rule for anywhere binds every city: the platform administrator's alone.
    anywhere = _post(bureau, url, {"department": world.department.pk})
    assert anywhere.status_code == 403
    assert not RoutingRule.objects.exists()
    assert not AuditEvent.objects.filter(action="set_routing_rule").exists()


def test_a_bureau_of_another_city_cannot_set_or_remove_a_rule_for_ours(world: World) -> None:
    yibin_bureau = UserFactory(username="yibin", role=Role.BUREAU, scope=world.yibin)
    yibin_department = Department.objects.create(
        name="宜宾市交通运输局", kind=DepartmentKind.TRANSPORT, region=world.yibin
    )
    client = Client()
    client.force_login(yibin_bureau)
    client.cookies["django_language"] = "en"
    response = _post(
        client,
        "/api/problems/routing-rules",
        {"region": "510502", "department": yibin_department.pk},
    )
    assert response.status_code == 403
    assert not RoutingRule.objects.exists()
    own = _post(
        client,
        "/api/problems/routing-rules",
        {"region": world.yibin_district.code, "department": yibin_department.pk},
    )
    assert own.status_code == 200

    ours = routing.set_routing_rule(
        actor=world.users["bureau"], region=world.jiangyang, department=world.department
    )
    assert client.delete(f"/api/problems/routing-rules/{ours.pk}").status_code == 403
    assert RoutingRule.objects.filter(pk=ours.pk).exists()
    # Nor may it ask where our enterprises' problems go.
    tried = client.get(f"/api/problems/route?enterprise={world.enterprise.pk}&category=energy")
    assert tried.status_code == 404


def test_route_for_an_enterprise_without_rule_or_commissioner(world: World) -> None:
    body = (
        world.client("admin")
        .get(f"/api/problems/route?enterprise={world.foreign_enterprise.pk}&category=energy")
        .json()
    )
    assert (body["decided_by"], body["handler"], body["department"]) == ("unassigned", None, None)
    bad = world.client("admin").get(
        f"/api/problems/route?enterprise={world.enterprise.pk}&category=weather"
    )
    assert bad.status_code == 400


def test_the_settings_paths_are_not_read_as_problem_ids(world: World) -> None:
    problem = file(world)
    detail = world.client("bureau").get(f"/api/problems/{problem.pk}")
    assert detail.status_code == 200 and detail.json()["id"] == problem.pk
    assert world.client("bureau").get("/api/problems/calendar").status_code == 200


def test_time_limits_are_set_listed_and_removed(world: World) -> None:
    bureau = world.client("bureau")
    url = "/api/problems/time-limits"
    response = _post(
        bureau,
        url,
        {
            "category": "energy",
            "urgency": "critical",
            "acknowledge_hours": 1,
            "interim_days": 1,
            "close_days": 2,
        },
    )
    assert response.status_code == 200, response.content
    limit_id = response.json()["id"]
    assert selectors.limits_for("energy", "critical") == selectors.Limits(1, 1, 2)
    listed = world.client("commissioner").get(url).json()["items"]
    assert [(x["category"], x["urgency"], x["close_days"]) for x in listed] == [
        ("energy", "critical", 2)
    ]
    assert world.client("liaison").get(url).status_code == 403

    bad = _post(bureau, url, {"acknowledge_hours": 1, "interim_days": 6, "close_days": 5})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "interim_days": ["The interim reply cannot be due after the closing."]
    }
    zero = _post(bureau, url, {"acknowledge_hours": 0, "interim_days": 0, "close_days": 1})
    assert set(zero.json()["errors"]) == {"acknowledge_hours", "interim_days"}
    urgency = _post(
        bureau, url, {"urgency": "asap", "acknowledge_hours": 1, "interim_days": 1, "close_days": 1}
    )
    assert urgency.json()["errors"] == {"urgency": ["Choose one of the listed values."]}
    assert TimeLimit.objects.count() == 1

    refused = _post(
        world.client("district"), url, {"acknowledge_hours": 2, "interim_days": 2, "close_days": 2}
    )
    assert refused.status_code == 403
    assert world.client("district").delete(f"{url}/{limit_id}").status_code == 403
    assert bureau.delete(f"{url}/{limit_id}").status_code == 204
    assert selectors.limits_for("energy", "critical") == selectors.Limits(1, 3, 5)


def test_calendar_days_by_year_set_and_removed(world: World) -> None:
    calendar_2022()
    liaison = world.client("liaison")
    body = liaison.get("/api/problems/calendar?year=2022").json()
    assert body["count"] == 18
    assert body["items"][0] == {"date": "2022-01-29", "working": True, "name": "make-up workday"}
    assert liaison.get("/api/problems/calendar?year=2023").json()["count"] == 0
    assert liaison.get("/api/problems/calendar?year=1066").status_code == 400

    bureau = world.client("bureau")
    response = _post(
        bureau, "/api/problems/calendar", {"date": "2023-01-02", "working": False, "name": "元旦"}
    )
    assert response.status_code == 200
    assert response.json() == {"date": "2023-01-02", "working": False, "name": "元旦"}
    assert liaison.get("/api/problems/calendar?year=2023").json()["count"] == 1
    refused = _post(liaison, "/api/problems/calendar", {"date": "2023-01-03", "working": False})
    assert refused.status_code == 403

    assert liaison.delete("/api/problems/calendar/2023-01-02").status_code == 403
    assert bureau.delete("/api/problems/calendar/2023-01-02").status_code == 204
    assert bureau.delete("/api/problems/calendar/2023-01-02").status_code == 404
    assert not CalendarDay.objects.filter(date__year=2023).exists()


def test_calendar_import_all_or_nothing(world: World) -> None:
    bureau = world.client("bureau")
    CalendarDay.objects.create(date=dt.date(2023, 1, 2), working=True, name="wrong")
    good = "date,working,name\n2023-01-02,否,元旦\n2023-01-28,yes,春节调休\n".encode()
    response = bureau.post(
        "/api/imports/calendar",
        {"file": SimpleUploadedFile("2023.csv", good, "text/csv")},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"kind": "calendar", "rows": 2, "written": 2}
    listed = bureau.get("/api/problems/calendar?year=2023").json()["items"]
    assert [d["date"] for d in listed] == ["2023-01-02", "2023-01-28"]
    assert CalendarDay.objects.get(date=dt.date(2023, 1, 2)).working is False

    bad = "date,working,name\n2023-05-01,否,劳动节\nnot a date,否,x\n2023-05-06,perhaps,y\n"
    response = bureau.post(
        "/api/imports/calendar",
        {"file": SimpleUploadedFile("bad.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"row 3, Date", "row 4, Working day (yes/no)"}
    assert not CalendarDay.objects.filter(date__month=5).exists()
    wrong_type = bureau.post(
        "/api/imports/calendar",
        {"file": SimpleUploadedFile("cal.txt", good, "text/plain")},
    )
    assert wrong_type.status_code == 400
    refused = world.client("district").post(
        "/api/imports/calendar",
        {"file": SimpleUploadedFile("2023.csv", good, "text/csv")},
    )
    assert refused.status_code == 403


def test_who_may_import_the_calendar(world: World) -> None:
    """Those who may change the calendar (admin, bureau): the page, the template, the API."""
    good = "date,working,name\n2023-01-02,否,元旦\n2023-01-28,是,春节调休\n".encode()
    for role in ROLES:
        client = world.client(role)
        allowed = role in {"admin", "bureau"}
        assert client.get("/imports/calendar/").status_code == (200 if allowed else 403), role
        template = client.get("/imports/calendar/template.xlsx")
        assert template.status_code == (200 if allowed else 403), role
        upload = {"file": SimpleUploadedFile("2023.csv", good, "text/csv")}
        assert client.post("/imports/calendar/", upload).status_code == (200 if allowed else 403), (
            role
        )
        upload = {"file": SimpleUploadedFile("2023.csv", good, "text/csv")}
        assert client.post("/api/imports/calendar", upload).status_code == (
            200 if allowed else 403
        ), role


def test_the_calendar_template_passes_its_own_check(world: World) -> None:
    response = world.client("bureau").get("/imports/calendar/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [str(c.label) for c in CALENDAR_COLUMNS]
    check = CALENDAR_IMPORTER.check(world.users["bureau"], "t.xlsx", response.content)
    assert check.ok and len(check.rows) == 1
