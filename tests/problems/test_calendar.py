"""Working days over the 2022 Spring Festival and National Day, and the bureau's calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keepline.core.errors import Forbidden
from keepline.core.models import AuditEvent
from keepline.problems import selectors
from keepline.problems.calendar import add_working_days, is_working_day, working_days_between
from keepline.problems.models import CalendarDay
from keepline.problems.services import calendar as calendar_services
from keepline.problems.services.calendar import CalendarRow
from tests.conftest import TZ, World
from tests.problems.conftest import calendar_2022


def at(month: int, day: int, hour: int = 15) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=TZ)


def test_friday_afternoon_plus_one_working_day_is_monday_afternoon(db: Any) -> None:
    assert add_working_days(at(9, 23), 1) == at(9, 26)
    assert add_working_days(at(9, 23), 5) == at(9, 30)
    assert add_working_days(at(9, 23), 0) == at(9, 23)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Friday before National Day: the make-up Saturday and Sunday are the next working days.
        (at(9, 30), 1, at(10, 8)),
        (at(9, 30), 2, at(10, 9)),
        (at(9, 30), 3, at(10, 10)),
        (at(9, 30), 5, at(10, 12)),
        # Filed on a holiday: counting starts from the next working day.
        (at(10, 3, 9), 1, at(10, 8, 9)),
        # Friday before Spring Festival: two make-up days, then the holiday week.
        (at(1, 28), 1, at(1, 29)),
        (at(1, 28), 2, at(1, 30)),
        (at(1, 28), 3, at(2, 7)),
        (at(1, 26), 5, at(2, 7)),
    ],
)
def test_deadlines_over_the_2022_holidays(
    db: Any, start: dt.datetime, days: int, due: dt.datetime
) -> None:
    calendar_2022()
    assert add_working_days(start, days) == due
    assert working_days_between(start, due) == days


def test_without_the_calendar_only_weekends_are_off(db: Any) -> None:
    assert add_working_days(at(9, 30), 1) == at(10, 3)
    assert working_days_between(at(9, 30), at(10, 10)) == 6


def test_days_are_counted_in_shanghai_time(db: Any) -> None:
    calendar_2022()
    # 07:00 UTC on Friday 30 September is 15:00 in Shanghai.
    start = dt.datetime(2022, 9, 30, 7, tzinfo=dt.UTC)
    assert add_working_days(start, 1) == at(10, 8)
    # 17:00 UTC on Friday is already 01:00 on the Saturday in Shanghai: a holiday.
    late = dt.datetime(2022, 9, 30, 17, tzinfo=dt.UTC)
    assert add_working_days(late, 1) == at(10, 8, 1)


def test_working_days_between_counts_backwards_and_within_a_day(db: Any) -> None:
    calendar_2022()
    assert working_days_between(at(10, 10), at(9, 30)) == -3
    assert working_days_between(at(10, 10, 9), at(10, 10, 18)) == 0
    assert working_days_between(at(1, 28), at(2, 6)) == 2


def test_the_bureau_keeps_the_calendar_and_it_is_audited(world: World) -> None:
    bureau = world.users["bureau"]
    calendar_services.set_calendar_day(
        actor=bureau, date=dt.date(2022, 10, 3), working=False, name="国庆"
    )
    assert not is_working_day(dt.date(2022, 10, 3))
    calendar_services.set_calendar_day(
        actor=bureau, date=dt.date(2022, 10, 8), working=True, name="调休"
    )
    assert is_working_day(dt.date(2022, 10, 8))
    assert [d.name for d in selectors.calendar_days(world.users["liaison"], 2022)] == [
        "国庆",
        "调休",
    ]
    calendar_services.remove_calendar_day(actor=bureau, date=dt.date(2022, 10, 3))
    assert is_working_day(dt.date(2022, 10, 3))
    actions = list(
        AuditEvent.objects.filter(action__endswith="_calendar_day").values_list("action", flat=True)
    )
    assert sorted(actions) == [
        "remove_calendar_day",
        "set_calendar_day",
        "set_calendar_day",
    ]


@pytest.mark.parametrize("role", ["liaison", "district", "department", "commissioner"])
def test_only_the_bureau_changes_the_calendar(world: World, role: str) -> None:
    with pytest.raises(Forbidden):
        calendar_services.set_calendar_day(
            actor=world.users[role], date=dt.date(2022, 10, 3), working=False
        )
    assert is_working_day(dt.date(2022, 10, 3))


def test_a_checked_calendar_file_is_written_by_the_service(world: World) -> None:
    calendar_services.set_calendar_day(
        actor=world.users["bureau"], date=dt.date(2023, 1, 2), working=True, name="旧"
    )
    rows = [
        CalendarRow(2, dt.date(2023, 1, 2), False, "元旦"),
        CalendarRow(3, dt.date(2023, 1, 28), True, "调休"),
    ]
    with pytest.raises(Forbidden):
        calendar_services.import_calendar(actor=world.users["district"], rows=rows)
    assert CalendarDay.objects.count() == 1
    before = AuditEvent.objects.filter(action="set_calendar_day").count()
    assert calendar_services.import_calendar(actor=world.users["bureau"], rows=rows) == (1, 1)
    days = {d.date: (d.working, d.name) for d in CalendarDay.objects.all()}
    assert days == {dt.date(2023, 1, 2): (False, "元旦"), dt.date(2023, 1, 28): (True, "调休")}
    assert AuditEvent.objects.filter(action="set_calendar_day").count() == before + 2
