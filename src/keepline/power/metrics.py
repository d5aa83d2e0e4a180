"""Power metrics: baselines, each enterprise's recovery ratio, and the power resumption index.

An enterprise's daily energy is the sum over its power accounts of the readings of that day; a
day on which none of its accounts has a reading has no energy (None), never zero. Its baseline
daily energy is the mean of its daily energy over the days of the baseline window that have
readings. Definitions with worked examples: docs/indicators.md, "Power".

Everything is summed in the database: the readings are grouped per (enterprise, day) and per
(enterprise, baseline window) by the ORM, and the index joins those two grouped queries in one
more GROUP BY, so no Python loop ever sees a reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, F, Func, IntegerField, QuerySet, Sum
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise, Industry, PowerAccount
from keepline.places.models import Park, Region
from keepline.power.models import DailyReading
from keepline.reports.indicators import (
    FigureScope,
    Resolved,
    common_path,
    enterprises_in,
    narrow_industries,
    narrow_regions,
    ratio,
    resolve,
    rounded,
)

MAX_BASELINE_DAYS = 366
# State Grid's weights: half the share of enterprises resumed, half the recovery rate.
INDEX_WEIGHT = Decimal("0.5")


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


def _readings(enterprises: QuerySet[Enterprise], first: dt.date, last: dt.date) -> QuerySet[Any]:
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
    return _readings(enterprises, start, end).values("day", **keys).annotate(kwh=Sum("kwh"))


def baselines(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date, baseline: Baseline
) -> tuple[str, list[Any]]:
    """SQL (and parameters) of rows (eid, baseline) — (eid, mon, baseline) when the baseline
    is monthly, keyed by the month_number of the days it serves — for the enterprises with
    readings in the window of the days start..end: the mean of each one's daily energy over
    the window's days with readings."""
    first, last = baseline.window(start, end)
    sql, params = _sql(daily_energy(enterprises, first, last, monthly=baseline.monthly))
    eid, kwh, mon = _columns("w", "eid", "kwh", "mon")
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


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _fetch(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _columns(alias: str, *names: str) -> list[str]:
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
    for row in _fetch(*baselines(enterprises, start, end, baseline)):
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


# ---- the power resumption index ------------------------------------------------------------


def large_industry(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises with at least one account on the large-industry tariff."""
    return enterprises.filter(
        pk__in=PowerAccount.objects.filter(large_industry=True).values("enterprise_id")
    )


def _exact(part: float, whole: float) -> Decimal | None:
    return ratio(Decimal(part), Decimal(whole))


@dataclass(frozen=True)
class PowerTally:
    """The power figures of a set of enterprises on one day.

    Of the `enterprises` in scope, `with_baseline` have a baseline above zero; of those,
    `counted` have a reading on the day, and `resumed` of them drew more than the threshold
    share of their baseline. `kwh` and `baseline_kwh` sum over the counted enterprises only.
    """

    enterprises: int = 0
    with_baseline: int = 0
    counted: int = 0
    resumed: int = 0
    kwh: float = 0.0
    baseline_kwh: float = 0.0

    def __add__(self, other: PowerTally) -> PowerTally:
        return PowerTally(
            self.enterprises + other.enterprises,
            self.with_baseline + other.with_baseline,
            self.counted + other.counted,
            self.resumed + other.resumed,
            self.kwh + other.kwh,
            self.baseline_kwh + other.baseline_kwh,
        )

    @property
    def no_baseline(self) -> int:
        return self.enterprises - self.with_baseline

    @property
    def no_reading(self) -> int:
        return self.with_baseline - self.counted

    def exact(self, figure: str) -> Decimal | None:
        """ "share", "rate" or "index" unrounded (percent; the index in points)."""
        share = ratio(self.resumed, self.counted)
        rate = _exact(self.kwh, self.baseline_kwh)
        if figure == "share":
            return share
        if figure == "rate":
            return rate
        if share is None or rate is None:
            return None
        return share * INDEX_WEIGHT + rate * (1 - INDEX_WEIGHT)

    @property
    def share(self) -> Decimal | None:
        return rounded(self.exact("share"))

    @property
    def rate(self) -> Decimal | None:
        return rounded(self.exact("rate"))

    @property
    def index(self) -> Decimal | None:
        return rounded(self.exact("index"))


@dataclass(frozen=True)
class YearOnYear:
    """A month's energy up to a day against the same days a year before, summed over the
    enterprises with readings in both."""

    first: dt.date
    last: dt.date
    enterprises: int = 0
    kwh: float = 0.0
    kwh_before: float = 0.0

    def __add__(self, other: YearOnYear) -> YearOnYear:
        return YearOnYear(
            self.first,
            self.last,
            self.enterprises + other.enterprises,
            self.kwh + other.kwh,
            self.kwh_before + other.kwh_before,
        )

    def exact(self) -> Decimal | None:
        return _exact(self.kwh - self.kwh_before, self.kwh_before)

    @property
    def change(self) -> Decimal | None:
        """Percent change on the year before (+1.30 = 1.3% more)."""
        change = rounded(self.exact())
        # A tiny fall rounds to −0.00; adding zero drops the sign.
        return None if change is None else change + 0

    @property
    def first_before(self) -> dt.date:
        return shift_years(self.first, -1)

    @property
    def last_before(self) -> dt.date:
        return shift_years(self.last, -1)


@dataclass(frozen=True)
class PowerFilter:
    """What the index page, its export and the API compute: an area (as the figures pages
    name it), a period (None: the 60 days up to the latest day with readings), a baseline, and
    whether to count large industrial users only."""

    scope: FigureScope = field(default_factory=FigureScope)
    since: dt.date | None = None
    until: dt.date | None = None
    baseline: Baseline = field(default_factory=Baseline)
    large_only: bool = False

    def params(self) -> list[tuple[str, str]]:
        """The query parameters that select these figures (pages and the API read the same)."""
        out = self.scope.params()
        if self.since:
            out.append(("since", self.since.isoformat()))
        if self.until:
            out.append(("until", self.until.isoformat()))
        out += self.baseline.params()
        if self.large_only:
            out.append(("large", "true"))
        return out


@dataclass(frozen=True)
class PowerRow:
    """The figures of one district, park or industry on the as-of day; `scope` selects exactly
    its enterprises (None where no scope can: enterprises directly under the area, no park)."""

    key: str
    label: str
    tally: PowerTally
    year_on_year: YearOnYear
    scope: FigureScope | None


@dataclass(frozen=True)
class DayPoint:
    """One day of the trend, and the same calendar day a year earlier (baseline moved too)."""

    day: dt.date
    tally: PowerTally
    year_before: PowerTally


@dataclass(frozen=True)
class PowerIndex:
    """The power resumption index of an area: per day over a period, on its last day (the
    as-of day) in full and by district, park and industry, with the definitions."""

    as_of: dt.date
    since: dt.date
    filter: PowerFilter  # with the period filled in
    area: Region | None  # the smallest region holding every enterprise counted
    headline: PowerTally
    series: list[DayPoint]
    year_on_year: YearOnYear
    large_same_month: PowerTally  # large industry on the as-of day vs same month last year
    by_region: list[PowerRow]
    by_park: list[PowerRow]
    by_industry: list[PowerRow]
    definitions: dict[str, str]

    @property
    def large_industry_percent(self) -> Decimal | None:
        """Large industry's energy on the as-of day as a percentage of their daily average in
        the same month last year (the briefing's sentence)."""
        return self.large_same_month.rate


# ---- SQL over the grouped queries ----------------------------------------------------------

# The group keys of the breakdowns, as columns of the enterprise table joined in.
REGION, PARK, INDUSTRY = "k_region", "k_park", "k_industry"


def _with_keys(
    enterprises: QuerySet[Enterprise], keys: dict[str, str], source: str
) -> tuple[str, str, list[Any]]:
    """(join clause, key columns, parameters) adding the enterprises' group keys to `source`."""
    if not keys:
        return "", "", []
    sql, params = _sql(
        enterprises.values(eid=F("pk"), **{k: F(field) for k, field in keys.items()}).order_by()
    )
    join = f" JOIN ({sql}) e ON {_columns('e', 'eid')[0]} = {_columns(source, 'eid')[0]}"
    return join, ", ".join(_columns("e", *keys)), params


def _group_by(*parts: str) -> str:
    columns = ", ".join(p for p in parts if p)
    return f" GROUP BY {columns}" if columns else ""


def _select(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _key(row: Sequence[Any], n: int) -> tuple[Any, ...]:
    return tuple(row[:n])


def tallies(
    enterprises: QuerySet[Enterprise],
    start: dt.date,
    end: dt.date,
    baseline: Baseline,
    keys: dict[str, str] | None = None,
) -> dict[tuple[Any, ...], dict[dt.date, PowerTally]]:
    """The tally of every day start..end for each combination of `keys` (alias -> enterprise
    field: REGION -> "region_id"…); no keys: one combination, ().

    Two queries, whatever the number of enterprises and days: enterprises per combination;
    then, in one statement, enterprises with a baseline above zero per combination (and month,
    for a monthly baseline), and per combination and day the counted and resumed enterprises
    and their energy and baseline energy, joining each enterprise-day to its baseline."""
    keys = keys or {}
    n = len(keys)
    if enterprises.query.is_empty():
        return {}
    population = (
        {
            _key(row, n): row[n]
            for row in enterprises.values_list(*keys.values())
            .annotate(total=Count("pk", distinct=True))
            .order_by()
        }
        if keys
        else {(): enterprises.count()}
    )
    if not any(population.values()):
        return {}

    # One statement: the baselines are computed once (a CTE used twice is materialised) for
    # both the count of enterprises with a baseline and the join with the daily energy.
    base_sql, params = baselines(enterprises, start, end, baseline)
    daily_sql, daily_params = _sql(daily_energy(enterprises, start, end, monthly=baseline.monthly))
    ctes = [f"b AS ({base_sql})", f"d AS ({daily_sql})"]
    params += daily_params
    d_eid, d_day, d_kwh, d_mon = _columns("d", "eid", "day", "kwh", "mon")
    b_eid, b_base, b_mon = _columns("b", "eid", "baseline", "mon")
    key_columns = join_b = join_d = ""
    if keys:
        ent_sql, ent_params = _sql(
            enterprises.values(eid=F("pk"), **{k: F(f) for k, f in keys.items()}).order_by()
        )
        ctes.append(f"e AS ({ent_sql})")
        params += ent_params
        key_columns = ", ".join(_columns("e", *keys))
        e_eid = _columns("e", "eid")[0]
        join_b, join_d = f" JOIN e ON {e_eid} = {b_eid}", f" JOIN e ON {e_eid} = {d_eid}"
    month = b_mon if baseline.monthly else ""
    on = f"{b_eid} = {d_eid}"
    if baseline.monthly:
        on += f" AND {b_mon} = {d_mon}"
    rows = _fetch(
        f"WITH {', '.join(ctes)}"
        f" SELECT {_select('0', key_columns, month or 'NULL')}, NULL, COUNT(*), 0, 0.0, 0.0"
        f" FROM b{join_b} WHERE {b_base} > 0{_group_by(key_columns, month)}"
        f" UNION ALL SELECT {_select('1', key_columns)}, NULL, {d_day}, COUNT(*),"
        f" SUM(CASE WHEN {d_kwh} / {b_base} > %s THEN 1 ELSE 0 END), SUM({d_kwh}), SUM({b_base})"
        f" FROM d JOIN b ON {on}{join_d} WHERE {b_base} > 0{_group_by(key_columns, d_day)}",
        [*params, resumed_at()],
    )
    with_baseline: dict[tuple[Any, ...], int] = {}
    counted: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for kind, *row in rows:
        combination = tuple(row[:n])
        mon, day, *figures = row[n:]
        if kind == 0:
            with_baseline[(*combination, mon)] = figures[0]
        else:
            counted[(*combination, _as_date(day))] = tuple(figures)

    out: dict[tuple[Any, ...], dict[dt.date, PowerTally]] = {}
    for combination, total in population.items():
        days: dict[dt.date, PowerTally] = {}
        for day in days_between(start, end):
            mon = month_number(day) if baseline.monthly else None
            c, r, kwh, base = counted.get((*combination, day), (0, 0, 0.0, 0.0))
            days[day] = PowerTally(
                enterprises=total,
                with_baseline=with_baseline.get((*combination, mon), 0),
                counted=c,
                resumed=int(r),
                kwh=float(kwh),
                baseline_kwh=float(base),
            )
        out[combination] = days
    return out


def _as_date(value: Any) -> dt.date:
    """SQLite hands back a date computed in a subquery as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def year_on_year(
    enterprises: QuerySet[Enterprise], day: dt.date, keys: dict[str, str] | None = None
) -> dict[tuple[Any, ...], YearOnYear]:
    """The month of `day` up to `day` against the same days a year before, for each
    combination of `keys`, over the enterprises with readings in both periods."""
    keys = keys or {}
    first = month_start(day)
    if enterprises.query.is_empty():
        return {}

    def energy(a: dt.date, b: dt.date) -> tuple[str, list[Any]]:
        return _sql(
            _readings(enterprises, a, b)
            .values(eid=F("account__enterprise_id"))
            .annotate(kwh=Sum("kwh"))
        )

    now_sql, now_params = energy(first, day)
    before_sql, before_params = energy(shift_years(first, -1), shift_years(day, -1))
    t_eid, t_kwh = _columns("t", "eid", "kwh")
    p_eid, p_kwh = _columns("p", "eid", "kwh")
    join, key_columns, key_params = _with_keys(enterprises, keys, "t")
    rows = _fetch(
        f"SELECT {_select(key_columns, 'COUNT(*)')}, SUM({t_kwh}), SUM({p_kwh})"
        f" FROM ({now_sql}) t JOIN ({before_sql}) p ON {p_eid} = {t_eid}{join}"
        f"{_group_by(key_columns)}",
        [*now_params, *before_params, *key_params],
    )
    n = len(keys)
    # Without keys the one row always comes back, with a count of 0 when nothing matched.
    return {
        _key(row, n): YearOnYear(first, day, row[n], float(row[n + 1]), float(row[n + 2]))
        for row in rows
        if row[n]
    }


# ---- computing -----------------------------------------------------------------------------

DEFAULT_DAYS = 60


def latest_day(enterprises: QuerySet[Enterprise], by: dt.date | None = None) -> dt.date | None:
    """The last day (on or before `by`, if given) any of the enterprises has a reading for."""
    readings = DailyReading.objects.filter(account__enterprise__in=enterprises.values("pk"))
    if by is not None:
        readings = readings.filter(day__lte=by)
    # ORDER BY … LIMIT 1 walks the day index backwards; MAX() over the join reads every row.
    last: dt.date | None = readings.order_by("-day").values_list("day", flat=True).first()
    return last


def scoped(actor: Actor, f: PowerFilter) -> tuple[QuerySet[Enterprise], Resolved]:
    """The enterprises the filter counts for the actor, and its scope's codes resolved."""
    moment = (
        timezone.make_aware(dt.datetime.combine(f.until, dt.time.max))
        if f.until
        else timezone.now()
    )
    resolved = resolve(f.scope, moment)
    enterprises = enterprises_in(actor, f.scope, resolved)
    return (large_industry(enterprises) if f.large_only else enterprises), resolved


def period(enterprises: QuerySet[Enterprise], f: PowerFilter) -> tuple[dt.date, dt.date]:
    """The filter's period, its gaps filled: up to the latest day with readings (else today),
    from DEFAULT_DAYS days before."""
    end = f.until or latest_day(enterprises) or timezone.localdate()
    start = f.since or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput(
            _("The period ends before it starts."),
            errors={"until": [_("Give a last day on or after %(day)s.") % {"day": start}]},
        )
    return start, end


def compute(actor: Actor, f: PowerFilter, *, breakdowns: bool = True) -> PowerIndex:
    """The power resumption index of the enterprises the actor sees in the filter's area.

    `breakdowns=False` leaves out the tables by district, park and industry (the briefing's
    sentence needs only the headline)."""
    enterprises, resolved = scoped(actor, f)
    start, end = period(enterprises, f)
    baseline = f.baseline
    now = tallies(enterprises, start, end, baseline).get((), {})
    before = tallies(
        enterprises, shift_years(start, -1), shift_years(end, -1), baseline.shifted(-1)
    ).get((), {})
    series = [
        DayPoint(
            day,
            now.get(day, PowerTally()),
            before.get(shift_years(day, -1), PowerTally()),
        )
        for day in days_between(start, end)
    ]
    large = tallies(large_industry(enterprises), end, end, Baseline()).get((), {})
    by_region: list[PowerRow] = []
    by_park: list[PowerRow] = []
    by_industry: list[PowerRow] = []
    area: Region | None = None
    if breakdowns:
        area, by_region, by_park, by_industry = _breakdowns(enterprises, f, resolved, end, baseline)
    return PowerIndex(
        as_of=end,
        since=start,
        filter=replace(f, since=start, until=end),
        area=area,
        headline=series[-1].tally,
        series=series,
        year_on_year=year_on_year(enterprises, end).get((), YearOnYear(month_start(end), end)),
        large_same_month=large.get(end, PowerTally()),
        by_region=by_region,
        by_park=by_park,
        by_industry=by_industry,
        definitions=definitions(),
    )


def _breakdowns(
    enterprises: QuerySet[Enterprise],
    f: PowerFilter,
    resolved: Resolved,
    day: dt.date,
    baseline: Baseline,
) -> tuple[Region | None, list[PowerRow], list[PowerRow], list[PowerRow]]:
    """The day's figures by district (one level below the area), park and industry, rolled
    up from one grouped pass per figure over (region, park, industry)."""
    keys = {REGION: "region_id", PARK: "park_id", INDUSTRY: resolved.industry_key}
    cells = {k: v[day] for k, v in tallies(enterprises, day, day, baseline, keys).items()}
    yoy = year_on_year(enterprises, day, keys)
    empty_yoy = YearOnYear(month_start(day), day)
    if not cells:
        return None, [], [], []

    def rollup(position: int, key_of: Any = None) -> dict[Any, tuple[PowerTally, YearOnYear]]:
        sums: dict[Any, tuple[PowerTally, YearOnYear]] = {}
        for combination, tally in cells.items():
            k = combination[position]
            k = key_of(k) if key_of else k
            t, y = sums.get(k, (PowerTally(), empty_yoy))
            sums[k] = (t + tally, y + yoy.get(combination, empty_yoy))
        return sums

    paths = dict(Region.objects.filter(pk__in={c[0] for c in cells}).values_list("pk", "path"))
    area_path = common_path(min(paths.values()), max(paths.values()))
    area = Region.objects.filter(path=area_path).first() if area_path else None
    scope = f.scope

    by_region: list[PowerRow] = []
    if area is not None:
        # One level below the area; the codes of a level share a length (GB/T 2260, towns).
        child_code = Region.objects.filter(parent=area).values_list("code", flat=True).first()
        key_length = len(area_path) + (len(child_code) + 1 if child_code else 0)
        region_sums = rollup(0, lambda pk: paths[pk][:key_length])
        regions = {r.path: r for r in Region.objects.filter(path__in=list(region_sums))}
        for path in sorted(region_sums):
            region = regions[path]
            direct = path == area.path and child_code is not None
            by_region.append(
                PowerRow(
                    region.code,
                    _("%(region)s (directly)") % {"region": region.name} if direct else region.name,
                    *region_sums[path],
                    None
                    if direct
                    else replace(scope, regions=narrow_regions(resolved.regions, region)),
                )
            )

    park_sums = rollup(1)
    parks = Park.objects.in_bulk([k for k in park_sums if k is not None])
    by_park = sorted(
        (
            PowerRow(
                parks[k].code if k else "",
                parks[k].name if k else _("Not in a park"),
                *sums,
                replace(scope, parks=(parks[k].code,)) if k else None,
            )
            for k, sums in park_sums.items()
        ),
        key=lambda row: (row.key == "", row.label),
    )

    industry_sums = rollup(2)
    industries = Industry.objects.in_bulk([k for k in industry_sums if k is not None])
    by_industry = [
        PowerRow(
            industries[k].code,
            industries[k].name,
            *industry_sums[k],
            replace(scope, industries=narrow_industries(resolved.industries, industries[k])),
        )
        for k in sorted(
            (k for k in industry_sums if k is not None), key=lambda k: industries[k].code
        )
    ]
    return area, by_region, by_park, by_industry


# ---- the enterprises behind a figure -------------------------------------------------------


class Group(models.TextChoices):
    ALL = "all", gettext_lazy("All enterprises")
    WITH_BASELINE = "with_baseline", gettext_lazy("With a baseline")
    COUNTED = "counted", gettext_lazy("With a baseline and a reading")
    RESUMED = "resumed", gettext_lazy("Resumed")
    NOT_RESUMED = "not_resumed", gettext_lazy("Not resumed")
    NO_READING = "no_reading", gettext_lazy("No reading on the day")
    NO_BASELINE = "no_baseline", gettext_lazy("No baseline")


def _in_group(d: EnterpriseDay, group: str) -> bool:
    has_baseline = bool(d.baseline)
    return {
        Group.ALL: True,
        Group.WITH_BASELINE: has_baseline,
        Group.COUNTED: d.ratio is not None,
        Group.RESUMED: d.resumed is True,
        Group.NOT_RESUMED: d.resumed is False,
        Group.NO_READING: has_baseline and d.kwh is None,
        Group.NO_BASELINE: not has_baseline,
    }[Group(group)]


@dataclass(frozen=True)
class EnterpriseFigure:
    """One enterprise behind a figure, with its energy against its baseline on the day."""

    enterprise: Enterprise
    figures: EnterpriseDay
    large_industry: bool


SORTS = ("name", "kwh", "baseline", "ratio")


def enterprises_behind(
    actor: Actor, f: PowerFilter, group: str, sort: str = "name"
) -> tuple[dt.date, list[EnterpriseFigure]]:
    """The day (the filter's last, else the latest with readings) and the enterprises of the
    filter's area in a group on it, each with its figures; sorted by a key of SORTS ("-" for
    descending), the enterprises a number is missing for last."""
    if group not in Group.values:
        raise InvalidInput(
            _("Unknown group of enterprises."),
            errors={"group": [_("Use one of: %(groups)s.") % {"groups": ", ".join(Group.values)}]},
        )
    enterprises, _resolved = scoped(actor, f)
    day = f.until or period(enterprises, f)[1]
    figures = {
        d.enterprise_id: d
        for d in enterprise_days(enterprises, day, day, f.baseline)
        if _in_group(d, group)
    }
    large = set(large_industry(enterprises).values_list("pk", flat=True))
    rows = [
        EnterpriseFigure(e, figures[e.pk], e.pk in large)
        for e in Enterprise.objects.filter(pk__in=list(figures))
        .select_related("region", "park", "industry")
        .order_by("name", "pk")
    ]
    key = sort.lstrip("-")
    if key in SORTS and key != "name":
        known = [r for r in rows if getattr(r.figures, key) is not None]
        known.sort(key=lambda r: getattr(r.figures, key), reverse=sort.startswith("-"))
        rows = known + [r for r in rows if getattr(r.figures, key) is None]
    elif sort == "-name":
        rows.reverse()
    return day, rows


# ---- definitions ---------------------------------------------------------------------------


def definitions() -> dict[str, str]:
    """What each power figure means, in the active language (docs/indicators.md, "Power")."""
    threshold = resumed_at()
    return {
        "scope": _(
            "Enterprises in scope: those the actor may see in the regions, parks and industries "
            "named, above designated size unless all sizes are asked for; with large industry "
            "only, those with at least one account on the large-industry tariff."
        ),
        "daily_energy": _(
            "An enterprise's daily energy: the sum of the day's readings of all its power "
            "accounts. A day without a reading on any account has no energy (a gap), never zero."
        ),
        "baseline": _(
            "Baseline daily energy: the mean of the enterprise's daily energy over the days of "
            "the baseline window that have readings. Same month last year: for a day in "
            "September 2022, the days of September 2021. Reference period: the days from its "
            "first to its last day. Days before an event: the N days before the event's day. "
            "An enterprise without readings in the window, or with a baseline of zero, has no "
            "baseline and is counted apart."
        ),
        "ratio": _("Recovery ratio of an enterprise: its daily energy ÷ its baseline."),
        "resumed": _(
            "Resumed: an enterprise whose recovery ratio is above %(threshold)s (setting "
            "KEEPLINE_POWER_RESUMED_AT)."
        )
        % {"threshold": threshold},
        "counted": _(
            "Counted on a day: enterprises in scope with a baseline and a reading that day. "
            "Those without a baseline, and those without a reading that day, are shown apart "
            "and left out of every rate."
        ),
        "share": _("Share resumed: resumed enterprises ÷ counted enterprises × 100."),
        "rate": _(
            "Recovery rate: the day's energy of the counted enterprises ÷ the sum of their "
            "baselines × 100."
        ),
        "index": _(
            "Power resumption index (State Grid): (share resumed × 0.5 + recovery rate × 0.5), "
            "both in percent; 100 means every counted enterprise resumed and using its baseline."
        ),
        "year_before": _(
            "The same calendar days a year earlier, over the same enterprises, with the baseline "
            "moved back a year too."
        ),
        "year_on_year": _(
            "Year-on-year change: the energy of the as-of day's month up to that day ÷ the energy "
            "of the same days a year before − 1, × 100, over the enterprises with readings in "
            "both periods."
        ),
        "large_industry": _(
            "Large industry at “X%” of the same month's daily average last year: the as-of day's "
            "energy of the large industrial users (enterprises with an account on the "
            "large-industry tariff) with a reading that day ÷ the sum of their daily averages in "
            "the same month last year × 100."
        ),
    }
