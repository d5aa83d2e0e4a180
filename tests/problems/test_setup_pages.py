"""The problem settings pages as the bureau uses them: the routing rule book and its "try it"
box, the time limits with the built-in default, and the working-day calendar with its import
and calculator; others who may view them see them read-only."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from keepline.core.models import AuditEvent, Department, DepartmentKind, Role
from keepline.problems.models import CalendarDay, RoutingRule, TimeLimit
from keepline.problems.services import limits, routing
from tests.conftest import World
from tests.factories import UserFactory
from tests.problems.conftest import calendar_2022, file


def _row(html: str, attr: str, value: object) -> str:
    """The table row (or cell) carrying data-<attr>="value"."""
    found = re.search(rf'<(tr|td|div)[^>]*data-{attr}="{value}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"{attr}={value}"
    return found.group(0)


def _result(html: str, reason: str) -> str:
    """The "try it" answer, which must give this reason."""
    start = html.index('id="route-result"')
    found = html[start : html.index("</div>\n    </div>", start)]
    assert f'data-reason="{reason}"' in found, found
    return found


def _xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("calendar.xlsx", buffer.getvalue())


# ---- routing rules ---------------------------------------------------------------------------


def test_bureau_adds_a_rule_and_the_try_it_box_names_it(world: World) -> None:
    bureau = world.client("bureau")
    page = bureau.get("/problems/setup/")
    assert page.status_code == 200
    assert "No rules yet" in page.content.decode()
    response = bureau.post(
        "/problems/setup/",
        {"category": "logistics", "region": "510502", "department": world.department.pk},
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.category, rule.region, rule.department) == (
        "logistics",
        world.jiangyang,
        world.department,
    )
    assert rule.set_by_name == "bureau"
    assert AuditEvent.objects.filter(action="set_routing_rule").count() == 1

    html = bureau.get("/problems/setup/").content.decode()
    row = _row(html, "rule", rule.pk)
    assert "Logistics" in row and "Jiangyang" in row and world.department.name in row

    tried = bureau.get(
        f"/problems/setup/?enterprise={world.enterprise.pk}&category=logistics"
    ).content.decode()
    result = _result(tried, "rule")
    assert world.department.name in result and "Decided by the rule" in result
    # Another category has no rule: the enterprise's commissioner.
    tried = bureau.get(
        f"/problems/setup/?enterprise={world.enterprise.pk}&category=energy"
    ).content.decode()
    assert "commissioner" in _result(tried, "commissioner")
    # The box says what filing does.
    assert file(world, category="logistics").department == world.department


def test_try_it_unassigned_and_a_foreign_enterprise_is_not_found(world: World) -> None:
    admin = world.client("admin")
    tried = admin.get(
        f"/problems/setup/?enterprise={world.foreign_enterprise.pk}&category=energy"
    ).content.decode()
    assert "Unassigned at the district" in _result(tried, "unassigned")
    response = world.client("bureau").get(
        f"/problems/setup/?enterprise={world.foreign_enterprise.pk}&category=energy"
    )
    assert response.status_code == 404
    bad = world.client("bureau").get(f"/problems/setup/?enterprise={world.enterprise.pk}")
    assert bad.status_code == 400
    assert 'data-field-error="category"' in bad.content.decode()


def test_a_bad_rule_is_shown_at_the_field_and_changes_nothing(world: World) -> None:
    bureau = world.client("bureau")
    handler = world.users["district"]
    both = bureau.post(
        "/problems/setup/",
        {"region": "510500", "department": world.department.pk, "handler": handler.pk},
    )
    assert both.status_code == 400
    html = both.content.decode()
    assert 'data-field-error="department"' in html
    assert "Choose a department or a handler, not both." in html
    neither = bureau.post("/problems/setup/", {"region": "510500"})
    assert neither.status_code == 400
    # Another city's region is not among the bureau's choices.
    foreign = bureau.post(
        "/problems/setup/", {"region": world.yibin.code, "department": world.department.pk}
    )
    assert foreign.status_code == 400
    assert 'data-field-error="region"' in foreign.content.decode()
    # Nor is "anywhere": that is the administrator's.
    anywhere = bureau.post("/problems/setup/", {"region": "", "department": world.department.pk})
    assert anywhere.status_code == 400
    assert not RoutingRule.objects.exists()
    assert not AuditEvent.objects.filter(action="set_routing_rule").exists()


def test_a_rule_is_changed_through_its_prefilled_form_and_removed(world: World) -> None:
    bureau = world.client("bureau")
    rule = routing.set_routing_rule(
        actor=world.users["bureau"],
        category="energy",
        region=world.luzhou,
        department=world.department,
    )
    form = bureau.get(f"/problems/setup/?edit={rule.pk}").content.decode()
    assert re.search(r'<option value="energy" selected>', form)
    assert re.search(r'<option value="510500" selected>', form)
    handler = world.users["district"]
    response = bureau.post(
        "/problems/setup/", {"category": "energy", "region": "510500", "handler": handler.pk}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.department, rule.handler) == (None, handler)
    assert RoutingRule.objects.count() == 1

    assert bureau.post(f"/problems/setup/rules/{rule.pk}/remove/").status_code == 302
    assert not RoutingRule.objects.exists()
    assert bureau.post(f"/problems/setup/rules/{rule.pk}/remove/").status_code == 404


def test_the_admin_sets_a_rule_for_anywhere_the_bureau_cannot_remove_it(world: World) -> None:
    admin = world.client("admin")
    response = admin.post("/problems/setup/", {"region": "", "department": world.department.pk})
    assert response.status_code == 302
    rule = RoutingRule.objects.get(region__isnull=True)
    html = world.client("bureau").get("/problems/setup/").content.decode()
    assert "Anywhere" in _row(html, "rule", rule.pk)
    assert f"/problems/setup/rules/{rule.pk}/remove/" not in html
    assert (
        world.client("bureau").post(f"/problems/setup/rules/{rule.pk}/remove/").status_code == 403
    )
    assert RoutingRule.objects.filter(pk=rule.pk).exists()


def test_handler_choices_stay_in_the_bureaus_city(world: World) -> None:
    html = world.client("bureau").get("/problems/setup/").content.decode()
    handlers = html[
        html.index('name="handler"') : html.index("</select>", html.index('name="handler"'))
    ]
    assert "(district)" in handlers and "(commissioner)" in handlers
    # The Yibin district official is another city's.
    assert "(other)" not in handlers
    assert "(liaison)" not in handlers


def test_officials_read_the_rule_book_without_forms(world: World) -> None:
    routing.set_routing_rule(
        actor=world.users["bureau"], region=world.luzhou, department=world.department
    )
    district = world.client("district")
    html = district.get("/problems/setup/").content.decode()
    assert world.department.name in html
    assert 'id="rule-form"' not in html and "/remove/" not in html
    assert 'id="try-form"' in html
    response = district.post(
        "/problems/setup/", {"region": "510502", "department": world.department.pk}
    )
    assert response.status_code == 403
    assert world.client("commissioner").get("/problems/setup/").status_code == 403


def test_the_menu_opens_the_settings_for_rule_viewers(world: World) -> None:
    assert "/problems/setup/" in world.client("district").get("/problems/").content.decode()
    html = world.client("liaison").get("/problems/").content.decode()
    assert "/problems/setup/" not in html


# ---- time limits -----------------------------------------------------------------------------


def test_limits_show_the_default_an_override_and_what_each_pair_gets(world: World) -> None:
    bureau = world.client("bureau")
    html = bureau.get("/problems/setup/limits/").content.decode()
    default = html[html.index('id="default-limits"') : html.index('id="limits"')]
    assert "acknowledge within 1 hour, interim reply within 3 working days" in default
    assert "close within 5 working days" in default
    assert "1 / 3 / 5" in _row(html, "category", "energy")

    response = bureau.post(
        "/problems/setup/limits/",
        {
            "category": "energy",
            "urgency": "critical",
            "acknowledge_hours": 1,
            "interim_days": 1,
            "close_days": 2,
        },
    )
    assert response.status_code == 302
    limit = TimeLimit.objects.get()
    assert (limit.category, limit.urgency, limit.close_days) == ("energy", "critical", 2)
    html = bureau.get("/problems/setup/limits/").content.decode()
    assert "Energy" in _row(html, "limit", limit.pk)
    energy = _row(html, "category", "energy")
    # normal, urgent, critical
    assert re.findall(r"\d+ / \d+ / \d+", energy) == ["1 / 3 / 5", "1 / 3 / 5", "1 / 1 / 2"]
    assert re.findall(r"\d+ / \d+ / \d+", _row(html, "category", "labour"))[2] == "1 / 3 / 5"
    assert 'id="default-replaced"' not in html

    limits.set_time_limit(
        actor=world.users["bureau"], acknowledge_hours=2, interim_days=2, close_days=4
    )
    html = bureau.get("/problems/setup/limits/").content.decode()
    assert 'id="default-replaced"' in html
    assert re.findall(r"\d+ / \d+ / \d+", _row(html, "category", "labour"))[0] == "2 / 2 / 4"


def test_bad_limits_are_shown_at_the_field_and_change_nothing(world: World) -> None:
    bureau = world.client("bureau")
    response = bureau.post(
        "/problems/setup/limits/",
        {"acknowledge_hours": 1, "interim_days": 6, "close_days": 5},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="interim_days"' in html
    assert "The interim reply cannot be due after the closing." in html
    zero = bureau.post(
        "/problems/setup/limits/", {"acknowledge_hours": 0, "interim_days": 1, "close_days": 1}
    )
    assert zero.status_code == 400
    assert 'data-field-error="acknowledge_hours"' in zero.content.decode()
    assert not TimeLimit.objects.exists()


def test_limits_are_changed_prefilled_and_removed_and_read_only_for_others(world: World) -> None:
    limit = limits.set_time_limit(
        actor=world.users["admin"],
        category="labour",
        acknowledge_hours=4,
        interim_days=2,
        close_days=3,
    )
    bureau = world.client("bureau")
    form = bureau.get(f"/problems/setup/limits/?edit={limit.pk}").content.decode()
    assert re.search(r'name="acknowledge_hours" value="4"', form)
    assert bureau.post(f"/problems/setup/limits/{limit.pk}/remove/").status_code == 302
    assert not TimeLimit.objects.exists()
    commissioner = world.client("commissioner")
    html = commissioner.get("/problems/setup/limits/").content.decode()
    assert 'id="limit-form"' not in html
    response = commissioner.post(
        "/problems/setup/limits/", {"acknowledge_hours": 1, "interim_days": 1, "close_days": 1}
    )
    assert response.status_code == 403
    assert not TimeLimit.objects.exists()


# ---- calendar --------------------------------------------------------------------------------


def test_the_year_view_shades_weekends_holidays_and_make_up_days(world: World) -> None:
    calendar_2022()
    html = world.client("liaison").get("/problems/setup/calendar/?year=2022").content.decode()
    assert 'id="calendar-year">2022<' in html
    assert 'data-date="2022-10-03" data-kind="holiday"' in html  # a Monday off
    assert 'data-date="2022-10-08" data-kind="makeup"' in html  # a Saturday worked
    assert 'data-date="2022-10-15" data-kind="weekend"' in html
    assert 'data-date="2022-10-17" data-kind="working"' in html
    assert html.count('data-kind="holiday"') == 14
    assert html.count('data-kind="makeup"') == 4
    exceptions = html[html.index('id="exceptions"') :]
    assert exceptions.count("<tr data-date=") == 18
    # The liaison reads it; only the bureau changes it.
    assert 'id="day-form"' not in html and "/remove/" not in exceptions
    # A year out of range falls back to this one.
    assert world.client("liaison").get("/problems/setup/calendar/?year=abc").status_code == 200


def test_bureau_adds_and_removes_a_day(world: World) -> None:
    bureau = world.client("bureau")
    response = bureau.post(
        "/problems/setup/calendar/", {"date": "2023-01-28", "working": "1", "name": "春节调休"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2023")
    day = CalendarDay.objects.get()
    assert (day.date, day.working, day.name) == (dt.date(2023, 1, 28), True, "春节调休")
    html = bureau.get("/problems/setup/calendar/?year=2023").content.decode()
    assert "春节调休" in _row(html, "date", "2023-01-28")

    bad = bureau.post("/problems/setup/calendar/", {"date": "2023-02-30", "working": "0"})
    assert bad.status_code == 400
    assert 'data-field-error="date"' in bad.content.decode()
    assert CalendarDay.objects.count() == 1

    assert (
        bureau.post("/problems/setup/calendar/remove/", {"date": "2023-01-28"}).status_code == 302
    )
    assert not CalendarDay.objects.exists()
    again = bureau.post("/problems/setup/calendar/remove/", {"date": "2023-01-28"})
    assert again.status_code == 404
    liaison = world.client("liaison")
    refused = liaison.post("/problems/setup/calendar/", {"date": "2023-01-02", "working": "0"})
    assert refused.status_code == 403
    assert not CalendarDay.objects.exists()


def test_the_calculator_counts_working_days_over_the_holidays(world: World) -> None:
    calendar_2022()
    client = world.client("liaison")
    # Friday 30 September: 1-7 October off, the weekend of the 8th and 9th made up.
    html = client.get(
        "/problems/setup/calendar/?year=2022&start=2022-09-30&end=2022-10-10&days=2"
    ).content.decode()
    assert "<strong>3</strong> working days" in _row(html, "answer", "between")
    assert "<strong>2022-10-09</strong>" in _row(html, "answer", "plus")
    html = client.get("/problems/setup/calendar/?start=2022-12-30&days=1").content.decode()
    assert "<strong>2023-01-02</strong>" in _row(html, "answer", "plus")
    html = client.get("/problems/setup/calendar/?start=2022-10-10&days=0").content.decode()
    assert "<strong>2022-10-10</strong>" in _row(html, "answer", "plus")
    bad = client.get("/problems/setup/calendar/?start=2022-10-10")
    assert bad.status_code == 400
    assert "Give a second date, a number of working days, or both." in bad.content.decode()


def test_a_good_file_is_imported_whole(world: World) -> None:
    CalendarDay.objects.create(date=dt.date(2023, 1, 2), working=True, name="wrong")
    bureau = world.client("bureau")
    template = bureau.get("/imports/calendar/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows())]
    upload = _xlsx(
        [
            header,
            [dt.datetime(2023, 1, 2), "否", "元旦"],
            ["2023/1/28", "是", "春节调休"],
            ["2023年1月23日", "no", "春节"],
            ["2023-01-29", 1, "春节调休"],
        ]
    )
    checked = bureau.post("/imports/calendar/", {"file": upload})
    assert checked.status_code == 200
    assert not CalendarDay.objects.filter(name="元旦").exists()
    response = bureau.post(f"/imports/calendar/{checked.context['upload'].pk}/confirm/")
    assert response.status_code == 302
    assert response["Location"] == "/problems/setup/calendar/"
    days = {d.date: (d.working, d.name) for d in CalendarDay.objects.all()}
    assert days == {
        dt.date(2023, 1, 2): (False, "元旦"),
        dt.date(2023, 1, 28): (True, "春节调休"),
        dt.date(2023, 1, 23): (False, "春节"),
        dt.date(2023, 1, 29): (True, "春节调休"),
    }
    assert AuditEvent.objects.filter(action="set_calendar_day").count() == 4


def test_a_bad_file_names_every_bad_row_and_writes_nothing(world: World) -> None:
    bureau = world.client("bureau")
    body = (
        "date,working,name\n"
        "2023-01-02,否,元旦\n"
        "2023-13-01,否,bad month\n"
        "2023-01-28,maybe,春节调休\n"
        "2023-01-02,是,twice\n"
        f"2023-01-30,否,{'长' * 101}\n"
    ).encode()
    upload = SimpleUploadedFile("calendar.csv", body, "text/csv")
    response = bureau.post("/imports/calendar/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    errors = [str(e) for e in response.context["check"].errors]
    assert "row 3, Date: Give a date like 2023-01-02." in errors
    assert any(e.startswith("row 4, Working day (yes/no): ") for e in errors)
    assert "row 5, Date: Same date as row 2." in errors
    assert any(e.startswith("row 6, Name: ") for e in errors)
    assert "4 problems found; nothing was imported." in html
    assert not CalendarDay.objects.exists()
    missing = SimpleUploadedFile("calendar.csv", b"day,name\n2023-01-02,x\n", "text/csv")
    response = bureau.post("/imports/calendar/", {"file": missing})
    assert response.status_code == 400
    assert "Columns missing from the header row" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_a_bureau_user_of_another_city_sees_luzhous_rule_but_cannot_touch_it(
    world: World,
) -> None:
    yibin_bureau = UserFactory(username="yibin", role=Role.BUREAU, scope=world.yibin)
    rule = routing.set_routing_rule(
        actor=world.users["bureau"], region=world.jiangyang, department=world.department
    )
    yibin_department = Department.objects.create(
        name="宜宾市交通运输局", kind=DepartmentKind.TRANSPORT, region=world.yibin
    )
    client = world.client("bureau")
    client.force_login(yibin_bureau)
    html = client.get("/problems/setup/").content.decode()
    assert f"/problems/setup/rules/{rule.pk}/remove/" not in html
    response = client.post(
        "/problems/setup/", {"region": "510502", "department": yibin_department.pk}
    )
    assert response.status_code == 400
    assert client.post(f"/problems/setup/rules/{rule.pk}/remove/").status_code == 403
    rule.refresh_from_db()
    assert rule.department == world.department
