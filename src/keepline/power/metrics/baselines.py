"""Baselines and each enterprise's daily energy against its baseline, summed in the
database per (enterprise, day) and per (enterprise, baseline window)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Func, IntegerField, QuerySet, Sum
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.errors import InvalidInput
from keepline.enterprises.models import Enterprise
from keepline.power.models import DailyReading

MAX_BASELINE_DAYS = 366


class BaselineMethod(models.TextChoices):
    SAME_MONTH_LAST_YEAR = "same_month", gettext_lazy("Same month last year")
    PERIOD = "period", gettext_lazy("Reference period")
    DAYS_BEFORE = "days_before", gettext_lazy("Days before an event")


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (earlier when negative); 29 Feb becomes 28 Feb."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@dataclass(frozen=True)
class Baseline:
    """How an enterprise's baseline daily energy is chosen for an analysis.

    Errors name the parameters as pages and the API spell them: baseline_start, baseline_end,
    baseline_event, baseline_days.
    """

    method: BaselineMethod = BaselineMethod.SAME_MONTH_LAST_YEAR
    start: dt.date | None = None  # PERIOD: first and last day, inclusive
    end: dt.date | None = None
    event: dt.date | None = None  # DAYS_BEFORE: the `days` days before `event`
    days: int = 30

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.method == BaselineMethod.PERIOD:
            if self.start is None:
                errors["baseline_start"] = [_("Give the first day of the reference period.")]
            if self.end is None:
                errors["baseline_end"] = [_("Give the last day of the reference period.")]
            if self.start and self.end and self.start > self.end:
                errors["baseline_end"] = [
                    _("The reference period ends before it starts (%(start)s).")
                    % {"start": self.start.isoformat()}
                ]
        elif self.method == BaselineMethod.DAYS_BEFORE:
            if self.event is None:
                errors["baseline_event"] = [_("Give the day of the event.")]
            if not 1 <= self.days <= MAX_BASELINE_DAYS:
                errors["baseline_days"] = [
                    _("Give a number of days from 1 to %(max)s.") % {"max": MAX_BASELINE_DAYS}
                ]
        elif self.method not in BaselineMethod.values:
            errors["baseline"] = [
                _("Use one of: %(methods)s.") % {"methods": ", ".join(BaselineMethod.values)}
            ]
        if errors:
            raise InvalidInput(_("The baseline's parameters have errors."), errors=errors)

    def describe(self) -> str:
        """The baseline in words, in the user's language."""
        if self.method == BaselineMethod.PERIOD:
            assert self.start is not None and self.end is not None
            return _("daily average from %(start)s to %(end)s") % {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        if self.method == BaselineMethod.DAYS_BEFORE:
            assert self.event is not None
            return _("daily average of the %(days)s days before %(event)s") % {
                "days": self.days,
                "event": self.event.isoformat(),
            }
        return _("daily average of the same month last year")

    def window(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day of readings the baselines of the days start..end draw on."""
        if self.method == BaselineMethod.PERIOD:
            assert self.start is not None and self.end is not None
            return self.start, self.end
        if self.method == BaselineMethod.DAYS_BEFORE:
            assert self.event is not None
            return self.event - dt.timedelta(days=self.days), self.event - dt.timedelta(days=1)
        return shift_years(month_start(start), -1), shift_years(month_end(end), -1)

    @property
    def monthly(self) -> bool:
        """Whether the baseline changes with the month of the day it is compared with."""
        return self.method == BaselineMethod.SAME_MONTH_LAST_YEAR

    def shifted(self, years: int) -> Baseline:
        """The same method with its dates moved by whole years (the year-earlier comparison)."""
        return Baseline(
            method=self.method,
            start=self.start and shift_years(self.start, years),
            end=self.end and shift_years(self.end, years),
            event=self.event and shift_years(self.event, years),
            days=self.days,
        )

    def params(self) -> list[tuple[str, str]]:
        """The query parameters that select this baseline (pages and the API read the same)."""
        out = [("baseline", str(self.method))]
        if self.method == BaselineMethod.PERIOD:
            assert self.start is not None and self.end is not None
            out += [("baseline_start", self.start.isoformat())]
            out += [("baseline_end", self.end.isoformat())]
        elif self.method == BaselineMethod.DAYS_BEFORE:
            assert self.event is not None
            out += [("baseline_event", self.event.isoformat()), ("baseline_days", str(self.days))]
        return out


@dataclass(frozen=True)
class EnterpriseDay:
    """One enterprise's energy on one day against its baseline."""

    enterprise_id: int
    day: dt.date
    kwh: float | None  # sum over the enterprise's accounts; None = no reading on any account
    baseline: float | None  # baseline daily energy; None = no baseline data
    ratio: float | None  # kwh / baseline (None when either is None or baseline == 0)
    resumed: bool | None  # ratio > settings.KEEPLINE_POWER_RESUMED_AT


def resumed_at() -> float:
    return float(settings.KEEPLINE_POWER_RESUMED_AT)


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# ---- the two grouped queries ---------------------------------------------------------------


def readings_between(
    enterprises: QuerySet[Enterprise], first: dt.date, last: dt.date
) -> QuerySet[Any]:
    return DailyReading.objects.filter(
        day__gte=first, day__lte=last, account__enterprise__in=enterprises.values("pk")
    ).order_by()


def month_number(day: dt.date) -> int:
    """Months since year 0: one integer key per calendar month, a year on is 12 more."""
    return day.year * 12 + day.month - 1


def _month_number(field: str) -> Any:
    """month_number() in SQL, as one integer: PostgreSQL's EXTRACT gives numerics, slow to
    hash and sort; SQLite stores dates as ISO text, and reading its digits is several times
    faster than the Python function Django's Extract calls there for every row."""
    year: Func
    month: Func
    if connection.vendor == "sqlite":
        year, month = Substr(field, 1, 4), Substr(field, 6, 2)
    else:
        year, month = ExtractYear(field), ExtractMonth(field)
    return Cast(year, IntegerField()) * 12 + Cast(month, IntegerField()) - 1


def daily_energy(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date, *, monthly: bool = False
) -> QuerySet[Any]:
    """Rows (day, eid, kwh) — and `mon`, the day's month_number, when monthly: each
    enterprise's energy on each day it has readings."""
    keys: dict[str, Any] = {"eid": F("account__enterprise_id")}
    if monthly:
        keys["mon"] = _month_number("day")
    return readings_between(enterprises, start, end).values("day", **keys).annotate(kwh=Sum("kwh"))


def baselines(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date, baseline: Baseline
) -> tuple[str, list[Any]]:
    """SQL (and parameters) of rows (eid, baseline) — (eid, mon, baseline) when the baseline
    is monthly, keyed by the month_number of the days it serves — for the enterprises with
    readings in the window of the days start..end: the mean of each one's daily energy over
    the window's days with readings."""
    first, last = baseline.window(start, end)
    sql, params = sql_of(daily_energy(enterprises, first, last, monthly=baseline.monthly))
    eid, kwh, mon = quoted_columns("w", "eid", "kwh", "mon")
    q = connection.ops.quote_name
    if baseline.monthly:
        # A month's baseline serves the same month a year on.
        return (
            f"SELECT {eid} AS {q('eid')}, {mon} + 12 AS {q('mon')}, AVG({kwh}) AS {q('baseline')}"
            f" FROM ({sql}) w GROUP BY {eid}, {mon}",
            params,
        )
    return (
        f"SELECT {eid} AS {q('eid')}, AVG({kwh}) AS {q('baseline')} FROM ({sql}) w GROUP BY {eid}",
        params,
    )


def sql_of(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def fetch_rows(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def quoted_columns(alias: str, *names: str) -> list[str]:
    return [f"{alias}.{connection.ops.quote_name(n)}" for n in names]


def enterprise_days(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date, baseline: Baseline
) -> list[EnterpriseDay]:
    """Every (enterprise, day) from start to end inclusive for the given enterprises (already
    scoped by the caller), including days with no reading (kwh None); by enterprise, then day."""
    if start > end:
        raise InvalidInput(
            _("The period ends before it starts."),
            errors={"until": [_("Give a last day on or after %(day)s.") % {"day": start}]},
        )
    ids = sorted(enterprises.values_list("pk", flat=True))
    if not ids:
        return []
    energy = {(r["eid"], r["day"]): r["kwh"] for r in daily_energy(enterprises, start, end)}
    base: dict[tuple[int, int], float] = {}
    flat: dict[int, float] = {}
    for row in fetch_rows(*baselines(enterprises, start, end, baseline)):
        if baseline.monthly:
            eid, mon, value = row
            base[(eid, mon)] = value
        else:
            flat[row[0]] = row[1]
    threshold = resumed_at()
    out = []
    for eid in ids:
        for day in days_between(start, end):
            kwh = energy.get((eid, day))
            value = base.get((eid, month_number(day))) if baseline.monthly else flat.get(eid)
            ratio = kwh / value if kwh is not None and value else None
            out.append(
                EnterpriseDay(
                    enterprise_id=eid,
                    day=day,
                    kwh=kwh,
                    baseline=value,
                    ratio=ratio,
                    resumed=None if ratio is None else ratio > threshold,
                )
            )
    return out
