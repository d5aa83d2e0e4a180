"""Helpers for problem tests: filing one, and the 2022 holiday calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.problems.models import CalendarDay, Problem
from keepline.problems.services import lifecycle
from tests.conftest import World


def file(world: World, role: str = "liaison", **fields: Any) -> Problem:
    """A problem filed for the own enterprise (or `enterprise_id`) by the user of `role`."""
    values: dict[str, Any] = {
        "enterprise_id": world.enterprise.pk,
        "category": "logistics",
        "title": "原料运输车辆无法进入园区",
        "description": "两辆原料车被拦在高速出口。",
    }
    values.update(fields)
    return lifecycle.file_problem(actor=world.users[role], **values)


def calendar_2022() -> None:
    """The State Council's 2022 Spring Festival and National Day arrangements."""
    holidays = [dt.date(2022, 1, 31) + dt.timedelta(days=i) for i in range(7)]
    holidays += [dt.date(2022, 10, 1) + dt.timedelta(days=i) for i in range(7)]
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, working=False, name="holiday") for d in holidays]
        + [
            CalendarDay(date=dt.date(2022, m, d), working=True, name="make-up workday")
            for m, d in [(1, 29), (1, 30), (10, 8), (10, 9)]
        ]
    )
