"""Working days in Asia/Shanghai: Monday to Friday, except the days the bureau's calendar marks
otherwise (holidays on weekdays, make-up workdays 调休 on weekends).

A deadline of N working days is the same time of day on the Nth working day after the day of
the start: filed at 15:00 on a Friday, 1 working day is 15:00 on the next working day. The day
of the start never counts, even when it is itself a working day, so a filing on a Saturday and
one on the Friday before have the same 1-working-day deadline date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from keepline.problems.models import CalendarDay

TZ = ZoneInfo("Asia/Shanghai")
# Long enough to cover any run of holidays (Spring Festival and National Day are 7-9 days).
_SLACK_DAYS = 30


def _overrides(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    return dict(
        CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "working")
    )


def _working(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    return overrides.get(day, day.weekday() < 5)


def is_working_day(day: dt.date) -> bool:
    return _working(day, _overrides(day, day))


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same local time of day on the `days`th working day after `start`'s local date."""
    if days < 0:
        raise ValueError("days must not be negative")
    local = start.astimezone(TZ)
    day = local.date()
    left = days
    while left:
        # Fetch overrides a window at a time: at most a few queries even over long holidays.
        window_end = day + dt.timedelta(days=left * 2 + _SLACK_DAYS)
        overrides = _overrides(day, window_end)
        while left and day < window_end:
            day += dt.timedelta(days=1)
            if _working(day, overrides):
                left -= 1
    return dt.datetime.combine(day, local.time(), tzinfo=TZ)


def working_days_between(a: dt.datetime, b: dt.datetime) -> int:
    """The working days after `a`'s local date up to and including `b`'s (negative when `b`
    is before `a`): `working_days_between(a, add_working_days(a, n)) == n`."""
    first, last = a.astimezone(TZ).date(), b.astimezone(TZ).date()
    if last < first:
        return -working_days_between(b, a)
    overrides = _overrides(first, last)
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if _working(day, overrides):
            count += 1
    return count
